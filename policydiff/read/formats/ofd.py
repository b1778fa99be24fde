"""OFD (GB/T 33190-2016): the standard's XML read directly with lxml, text in reading order.

Why no library. Both OFD packages on PyPI were read (pip download --no-deps, source inspected):
- easyofd writes the upload to disk and unzips it into a folder before parsing (xmltodict), and
  pulls in PyMuPDF, fontTools, reportlab and loguru: it exists to draw OFD as PDF and back.
- ofdkit 0.2.0 is pure Python with no dependencies and has entry and part-size limits, but it is
  two releases old ("Alpha", its API "may still change"), aims at e-invoices, resolves a bad
  path by quietly trying other candidates instead of refusing it, repairs malformed XML with
  regular expressions, and has no bound on total size or compression ratio.
What is needed is a few lookups down OFD.xml → DocRoot → Document.xml → Page/@BaseLoc →
Content.xml → TextObject/TextCode, on top of the bounded ZIP reader DOCX already uses, so the
standard is parsed here directly and every path is checked on the way.

Paths: a location with "..", a URL or scheme, a drive letter or a UNC prefix is refused. A
leading "/" is the package root, as the standard defines it, and cannot leave the package.
Reading order: TextCodes placed by Boundary origin + CTM(X, Y) with DeltaX advances, grouped into
lines by baseline (half a font size), sorted by X; then the PDF rules (page numbers, headers,
line joining) make paragraphs. Template pages (page furniture by design) are not read.
"""

from __future__ import annotations

import posixpath
import re
import time

from lxml import etree

from policydiff.read.formats import Extracted
from policydiff.read.formats.detect import SafeZip, parse_xml
from policydiff.read.formats.pdf import MAX_CHARS, MAX_PAGES, MAX_SECONDS, Line, Page, advance_ems, lay_out

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
Run = tuple[float, float, float, float, str]  # (baseline y, left x, right x, font size, text)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else [child for child in element if _local(child) == name]


def _floats(text: str | None, limit: int = 6) -> list[float]:
    """Numbers of an OFD attribute, at most `limit`; unreadable ones give []."""
    try:
        return [float(part) for part in (text or "").split()[:limit]]
    except ValueError:
        return []


def resolve(archive: SafeZip, base: str, location: str | None) -> str:
    """The part a location names, relative to the folder `base`; refuses anything outside."""
    raw = (location or "").strip()
    shown = raw[:80]
    loc = raw.replace("\\", "/")
    outside = (not loc or "\x00" in loc or _SCHEME.match(loc) or loc.startswith("//")
               or ".." in loc.split("/"))
    if outside:
        raise archive.error(f"refused: OFD reference {shown!r} points outside the file (external or '..' path)")
    path = posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base, loc))
    if archive.find(path) is None:
        raise archive.error(f"a damaged OFD file (part {path[:80]} is missing)")
    return path


def _xml(archive: SafeZip, path: str) -> etree._Element:
    return parse_xml(archive.read(path), archive, path)


def _page_parts(archive: SafeZip) -> list[str]:
    """Content.xml of every page, in order, through OFD.xml → DocRoot → Document.xml."""
    entry = archive.find("OFD.xml")
    if entry is None:
        raise archive.error("a damaged OFD file (no OFD.xml)")
    parts: list[str] = []
    for body in _children(_xml(archive, entry), "DocBody"):
        for doc_root in _children(body, "DocRoot"):
            document = resolve(archive, "", doc_root.text)
            folder = posixpath.dirname(document)
            for pages in _children(_xml(archive, document), "Pages"):
                for page in _children(pages, "Page"):
                    parts.append(resolve(archive, folder, page.get("BaseLoc")))
                    if len(parts) > MAX_PAGES:
                        raise archive.error(f"refused: over {MAX_PAGES:,} pages (limit {MAX_PAGES:,})")
    if not parts:
        raise archive.error("a damaged OFD file (no pages)")
    return parts


def _deltas(text: str | None, count: int) -> list[float]:
    """DeltaX/DeltaY: numbers, where "g N v" stands for N copies of v; at most `count`."""
    tokens, out = (text or "").split(), []
    i = 0
    while i < len(tokens) and len(out) < count:
        try:
            if tokens[i] == "g" and i + 2 < len(tokens):
                out += [float(tokens[i + 2])] * min(int(tokens[i + 1]), count - len(out))
                i += 3
            else:
                out.append(float(tokens[i]))
                i += 1
        except ValueError:
            break
    return out


def _text_runs(obj: etree._Element) -> list[Run]:
    """One run per TextCode: page position of its first character, right edge, size, text."""
    box = _floats(obj.get("Boundary"), 4) + [0.0, 0.0]
    ctm = _floats(obj.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    size = (_floats(obj.get("Size"), 1) or [3.5])[0] * max(abs(a * d - b * c), 1e-6) ** 0.5
    runs, x, y = [], 0.0, 0.0
    for code in _children(obj, "TextCode"):
        text = code.text or ""
        # A TextCode without X or Y continues where the previous one left off.
        x = (_floats(code.get("X"), 1) or [x])[0]
        y = (_floats(code.get("Y"), 1) or [y])[0]
        if not text.strip():
            continue
        advance = sum(_deltas(code.get("DeltaX"), len(text) - 1))
        left, top = a * x + c * y + e + box[0], b * x + d * y + f + box[1]
        right = left + (a * advance if advance else advance_ems(text[:-1]) * size) + advance_ems(text[-1]) * size
        runs.append((top, left, right, size, text))
    return runs


def _page_runs(content: etree._Element) -> list[Run]:
    """Every TextObject of a page, through layers and page blocks at any depth."""
    runs: list[Run] = []
    stack = [content]
    while stack:
        element = stack.pop()
        for child in reversed(element):
            name = _local(child)
            if name == "TextObject":
                runs += _text_runs(child)
            elif name in ("Content", "Layer", "PageBlock"):
                stack.append(child)
    return runs


def lines_of(runs: list[Run]) -> Page:
    """Runs grouped into lines by baseline, each line sorted by X and joined."""
    lines: list[list[Run]] = []
    for run in sorted(runs):
        if lines and abs(run[0] - lines[-1][0][0]) <= 0.5 * max(run[3], lines[-1][0][3]):
            lines[-1].append(run)
        else:
            lines.append([run])
    out: Page = []
    for line in lines:
        line.sort(key=lambda run: run[1])
        text, right = "", None
        for _, left, end, size, piece in line:
            # Set solid, CJK characters touch; a gap of 0.4 em or more is a space a reader sees.
            text += (" " if right is not None and left - right >= 0.4 * size else "") + piece
            right = end if right is None else max(right, end)
        sizes = sorted(run[3] for run in line)
        out.append(Line(text.strip(), line[0][1], right, sizes[len(sizes) // 2]))
    return [line for line in out if line]


def extract_ofd(data: bytes, where: str, kind: str = "ofd") -> Extracted:
    """Text of an OFD document in reading order, page furniture removed, paragraphs re-joined."""
    archive = SafeZip(data, where, "ofd")
    started, pages, chars = time.monotonic(), [], 0
    for number, part in enumerate(_page_parts(archive), 1):
        if time.monotonic() - started > MAX_SECONDS:
            raise archive.error(f"refused: reading took over {MAX_SECONDS:.0f} s (at page {number})")
        page = lines_of(_page_runs(_xml(archive, part)))
        chars += sum(len(line) for line in page)
        if chars > MAX_CHARS:
            raise archive.error(f"refused: over {MAX_CHARS:,} characters of text")
        pages.append(page)
    if not any(pages):
        raise archive.error("an OFD file with no text in it (scanned pages? run OCR first; policydiff does no OCR)")
    text, steps = lay_out(pages, "ofd")
    return Extracted(text=text, format="ofd", steps=steps, warnings=[])
