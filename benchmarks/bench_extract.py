"""PDF text extraction: pypdfium2 against pdfplumber and pdfminer.six, on speed and CJK fidelity.

    python benchmarks/bench_extract.py               # 100 pages, best of 3 for the fast readers
    python benchmarks/bench_extract.py --pages 20    # a quicker run

One PDF is generated with reportlab (STSong-Light CID font, the 2019 seed plan repeated, a running
header and "— N —" page numbers) and read by each library in the same run. Fidelity: for every
page, the text each library gives (whitespace removed) against the text drawn on it, as a
difflib similarity; "exact" counts pages that match character for character. The same is done for
a Chromium-printed PDF (embedded TrueType subset) when /usr/bin/chromium exists. Our extractor
(policydiff.read.formats, PDFium plus the page-furniture rules) is timed on the reportlab PDF;
the target is under 2 s for 100 pages. Asserts nothing.
"""

from __future__ import annotations

import argparse
import difflib
import io
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TARGET_SECONDS = 2.0


def read_pdfium(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def read_pdfplumber(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def read_pdfminer(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data)).split("\f")


def read_ours(data: bytes) -> list[str]:
    from policydiff.read.formats import extract

    return [extract(data, "bench.pdf").text]


def best_time(reader: Callable[[bytes], list[str]], data: bytes, runs: int) -> tuple[float, list[str]]:
    best, pages = float("inf"), []
    for _ in range(runs):
        started = time.perf_counter()
        pages = reader(data)
        best = min(best, time.perf_counter() - started)
    return best, pages


def squeeze(text: str) -> str:
    return "".join(text.split())


def fidelity(pages: list[str], expected: list[str]) -> tuple[float, int]:
    """Mean per-page similarity to the drawn text, and how many pages match exactly."""
    pairs = list(zip(pages, expected, strict=False))
    ratios = [difflib.SequenceMatcher(None, squeeze(got), squeeze(want), autojunk=False).ratio()
              for got, want in pairs]
    exact = sum(squeeze(got) == squeeze(want) for got, want in pairs)
    missing = len(expected) - len(pairs)
    return sum(ratios) / max(len(expected), 1) if not missing else 0.0, exact


def reportlab_case(pages: int) -> tuple[bytes, list[str]]:
    from read.make_docs import RUNNING_HEADER, pdf_reportlab, reportlab_pages, seed_paragraphs

    paragraphs = seed_paragraphs() * (pages // 4 + 1)
    data = pdf_reportlab(paragraphs, max_pages=pages)
    drawn = reportlab_pages(paragraphs, max_pages=pages)
    expected = [RUNNING_HEADER + "".join(t for t, _ in lines) + f"—{n}—" for n, lines in enumerate(drawn, 1)]
    return data, expected


def chromium_case(folder: Path) -> tuple[bytes, str] | None:
    from read.make_docs import pdf_chromium, seed_paragraphs

    paragraphs = seed_paragraphs()
    data = pdf_chromium(paragraphs, folder)
    return (data, "".join(paragraphs)) if data else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="runs of the fast readers (best is kept)")
    args = parser.parse_args()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # it warns once a page on reportlab's CID fonts

    data, expected = reportlab_case(args.pages)
    print(f"reportlab PDF: {len(expected)} pages, {len(data) / 1024:.0f} KiB, STSong-Light CID font\n")
    print(f"{'reader':<22}{'seconds':>9}{'× pdfium':>10}{'similarity':>12}{'exact pages':>13}")
    rows = [("pypdfium2", read_pdfium, args.runs), ("pdfplumber", read_pdfplumber, 1),
            ("pdfminer.six", read_pdfminer, 1), ("policydiff extract()", read_ours, args.runs)]
    base = None
    for name, reader, runs in rows:
        seconds, pages = best_time(reader, data, runs)
        base = base or seconds
        score = f"{fidelity(pages, expected)[0]:.4f}" if reader is not read_ours else "—"
        exact = f"{fidelity(pages, expected)[1]}/{len(expected)}" if reader is not read_ours else "—"
        print(f"{name:<22}{seconds:>9.3f}{seconds / base:>10.1f}{score:>12}{exact:>13}")
        if reader is read_ours:
            verdict = "meets" if seconds < TARGET_SECONDS * len(expected) / 100 else "MISSES"
            print(f"\nour extractor: {seconds:.2f} s for {len(expected)} pages; {verdict} the target of "
                  f"{TARGET_SECONDS:.0f} s per 100 pages")

    with tempfile.TemporaryDirectory() as tmp:
        case = chromium_case(Path(tmp))
    if case is None:
        print("\nChromium PDF: skipped (no /usr/bin/chromium)")
        return
    chrome, want = case
    print("\nChromium-printed PDF (embedded TrueType subset), whole-document similarity:")
    for name, reader in (("pypdfium2", read_pdfium), ("pdfplumber", read_pdfplumber), ("pdfminer.six", read_pdfminer)):
        got = squeeze("".join(reader(chrome)))
        ratio = difflib.SequenceMatcher(None, got, squeeze(want), autojunk=False).ratio()
        print(f"{name:<22}{ratio:>9.4f}  {'identical' if got == squeeze(want) else 'differs'}")


if __name__ == "__main__":
    main()
