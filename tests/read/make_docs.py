"""Build test documents (PDF, DOCX, OFD, hostile files) at test time from the seed text.

Used by tests/read/test_formats.py and benchmarks/bench_extract.py. Every builder returns bytes
and writes nothing unless told to (Chromium and LibreOffice need a folder, which the caller gives).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
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


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than width: a page-width break, mid-sentence."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for char in text:
        if current and stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = ""
        current += char
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
