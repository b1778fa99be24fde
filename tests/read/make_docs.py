"""Build test documents (PDF, DOCX, OFD, hostile files) at test time from the seed text.

Used by tests/read/test_formats.py and benchmarks/bench_extract.py. Every builder returns bytes
and writes nothing unless told to (Chromium and LibreOffice need a folder, which the caller gives).
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
ITEM = re.compile(r"^（[一二三四五六七八九十]+）")
RUNNING_HEADER = "广东省“数字政府”改革建设2019年工作要点"


def seed_paragraphs() -> list[str]:
    """The 2019 seed plan, one paragraph per element (the copy kept in tests/read/data)."""
    text = (DATA / "gd-2019.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


# --- PDF (reportlab, CID font) -------------------------------------------------------------------


def _chunks(text: str) -> list[str]:
    """Characters, except that a Latin word or number stays whole, as typesetters keep it."""
    return re.findall(r"[A-Za-z0-9%.+]+|.", text)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than width: a page-width break, mid-sentence."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for chunk in _chunks(text):
        if current and stringWidth(current + chunk, font, size) > width:
            lines.append(current)
            current = ""
        current += chunk
    return [*lines, current] if current else lines


def _is_body(paragraph: str) -> bool:
    """Body paragraphs get the customary two full-width spaces of indent; headings do not."""
    return len(paragraph) > 40 and not HEADING.match(paragraph)


FONT, PAGE_W, PAGE_H, MARGIN = "STSong-Light", 595.2756, 841.8898, 72.0  # A4 in points


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def reportlab_pages(paragraphs: list[str], font_size: float = 12.0, max_pages: int | None = None,
                    ) -> list[list[tuple[str, bool]]]:
    """The body lines of each page as pdf_reportlab draws them: (text, centred)."""
    _register_font()
    lines: list[tuple[str, bool]] = []
    for paragraph in paragraphs:
        centred = not _is_body(paragraph) and not HEADING.match(paragraph)
        indent = "\u3000\u3000" if _is_body(paragraph) else ""
        lines += [(line, centred) for line in _wrap(indent + paragraph, FONT, font_size, PAGE_W - 2 * MARGIN)]
    per_page = int((PAGE_H - 2 * MARGIN) // (font_size * 1.6))
    pages = [lines[start:start + per_page] for start in range(0, len(lines), per_page)]
    return pages[:max_pages] if max_pages else pages


def pdf_reportlab(paragraphs: list[str], *, header: str = RUNNING_HEADER, encrypt: str | None = None,
                  font_size: float = 12.0, max_pages: int | None = None) -> bytes:
    """A4 PDF with a CID font: running header, "— N —" page numbers, lines broken at the width."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), encrypt=encrypt, invariant=1)
    for number, lines in enumerate(reportlab_pages(paragraphs, font_size, max_pages), 1):
        pdf.setFont(FONT, 9)
        pdf.drawCentredString(PAGE_W / 2, PAGE_H - 40, header)
        pdf.setFont(FONT, font_size)
        y = PAGE_H - MARGIN
        for line, centred in lines:
            if centred:
                pdf.drawCentredString(PAGE_W / 2, y, line)
            else:
                pdf.drawString(MARGIN, y, line)
            y -= font_size * 1.6
        pdf.setFont(FONT, 10)
        pdf.drawCentredString(PAGE_W / 2, 36, f"— {number} —")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def pdf_chromium(paragraphs: list[str], folder: Path) -> bytes | None:
    """The paragraphs as an HTML page printed to PDF by headless Chromium; None without Chromium."""
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if chromium is None:
        return None
    body = "\n".join(f"<h2>{p}</h2>" if HEADING.match(p) else f"<p>{p}</p>" for p in paragraphs)
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 25mm; } body { font-size: 12pt; }"
        "p { text-indent: 2em; margin: 0; } h2 { font-size: 14pt; }"
        f"</style></head><body>{body}</body></html>"
    )
    html = folder / "plan.html"
    html.write_text(page, encoding="utf-8")
    out = folder / "plan.pdf"
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
           f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={out}", html.as_uri()]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    return out.read_bytes() if out.exists() and out.stat().st_size else None


# --- DOCX (python-docx, with real Word list numbering) -------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HEADER_MARK, FOOTER_MARK = "页眉标记HEADER", "页脚标记FOOTER"
DELETED, MOVED_AWAY = "这段文字已被删除", "这段文字已被移走"
TABLE = [["指标", "2018年", "2019年"], ["网上可办率", "80%", "90%"]]
SUB_ITEMS = ["梳理基层服务事项。", "推行证明网上开具。"]
ANNEX = ["附件", "（1）第一项材料清单", "（2）第二项材料清单", "（1）重新编号的第一项", "（2）重新编号的第二项"]

# Level 0 "一、" and level 1 "（一）" in Chinese counting; items never restart under a new heading
# (lvlRestart 0, as in the seed: （六） follows 二、); level 2 "1." restarts after each item.
NUMBERING = f"""<w:numbering xmlns:w="{W}">
 <w:abstractNum w:abstractNumId="10"><w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>
   <w:suff w:val="space"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlRestart w:val="0"/>
   <w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
 </w:abstractNum>
 <w:abstractNum w:abstractNumId="20"><w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="（%1）"/>
   <w:suff w:val="nothing"/></w:lvl>
 </w:abstractNum>
 <w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
 <w:num w:numId="2"><w:abstractNumId w:val="20"/></w:num>
 <w:num w:numId="3"><w:abstractNumId w:val="20"/>
  <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>"""


def _w(tag: str, **attrs: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _number(paragraph, num_id: int, ilvl: int) -> None:
    num_pr = _w("numPr")
    num_pr.append(_w("ilvl", val=str(ilvl)))
    num_pr.append(_w("numId", val=str(num_id)))
    paragraph._p.get_or_add_pPr().append(num_pr)


def _run(text: str, deleted: bool = False):
    run = _w("r")
    run.append(_w("delText" if deleted else "t", space="preserve"))
    run[0].text = text
    return run


def _tracked(paragraph, text: str) -> None:
    """The paragraph's text as runs with an insertion, a deletion, a move away and a move here."""
    marks = {"id": "1", "author": "test", "date": "2019-04-21T00:00:00Z"}
    a, b = len(text) // 3, 2 * len(text) // 3
    paragraph._p.append(_run(text[:a]))
    deletion, insertion = _w("del", **marks), _w("ins", **{**marks, "id": "2"})
    deletion.append(_run(DELETED, deleted=True))
    insertion.append(_run(text[a:b]))
    move_from, move_to = _w("moveFrom", **{**marks, "id": "3"}), _w("moveTo", **{**marks, "id": "4"})
    move_from.append(_run(MOVED_AWAY))
    move_to.append(_run(text[b:]))
    paragraph._p.extend([deletion, insertion, move_from, move_to])


def _numbered_styles(document) -> None:
    """A paragraph style carrying the item numbering, as Chinese templates define 条款 styles."""
    from docx.enum.style import WD_STYLE_TYPE
    from lxml import etree

    numbering = document.part.numbering_part.element
    numbering.clear()
    for child in etree.fromstring(NUMBERING):
        numbering.append(child)
    style = document.styles.add_style("CnItem", WD_STYLE_TYPE.PARAGRAPH)
    num_pr = _w("numPr")
    num_pr.append(_w("ilvl", val="1"))
    num_pr.append(_w("numId", val="1"))
    style.element.get_or_add_pPr().append(num_pr)


def docx_bytes(paragraphs: list[str]) -> tuple[bytes, list[str]]:
    """A DOCX of the seed whose 一、 and （一） labels exist only as Word numbering; the lines
    extract() should give back."""
    import docx

    document = docx.Document()
    _numbered_styles(document)
    document.sections[0].header.paragraphs[0].text = HEADER_MARK
    document.sections[0].footer.paragraphs[0].text = FOOTER_MARK
    expected: list[str] = []
    items = 0
    for text in paragraphs:
        if HEADING.match(text):
            _number(document.add_paragraph(HEADING.sub("", text).lstrip()), 1, 0)
        elif ITEM.match(text):
            items += 1
            body = ITEM.sub("", text)
            if items in (4, 5):  # numbered through the style alone
                document.add_paragraph(body, style="CnItem")
            elif items == 2:
                paragraph = document.add_paragraph()
                _number(paragraph, 1, 1)
                _tracked(paragraph, body)
            else:
                _number(document.add_paragraph(body), 1, 1)
        else:
            document.add_paragraph(text)
        expected.append(text)
        if items in (1, 2) and ITEM.match(text):  # sub-items: 1. 2. then 1. again under the next item
            for number, sub in enumerate(SUB_ITEMS[: 3 - items], 1):
                _number(document.add_paragraph(sub), 1, 2)
                expected.append(f"{number}. {sub}")
        if items == 3 and ITEM.match(text):  # a table between items: numbering carries on after it
            table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
            for row, cells in zip(table.rows, TABLE, strict=True):
                for cell, value in zip(row.cells, cells, strict=True):
                    cell.text = value
            expected += ["\t".join(row) for row in TABLE]
    document.add_paragraph(ANNEX[0])
    for index, text in enumerate(ANNEX[1:]):
        _number(document.add_paragraph(text[3:]), 2 if index < 2 else 3, 0)
    expected += ANNEX
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue(), expected


# --- OFD (GB/T 33190, assembled by hand with lxml and zipfile) -----------------------------------

OFD_NS = "http://www.ofdspec.org/2016"
OFD_SIZE, OFD_LEFT, OFD_WIDTH, OFD_TOP, OFD_LINES = 4.2333, 26.5, 156.0, 37.0, 22  # mm; 12 pt text


def _ems(char: str) -> float:
    import unicodedata

    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.5


def _wrap_ems(text: str, width: float) -> list[str]:
    lines, current, used = [], "", 0.0
    for chunk in _chunks(text):
        need = sum(map(_ems, chunk))
        if current and used + need > width:
            lines.append(current)
            current, used = "", 0.0
        current += chunk
        used += need
    return [*lines, current] if current else lines


def _ofd_xml(tag: str, children: str, **attrs: str) -> bytes:
    attributes = "".join(f' {key}="{value}"' for key, value in attrs.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:{tag} xmlns:ofd="{OFD_NS}"{attributes}>'
            f"{children}</ofd:{tag}>").encode()


def _text_object(ident: int, x: float, y: float, text: str, per_char: bool = False) -> str:
    """A TextObject whose Boundary origin is (x, y); DeltaX gives each character's advance."""
    from xml.sax.saxutils import escape

    deltas = [_ems(char) * OFD_SIZE for char in text]
    width = sum(deltas)
    if per_char:  # one TextCode per character, each with its own X, as some producers write
        codes, at = [], 0.0
        for char, delta in zip(text, deltas, strict=True):
            codes.append(f'<ofd:TextCode X="{at:.3f}" Y="{OFD_SIZE * 0.85:.3f}">{escape(char)}</ofd:TextCode>')
            at += delta
        code = "".join(codes)
    else:
        delta = " ".join(f"{d:.4f}" for d in deltas[:-1])
        code = f'<ofd:TextCode X="0" Y="{OFD_SIZE * 0.85:.3f}" DeltaX="{delta}">{escape(text)}</ofd:TextCode>'
    return (f'<ofd:TextObject ID="{ident}" Boundary="{x:.3f} {y:.3f} {width + 1:.3f} {OFD_SIZE * 1.2:.3f}" '
            f'Font="2" Size="{OFD_SIZE}"><ofd:FillColor Value="0 0 0"/>{code}</ofd:TextObject>')


def _ofd_page_objects(lines: list[tuple[str, str]], number: int, shuffle: random.Random) -> str:
    """Objects of one page in scrambled order; every third line split in two objects, right half
    first, and every fifth written one character per TextCode."""
    objects, ident = [], number * 1000
    for row, (text, kind) in enumerate([(RUNNING_HEADER, "centre"), *lines], start=0):
        y = OFD_TOP - 12 if row == 0 else OFD_TOP + (row - 1) * OFD_SIZE * 1.6
        used = sum(_ems(c) for c in text) * OFD_SIZE
        x = {"centre": OFD_LEFT + (OFD_WIDTH - used) / 2, "indent": OFD_LEFT + 2 * OFD_SIZE}.get(kind, OFD_LEFT)
        if row and row % 3 == 0 and len(text) > 4:
            cut = len(text) // 2
            ident += 2
            objects.append(_text_object(ident, x + sum(_ems(c) for c in text[:cut]) * OFD_SIZE, y, text[cut:]))
            objects.append(_text_object(ident + 1, x, y, text[:cut]))
        else:
            ident += 1
            objects.append(_text_object(ident, x, y, text, per_char=row % 5 == 0))
    footer = f"— {number} —"
    objects.append(_text_object(ident + 1, OFD_LEFT + OFD_WIDTH / 2 - 8, 297 - 20, footer))
    shuffle.shuffle(objects)
    return f'<ofd:Content><ofd:Layer ID="{number * 1000 - 1}">{"".join(objects)}</ofd:Layer></ofd:Content>'


def ofd_pages(paragraphs: list[str]) -> list[list[tuple[str, str]]]:
    """Lines of each page: (text, "indent" | "centre" | "left"); body indents are positional."""
    lines: list[tuple[str, str]] = []
    for paragraph in paragraphs:
        kind = "indent" if _is_body(paragraph) else ("left" if HEADING.match(paragraph) else "centre")
        # The indent is wrapped as two characters' room, then drawn as a shift of the first line.
        wrapped = _wrap_ems(("\u3000\u3000" if kind == "indent" else "") + paragraph, OFD_WIDTH / OFD_SIZE)
        lines += [(line.lstrip("\u3000"), kind if i == 0 else "left") for i, line in enumerate(wrapped)]
    return [lines[i:i + OFD_LINES] for i in range(0, len(lines), OFD_LINES)]


def ofd_bytes(paragraphs: list[str], base_loc: str | None = None, doc_root: str = "Doc_0/Document.xml") -> bytes:
    """An OFD package of the paragraphs; base_loc, when given, replaces the first page's BaseLoc."""
    shuffle = random.Random(2019)
    pages = ofd_pages(paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as package:
        body = (f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>policydiff-test</ofd:DocID><ofd:Title>{RUNNING_HEADER}"
                f"</ofd:Title></ofd:DocInfo><ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody>")
        package.writestr("OFD.xml", _ofd_xml("OFD", body, Version="1.0", DocType="OFD"))
        refs = "".join(f'<ofd:Page ID="{n}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
        if base_loc is not None:
            refs = refs.replace('BaseLoc="Pages/Page_0/Content.xml"', f'BaseLoc="{base_loc}"')
        common = ('<ofd:CommonData><ofd:MaxUnitID>999999</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297'
                  "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>")
        package.writestr("Doc_0/Document.xml", _ofd_xml("Document", common + f"<ofd:Pages>{refs}</ofd:Pages>"))
        package.writestr("Doc_0/PublicRes.xml", _ofd_xml(
            "Res", '<ofd:Fonts><ofd:Font ID="2" FontName="SimSun" FamilyName="SimSun"/></ofd:Fonts>', BaseLoc="Res"))
        for number, lines in enumerate(pages):
            content = _ofd_page_objects(lines, number + 1, shuffle)
            package.writestr(f"Doc_0/Pages/Page_{number}/Content.xml", _ofd_xml("Page", content))
    return buf.getvalue()


# --- legacy and hostile files ----------------------------------------------------------------------


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def doc_via_soffice(docx: bytes, folder: Path) -> bytes | None:
    """The DOCX saved as Word 97 .doc by LibreOffice; None without LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    source = folder / "plan.docx"
    source.write_bytes(docx)
    cmd = [soffice, "--headless", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
           "--convert-to", "doc", "--outdir", str(folder), str(source)]
    subprocess.run(cmd, capture_output=True, timeout=180, check=False, env={"HOME": str(folder), "PATH": "/usr/bin:/bin"})
    out = folder / "plan.doc"
    return out.read_bytes() if out.exists() else None


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return buf.getvalue()


def docx_zip_bomb() -> bytes:
    """A DOCX whose body inflates from ~50 KB to 50 MB: a compression ratio no document has."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w") as part:
            for _ in range(50):
                part.write(b" " * 1024 * 1024)
    return buf.getvalue()


def docx_forged_size(declared: int = 300 * 1024 * 1024) -> bytes:
    """A small DOCX whose central directory claims the body is `declared` bytes long."""
    data = bytearray(docx_bytes(["一段文字。"])[0])
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_len] == b"word/document.xml":
            data[at + 24:at + 28] = declared.to_bytes(4, "little")  # uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def docx_many_entries(count: int = 20_000) -> bytes:
    entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    entries.update({f"word/media/x{i}.bin": b"" for i in range(count)})
    return _zip(entries, zipfile.ZIP_STORED)


def docx_with_entities() -> bytes:
    """A DOCX body that declares a DTD with nested entities (the "billion laughs" shape)."""
    body = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
            f'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="{W}"><w:body><w:p><w:r>'
            f"<w:t>&b;</w:t></w:r></w:p></w:body></w:document>").encode()
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})


def pdf_many_pages(count: int = 5000) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(count):
        pdf.new_page(200, 200)
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    return buf.getvalue()


def pdf_scanned(pages: int = 2) -> bytes:
    """Pages that are only a picture of text, as a scanner makes them: no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for row in range(40):
        draw.rectangle((40, 30 + row * 18, 560 - (row % 3) * 90, 40 + row * 18), fill=0)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, invariant=1)
    for _ in range(pages):
        pdf.drawImage(ImageReader(image), 0, 0, 595, 842)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()
