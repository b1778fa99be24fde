"""`compare --format docx`: a Word file whose redline is real tracked changes (w:ins / w:del).

Read back with python-docx and lxml: the inserted and deleted runs of each clause paragraph are
exactly the inserted and deleted tokens of its redline; the numbered structure and the target
table are there; LibreOffice (when installed) opens it, keeps the revisions and prints it to PDF.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from seedlib import seed_path
from test_html import hostile_comparison, real_comparison

from policydiff.model.changes import Status
from renderers import docx as docx_renderer
from renderers import registry
from renderers.common import one_line, sorted_targets, title_of

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists() else None)


@pytest.fixture(scope="module")
def real():
    cmp = real_comparison()
    return cmp, docx_renderer.render(cmp)


def _open(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def _text(el, tag: str) -> str:
    """The text of every `tag` (w:t or w:delText) under el, a w:br as a newline."""
    out = []
    for node in el.iter(f"{{{W}}}{tag}", f"{{{W}}}br"):
        out.append("\n" if node.tag == f"{{{W}}}br" else (node.text or ""))
    return "".join(out)


def _clause_paragraphs(doc):
    return [p for p in doc.paragraphs if p.style.name == docx_renderer.CLAUSE_STYLE]


def _revisions(p):
    ins = p._p.findall("w:ins", NS)
    dels = p._p.findall("w:del", NS)
    return ins, dels


def _flat(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_every_clause_is_a_paragraph_whose_revisions_are_its_redline(real):
    cmp, data = real
    doc = _open(data)
    paras = _clause_paragraphs(doc)
    assert len(paras) == len(cmp.matches)
    checked = 0
    for m, p in zip(cmp.matches, paras, strict=True):
        ins, dels = _revisions(p)
        inserted = "".join(_text(i, "t") for i in ins)
        deleted = "".join(_text(d, "delText") for d in dels)
        # deleted text is never a w:t, inserted text never a w:delText
        assert not [t for d in dels for t in d.iter(f"{{{W}}}t")]
        assert not [t for i in ins for t in i.iter(f"{{{W}}}delText")]
        if m.old and m.new and m.diff:
            assert inserted == _flat("".join(t for op, t in m.diff if op == "+"))
            assert deleted == _flat("".join(t for op, t in m.diff if op == "-"))
            assert len(ins) == sum(1 for op, t in m.diff if op == "+" and t)
            checked += bool(inserted or deleted)
        elif m.new and not m.old:
            assert inserted == _flat(m.new_text) and not deleted
        elif m.status == Status.DROPPED:
            assert deleted == _flat(m.old_text) and not inserted
    assert checked >= 10  # several modified/moved clauses carry a real redline


def test_accept_all_gives_the_new_text_and_reject_all_the_old(real):
    cmp, data = real
    doc = _open(data)
    for m, p in zip(cmp.matches, _clause_paragraphs(doc), strict=True):
        accept, reject = [], []
        for child in p._p:
            local = child.tag.split("}")[1]
            if local == "r":
                accept.append(_text(child, "t"))
                reject.append(_text(child, "t"))
            elif local == "ins":
                accept.append(_text(child, "t"))
            elif local == "del":
                reject.append(_text(child, "delText"))
        if m.old and m.new and m.diff:
            assert "".join(accept) == _flat(m.new_text)
            assert "".join(reject) == _flat(m.old_text)


def test_revisions_carry_author_date_and_unique_ids(real):
    cmp, data = real
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
        settings = etree.fromstring(z.read("word/settings.xml"))
    marks = root.findall(".//w:ins", NS) + root.findall(".//w:del", NS)
    assert len(marks) > 50
    assert {m.get(f"{{{W}}}author") for m in marks} == {"policydiff"}
    assert {m.get(f"{{{W}}}date") for m in marks} == {f"{cmp.new.date}T00:00:00Z"}
    ids = [m.get(f"{{{W}}}id") for m in marks]
    assert len(ids) == len(set(ids))
    names = [etree.QName(c).localname for c in settings]  # in the schema's order, or Word calls the file corrupt
    assert names.index("proofState") < names.index("trackRevisions") < names.index("defaultTabStop")


def test_numbered_structure_and_target_table(real):
    cmp, data = real
    doc = _open(data)
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert len(h2) == len(cmp.matches)
    for m, h in zip(cmp.matches, h2, strict=True):
        assert h == one_line(m.new_num if m.new else m.old_num) + title_of(m)
    assert any(h.startswith("一、") for h in h1) and any(h.startswith("（二）") for h in h2)
    assert any(h.startswith("（十二）1.") for h in h2)  # nested numbers as printed
    assert heads.index("目标变化 Target changes") < heads.index(h2[0])
    (table,) = doc.tables
    assert len(table.rows) == 1 + len(cmp.targets)
    assert table.rows[0].cells[0].text.startswith("变化")
    first = sorted_targets(cmp.targets)[0]
    assert table.rows[1].cells[1].text == one_line((first.new or first.old).subject) or "—"
    assert any("1.1亿" in c.text for r in table.rows for c in r.cells)


def test_hostile_text_makes_a_valid_file():
    cmp = hostile_comparison()
    cmp.matches[0].diff.append(["+", "控制\x00字符\x0b\ufffe"])  # characters XML 1.0 cannot hold
    cmp.matches[0].new_text += "控制\x00字符\x0b\ufffe"
    data = registry.render("docx", cmp)
    assert isinstance(data, bytes) and data[:2] == b"PK"
    doc = _open(data)
    assert len(_clause_paragraphs(doc)) == len(cmp.matches)
    assert any("<script>" in p.text for p in doc.paragraphs)  # text stays text
    ins = _clause_paragraphs(doc)[0]._p.findall("w:ins", NS)
    assert _text(ins[-1], "t") == "控制字符"


def test_cli_writes_docx_and_refuses_a_terminal(run_policydiff, tmp_path):
    out = tmp_path / "redline.docx"
    proc = run_policydiff("--archive", tmp_path / "arch", "compare", seed_path("2019"), seed_path("2021"),
                          "--format", "docx", "-o", out, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = _open(out.read_bytes())
    assert _clause_paragraphs(doc) and doc.tables
    # without -o the bytes go to stdout (here a pipe)
    piped = subprocess.run(
        [sys.executable, "-m", "policydiff", "--archive", str(tmp_path / "arch"), "compare",
         str(seed_path("2019")), str(seed_path("2021")), "--format", "docx"],
        capture_output=True, cwd=tmp_path, env=_env(), timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout[:2] == b"PK" and len(_clause_paragraphs(_open(piped.stdout))) == len(_clause_paragraphs(doc))


def _env():
    from conftest import subprocess_env

    return subprocess_env()


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_it_with_tracked_changes_and_prints_it(real, tmp_path):
    cmp, data = real
    src = tmp_path / "redline.docx"
    src.write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()  # a private profile: no clash with another soffice
    for fmt in ("odt", "pdf"):
        proc = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
                               "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=180)
        assert (tmp_path / f"redline.{fmt}").exists(), proc.stdout + proc.stderr
    with zipfile.ZipFile(tmp_path / "redline.odt") as z:
        content = z.read("content.xml").decode("utf-8")
    # LibreOffice read the revisions as its own tracked changes (Edit ▸ Track Changes ▸ Manage)
    assert content.count("<text:changed-region") >= 50
    assert "<dc:creator>policydiff</dc:creator>" in content
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(tmp_path / "redline.pdf"))
    assert len(pdf) > 3
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "1.1亿" in text.replace("\r", "").replace("\n", "")
