"""`coverage` on three label sets of the Jieyang 2019–2021 plan against the Guangdong 2019 points.

- `jieyang-gd2019.tsv`: the first labels (sure and probable links);
- `jieyang-gd2019.blind.tsv`: labels written from the two texts alone, before reading the matcher's
  output or the first labels (sure, probable, possible; `none` rows for tasks not taken up);
- `jieyang-gd2019.adjudicated.tsv`: the union of the two, every disagreement decided (README.md).

Precision counts a found link as right when a label set has it at any confidence (a `possible` link
is defensible either way: neither a miss nor a false link); recall is over its sure and probable
links. The strict precision (sure and probable only) is asserted too.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pytest
from seedlib import seed_doc

from policydiff.match.coverage import coverage
from policydiff.match.coverage_rules import references, same_measure, words

LABELS = Path(__file__).resolve().parents[1] / "data" / "coverage"

#: measured (2026-12, normalizer 2): links found 38.
#: blind: precision 1.000 (38/38), strict 0.921 (35/38), recall 0.833 (35/42), sure recall 1.00 (27/27)
#: adjudicated: precision 1.000 (38/38), strict 0.868 (33/38), recall 0.825 (33/40), sure 1.00 (25/25)
#: first labels: strict precision 0.868 (33/38), recall 0.786 (33/42), sure recall 1.00 (25/25)
#: before the generic wording, heading, measure and cross-reference rules (blind / adjudicated):
#: precision 0.939 / 0.939, recall 0.738 / 0.775. The floors leave room for one link either way.
FLOORS = {
    "jieyang-gd2019.blind.tsv": {"precision": 0.97, "strict": 0.89, "recall": 0.80, "sure": 0.96},
    "jieyang-gd2019.adjudicated.tsv": {"precision": 0.97, "strict": 0.84, "recall": 0.80, "sure": 0.96},
    "jieyang-gd2019.tsv": {"precision": 0.84, "strict": 0.84, "recall": 0.76, "sure": 0.96},
}


def _tsv(name: str) -> list[dict[str, str]]:
    with open(LABELS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@lru_cache(maxsize=1)
def _found() -> frozenset[tuple[str, str]]:
    cov = coverage(seed_doc("2019"), seed_doc("jieyang"))
    return frozenset((k.higher, k.lower) for k in cov.links)


@lru_cache(maxsize=1)
def _links():
    cov = coverage(seed_doc("2019"), seed_doc("jieyang"))
    return {(k.higher, k.lower): k for k in cov.links}


def measure(name: str) -> dict[str, float]:
    rows = [r for r in _tsv(name) if r["lower_eid"]]
    by = {(r["higher_eid"], r["lower_eid"]): r["confidence"] for r in rows}
    sure = {p for p, c in by.items() if c == "sure"}
    positive = {p for p, c in by.items() if c in ("sure", "probable")}
    found = _found()
    return {"precision": len(found & set(by)) / len(found), "strict": len(found & positive) / len(found),
            "recall": len(found & positive) / len(positive), "sure": len(found & sure) / len(sure)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_precision_and_recall_on_each_label_set(name):
    got = measure(name)
    for key, floor in FLOORS[name].items():
        assert got[key] >= floor, (name, key, round(got[key], 3))


def test_the_label_files_are_well_formed():
    hi = {c.eid for c in seed_doc("2019").clauses() if c.is_leaf}
    lo = {c.eid for c in seed_doc("jieyang").clauses() if c.is_leaf}
    blind = _tsv("jieyang-gd2019.blind.tsv")
    # the blind set decides every provincial task: links, or a `none` row
    assert {r["higher_eid"] for r in blind} == hi
    for r in blind:
        assert r["confidence"] in ("sure", "probable", "possible", "none"), r
        assert (r["confidence"] == "none") == (r["lower_eid"] == ""), r
        assert not r["lower_eid"] or r["lower_eid"] in lo, r
        assert r["reason"], r
    adjudicated = _tsv("jieyang-gd2019.adjudicated.tsv")
    pairs = {(r["higher_eid"], r["lower_eid"]) for r in adjudicated}
    # the union: every labelled pair of both sets, once, each decided
    assert pairs == {(r["higher_eid"], r["lower_eid"]) for r in blind if r["lower_eid"]} | {
        (r["higher_eid"], r["lower_eid"]) for r in _tsv("jieyang-gd2019.tsv")}
    assert len(pairs) == len(adjudicated)
    assert all(r["confidence"] in ("sure", "probable", "possible") and r["reason"] for r in adjudicated)


def test_the_two_label_sets_agree_on_most_links():
    def positive(rows):
        return {(r["higher_eid"], r["lower_eid"]) for r in rows if r["confidence"] in ("sure", "probable")}

    blind, first = positive(_tsv("jieyang-gd2019.blind.tsv")), positive(_tsv("jieyang-gd2019.tsv"))
    agreed = len(blind & first)
    assert agreed == 39 and len(blind) == 42 and len(first) == 42


# --------------------------------------------------------------------------- the rules, one by one


def test_generic_wording_is_cut_out_before_comparing():
    # partners in a list and the means every task names say nothing of what a task does
    assert not {"互联", "联网", "运营"} & set(words("充分发挥互联网企业、基础电信运营商的作用"))
    assert not {"系统", "整合", "数据"} & set(words("通过系统整合、数据共享"))
    assert "科技" in words("通过系统整合、数据共享推进科技项目")
    links = _links()
    assert ("sec_6__para_31", "sec_3__para_3__point_2") not in links  # 互联网企业、基础电信运营商 as data sources
    assert ("sec_3__para_15", "sec_4__para_1__point_8") not in links  # 通过系统整合、数据共享 … 项目审批


def test_a_clause_restating_the_task_heading_takes_it_up():
    # 提升社会治理智慧化水平 ← 社会治理应用: 提升社会治理智能化水平
    link = _links()[("sec_4__para_17", "sec_3__para_2__point_4")]
    assert link.evidence["restates_the_task_heading"] >= 0.6


def test_a_target_on_the_same_measure_takes_the_task_up():
    assert same_measure("企业开办全流程", "企业开办时间") == "企业开办"
    assert same_measure("抵押登记", "抵押登记业务") == "抵押登记"
    # the object class every plan counts is no measure
    assert same_measure("基层服务事项", "政务服务事项网上可办率") == ""
    assert same_measure("政务服务事项", "政务服务事项") == ""
    link = _links()[("sec_2__para_8", "sec_2__para_5__point_1")]  # 企业开办时间再减一半
    assert link.evidence["same_measure"] == ["企业开办"]


def test_a_clause_naming_another_by_its_heading_takes_up_what_it_takes_up():
    from policydiff.model.document import Clause

    def clause(eid, heading, content):
        return Clause(eid=eid, tag="point", num="1.", heading=heading, content=content, lead=[], support=[],
                      targets=[], parent="", section="", order=0, is_leaf=True, start=0, end=0)

    lower = [clause("a", "市场监管应用。", "加快平台建设。"), clause("b", "扩展主题服务。", "推进市场监管应用，开展主题服务。"),
             clause("c", "应用。", "市场监管应用")]
    assert references(lower, [True, True, True]) == {1: [0], 2: [0]}
    assert references(lower, [True, True, False]) == {1: [0]}  # a descriptive clause refers to nothing
    link = _links()[("sec_3__para_12", "sec_4__para_1__point_10")]
    assert link.evidence["refers_to"] == "sec_3__para_2__point_3"
