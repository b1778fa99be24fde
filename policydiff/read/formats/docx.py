"""DOCX: word/document.xml read with lxml directly, list numbering rendered as the reader sees it.

python-docx was not used: it exposes neither numbering labels nor tracked changes, and it reads
the whole package eagerly; what is needed here is one part walked in order plus two small
lookup tables (numbering.xml, styles.xml).

What comes out, one paragraph a line, in document order:
- Word's automatic numbering as labels (一、 （一） 1. ① …) from numbering.xml: abstractNum
  levels (numFmt, lvlText, start, lvlRestart, isLgl), w:num instances with lvlOverride /
  startOverride, and numbering carried by paragraph styles (styles.xml numPr, basedOn chains).
  Counters live per abstractNum as in Word, so paragraphs of one list continue across body
  text, a new w:num with a startOverride restarts, and a deeper level restarts whenever a higher
  one advances.
- Tables as rows, cells joined by a tab; nested tables flattened into their cell.
- Tracked changes as if accepted: w:ins and w:moveTo kept, w:del, w:delText, w:moveFrom dropped.
- Headers, footers, comments and footnotes are other parts and are not read; hidden text
  (w:vanish) and field instructions are dropped, field results kept; text boxes follow the
  paragraph that anchors them.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from policydiff.read.formats import Extracted
from policydiff.read.formats.detect import SafeZip, parse_xml

W_NAMESPACES = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO 29500 Strict
}
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Inline elements whose content a reader never sees in the accepted text.
_UNSEEN = {"del", "moveFrom", "delText", "instrText", "pPr", "rPr", "fldData", "tblPr", "trPr", "tcPr",
           "sectPr", "footnoteReference", "endnoteReference", "commentReference", "annotationRef"}
_FALSE = {"0", "false", "off"}
_PUA_BULLET = re.compile(r"[\uf000-\uf0ff]")


def _local(element: etree._Element) -> str:
    """The element's local name in WordprocessingML, "mc:Name" in markup compatibility, else "other"."""
    if not isinstance(element.tag, str):
        return ""
    qname = etree.QName(element)
    if qname.namespace in W_NAMESPACES:
        return qname.localname
    return "mc:" + qname.localname if qname.namespace == MC else "other"


def _val(element: etree._Element | None, name: str = "val") -> str | None:
    """A w:-namespaced attribute (w:val by default) of an element that may be absent."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if etree.QName(key).localname == name and etree.QName(key).namespace in W_NAMESPACES:
            return value
    return None


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    return next((child for child in element if _local(child) == name), None)


def _int(text: str | None, default: int | None = None) -> int | None:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


# --- number formats ---------------------------------------------------------------------------------

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS, _CN_LEGAL_UNITS = ("", "十", "百", "千"), ("", "拾", "佰", "仟")
_SEQUENCES = {
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",
    "ideographZodiac": "子丑寅卯辰巳午未申酉戌亥",
    "ideographEnclosedCircle": "".join(map(chr, range(0x3280, 0x328A))),
    "decimalEnclosedCircle": "".join(map(chr, [*range(0x2460, 0x2474), *range(0x3251, 0x3260), *range(0x32B1, 0x32C0)])),
    "decimalEnclosedFullstop": "".join(map(chr, range(0x2488, 0x249C))),
    "decimalEnclosedParen": "".join(map(chr, range(0x2474, 0x2488))),
}
_SEQUENCES["decimalEnclosedCircleChinese"] = _SEQUENCES["decimalEnclosedCircle"]


def _chinese(value: int, digits: str = _CN_DIGITS, units: tuple[str, ...] = _CN_UNITS) -> str:
    """Chinese counting as read aloud: 十, 十一, 二十, 一百零五, 一千零一十 (up to 9,999)."""
    if value == 0 or value > 9999:
        return "".join(digits[int(d)] for d in str(value))
    out, zero = "", False
    for power in range(3, -1, -1):
        digit = value // 10**power % 10
        if digit == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + digits[digit] + units[power]
        zero = False
    # 十一, not 一十一, when ten leads (but 一百一十 keeps its 一).
    return out[1:] if out.startswith(digits[1] + units[1]) else out


def _roman(value: int) -> str:
    out = ""
    for number, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, value = divmod(value, number)
        out += letters * count
    return out


def format_number(value: int, fmt: str) -> str:
    """A counter in one of Word's numFmt values; decimal where the format runs out."""
    if not 0 <= value <= 99_999:  # a hostile start value must not build a megabyte of letters
        return str(value)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseDigitalTenThousand"):
        return _chinese(value)
    if fmt == "chineseLegalSimplified":
        return _chinese(value, _CN_LEGAL, _CN_LEGAL_UNITS)
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join(_CN_DIGITS[int(d)] for d in str(value))
    if fmt in _SEQUENCES and 1 <= value <= len(_SEQUENCES[fmt]):
        return _SEQUENCES[fmt][value - 1]
    if fmt in ("upperRoman", "lowerRoman") and 0 < value < 4000:
        return _roman(value) if fmt == "upperRoman" else _roman(value).lower()
    if fmt in ("upperLetter", "lowerLetter") and 0 < value <= 26 * 30:
        letter = chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(value))
    if fmt in ("none", "bullet"):
        return ""
    return str(value)


# --- numbering.xml and styles.xml --------------------------------------------------------------------


@dataclass
class Level:
    """One level of a list definition."""

    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # lvlRestart: 1-based level whose use restarts this one; 0 never
    legal: bool = False
    suffix: str = "tab"
    style: str | None = None


def _level(lvl: etree._Element) -> Level:
    level = Level(fmt=_val(_child(lvl, "numFmt")) or "decimal", start=_int(_val(_child(lvl, "start")), 1) or 0,
                  restart=_int(_val(_child(lvl, "lvlRestart"))), suffix=_val(_child(lvl, "suff")) or "tab",
                  style=_val(_child(lvl, "pStyle")))
    text = _child(lvl, "lvlText")
    level.text = (_val(text) or "") if text is not None else ""
    legal = _child(lvl, "isLgl")
    level.legal = legal is not None and (_val(legal) or "1") not in _FALSE
    return level


def _levels(parent: etree._Element) -> dict[int, Level]:
    return {_int(_val(lvl, "ilvl"), 0): _level(lvl) for lvl in parent if _local(lvl) == "lvl"}


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int]  # startOverride by level
    levels: dict[int, Level]  # full level overrides


@dataclass
class Numbering:
    """Lists of a document and their running counters."""

    abstracts: dict[str, dict[int, Level]] = field(default_factory=dict)
    style_links: dict[str, str] = field(default_factory=dict)  # abstractNumId -> numbering style
    nums: dict[str, _Num] = field(default_factory=dict)
    styles: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)  # styleId -> numPr
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, numbering: etree._Element | None, styles: etree._Element | None) -> Numbering:
        self = cls()
        for element in numbering if numbering is not None else ():
            if _local(element) == "abstractNum":
                key = _val(element, "abstractNumId") or ""
                self.abstracts[key] = _levels(element)
                link = _val(_child(element, "numStyleLink"))
                if link:
                    self.style_links[key] = link
            elif _local(element) == "num":
                self.nums[_val(element, "numId") or ""] = _num(element)
        self.styles = _style_numbering(styles)
        return self

    def _abstract(self, num: _Num) -> dict[int, Level]:
        """The levels of a w:num: its abstractNum's, through a numStyleLink, with overrides."""
        levels = self.abstracts.get(num.abstract, {})
        link = self.style_links.get(num.abstract)
        if not levels and link and link in self.styles:
            linked = self.nums.get(self.styles[link][0] or "")
            levels = self.abstracts.get(linked.abstract, {}) if linked else {}
        merged = {**levels, **num.levels}
        for ilvl, start in num.starts.items():
            base = merged.get(ilvl, Level())
            merged[ilvl] = Level(base.fmt, base.text, start, base.restart, base.legal, base.suffix, base.style)
        return merged

    def resolve(self, p_pr: etree._Element | None) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph: its own numPr, else its style's; None when unnumbered."""
        num_pr = _child(p_pr, "numPr")
        num_id, ilvl = _val(_child(num_pr, "numId")), _int(_val(_child(num_pr, "ilvl")))
        style = _val(_child(p_pr, "pStyle"))
        if num_id is None and style in self.styles:
            num_id, style_ilvl = self.styles[style]
            ilvl = ilvl if ilvl is not None else style_ilvl
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return None
        if ilvl is None:  # a style linked from a level (w:lvl/w:pStyle) numbers at that level
            levels = self._abstract(self.nums[num_id])
            ilvl = next((i for i, lvl in levels.items() if style and lvl.style == style), 0)
        return num_id, max(0, min(ilvl, 8))

    def label(self, p_pr: etree._Element | None) -> str:
        """The label Word shows for this paragraph ("（一）"), advancing the list's counters."""
        found = self.resolve(p_pr)
        if found is None:
            return ""
        num_id, ilvl = found
        num = self.nums[num_id]
        levels = self._abstract(num)
        state = self.counters.setdefault(num.abstract, {})
        if num_id not in self.seen:  # the first paragraph of a w:num applies its startOverrides
            self.seen.add(num_id)
            for overridden in num.starts:
                state.pop(overridden, None)
        level = levels.get(ilvl, Level())
        state[ilvl] = level.start if ilvl not in state else state[ilvl] + 1
        for deeper in [k for k in state if k > ilvl]:
            restart = levels.get(deeper, Level()).restart
            if restart != 0 and ilvl < (deeper if restart is None else restart):
                del state[deeper]
        text = _render(level, levels, state)
        if text:
            self.labels.append(text)
        return text + _gap(text, level.suffix) if text else ""


def _num(element: etree._Element) -> _Num:
    starts, levels = {}, {}
    for override in element:
        if _local(override) != "lvlOverride":
            continue
        ilvl = _int(_val(override, "ilvl"), 0)
        start = _int(_val(_child(override, "startOverride")))
        if start is not None:
            starts[ilvl] = start
        lvl = _child(override, "lvl")
        if lvl is not None:
            levels[ilvl] = _level(lvl)
    return _Num(_val(_child(element, "abstractNumId")) or "", starts, levels)


def _style_numbering(styles: etree._Element | None) -> dict[str, tuple[str | None, int | None]]:
    """numPr of each paragraph style, inherited along basedOn (cycles cut)."""
    own: dict[str, tuple[str | None, int | None]] = {}
    based: dict[str, str] = {}
    for style in styles if styles is not None else ():
        if _local(style) != "style":
            continue
        key = _val(style, "styleId") or ""
        num_pr = _child(_child(style, "pPr"), "numPr")
        if num_pr is not None:
            own[key] = (_val(_child(num_pr, "numId")), _int(_val(_child(num_pr, "ilvl"))))
        parent = _val(_child(style, "basedOn"))
        if parent:
            based[key] = parent
    out = {}
    for key in {*own, *based}:
        seen, current = set(), key
        while current not in own and current in based and current not in seen:
            seen.add(current)
            current = based[current]
        if current in own:
            out[key] = own[current]
    return out


def _render(level: Level, levels: dict[int, Level], state: dict[int, int]) -> str:
    """lvlText with each %N replaced by level N's counter in that level's format."""
    if level.fmt == "bullet":
        return _PUA_BULLET.sub("•", level.text)  # Symbol-font bullets sit in the private use area

    def one(match: re.Match[str]) -> str:
        ilvl = int(match.group(1)) - 1
        other = levels.get(ilvl, Level())
        value = state.get(ilvl, other.start)
        return format_number(value, "decimal" if level.legal and other.fmt != "none" else other.fmt)

    return re.sub(r"%([1-9])", one, level.text)


def _gap(label: str, suffix: str) -> str:
    """What stands for the tab after a label: nothing after full-width 、 ） ①, else a space."""
    if suffix == "nothing" or suffix != "space" and unicodedata.east_asian_width(label[-1]) in "WFA":
        return ""
    return " "


# --- the body --------------------------------------------------------------------------------------


@dataclass
class _Walk:
    """Walks the body in order, collecting lines and what was done for the steps."""

    numbering: Numbering
    rows: int = 0
    tables: int = 0
    hidden: int = 0

    def blocks(self, parent: etree._Element) -> Iterator[str]:
        """Lines of block-level content: paragraphs, tables, content controls."""
        for child in parent:
            name = _local(child)
            if name == "p":
                yield from self.paragraph(child)
            elif name == "tbl":
                self.tables += 1
                yield from self.table(child)
            elif name == "mc:AlternateContent":
                yield from self.blocks(_choice(child))
            elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag"):
                yield from self.blocks(child)

    def paragraph(self, p: etree._Element) -> Iterator[str]:
        label = self.numbering.label(_child(p, "pPr"))
        pieces: list[str] = []
        boxes: list[str] = []
        self.inline(p, pieces, boxes)
        lines = [line.strip() for line in "".join(pieces).split("\n")]
        lines = [line for line in lines if line]
        if lines:  # an empty numbered paragraph still advanced its list, as in Word
            yield label + lines[0]
            yield from lines[1:]
        yield from boxes

    def inline(self, parent: etree._Element, out: list[str], boxes: list[str]) -> None:
        """Text of runs in order, accepting tracked changes; text boxes go to `boxes`."""
        for child in parent:
            name = _local(child)
            if name in _UNSEEN:
                continue
            if name == "t":
                out.append(child.text or "")
            elif name == "tab":
                out.append("\t")
            elif name in ("br", "cr"):
                out.append("" if _val(child, "type") in ("page", "column") else "\n")
            elif name == "noBreakHyphen":
                out.append("-")
            elif name == "sym":
                out.append(_symbol(child))
            elif name == "txbxContent":
                boxes.extend(self.blocks(child))
            elif name == "mc:AlternateContent":
                self.inline(_choice(child), out, boxes)
            elif name == "r" and _hidden(child):
                self.hidden += 1
            else:  # ins, moveTo, hyperlink, smartTag, sdt, fldSimple, drawing wrappers …
                self.inline(child, out, boxes)

    def table(self, tbl: etree._Element) -> Iterator[str]:
        """One line per row, cells joined with a tab; merged-down cells stay empty."""
        for tr in _descend(tbl, "tr"):
            cells = [" ".join(self.blocks(tc)).replace("\t", " ") for tc in _descend(tr, "tc")]
            if any(cells):
                self.rows += 1
                yield "\t".join(cells).rstrip("\t")


def _descend(parent: etree._Element, name: str) -> Iterator[etree._Element]:
    """Children called `name`, looking through content controls and tracked insertions."""
    for child in parent:
        local = _local(child)
        if local == name:
            yield child
        elif local in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            yield from _descend(child, name)


def _choice(alternate: etree._Element) -> etree._Element:
    """The first mc:Choice (what Word rendered), else the mc:Fallback: never both."""
    for child in alternate:
        if _local(child) in ("mc:Choice", "mc:Fallback"):
            return child
    return alternate


def _hidden(run: etree._Element) -> bool:
    vanish = _child(_child(run, "rPr"), "vanish")
    return vanish is not None and (_val(vanish) or "1") not in _FALSE


def _symbol(sym: etree._Element) -> str:
    try:
        code = int(_val(sym, "char") or "", 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF:  # Symbol/Wingdings glyph positions: no text a reader can use
        return ""
    return chr(code) if 0 < code < 0x110000 else ""


# --- the package -----------------------------------------------------------------------------------


def _relationships(archive: SafeZip, part: str) -> list[tuple[str, str]]:
    """(type suffix, target part) of a part's relationships; [] when it has none."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if archive.find(rels) is None:
        return []
    out = []
    for rel in parse_xml(archive.read(rels), archive, rels):
        if etree.QName(rel).localname != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
        out.append((rel.get("Type", "").rsplit("/", 1)[-1], resolved))
    return out


def _optional(archive: SafeZip, part: str | None) -> etree._Element | None:
    if part is None or archive.find(part) is None:
        return None
    return parse_xml(archive.read(part), archive, part)


def extract_docx(data: bytes, where: str, kind: str = "docx") -> Extracted:
    """Text of a DOCX body: numbering labels, tables as rows, tracked changes accepted."""
    archive = SafeZip(data, where, "docx")
    main = next((t for kind_, t in _relationships(archive, "") if kind_ == "officeDocument"), "word/document.xml")
    rels = _relationships(archive, main)
    target = {kind_: t for kind_, t in reversed(rels)}
    root = parse_xml(archive.read(main), archive, main)
    body = _child(root, "body")
    if body is None:
        raise archive.error(f"a damaged DOCX file ({main} has no w:body)")
    walk = _Walk(Numbering.load(_optional(archive, target.get("numbering")), _optional(archive, target.get("styles"))))
    lines = list(walk.blocks(body))
    return Extracted(text="\n".join(lines), format=kind, steps=_steps(root, walk, rels), warnings=_warnings(root))


def _count(root: etree._Element, *names: str) -> int:
    return sum(1 for element in root.iter() if isinstance(element.tag, str) and _local(element) in names)


def _steps(root: etree._Element, walk: _Walk, rels: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
    labels = walk.numbering.labels
    shown = " ".join(dict.fromkeys(labels[:12]))
    inserted, deleted = _count(root, "ins", "moveTo"), _count(root, "del", "moveFrom")
    furniture = sorted(posixpath.basename(t) for kind, t in rels if kind in ("header", "footer"))
    return [
        ("docx_numbering", len(labels), shown + (" …" if len(labels) > 12 else "")),
        ("docx_tracked_changes", inserted + deleted, f"{inserted} insertions kept, {deleted} deletions dropped"
         if inserted + deleted else ""),
        ("docx_tables", walk.rows, f"{walk.tables} tables, {walk.rows} rows, cells tab-separated" if walk.tables else ""),
        ("docx_headers_footers", len(furniture), ", ".join(furniture)),
        ("docx_hidden_text", walk.hidden, "runs marked hidden (w:vanish)" if walk.hidden else ""),
    ]


def _warnings(root: etree._Element) -> list[str]:
    out = []
    notes = _count(root, "footnoteReference", "endnoteReference")
    if notes:
        out.append(f"{notes} footnote(s)/endnote(s) not included in the text")
    chunks = _count(root, "altChunk")
    if chunks:
        out.append(f"{chunks} embedded document(s) (w:altChunk) not read; save the file again in Word to inline them")
    return out
