"""A Word document (DOCX) of a `Comparison` whose changes are real tracked changes.

Every clause change is one paragraph whose redline is written as revision marks: deleted text in
`w:del` (its runs hold `w:delText`), inserted text in `w:ins`, both by the author "policydiff" and
dated with the new version's date, so Word, WPS and LibreOffice list them under Accept/Reject
("accept all" gives the new wording, "reject all" the old). The numbered structure is kept: a
section is a Heading 1 and a clause a Heading 2, each with the number the document prints. The
target changes are a Word table.

python-docx builds the document (styles, headings, the table); the revision marks are lxml elements
it has no API for. Text is stripped of the characters XML 1.0 cannot hold, and newlines become
`w:br`, so no document text can break the file.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from policydiff.model.changes import ClauseChange, Comparison, Status
from renderers.common import (
    DEPT_LABELS,
    card_targets,
    department_changes,
    doc_line,
    kind_label,
    one_line,
    provenance,
    reason_note,
    section_groups,
    sorted_targets,
    status_label,
    target_label,
    target_name,
    target_value,
    target_where,
    title_of,
)

#: who made the tracked changes
AUTHOR = "policydiff"
#: the style of a clause's redline paragraph (tests and macros find the clauses by it)
CLAUSE_STYLE = "policydiff Clause"
#: the style of the line under a clause heading (status, provenance, departments)
META_STYLE = "policydiff Meta"
#: the East Asian font the document asks for (Word and WPS have it; LibreOffice substitutes)
CJK_FONT = "SimSun"

#: the elements of w:settings that come after w:trackRevisions (CT_Settings' sequence, up to w:rsids)
_AFTER_TRACK_REVISIONS = tuple(f"w:{t}" for t in (
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride", "styleLockTheme",
    "styleLockQFSet", "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
    "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle",
    "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning", "characterSpacingControl",
    "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
    "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
    "docVars", "rsids",
))

#: characters XML 1.0 cannot hold (a hostile or damaged text must not break the file)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: object) -> str:
    """Text a w:t can hold: no XML-illegal characters, newlines unified."""
    s = "" if text is None else str(text)
    return _ILLEGAL.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def revision_date(cmp: Comparison) -> str:
    """The w:date of the revisions: the new version's date (midnight UTC), else now."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", (cmp.new.date or "").strip())
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}T00:00:00Z"
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Revisions:
    """Makes w:ins / w:del elements with unique ids."""

    def __init__(self, date: str) -> None:
        self.date = date
        self.next_id = 1

    def mark(self, tag: str) -> OxmlElement:
        el = OxmlElement(tag)
        el.set(qn("w:id"), str(self.next_id))
        el.set(qn("w:author"), AUTHOR)
        el.set(qn("w:date"), self.date)
        self.next_id += 1
        return el


def _run(text: str, deleted: bool = False) -> OxmlElement:
    """A w:r holding `text`: w:t (or w:delText when deleted), a w:br for each newline."""
    r = OxmlElement("w:r")
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(OxmlElement("w:br"))
        if line:
            t = OxmlElement("w:delText" if deleted else "w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = line
            r.append(t)
    return r


def redline_parts(m: ClauseChange) -> list[tuple[str, str]]:
    """The clause as (op, text) runs: its redline when both sides exist, all inserted for an added
    clause, all deleted for a dropped one, plain for a clause a news summary does not mention."""
    if m.old and m.new:
        if m.diff:
            return [(op, text) for op, text in m.diff if text]
        return [("=", m.new_text)] if m.new_text else []
    if m.new:
        return [("+", m.new_text)] if m.new_text else []
    if m.status == Status.DROPPED:
        return [("-", m.old_text)] if m.old_text else []
    return [("=", m.old_text)] if m.old_text else []


def _redline(paragraph, parts: list[tuple[str, str]], rev: _Revisions) -> None:
    p = paragraph._p
    for op, text in parts:
        text = clean(text)
        if not text:
            continue
        if op == "-":
            d = rev.mark("w:del")
            d.append(_run(text, deleted=True))
            p.append(d)
        elif op == "+":
            i = rev.mark("w:ins")
            i.append(_run(text))
            p.append(i)
        else:
            p.append(_run(text))


def _east_asian_font(style) -> None:
    """The style's Chinese text in CJK_FONT (a theme font named instead would win over it)."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    fonts.set(qn("w:eastAsia"), CJK_FONT)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        _east_asian_font(doc.styles[name])
    from docx.enum.style import WD_STYLE_TYPE

    clause = doc.styles.add_style(CLAUSE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    clause.base_style = normal
    clause.font.size = Pt(11.5)
    clause.paragraph_format.line_spacing = 1.5
    clause.paragraph_format.space_after = Pt(10)
    meta = doc.styles.add_style(META_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    meta.base_style = normal
    meta.font.size = Pt(9.5)
    meta.font.color.rgb = RGBColor(0x59, 0x63, 0x6E)
    meta.paragraph_format.space_after = Pt(2)
    meta.paragraph_format.keep_with_next = True


def _track_revisions(doc) -> None:
    """Ask the editor to keep tracking: a reader's own edits become revisions too."""
    settings = doc.settings.element
    if settings.find(qn("w:trackRevisions")) is None:  # in its place in the schema's sequence (Word checks)
        settings.insert_element_before(OxmlElement("w:trackRevisions"), *_AFTER_TRACK_REVISIONS)


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(clean(one_line(text)) or "—")
    run.bold = bold
    run.font.size = Pt(9)


def _target_table(doc, cmp: Comparison) -> None:
    targets = sorted_targets(cmp.targets)
    if not targets:
        doc.add_paragraph("没有目标变化 no target changes.")
        return
    head = ["变化 change", "主体 subject", "指标 metric", "旧 old", "新 new", "原文 wording", "条款 clause",
            "说明 note"]
    widths = [Cm(w) for w in (1.8, 2.2, 2.4, 1.6, 1.6, 3.0, 1.8, 2.2)]  # 16.6 cm: A4 less the margins
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False
    for c, h, w in zip(table.rows[0].cells, head, widths, strict=True):
        _cell(c, h, bold=True)
        c.width = w
    tr_pr = table.rows[0]._tr.get_or_add_trPr()  # the header row repeats on every page
    tr_pr.append(OxmlElement("w:tblHeader"))
    nums = cmp.clause_numbers()
    for t in targets:
        subject, metric = target_name(t)
        wording = " → ".join(one_line(x.text) for x in (t.old, t.new) if x is not None and x.text)
        values = [target_label(t.change), subject, metric, target_value(t, "old"), target_value(t, "new"),
                  wording, target_where(cmp, t, nums), reason_note(t.reason)]
        for c, v, w in zip(table.add_row().cells, values, widths, strict=True):
            _cell(c, v)
            c.width = w


def _meta(m: ClauseChange, cmp: Comparison) -> str:
    old_year, new_year = cmp.old.year or "旧", cmp.new.year or "新"
    bits = [status_label(m.status)]
    if m.old and m.new:
        bits.append(f"{provenance(m)} {old_year} {one_line(m.old_num) or '·'} → {new_year} {one_line(m.new_num) or '·'}")
    elif m.old:
        bits.append(f"{provenance(m)} {old_year} {one_line(m.old_num) or '·'}")
    else:
        bits.append(f"{provenance(m)} {new_year} {one_line(m.new_num) or '·'}")
    if m.renumbered:
        bits.append(f"重新编号 renumbered {one_line(m.renumbered)}")
    for key, _sign, names in department_changes(m):
        bits.append(f"{DEPT_LABELS[key]}：" + "、".join(one_line(n) for n in names))
    return " · ".join(bits)


def _container_numbers(cmp: Comparison) -> dict[str, str]:
    """Section eId → its printed number (一、), from the containers' matches."""
    out: dict[str, str] = {}
    for c in cmp.containers:
        for num, eid in (*c.new_numbered(), *c.old_numbered()):
            if num and eid not in out:
                out[eid] = num
    return out


def build(cmp: Comparison):
    """The python-docx Document of the comparison."""
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.2))
    _styles(doc)
    _track_revisions(doc)
    rev = _Revisions(revision_date(cmp))
    core = doc.core_properties
    core.author = AUTHOR
    old_t, new_t = one_line(cmp.old.title) or cmp.old.ref, one_line(cmp.new.title) or cmp.new.ref
    core.title = clean(f"{old_t} → {new_t}")[:250]

    doc.add_heading(clean(f"条款对比 {old_t} → {new_t}"), level=0)
    for label, d in (("旧版 old", cmp.old), ("新版 new", cmp.new)):
        extra = "，".join(x for x in (kind_label(d.kind), d.issuer, d.ref) if x)
        doc.add_paragraph(clean(f"{label} · {d.year or ''} {doc_line(d)} {one_line(extra)}"), style=META_STYLE)
    doc.add_paragraph(clean(
        "修订标记：删除的文字与新增的文字是修订（作者 policydiff），可逐条接受或拒绝；全部接受得到新版文字，"
        "全部拒绝得到旧版文字。Deletions and insertions are tracked changes by policydiff: accept all for "
        "the new wording, reject all for the old."))

    doc.add_heading("概要 Summary", level=1)
    counts = "、".join(f"{status_label(s)} {n}" for s, n in cmp.counts.items() if n)
    doc.add_paragraph(clean(f"条款 clauses：{counts or '—'}"))
    tline = "、".join(f"{target_label(k)} {v}" for k, v in cmp.target_counts.items() if v)
    if tline:
        doc.add_paragraph(clean(f"目标 targets：{tline}"))

    doc.add_heading("目标变化 Target changes", level=1)
    _target_table(doc, cmp)

    per_card = card_targets(cmp)
    index = {id(m): i for i, m in enumerate(cmp.matches)}
    numbers = _container_numbers(cmp)
    for g in section_groups(cmp.matches):
        num = numbers.get(g.section, "") if g.side == "new" else ""
        name = one_line(g.heading) or (f"旧版章节 old section {g.section}" if g.side == "old" else g.section or "—")
        doc.add_heading(clean(f"{num}{name}"), level=1)
        for m in g.items:
            number = one_line(m.new_num if m.new else m.old_num)
            doc.add_heading(clean(f"{number}{title_of(m)}"), level=2)
            doc.add_paragraph(clean(_meta(m, cmp)), style=META_STYLE)
            for t in sorted_targets(per_card.get(index[id(m)], [])):
                subject, metric = target_name(t)
                old, new = target_value(t, "old"), target_value(t, "new")
                values = f"{old} → {new}" if old and new else (old or new)
                note = reason_note(t.reason)
                line = f"{target_label(t.change)} {one_line(subject)} {one_line(metric)}：{values}"
                doc.add_paragraph(clean(line + (f"（{note}）" if note else "")), style=META_STYLE)
            _redline(doc.add_paragraph(style=CLAUSE_STYLE), redline_parts(m), rev)
    doc.add_paragraph(clean(f"policydiff · {cmp.old.ref} → {cmp.new.ref}"), style=META_STYLE)
    return doc


def render(cmp: Comparison) -> bytes:
    """The whole DOCX file (bytes)."""
    buf = io.BytesIO()
    build(cmp).save(buf)
    return buf.getvalue()
