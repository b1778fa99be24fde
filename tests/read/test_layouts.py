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


def test_every_layout_document_writes_valid_xml():
    """Chapters, articles, sections of prose and collapsed items all fit the schema, losslessly."""
    from layout_eval import read

    from policydiff.model import planxml

    for entry in answers():
        doc = read(entry)
        back = planxml.from_bytes(planxml.to_bytes(doc))
        assert back.text == doc.text, entry["file"]


def test_collapsed_items_get_a_line_each():
    from policydiff.read.clean import clean

    text = "（二）深化改革。\n1.推进企业开办。实现0.5个工作日办结。（市市场监管局牵头）2.推进不动产登记。达到98%。3.推进出生一件事。\n"
    lines = clean(text).text.split("\n")
    assert lines[1:4] == ["1.推进企业开办。实现0.5个工作日办结。（市市场监管局牵头）", "2.推进不动产登记。达到98%。",
                          "3.推进出生一件事。"]
    # a number that is not the next item never splits a line: 2020年, 2.5个, a repeated 1.
    kept = "1.到2020年。2.5个工作日内办结；1.重复。"
    assert clean(kept).text == kept


def test_a_table_of_contents_is_front_matter():
    from policydiff.read.structure import parse

    toc = "规划\n目录\n第一章　基础\n第二章　任务\n第三章　保障\n前言\n说明。\n第一章　基础\n第一节　现状\n现状。\n" \
          "第二章　任务\n第一节　服务\n一、推进服务。实现覆盖。\n第三章　保障\n第一节　组织\n加强领导。\n"
    parsed = parse(toc)
    ids = [n.attrs["eId"] for n in parsed.root.iter() if n.tag in ("chapter", "subchapter", "section")]
    assert ids == ["chp_1", "chp_1__subchp_1", "chp_2", "chp_2__subchp_1", "chp_2__subchp_1__sec_1", "chp_3",
                   "chp_3__subchp_1"]
    assert parsed.layout == "chapters"


def test_a_task_number_eaten_by_mojibake_is_recovered_from_the_sequence():
    from seedlib import seed_text

    from policydiff.model import planxml
    from policydiff.model.document import DocMeta
    from policydiff.read.pipeline import process

    text = seed_text("2019")
    damaged = process(text.replace("（五）", "?。ㄒ唬", 1), DocMeta())
    assert [c.eid for c in damaged.clauses()] == [c.eid for c in process(text, DocMeta()).clauses()]
    task = next(c for c in damaged.clauses() if c.eid == "sec_1__para_5")
    assert task.num == "?。ㄒ唬" and task.heading.startswith("提升基层窗口服务水平")
    planxml.from_bytes(planxml.to_bytes(damaged))  # the damaged number stays inside <num>, as a suspect
