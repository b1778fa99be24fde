"""The same plan as plain text, PDF, DOCX (Word list numbering), OFD and a web page normalizes to the
same clauses, targets and responsibilities; and a PDF version against a DOCX version of one plan is
no substantive change."""

from __future__ import annotations

import pytest
from seedlib import as_html

from policydiff.model.document import DocMeta
from policydiff.read.decode import decode
from policydiff.read.pipeline import process


def _doc(data: bytes, name: str):
    decoded = decode(data, name)
    return process(decoded.text, DocMeta(), is_html=name.endswith(".html"))


def _clauses(doc):
    return [(c.num, c.text, tuple(c.lead), tuple(c.support), tuple((t.value, t.unit, t.comparator) for t in c.targets))
            for c in doc.clauses()]


@pytest.fixture(scope="module")
def plain(paragraphs):
    return _doc("\n".join(paragraphs).encode("utf-8"), "plan.txt")


@pytest.mark.parametrize("fmt", ["pdf", "docx", "ofd", "html"])
def test_every_format_gives_the_clauses_of_the_plain_text(fmt, plain, paragraphs, pdf_doc, docx_doc, ofd_doc):
    data = {"pdf": pdf_doc, "docx": docx_doc[0], "ofd": ofd_doc,
            "html": as_html("\n".join(paragraphs)).encode("utf-8")}[fmt]
    doc = _doc(data, f"plan.{fmt}")
    if fmt == "docx":  # the test DOCX adds a table, a tracked change and list-numbered points: its own text
        plain = _doc("\n".join(docx_doc[1]).encode("utf-8"), "plan.txt")
    assert _clauses(doc) == _clauses(plain)
    assert len(doc.clauses()) >= 35
    assert decode(data, f"plan.{fmt}").encoding in (fmt, "utf-8")


def test_pdf_against_ofd_is_no_substantive_change(pdf_doc, ofd_doc):
    from policydiff.match.compare import compare

    cmp = compare(_doc(pdf_doc, "plan.pdf"), _doc(ofd_doc, "plan.ofd"))
    assert {m.status for m in cmp.matches} == {"unchanged"}
    assert {t.change for t in cmp.targets} <= {"unchanged"}


def test_pdf_against_docx_is_no_substantive_change(pdf_doc, paragraphs):
    import io

    import docx

    from policydiff.match.compare import compare

    word = docx.Document()
    for p in paragraphs:
        word.add_paragraph(p)
    buf = io.BytesIO()
    word.save(buf)
    cmp = compare(_doc(pdf_doc, "plan.pdf"), _doc(buf.getvalue(), "plan.docx"))
    assert {m.status for m in cmp.matches} == {"unchanged"}
    assert {t.change for t in cmp.targets} <= {"unchanged"}


def test_normalize_explain_shows_the_extraction_steps(cli, pdf_doc, tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf_doc)
    code, out, err = cli("--archive", tmp_path / "no-archive", "normalize", "--explain", path)
    assert code == 0, err
    names = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
    assert names[0].startswith("pdf") and "html" in names and names.index("html") > 0
    assert "pdf_page_numbers" in names or any(n.startswith("pdf_") for n in names[1:])
