"""Plans from other provinces and cities, in the layouts real plans use (tests/data/layouts, hand
labelled in answers.json with the reasons in its README): kind, tasks, responsibilities, metadata."""

from __future__ import annotations

import pytest
from layout_eval import answers, score


@pytest.fixture(scope="module")
def result():
    return score()


def test_every_numbered_plan_is_read_as_a_plan(result):
    assert result.kind_ok == result.docs


def test_tasks_found_and_none_split(result):
    assert result.found / result.tasks >= 0.90, result.misses
    assert result.split == 0
    assert result.matched_leaves / result.leaves >= 0.95


def test_responsibilities_parsed(result):
    assert result.resp_ok / result.resp >= 0.95, [m for m in result.misses if " resp " in f" {m[1]}"]


@pytest.mark.parametrize("key", ["doc_no", "date", "title", "issuer", "year"])
def test_metadata(result, key):
    ok, total = result.meta[key]
    assert ok == total, [m for m in result.misses if m[1].startswith(key)]


def test_mirror_copies_read_the_same_clauses():
    """The same notice in Traditional with toned, toneless and repeated pinyin and doubled punctuation."""
    import variants
    from policydiff.model.document import DocMeta
    from policydiff.read.pipeline import process

    entry = next(e for e in answers() if e["file"].startswith("02_"))
    from layout_eval import LAYOUTS

    clean = (LAYOUTS / entry["file"]).read_text(encoding="utf-8")

    def clauses(text):
        return [(c.num, c.text, tuple(c.lead), tuple(c.support)) for c in process(text, DocMeta()).clauses()]

    want = clauses(clean)
    for damaged in (variants.mirror(clean, 1), variants.add_toneless_pinyin(clean),
                    variants.double_annotations(variants.add_toned_pinyin(clean))):
        assert clauses(damaged) == want
