"""policydiff.read.formats: PDF, DOCX, OFD and DOC/WPS into one-paragraph-a-line text.

Every document is generated at test time (tests/read/make_docs.py) from the 2019 seed plan, so
each test knows exactly which paragraphs must come back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from policydiff.errors import PolicydiffError
from policydiff.read.formats import Extracted, extract, legacy, pdf, sniff
from policydiff.read.formats.docx import format_number

from . import make_docs

HEADINGS = ("一、", "二、", "三、", "四、", "五、", "六、")


def squeeze(text: str) -> str:
    return "".join(text.split())


def steps(result: Extracted) -> dict[str, int]:
    return {name: count for name, count, _ in result.steps}


def refused(data: bytes, name: str) -> str:
    """The one-line message extract() refuses `data` with."""
    with pytest.raises(PolicydiffError) as info:
        extract(data, name)
    message = str(info.value)
    assert "\n" not in message and message.startswith(name + ": "), message
    return message


# --- sniffing ---------------------------------------------------------------------------------------


def test_sniff_tells_formats_by_content_not_name(docx_doc, pdf_doc, ofd_doc) -> None:
    assert sniff(pdf_doc) == "pdf" and sniff(docx_doc[0]) == "docx" and sniff(ofd_doc) == "ofd"
    assert extract(pdf_doc, "really-a-pdf.docx").format == "pdf"
    assert sniff("广东省工作要点\n一、总体要求".encode()) is None
    assert sniff(b"<!doctype html><p>%PDF-1.4 in a page</p>") is None
    assert extract("纯文本".encode(), "plan.txt") is None


def test_unknown_zip_and_ole_are_refused() -> None:
    assert "not DOCX, OFD" in refused(make_docs._zip({"content.xml": b"<x/>"}), "sheet.ods")
    ole = make_docs.OLE_MAGIC + bytes(600)
    assert sniff(ole) is None
    refused(ole, "book.xls")


# --- DOCX ---------------------------------------------------------------------------------------------


def test_docx_numbering_labels_come_back_in_order(docx_doc) -> None:
    data, expected = docx_doc
    result = extract(data, "plan.docx")
    assert result.format == "docx"
    assert result.text.splitlines() == expected
    labelled = re.compile(r"^(?:[一二三四五六]、|（[一二三四五六七八九十]+）|\d\. |（\d）)")
    assert steps(result)["docx_numbering"] == sum(1 for line in expected if labelled.match(line))


def test_docx_labels_exist_only_as_word_numbering(docx_doc) -> None:
    import zipfile
    from io import BytesIO

    body = zipfile.ZipFile(BytesIO(docx_doc[0])).read("word/document.xml").decode()
    assert "（一）" not in body and "（二十七）" not in body
    assert not re.search(r"<w:t[^>]*>\s*(?:[一二三四五六]、|\d\.|（\d）)", body)  # no label opens a paragraph
    assert "<w:numPr>" in body and 'w:val="CnItem"' in body


def test_docx_numbering_continues_and_restarts(docx_doc) -> None:
    lines = extract(docx_doc[0], "plan.docx").text.splitlines()
    starts = [line.split("。")[0][:7] for line in lines]
    # lvlRestart 0: items run on under a new heading, as in the seed (（六） follows 二、).
    assert lines[lines.index(next(x for x in lines if x.startswith("二、"))) + 1].startswith("（六）")
    # Level 2 restarts when level 1 advances; the table between (三) and (四) does not break the list.
    assert [s for s in starts if s[:2] in ("1.", "2.")] == ["1. 梳理基层", "2. 推行证明", "1. 梳理基层"]
    assert next(x for x in lines if x.startswith("网上可办率")) and any(x.startswith("（四）提高") for x in lines)
    # Paragraph style numbering (CnItem) takes part in the same counters.
    assert [x[:5] for x in lines if x.startswith(("（四）", "（五）"))][:2] == ["（四）提高", "（五）提升"]
    # A new w:num with a startOverride restarts; the annex list counts 1, 2 then 1, 2 again.
    assert lines[-4:] == make_docs.ANNEX[1:]
    assert sum(1 for x in lines if x.startswith(HEADINGS)) == 6 and lines[-5] == "附件"


def test_docx_drops_headers_keeps_tables_accepts_tracked_changes(docx_doc, paragraphs) -> None:
    result = extract(docx_doc[0], "plan.docx")
    assert make_docs.HEADER_MARK not in result.text and make_docs.FOOTER_MARK not in result.text
    assert "指标\t2018年\t2019年" in result.text.splitlines()
    assert make_docs.DELETED not in result.text and make_docs.MOVED_AWAY not in result.text
    item_two = next(p for p in paragraphs if p.startswith("（二）"))
    assert item_two in result.text.splitlines()  # insertion and move target kept, in order
    counts = steps(result)
    assert counts["docx_tracked_changes"] == 4 and counts["docx_tables"] == 2
    assert counts["docx_headers_footers"] == 2


@pytest.mark.parametrize(("value", "fmt", "label"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (32, "chineseCountingThousand", "三十二"),
    (105, "chineseCountingThousand", "一百零五"), (110, "chineseCounting", "一百一十"),
    (10, "ideographDigital", "一〇"), (11, "chineseLegalSimplified", "拾壹"), (3, "decimalEnclosedCircle", "③"),
    (21, "decimalEnclosedCircleChinese", "㉑"), (2, "ideographTraditional", "乙"), (27, "upperLetter", "AA"),
    (14, "lowerRoman", "xiv"), (7, "decimalZero", "07"), (12, "decimal", "12"), (3, "bullet", ""),
])
def test_number_formats(value: int, fmt: str, label: str) -> None:
    assert format_number(value, fmt) == label


# --- PDF ----------------------------------------------------------------------------------------------


def test_pdf_reportlab_paragraphs_back_without_furniture(pdf_doc, paragraphs) -> None:
    result = extract(pdf_doc, "plan.pdf")
    assert result.format == "pdf" and not result.warnings
    assert squeeze(result.text) == squeeze("".join(paragraphs))
    assert result.text.splitlines() == paragraphs  # every paragraph re-joined, every heading alone
    counts = steps(result)
    assert counts["pdf_page_numbers"] == counts["pdf_running_headers"] == len(pdf._open(pdf_doc, "x"))
    assert "— 1 —" not in result.text and "\u3000" not in result.text


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(fonts.strip())


def test_pdf_printed_by_chromium(paragraphs, tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists() and shutil.which("chromium") is None:
        pytest.skip("no Chromium")
    if not _has_cjk_font():
        pytest.skip("no CJK font for Chromium (fonts-wqy-microhei or fonts-noto-cjk)")
    data = make_docs.pdf_chromium(paragraphs, tmp_path)
    assert data, "Chromium printed nothing"
    result = extract(data, "printed.pdf")
    assert squeeze(result.text) == squeeze("".join(paragraphs))
    lines = result.text.splitlines()
    for heading in (p for p in paragraphs if p.startswith(HEADINGS)):
        assert heading in lines
    assert lines == paragraphs


@pytest.mark.parametrize("number", ["— 3 —", "－3－", "- 3 -", "第3页", "第 3 页 共 10 页", "3/10", "3"])
def test_page_number_forms(number: str) -> None:
    pages = [[f"第{i}页正文内容在这里。", number.replace("3", str(i))] for i in range(1, 5)]
    out, count, _ = pdf.page_numbers(pages)
    assert count == 4 and all(len(page) == 1 for page in out)


def test_bare_numbers_kept_when_they_do_not_count_pages() -> None:
    pages = [["表格数据。", "2019"], ["表格数据。", "2019"], ["表格数据。", "7"]]
    assert pdf.page_numbers(pages)[1] == 0


FULL = "这是一行被页面宽度截断的很长的句子，它在这一行的末尾没有结束"  # 29 CJK characters


@pytest.mark.parametrize("start", ["一、", "（一）", "1.", "1．", "1、", "（1）", "①", "第一条", "第一章", "附件"])
def test_lines_not_joined_before_headings_and_items(start: str) -> None:
    lines = [FULL, FULL, start + "新的条目从这里开始"]
    out = pdf.joined_lines([lines])[0][0]
    assert out == [FULL + FULL, start + "新的条目从这里开始"]


@pytest.mark.parametrize("end", ["。", "；", "：", "！", "？"])
def test_lines_not_joined_after_sentence_end(end: str) -> None:
    ended = FULL[:-1] + end
    out = pdf.joined_lines([[FULL, ended, FULL, "下一行。"]])[0][0]
    assert out == [FULL + ended, FULL + "下一行。"]


def test_short_title_line_not_joined_and_indents_stripped() -> None:
    pages = [["工作要点", "\u3000\u3000" + FULL, FULL, "续完。", "\u3000\u3000" + FULL, "结束。"]]
    joined = pdf.joined_lines(pages)[0]
    out = pdf.indents(joined)[0][0]
    assert out == ["工作要点", FULL + FULL + "续完。", FULL + "结束。"]


def test_attachment_labels_survive_as_repeated_page_tops() -> None:
    pages = [["附件1", "第一份材料。"], ["附件2", "第二份材料。"], ["附件3", "第三份材料。"]]
    out, removed, _ = pdf.running_headers(pages)
    assert removed == 0 and out == pages
    assert pdf.attachments(out)[1] == 3


# --- OFD ----------------------------------------------------------------------------------------------


def test_ofd_text_in_reading_order(ofd_doc, paragraphs) -> None:
    result = extract(ofd_doc, "plan.ofd")
    assert result.format == "ofd"
    assert result.text.splitlines() == paragraphs
    assert steps(result)["ofd_page_numbers"] == steps(result)["ofd_running_headers"] > 1


def test_ofd_package_root_paths_are_inside_the_file(paragraphs) -> None:
    data = make_docs.ofd_bytes(paragraphs[:12], doc_root="/Doc_0/Document.xml")
    assert extract(data, "rooted.ofd").text.splitlines() == paragraphs[:12]


# --- DOC / WPS through LibreOffice ------------------------------------------------------------------


@pytest.fixture(scope="module")
def doc_bytes(docx_doc, tmp_path_factory) -> bytes:
    if legacy.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    data = make_docs.doc_via_soffice(docx_doc[0], tmp_path_factory.mktemp("doc"))
    assert data, "LibreOffice did not write a .doc"
    return data


def test_doc_read_through_libreoffice(doc_bytes, paragraphs) -> None:
    assert sniff(doc_bytes) == "doc"
    result = extract(doc_bytes, "plan.doc")
    assert result.format == "doc" and result.steps[0][0] == "doc_converted"
    lines = result.text.splitlines()
    # LibreOffice's .doc keeps the list labels (its own lvlRestart handling renumbers items).
    assert [x[:2] for x in lines if x.startswith(HEADINGS)] == list(HEADINGS)
    assert lines[lines.index(next(x for x in lines if x.startswith("一、"))) + 1].startswith("（一）")
    for plain in paragraphs[:9]:
        assert plain in lines
    assert "指标\t2018年\t2019年" in lines
    assert make_docs.HEADER_MARK not in result.text and make_docs.DELETED not in result.text


def test_wps_by_name_uses_the_same_path(doc_bytes) -> None:
    result = extract(doc_bytes, "plan.wps")
    assert result.format == "wps" and result.steps[0][0] == "wps_converted"


def test_legacy_without_libreoffice(monkeypatch) -> None:
    monkeypatch.setattr(legacy, "find_soffice", lambda: None)
    ole = make_docs.OLE_MAGIC + "WordDocument".encode("utf-16-le") + bytes(100)
    message = refused(ole, "old.doc")
    assert "install LibreOffice (soffice) or save it as DOCX or PDF" in message


# --- hostile files ------------------------------------------------------------------------------------


def _truncated_pdf() -> bytes:
    data = make_docs.pdf_reportlab(make_docs.seed_paragraphs()[:10])
    return data[: len(data) // 2]


HOSTILE = {
    "bomb.docx": (make_docs.docx_zip_bomb, "zip bomb"),
    "forged.docx": (make_docs.docx_forged_size, "MB uncompressed"),
    "entries.docx": (make_docs.docx_many_entries, "20,002 entries"),
    "entities.docx": (make_docs.docx_with_entities, "declares a DTD"),
    "truncated.docx": (lambda: make_docs.docx_bytes(["一段文字。"])[0][:3000], "damaged DOCX"),
    "passwd.ofd": (lambda: make_docs.ofd_bytes(["一段文字。"], base_loc="../../etc/passwd"), "outside the file"),
    "url.ofd": (lambda: make_docs.ofd_bytes(["一段文字。"], base_loc="http://x"), "outside the file"),
    "root-url.ofd": (lambda: make_docs.ofd_bytes(["一段文字。"], doc_root="file:///etc/passwd"), "outside the file"),
    "pages.pdf": (make_docs.pdf_many_pages, "5,000 pages"),
    "locked.pdf": (lambda: make_docs.pdf_reportlab(["一段文字。"], encrypt="secret"), "password-protected"),
    "scan.pdf": (make_docs.pdf_scanned, "a scanned PDF with no text layer; run OCR on it first (policydiff does no OCR)"),
    "truncated.pdf": (_truncated_pdf, "damaged or truncated PDF"),
    "garbage.pdf": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40, "damaged or truncated PDF"),
    # With LibreOffice: it cannot load it; without: the install hint. One line either way.
    "garbage.doc": (lambda: make_docs.OLE_MAGIC + "WordDocument".encode("utf-16-le") + bytes(600), "LibreOffice"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_refused_in_one_line(name: str) -> None:
    build, expected = HOSTILE[name]
    assert expected in refused(build(), name)
