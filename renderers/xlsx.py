"""An Excel workbook (XLSX) of a `Comparison`, written with openpyxl.

Sheets:
- 条款 clauses: one row per clause match: status, old/new number, heading, departments, score,
  corrected, the clauses' eIds, section and the two texts;
- 目标 targets: one row per target change: change, subject, metric, each side's value, unit,
  comparator, deadline and wording, the reason and the clauses;
- 说明 about: which two documents were compared.

`render_target_table(table)` is the workbook of a series' target table (`TargetTable`, computed
with the series report): 目标表 target table (one row per target identity, a column per version
and the change between columns, as target_table.csv), 目标值 values (one row per stated target,
the value a number) and 说明 about.

Every cell that holds document text is a string cell, even one that starts with "=" (no formula
can come from a document), and characters a workbook cannot hold are removed.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from policydiff.model.changes import Comparison, TargetChange
from policydiff.model.series import TargetTable
from renderers.common import DEPT_LABELS, department_changes, one_line, sorted_targets, title_of

#: the longest text an Excel cell holds
MAX_CELL = 32767

CLAUSE_COLUMNS = (
    ("status", 12), ("old_num", 10), ("new_num", 10), ("heading", 36), ("departments", 36),
    ("score", 8), ("corrected", 10), ("old_clause", 18), ("new_clause", 18), ("section", 10),
    ("section_heading", 28), ("renumbered", 16), ("old_text", 60), ("new_text", 60),
)  # fmt: skip
TARGET_COLUMNS = (
    ("change", 14), ("subject", 18), ("metric", 22),
    ("old_value", 12), ("old_unit", 8), ("old_comparator", 10), ("old_deadline", 10), ("old_text", 24),
    ("new_value", 12), ("new_unit", 8), ("new_comparator", 10), ("new_deadline", 10), ("new_text", 24),
    ("reason", 30), ("old_clause", 18), ("new_clause", 18), ("old_num", 10), ("new_num", 10),
)  # fmt: skip

_HEAD_FILL = PatternFill("solid", fgColor="F0F3F6")


def text(value: object) -> str:
    """A cell's text: no characters a workbook cannot hold, no longer than a cell holds."""
    s = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", s)[:MAX_CELL]


def _departments(m) -> str:
    return "; ".join(f"{DEPT_LABELS[k]}: " + "、".join(one_line(n) for n in names)
                     for k, names in ((k, n) for k, _s, n in department_changes(m)))


def clause_rows(cmp: Comparison) -> list[list[object]]:
    """The rows of the clauses sheet (CLAUSE_COLUMNS), one per match, in the comparison's order."""
    rows = []
    for m in cmp.matches:
        evidence = m.evidence if isinstance(m.evidence, dict) else {}
        corrected = bool(getattr(m, "corrected", False) or evidence.get("corrected", False))  # a hand correction
        rows.append([m.status.value, one_line(m.old_num), one_line(m.new_num), title_of(m), _departments(m),
                     float(m.score), corrected, " ".join(m.old), " ".join(m.new), m.section,
                     one_line(m.section_heading), one_line(m.renumbered), m.old_text, m.new_text])
    return rows


def _value(t: TargetChange, side: str) -> object:
    tgt = t.old if side == "old" else t.new
    return "" if tgt is None else _number(tgt.value)


def _number(v: object) -> object:
    """A value as a workbook number (an int where it is whole); "" for none."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def target_rows(cmp: Comparison) -> list[list[object]]:
    """The rows of the targets sheet (TARGET_COLUMNS), in the order the reports list them."""
    old_nums, new_nums = cmp.clause_numbers()
    rows = []
    for t in sorted_targets(cmp.targets):
        ref = t.new or t.old
        row = [t.change.value, ref.subject if ref else "", ref.metric if ref else ""]
        for side, tgt in (("old", t.old), ("new", t.new)):
            row += [_value(t, side), tgt.unit if tgt else "", tgt.comparator if tgt else "",
                    tgt.deadline if tgt else "", one_line(tgt.text) if tgt else ""]
        row += [t.reason.text, t.old_clause, t.new_clause, old_nums.get(t.old_clause, ""),
                new_nums.get(t.new_clause, "")]
        rows.append(row)
    return rows


def _sheet(ws, columns, rows) -> None:
    ws.append([name for name, _w in columns])
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = _HEAD_FILL
    for row in rows:
        ws.append([text(v) if isinstance(v, str) else v for v in row])
    for r in ws.iter_rows(min_row=2):
        for c in r:
            if isinstance(c.value, str):
                c.data_type = "s"  # never a formula, whatever the text starts with
                if len(c.value) > 40:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
    for i, (_name, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, ws.max_row)}"


def build(cmp: Comparison) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "条款 clauses"
    _sheet(ws, CLAUSE_COLUMNS, clause_rows(cmp))
    _sheet(wb.create_sheet("目标 targets"), TARGET_COLUMNS, target_rows(cmp))
    _about(wb, [["", "old", "new"], *([key, getattr(cmp.old, key), getattr(cmp.new, key)]
                                      for key in ("ref", "series", "year", "kind", "doc_no", "title", "date", "issuer"))],
           (10, 48, 48))
    wb.properties.creator = "policydiff"
    wb.properties.title = text(f"{one_line(cmp.old.title) or cmp.old.ref} → {one_line(cmp.new.title) or cmp.new.ref}")
    return wb


def _about(wb: Workbook, rows: list[list[str]], widths: tuple[int, ...]) -> None:
    about = wb.create_sheet("说明 about")
    for row in rows:
        about.append([text(v) for v in row])
    for r in about.iter_rows():
        for c in r:
            if isinstance(c.value, str):
                c.data_type = "s"
    for i, width in enumerate(widths, start=1):
        about.column_dimensions[get_column_letter(i)].width = width


def render(cmp: Comparison) -> bytes:
    """The whole XLSX file (bytes)."""
    buf = io.BytesIO()
    build(cmp).save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------- a series' target table
VALUE_COLUMNS = (
    ("subject", 18), ("metric", 22), ("version", 10), ("year", 8), ("comparator", 10), ("value", 14),
    ("value_high", 12), ("unit", 8), ("deadline", 12), ("text", 28), ("change", 12), ("reason", 30),
    ("ref", 22), ("clause", 22),
)  # fmt: skip


def table_columns(table: TargetTable) -> tuple[tuple[str, int], ...]:
    """The columns of the target table sheet: `TargetTable.header()` with widths."""
    return tuple((name, 22 if name == "metric" else 18 if name == "subject" else 12 if "→" in name else 14)
                 for name in table.header())


def value_rows(table: TargetTable) -> list[list[object]]:
    """One row per stated target (VALUE_COLUMNS): row by row, version by version; the change is
    the step that arrives at this version."""
    rows = []
    for row in table.rows:
        reasons = row.reasons or [""] * len(table.versions)
        for version, p, change, reason in zip(table.versions, row.cells, row.changes, reasons, strict=True):
            if p is None:
                continue
            rows.append([row.subject, row.metric, version, p.year if p.year is not None else "", p.comparator,
                         _number(p.value), _number(p.value_high), p.unit, p.deadline, one_line(p.text), change,
                         reason, p.ref, p.clause])
    return rows


def build_target_table(table: TargetTable) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "目标表 target table"
    _sheet(ws, table_columns(table), table.records())
    _sheet(wb.create_sheet("目标值 values"), VALUE_COLUMNS, value_rows(table))
    _about(wb, [["series", table.series], ["versions", " → ".join(table.versions)],
                ["targets", str(len(table.rows))]], (10, 48))
    wb.properties.creator = "policydiff"
    wb.properties.title = text(f"{table.series}: target table")
    return wb


def render_target_table(table: TargetTable) -> bytes:
    """The XLSX file of a series' target table (bytes)."""
    buf = io.BytesIO()
    build_target_table(table).save(buf)
    return buf.getvalue()
