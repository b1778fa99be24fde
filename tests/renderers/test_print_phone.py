"""Print and phone: the redline printed to PDF by Chromium keeps every table (folded ones too) on A4
pages without half-empty pages; at a 390 px wide viewport no page scrolls sideways and the target
tables reflow into one block per row.

Print: Debian's Chromium, `--headless --print-to-pdf`, read back with pypdfium2. Phone: the same
Chromium driven through Playwright (as test_browser.py does). Skipped only when Chromium is missing
and CI is not "true"; under CI=true a missing Chromium fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from chromium import ARGS, CHROMIUM, launched, need_chromium
from conftest import subprocess_env
from test_html import hostile_comparison, real_comparison

from renderers import html as html_renderer

REPO = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
#: A4 in PDF points, as Chromium writes it (±1 pt)
A4 = (595.3, 841.9)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    real = root / "real.html"
    real.write_text(html_renderer.render(real_comparison()), encoding="utf-8")
    hostile = root / "hostile.html"
    hostile.write_text(html_renderer.render(hostile_comparison()), encoding="utf-8")
    return {"real": real, "hostile": hostile}


@pytest.fixture(scope="module")
def printed(pages, tmp_path_factory):
    """The real redline printed to PDF by headless Chromium: (html path, pypdfium2 document)."""
    need_chromium("the print and phone tests")
    import pypdfium2 as pdfium

    out = tmp_path_factory.mktemp("print") / "real.pdf"
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.run([CHROMIUM, *ARGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                           f"--print-to-pdf={out}", pages["real"].as_uri()],
                          capture_output=True, text=True, timeout=180)
    assert out.is_file() and out.stat().st_size > 10_000, proc.stderr[-2000:]
    return pages["real"], pdfium.PdfDocument(str(out))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_printed_redline_holds_every_table_cell(printed):
    page, pdf = printed
    text = _flat("".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    root = lxml.html.parse(str(page)).getroot()
    tables = root.findall(".//table")
    assert len(tables) >= 4  # the main target table, the folded added/dropped/unchanged ones, responsibilities
    assert any(t.getparent().tag == "details" for t in tables)
    cells = [_flat(c.text_content()) for t in tables for c in t.iter("td", "th")]
    cells = [c for c in cells if c]
    missing = [c for c in cells if c not in text]
    assert len(cells) > 300 and not missing, missing[:10]


def test_printed_redline_is_a4_without_half_empty_pages(printed):
    _page, pdf = printed
    assert len(pdf) > 5
    for i in range(len(pdf)):
        w, h = pdf[i].get_size()
        assert abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2, (i, w, h)
    for i in range(len(pdf) - 1):  # every page but the last is at least half full
        img = pdf[i].render(scale=0.25).to_pil().convert("L")
        width, height = img.size
        px = img.load()
        last = max((y for y in range(height) if any(px[x, y] < 235 for x in range(0, width, 2))), default=0)
        assert last / height > 0.5, f"page {i + 1} is more than half empty ({last / height:.2f})"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """`policydiff report gd-digital-gov -o DIR` on a private copy of the bundled archive."""
    root = tmp_path_factory.mktemp("report")
    archive = root / "docs_archive"
    shutil.copytree(REPO / "docs_archive", archive)
    out = root / "out"
    proc = subprocess.run([sys.executable, "-m", "policydiff", "--archive", str(archive), "report", "gd-digital-gov",
                           "-o", str(out)], capture_output=True, text=True, timeout=300, env=subprocess_env(),
                          cwd=root)
    assert proc.returncode == 0, proc.stderr
    return out


def test_report_csv_files_start_with_a_bom(report_dir):
    for path in report_dir.glob("*.csv"):  # for Excel, which reads a CSV as UTF-8 only after a BOM
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name


@pytest.fixture(scope="module")
def browser():
    with launched("the print and phone tests") as b:
        yield b


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE, offline=True)
    yield context
    context.close()


def _scroll_width(context, url: str) -> tuple[int, list[str]]:
    page = context.new_page()
    try:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8).map(e => e.tagName + '.' + e.className)""")
        return width, wide
    finally:
        page.close()


@pytest.mark.parametrize("name", ["real", "hostile"])
def test_redline_does_not_scroll_sideways_at_390px(phone, pages, name):
    width, wide = _scroll_width(phone, pages[name].as_uri())
    assert width <= PHONE["width"], wide


def test_target_table_reflows_at_390px(phone, pages):
    page = phone.new_page()
    try:
        page.goto(pages["real"].as_uri())
        shown = page.evaluate("""() => { const td = document.querySelector('#targets tbody td');
            const s = getComputedStyle(td, '::before');
            return [getComputedStyle(td).display, s.content]; }""")
        assert shown == ["block", '"变化 change"']  # one block per cell, labelled with its column
    finally:
        page.close()


def test_series_report_does_not_scroll_sideways_at_390px(phone, report_dir):
    pair_pages = sorted(p.name for p in report_dir.glob("*.html") if p.name != "index.html")
    assert pair_pages  # the redline of each pair
    for name in ["index.html", *pair_pages]:
        width, wide = _scroll_width(phone, (report_dir / name).as_uri())
        assert width <= PHONE["width"], (name, wide)


def test_print_keeps_short_cards_whole_and_lets_long_ones_break(browser, pages):
    context = browser.new_context(viewport={"width": 794, "height": 1123}, offline=True)  # A4 at 96 dpi
    try:
        page = context.new_page()
        page.goto(pages["real"].as_uri())
        page.emulate_media(media="print")
        rules = page.eval_on_selector_all(
            "article.card", "els => els.map(e => [e.classList.contains('long'), getComputedStyle(e).breakInside])")
        opened = page.eval_on_selector_all(
            "details.more table", "els => els.length > 0 && els.every(e => e.getBoundingClientRect().height > 0)")
    finally:
        context.close()
    assert rules and {r for long, r in rules if not long} == {"avoid"}
    assert {r for long, r in rules if long} == {"auto"}
    assert opened
