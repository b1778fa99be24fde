"""PDF: text through PDFium (pypdfium2), then the page-furniture rules that OFD shares.

Why pypdfium2. benchmarks/bench_extract.py reads one reportlab PDF (STSong-Light CID font, 100
pages of the 2019 seed) with each library in the same run. Two runs on this shared 2-core
machine: pypdfium2 0.37–0.62 s, pdfplumber 8.9–13.3 s, pdfminer.six's own extract_text
9.6–13.6 s, i.e. PDFium is 14–36 times faster; this module (PDFium plus the rules below)
0.9–1.0 s, inside the 2 s target. CJK fidelity: all three return every page character for
character on the reportlab PDF; on a Chromium-printed PDF (embedded TrueType subset) pypdfium2
and pdfminer.six are identical to the source, while pdfplumber moves the “” of a larger-font
heading to the line's end. pdfplumber also drops U+3000 indents, which the rules below use to
find paragraph starts, and gives no cheap per-line positions. PDFium is the engine Chromium
ships, kept up by Google; pypdfium2 is a maintained, self-contained wheel (no system libraries).

The rules (LAYOUT_RULES, run in order; each returns a step for `normalize --explain`):
page numbers in their Chinese forms, running headers and footers, lines re-joined where the page
width broke a sentence, full-width indents, attachment (附件) blocks. PDFium objects are not
thread-safe: call this from one thread at a time.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium

from policydiff.errors import PolicydiffError
from policydiff.read.formats import Extracted

MAX_PAGES = 2000
MAX_SECONDS = 120.0  # checked between pages: PDFium cannot be interrupted inside one
MAX_CHARS = 20_000_000
MIN_CHARS_PER_PAGE = 10  # fewer on average: a scan whose text layer holds at most a stamp



class Line(str):
    """A line of text that knows where it starts and ends on its page (in points or mm)."""

    left: float | None
    right: float | None
    size: float | None

    def __new__(cls, text: str, left: float | None = None, right: float | None = None,
                size: float | None = None) -> Line:
        line = super().__new__(cls, text)
        line.left, line.right, line.size = left, right, size
        return line


Page = list[str]  # of Line where the extractor knows the geometry
Step = tuple[str, int, str]
Rule = Callable[[list[Page]], tuple[list[Page], int, str]]

_DIGITS = "[0-9０-９]{1,4}"
_DASH = "[-－—–─―‒~～]"
# Page numbers as Chinese documents print them, alone on a line at a page's top or bottom.
_PAGE_NUMBER = re.compile(
    rf"(?:{_DASH}+\s*{_DIGITS}\s*{_DASH}+"
    rf"|第\s*{_DIGITS}\s*页(?:\s*[,，、/／]?\s*共\s*{_DIGITS}\s*页)?"
    rf"|共\s*{_DIGITS}\s*页\s*[,，、]?\s*第\s*{_DIGITS}\s*页"
    rf"|[·•]\s*{_DIGITS}\s*[·•]|[Pp]age\s*{_DIGITS}(?:\s*of\s*{_DIGITS})?)"
)
_BARE_NUMBER = re.compile(rf"(?:({_DIGITS})\s*[/／]\s*{_DIGITS}|({_DIGITS}))")
# A line that starts a heading or numbered item: never glued to the line before it.
_CN = "[一二三四五六七八九十百千零〇]"
_ITEM_START = re.compile(
    rf"(?:{_CN}+、|[（(]{_CN}+[)）]|[0-9０-９]+[.．、](?![0-9０-９])|[（(][0-9０-９]+[)）]"
    rf"|[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]|第[{_CN[1:-1]}0-9０-９]+[条章节部分编款]|附件)"
)
_SENTENCE_END = re.compile(r"[。；：！？][”’」』》）)]*$")
_INDENT = re.compile(r"^[\u3000 \t]{2,}|^\u3000")
_ATTACHMENT = re.compile(rf"^附件\s*(?:{_DIGITS}|{_CN}+)?\s*[:：]?")
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# What a line cannot be broken inside: a Latin word or number, or one character, with the
# closing punctuation that may not start a line (kinsoku) glued after it.
_UNBREAKABLE = re.compile(r"(?:[\x21-\x7e]+|.)[，。、；：！？）」』”’》]*")
FULL_SHARE = 0.85  # a line this close to the widest lines reached the right margin


def extract_pdf(data: bytes, where: str, kind: str = "pdf") -> Extracted:
    """Text of a PDF in reading order, page furniture removed, paragraphs re-joined."""
    pages, warnings = read_pages(data, where)
    text, steps = lay_out(pages, "pdf")
    return Extracted(text=text, format="pdf", steps=steps, warnings=warnings)


def read_pages(data: bytes, where: str) -> tuple[list[Page], list[str]]:
    """Each page's text lines as PDFium orders them; refuses scans, passwords, huge files."""
    doc = _open(data, where)
    try:
        count = len(doc)
        if count == 0:
            raise PolicydiffError(f"{where}: a damaged PDF with no pages")
        if count > MAX_PAGES:
            raise PolicydiffError(f"{where}: refused: {count:,} pages (limit {MAX_PAGES:,})")
        read = _page_texts(doc, where)
        raw = [text for text, _ in read]
        _refuse_scan(doc, raw, where)
        return [lines for _, lines in read], _scan_warnings(doc, raw)
    finally:
        doc.close()


def _open(data: bytes, where: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium.raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise PolicydiffError(f"{where}: a password-protected PDF; open it and save a copy without a password") from None
        if code == pdfium.raw.FPDF_ERR_SECURITY:
            raise PolicydiffError(f"{where}: a PDF encrypted with a security handler PDFium does not support") from None
        reason = re.search(r"PDFium: ([^).]+)", str(exc))
        detail = reason.group(1).lower() if reason else str(exc)
        raise PolicydiffError(f"{where}: a damaged or truncated PDF that PDFium cannot open ({detail})") from None


def _page_texts(doc: pdfium.PdfDocument, where: str) -> list[tuple[str, Page]]:
    started, total, out = time.monotonic(), 0, []
    for index in range(len(doc)):
        if time.monotonic() - started > MAX_SECONDS:
            raise PolicydiffError(f"{where}: refused: reading took over {MAX_SECONDS:.0f} s (at page {index + 1})")
        try:
            page = doc[index]
        except pdfium.PdfiumError as exc:
            raise PolicydiffError(f"{where}: page {index + 1} of the PDF cannot be read ({exc})") from None
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            lines = _lines(text, textpage)
            textpage.close()
        except pdfium.PdfiumError as exc:
            raise PolicydiffError(f"{where}: page {index + 1} of the PDF cannot be read ({exc})") from None
        finally:
            page.close()
        total += len(text)
        if total > MAX_CHARS:
            raise PolicydiffError(f"{where}: refused: over {MAX_CHARS:,} characters of text")
        out.append((text, lines))
    return out


def _lines(text: str, textpage: pdfium.PdfTextPage) -> Page:
    """The page's lines with the x of their first and last character (PDFium indexes match str)."""
    out: Page = []
    for match in re.finditer(r"[^\r\n]+", text):
        line = _JUNK.sub("", match.group()).rstrip()
        if not line.strip():
            continue
        first = match.start() + len(match.group()) - len(match.group().lstrip(" "))
        last = match.start() + len(match.group().rstrip()) - 1
        left, bottom, _, top = textpage.get_charbox(first, loose=True)
        right = textpage.get_charbox(last, loose=True)[2]
        out.append(Line(line, left, right, top - bottom))
    return out


def _visible(text: str) -> int:
    return len("".join(text.split()))


def _has_images(doc: pdfium.PdfDocument, indexes: list[int]) -> bool:
    for index in indexes[:20]:  # enough to tell a scan; a 2,000-page scan need not be walked whole
        page = doc[index]
        try:
            if any(True for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=3)):
                return True
        finally:
            page.close()
    return False


def _refuse_scan(doc: pdfium.PdfDocument, raw: list[str], where: str) -> None:
    if sum(_visible(text) for text in raw) >= MIN_CHARS_PER_PAGE * len(raw):
        return
    if _has_images(doc, list(range(len(raw)))):
        raise PolicydiffError(f"{where}: a scanned PDF with no text layer; run OCR on it first (policydiff does no OCR)")
    raise PolicydiffError(f"{where}: a PDF with no text in it (blank pages or text drawn as shapes)")


def _scan_warnings(doc: pdfium.PdfDocument, raw: list[str]) -> list[str]:
    empty = [index for index, text in enumerate(raw) if _visible(text) == 0]
    if not empty or not _has_images(doc, empty):
        return []
    shown = ", ".join(str(index + 1) for index in empty[:10]) + (" …" if len(empty) > 10 else "")
    return [f"{len(empty)} page(s) have no text layer, probably scanned; their text is missing (pages {shown})"]


# --- page furniture and line joining, shared with OFD ----------------------------------------------


def lay_out(pages: list[Page], prefix: str) -> tuple[str, list[Step]]:
    """Run LAYOUT_RULES over the pages' lines; the text (one paragraph a line) and the steps."""
    steps: list[Step] = []
    for name, rule in LAYOUT_RULES:
        pages, count, detail = rule(pages)
        steps.append((f"{prefix}_{name}", count, detail))
    return "\n".join(line for page in pages for line in page), steps


def _examples(items: list[str], limit: int = 3) -> str:
    shown = " · ".join(item.strip()[:30] for item in items[:limit])
    return shown + (" …" if len(items) > limit else "")


def _edges(page: Page) -> list[int]:
    """Indexes of the two lines at the top and the two at the bottom of a page."""
    return sorted({i for i in (0, 1, len(page) - 2, len(page) - 1) if 0 <= i < len(page)})


def _bare_number(line: str) -> int | None:
    match = _BARE_NUMBER.fullmatch(line.strip())
    if not match:
        return None
    return int(unicodedata.normalize("NFKC", match.group(1) or match.group(2)))


def _numbering_offset(pages: list[Page]) -> int | None:
    """The offset (printed number − page index) that bare numbers at page edges share, if any."""
    offsets = Counter()
    for index, page in enumerate(pages):
        found = {n - index for i in _edges(page) if (n := _bare_number(page[i])) is not None}
        offsets.update(found)
    if not offsets:
        return None
    offset, hits = offsets.most_common(1)[0]
    return offset if hits >= max(2, math.ceil(0.5 * len(pages))) else None


def page_numbers(pages: list[Page]) -> tuple[list[Page], int, str]:
    """Drop "— 3 —", "－3－", "第3页 共10页", "3/10" and bare numbers that count the pages."""
    offset, removed, out = _numbering_offset(pages), [], []
    for index, page in enumerate(pages):
        drop = None
        for i in reversed(_edges(page)):  # the bottom first: most plans number pages there
            line = page[i].strip()
            bare = _bare_number(line)
            if _PAGE_NUMBER.fullmatch(line) or (bare is not None and offset is not None and bare - index == offset):
                drop = i
                break
        if drop is not None:
            removed.append(page[drop])
            page = page[:drop] + page[drop + 1:]
        out.append(page)
    return out, len(removed), _examples(removed)


def _furniture_key(line: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", "".join(line.split()))


def _protected(line: str) -> bool:
    """Headings and attachment labels repeat at page tops by design: never furniture."""
    return bool(_ITEM_START.match(line.strip()))


def _repeated_keys(pages: list[Page]) -> set[str]:
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_furniture_key(page[i]) for i in _edges(page) if not _protected(page[i])})
    need = max(2, math.ceil(0.4 * len(pages)))
    return {key for key, hits in seen.items() if hits >= need and 0 < len(key) <= 60}


def _strip_furniture(page: Page, keys: set[str], removed: list[str]) -> Page:
    """Take repeated lines off the top and bottom; each at most once a page (a title may match)."""
    used: set[str] = set()
    for from_top in (True, False):
        for _ in range(2):
            if not page:
                break
            i = 0 if from_top else len(page) - 1
            key = _furniture_key(page[i])
            if key not in keys or key in used or _protected(page[i]):
                break
            used.add(key)
            removed.append(page[i])
            page = page[1:] if from_top else page[:-1]
    return page


def running_headers(pages: list[Page]) -> tuple[list[Page], int, str]:
    """Drop headers and footers: short lines repeated at the edges of many pages."""
    if len(pages) < 2:
        return pages, 0, ""
    keys, removed = _repeated_keys(pages), []
    out = [_strip_furniture(page, keys, removed) for page in pages]
    return out, len(removed), _examples(sorted(set(removed), key=removed.index))


def _width(line: str) -> int:
    """Display width: CJK and full-width characters count two, the rest one."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in line)


def advance_ems(text: str) -> float:
    """Rough advance of text in ems: CJK one, Latin letters and digits about half."""
    return sum(1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.55 for char in text)


@dataclass
class _Margins:
    """Where this document's lines start and end: from positions when known, else from widths."""

    geometric: bool
    left: float
    right: float  # the right margin (positions) or the width of a full line (display units)
    size: float
    indented_starts: bool = False  # paragraphs here begin indented

    def full(self, line: str, following: str) -> bool:
        """The line stopped because the start of `following` would not fit beside it."""
        chunk = _UNBREAKABLE.match(following.strip())
        if self.geometric:
            need = advance_ems(chunk.group() if chunk else "") * self.size
            return line.right + need >= self.right - 0.5 * self.size
        width = _width(line)
        return width >= FULL_SHARE * self.right or width + _width(chunk.group() if chunk else "") > self.right

    def indented(self, line: str) -> bool:
        if _INDENT.match(line):
            return True
        return self.geometric and line.left > self.left + 0.8 * self.size


def _margins(lines: list[str]) -> _Margins:
    if lines and all(isinstance(line, Line) and line.left is not None for line in lines):
        lefts = Counter(round(line.left) for line in lines)
        rights = sorted(line.right for line in lines)
        sizes = sorted(line.size for line in lines if line.size)
        size = sizes[len(sizes) // 2] if sizes else 10.0
        margins = _Margins(True, lefts.most_common(1)[0][0], rights[int(0.9 * (len(rights) - 1))], size)
    else:
        widths = sorted(_width(line) for line in lines)
        margins = _Margins(False, 0.0, widths[int(0.9 * (len(widths) - 1))] if widths else 0.0, 1.0)
    starts = [after for before, after in zip(lines, lines[1:], strict=False) if not margins.full(before, after)]
    margins.indented_starts = bool(starts) and sum(map(margins.indented, starts)) >= 0.5 * len(starts)
    return margins


def _continues(line: str, following: str, margins: _Margins) -> bool:
    """True when `following` is the rest of a sentence the page width broke after `line`."""
    if not margins.full(line, following):
        return False  # a short line: a title, the last line of a paragraph
    if margins.indented(following) or _ITEM_START.match(following.strip()):
        return False  # a paragraph, heading or numbered item starts
    if _SENTENCE_END.search(line):
        # A sentence ended at the margin. Only where paragraphs are marked by indents does an
        # unindented line after it still belong to the same paragraph.
        return margins.indented_starts
    return True


def _gap(before: str, after: str) -> str:
    """A space only between two Latin words or numbers; CJK text runs on."""
    last, first = before.rstrip()[-1:], after.strip()[:1]
    return " " if last.isascii() and last.isalnum() and first.isascii() and first.isalnum() else ""


def joined_lines(pages: list[Page]) -> tuple[list[Page], int, str]:
    """Re-join lines broken by the page width, across page breaks too; one paragraph a line."""
    lines = [line for page in pages for line in page]
    margins, out, joins, previous = _margins(lines), [], [], ""
    for line in lines:
        # Fullness is judged on the physical line before, not on the paragraph joined so far.
        if out and _continues(previous, line, margins):
            joins.append(out[-1][-6:] + "|" + line.strip()[:6])
            out[-1] = out[-1].rstrip() + _gap(out[-1], line) + line.strip()
        else:
            out.append(line)
        previous = line
    return [out], len(joins), _examples(joins)


def indents(pages: list[Page]) -> tuple[list[Page], int, str]:
    """Strip full-width (U+3000) indents and other edge whitespace from each paragraph."""
    changed, out = 0, []
    for page in pages:
        stripped = [line.strip(" \t\u3000") for line in page]
        changed += sum(1 for old, new in zip(page, stripped, strict=True) if old != new)
        out.append([line for line in stripped if line])
    return out, changed, "U+3000 indents" if changed else ""


def attachments(pages: list[Page]) -> tuple[list[Page], int, str]:
    """Report the 附件 blocks kept as their own paragraphs (the rules above never merge them)."""
    found = [line for page in pages for line in page if _ATTACHMENT.match(line)]
    return pages, len(found), _examples(found)


LAYOUT_RULES: list[tuple[str, Rule]] = [
    ("page_numbers", page_numbers),
    ("running_headers", running_headers),
    ("joined_lines", joined_lines),
    ("indents", indents),
    ("attachments", attachments),
]
