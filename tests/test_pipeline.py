"""The same plan, however it arrives, normalizes to the same clauses."""

import pytest
from seedlib import as_html, mirror_damage, seed_bytes, seed_doc, seed_text

from policydiff.model.document import DocMeta
from policydiff.read.pipeline import process


def _shape(doc):
    return [(c.eid, c.num, c.full_text, tuple(c.lead), tuple(c.support),
             tuple((t.value, t.unit, t.comparator) for t in c.targets)) for c in doc.clauses()]


@pytest.mark.parametrize("key", ["2016", "2019", "jieyang"])
@pytest.mark.parametrize("variant", ["gb18030", "utf16", "utf8-bom", "traditional+damage", "html", "crlf"])
def test_variants_normalize_to_identical_clauses(key, variant):
    from policydiff.read.decode import decode

    text = seed_text(key)
    is_html = False
    if variant == "gb18030":
        text = decode(text.encode("gb18030")).text
    elif variant == "utf16":
        text = decode(text.encode("utf-16")).text
    elif variant == "utf8-bom":
        text = decode(b"\xef\xbb\xbf" + seed_bytes(key)).text
    elif variant == "traditional+damage":
        text = mirror_damage(text, seed=11)
    elif variant == "html":
        text, is_html = as_html(text), True
    elif variant == "crlf":
        text = text.replace("\n", "\r\n")
    doc = process(text, DocMeta(), is_html=is_html)
    assert _shape(doc) == _shape(seed_doc(key))


def test_2021_mirror_copy_and_its_simplified_form_agree():
    import opencc

    doc = seed_doc("2021")
    again = process(opencc.OpenCC("s2t").convert(doc.text), DocMeta())
    assert [c.eid for c in again.clauses()] == [c.eid for c in doc.clauses()]


def test_metadata_filled_from_the_header():
    doc = seed_doc("2019")
    assert doc.meta.year == 2019 and doc.meta.kind == "plan"
    assert [s.name for s in doc.steps][:9] == ["html", "line_endings", "pinyin_annotations", "script",
                                               "punctuation", "whitespace", "boilerplate", "collapsed_items",
                                               "suspects"]
