"""A GitHub-flavoured Markdown redline of a `Comparison`.

Deleted text is ~~struck~~, inserted text is <ins>underlined</ins> (the only HTML this renderer writes).
All document text is escaped, so no clause can open a heading, a list, a table row, a link, a code span
or an HTML tag, and newlines never reach a table cell or a heading.
"""

from __future__ import annotations

import re
import unicodedata

from policydiff.model.changes import ClauseChange, Comparison, Status, TargetChange
from renderers.common import (
    DEPT_LABELS,
    FOLDED,
    STATUS_ORDER,
    alias_ids,
    card_id,
    card_targets,
    correction_note,
    department_changes,
    kind_label,
    one_line,
    provenance,
    reason_note,
    renumbered,
    section_groups,
    sorted_targets,
    status_label,
    status_symbol,
    target_label,
    target_name,
    target_symbol,
    target_value,
    target_where,
    title_of,
)

#: ASCII characters that can start inline markup (emphasis, strikethrough, code, links, HTML, entities,
#: table cells, GitHub math); a backslash makes each one literal
_SPECIAL = re.compile(r"([\\`*_~|#<>\[\]&$])")
#: the start of a line that a block parser would read as a list item, or a setext underline
_ORDERED = re.compile(r"^(\d{1,9})([.)])")
_BULLET = re.compile(r"^([-+=:])")
#: a boundary for ~~: CommonMark opens/closes a delimiter run next to punctuation only if the other
#: side is whitespace or punctuation, which Chinese text rarely is; a zero-width space disarms that
_ZWSP = "\u200b"


def _lines(text: str) -> list[str]:
    """The text's lines (newline conventions unified, runs of blank lines collapsed)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\n{2,}", "\n", text).split("\n")


def _escape_line(line: str, at_start: bool) -> str:
    out = _SPECIAL.sub(r"\\\1", line)
    if at_start:
        out = out.lstrip(" \t")
        out = _ORDERED.sub(r"\1\\\2", out)
        out = _BULLET.sub(r"\\\1", out)
    return out


def escape(text: str, at_start: bool = True) -> str:
    """Inline text with every Markdown-significant character made literal; a line break inside it
    becomes a hard break (backslash + newline) and the line after it cannot start a block."""
    return "\\\n".join(_escape_line(ln, at_start or i > 0) for i, ln in enumerate(_lines(text)))


def code(text: str) -> str:
    """An inline code span that holds any text (its fence is longer than any backtick run inside)."""
    text = one_line(text)
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: object) -> str:
    """A table cell: one line, escaped, pipes escaped; empty cells show a dash."""
    s = one_line("" if text is None else str(text))
    return _SPECIAL.sub(r"\\\1", s) if s else "—"


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS" or ch.isspace()


def _struck(body: str) -> str:
    """~~body~~ (body already escaped, one line) that opens and closes wherever it stands."""
    if not body.strip():
        return body
    lead = _ZWSP if _is_punct(body[0]) else ""
    tail = _ZWSP if _is_punct(body[-1]) else ""
    return f"~~{lead}{body}{tail}~~"


def _inserted(body: str) -> str:
    return f"<ins>{body}</ins>" if body.strip() else body


def redline(diff: list[list[str]]) -> str:
    """One paragraph of text with ~~deleted~~ and <ins>inserted</ins> runs; an op that spans a line
    break is closed and reopened around it, so each run stays on one line (and a number stays whole)."""
    merged: list[list[str]] = []
    for op, text in diff:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1][1] += text
        else:
            merged.append([op, text])
    out: list[str] = []
    at_start = True
    for op, text in merged:
        pieces = []
        for i, ln in enumerate(_lines(text)):
            body = _escape_line(ln, at_start or i > 0)
            pieces.append(_struck(body) if op == "-" else _inserted(body) if op == "+" else body)
        out.append("\\\n".join(pieces))
        at_start = text.endswith(("\n", "\r"))
    para = "".join(out)
    while para.startswith("\\\n"):
        para = para[2:]
    while para.endswith("\\\n"):
        para = para[:-2]
    return para


def table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    """A GFM table; cells must already be escaped with `cell`."""
    align = align or ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines.extend("| " + " | ".join(r) + " |" for r in rows)
    return lines


# --------------------------------------------------------------------------- parts


def _docs(cmp: Comparison) -> list[str]:
    o, n = cmp.old, cmp.new
    rows = [["标题 title", cell(o.title), cell(n.title)], ["文号 doc no.", cell(o.doc_no), cell(n.doc_no)],
            ["日期 date", cell(o.date), cell(n.date)], ["类型 kind", cell(kind_label(o.kind)), cell(kind_label(n.kind))],
            ["发文 issuer", cell(o.issuer), cell(n.issuer)], ["版本 ref", cell(o.ref), cell(n.ref)]]
    return table(["项目 field", f"旧版 old {o.year or ''}".strip(), f"新版 new {n.year or ''}".strip()], rows)


def _counts(cmp: Comparison) -> list[str]:
    c = cmp.counts
    rows = [[cell(f"{status_symbol(s)} {status_label(s)}"), str(c.get(s, 0))] for s in STATUS_ORDER]
    return table(["状态 status", "条款 clauses"], rows, ["---", "---:"])


def _target_rows(cmp: Comparison, targets: list[TargetChange]) -> list[list[str]]:
    rows = []
    nums = cmp.clause_numbers()
    for t in targets:
        subject, metric = target_name(t)
        wording = " → ".join(one_line(x.text) for x in (t.old, t.new) if x is not None and x.text)
        where = target_where(cmp, t, nums)
        rows.append([cell(f"{target_symbol(t.change)} {target_label(t.change)}"), cell(subject), cell(metric),
                     cell(target_value(t, "old")), cell(target_value(t, "new")), cell(wording), cell(where),
                     cell(reason_note(t.reason))])
    return rows


_TARGET_HEADER = ["变化 change", "主体 subject", "指标 metric", "旧 old", "新 new", "原文 wording",
                  "条款 clause", "说明 note"]


def _targets(cmp: Comparison) -> list[str]:
    ts = sorted_targets(cmp.targets)
    main = [t for t in ts if t.change not in FOLDED]
    out = ["## 目标变化 Target changes", ""]
    if main:
        out += table(_TARGET_HEADER, _target_rows(cmp, main))
    else:
        out.append("没有收紧、放宽或期限变化的目标。No tightened, loosened or rescheduled targets.")
    for change in FOLDED:
        rows = [t for t in ts if t.change == change]
        if rows:
            out += ["", f"### {target_label(change)} 目标 targets ({len(rows)})", ""]
            out += table(_TARGET_HEADER, _target_rows(cmp, rows))
    return out


def _meta(m: ClauseChange, cmp: Comparison) -> list[str]:
    """The lines under a clause heading: where it came from, renumbering, departments, targets."""
    def refs(numbered: list[tuple[str, str]]) -> str:
        return "、".join((escape(n, at_start=False) + " " if n else "") + code(e) for n, e in numbered)

    lines = []
    oy, ny = cmp.old.year or "旧", cmp.new.year or "新"
    if m.old and m.new:
        lines.append(f"{escape(provenance(m))}: {escape(str(oy))} {refs(m.old_numbered())} → "
                     f"{escape(str(ny))} {refs(m.new_numbered())}")
    elif m.old:
        lines.append(f"{escape(provenance(m))}: {escape(str(oy))} {refs(m.old_numbered())}"
                     + (f" · 原属章节 old section {code(m.section)}" if m.section else ""))
    else:
        lines.append(f"{escape(provenance(m))}: {escape(str(ny))} {refs(m.new_numbered())}")
    if renumbered(m):
        lines.append(f"重新编号 renumbered: {escape(renumbered(m))}")
    if correction_note(m):
        lines.append(escape(correction_note(m)))
    if m.status == Status.MOVED:
        lines.append("文字 text: " + ("有修改 modified" if m.modified else "未变 unchanged"))
    for key, _sign, names in department_changes(m):
        lines.append(f"{escape(DEPT_LABELS[key])}: {escape('、'.join(one_line(n) for n in names))}")
    return lines


def _target_lines(targets: list[TargetChange]) -> list[str]:
    out = []
    for t in sorted_targets(targets):
        subject, metric = target_name(t)
        name = " ".join(x for x in (one_line(subject), one_line(metric)) if x) or "—"
        old, new = target_value(t, "old"), target_value(t, "new")
        values = f"{old} → {new}" if old and new else (old or new)
        wording = " → ".join(one_line(x.text) for x in (t.old, t.new) if x is not None and x.text)
        line = f"{target_symbol(t.change)} {target_label(t.change)}: {name}: {values}"
        if wording:
            line += f" ({wording})"
        out.append("- " + escape(line))
    return out


def _clause(m: ClauseChange, cmp: Comparison, targets: list[TargetChange]) -> list[str]:
    num = one_line(m.new_num if m.new else m.old_num)
    title = " ".join(x for x in (num, title_of(m)) if x)
    head = f"#### {status_symbol(m.status)} {status_label(m.status)} · {escape(title, at_start=False)}"
    anchors = " ".join(code(a) for a in [card_id(m), *alias_ids(m)])
    out = [head, "", "\\\n".join(_meta(m, cmp)) + f"\\\nHTML 报告锚点 anchor: {anchors}", ""]
    if targets:
        out += _target_lines(targets) + [""]
    if m.old and m.new and m.diff:
        out += [redline(m.diff), ""]
    elif m.new:
        out += [f"新文 new text: {escape(m.new_text)}", ""]
    elif m.old:
        out += [f"原文 old text: {escape(m.old_text)}", ""]
    return out


def render(cmp: Comparison) -> str:
    """The comparison as GitHub-flavoured Markdown."""
    per_card = card_targets(cmp)
    index = {id(m): i for i, m in enumerate(cmp.matches)}
    old_t = one_line(cmp.old.title) or cmp.old.ref
    new_t = one_line(cmp.new.title) or cmp.new.ref
    out = [f"# 条款对比 Clause comparison: {escape(old_t)} → {escape(new_t)}", "", "## 文件 Documents", ""]
    out += _docs(cmp)
    out += ["", "## 概要 Summary", ""]
    out += _counts(cmp)
    out += [""] + _targets(cmp)
    out += ["", "## 条款变化 Changed clauses", "",
            "删除的文字 ~~deleted text~~ · 新增的文字 <ins>inserted text</ins>", ""]
    groups = section_groups(cmp.matches, keep=lambda m: m.status != Status.UNCHANGED)
    if not groups:
        out += ["没有变化的条款。No changed clauses.", ""]
    for g in groups:
        name = one_line(g.heading) if g.heading else (
            f"旧版章节 old section {g.section}" if g.side == "old" else (g.section or "—"))
        out += [f"### {escape(name)}", ""]
        for m in g.items:
            out += _clause(m, cmp, per_card.get(index[id(m)], []))
    unchanged = [m for m in cmp.matches if m.status == Status.UNCHANGED]
    out += [f"## 未变条款 Unchanged clauses ({len(unchanged)})", ""]
    if unchanged:
        for m in unchanged:
            num = one_line(m.new_num or m.old_num)
            label = " ".join(x for x in (num, title_of(m)) if x)
            out.append(f"- {escape(label)} · {code(card_id(m))}")
    else:
        out.append("无 none")
    return "\n".join(out).rstrip("\n") + "\n"
