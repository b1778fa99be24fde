"""`coverage`: the aligner's coverage mode (a city plan taking up a provincial plan).

Measured against the hand labels in tests/data/coverage/ (Jieyang 2019–2021 plan vs the Guangdong
2019 work points), on synthetic city plans built from the 2019 seed with known answers, on the
department lexicon, on target relations, and on hostile text in the reports.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
from seedlib import seed_doc

from policydiff.match.coverage import (
    clause_departments,
    compare_targets,
    counterparts,
    coverage,
    department_function,
    relation,
)
from policydiff.model.document import DocMeta, Target

LABELS = Path(__file__).resolve().parents[1] / "data" / "coverage"


def _tsv(name: str) -> list[dict[str, str]]:
    with open(LABELS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@lru_cache(maxsize=1)
def _real():
    return coverage(seed_doc("2019"), seed_doc("jieyang"), higher_ref="gd-digital-gov@2019",
                    lower_ref="jieyang-digital-gov@2019")


# --------------------------------------------------------------------------- the hand labels

# precision and recall on the three label sets: test_coverage_labels.py


def test_a_task_named_after_a_programme_is_taken_up_by_a_clause_naming_it():
    links = {(k.higher, k.lower): k for k in _real().links}
    assert links[("sec_1__para_3", "sec_4__para_4__point_6")].evidence["names_the_task_programme"]  # 粤省事
    assert links[("sec_3__para_13", "sec_4__para_8__point_3")].evidence["names_the_task_programme"]  # 信用+
    # 监管 of “互联网+监管” is named by ten city clauses: it names no task
    assert not any(k.evidence.get("names_the_task_programme") for k in links.values() if k.higher == "sec_3__para_12")


def test_a_task_on_shared_systems_is_taken_up_by_every_clause_naming_one():
    # （二十七） 政务云 and 政务外网: each city clause carries one half of a long task, so its words
    # never stand out of the background; naming a system the task is about is the evidence
    links = {(k.higher, k.lower): k for k in _real().links}
    labelled = {r["lower_eid"] for r in _tsv("jieyang-gd2019.tsv") if r["higher_eid"] == "sec_6__para_27"}
    assert len(labelled) == 5
    for lower in labelled:
        systems = links[("sec_6__para_27", lower)].evidence.get("names_a_system_of_the_task", [])
        assert {"政务云", "政务外网"} & set(systems), lower


def test_a_phrase_shared_in_passing_is_not_a_link():
    # 粤企政策通 publishes on the 省政府网站集约化平台; the city clause on that platform takes up
    # nothing of the task but that one phrase
    links = {(k.higher, k.lower) for k in _real().links}
    assert ("sec_4__para_16", "sec_4__para_4__point_1") not in links
    from policydiff.match.coverage import _spread

    task = "建设平台。依托甲乙丙丁系统，开展戊己庚辛服务，推进壬癸子丑应用。"
    once, twice = "完善甲乙丙丁系统。", "依托甲乙丙丁系统，推进壬癸子丑应用。"
    idf = dict.fromkeys(["甲乙", "乙丙", "丙丁", "壬癸", "癸子", "子丑", "甲乙丙", "壬癸子"], 1.0)
    assert _spread(task, once, idf) == 1.0
    assert _spread(task, twice, idf) == 2.0


def test_every_labelled_not_taken_up_task_is_reported():
    cov = _real()
    # not taken up in the first labels and in the adjudicated set (no sure or probable link); the
    # matcher links （六） and （十七） by a possible link each (the blind labels take （十七） up)
    taken = {r["higher_eid"] for r in _tsv("jieyang-gd2019.adjudicated.tsv") if r["confidence"] in ("sure", "probable")}
    gold = {r["higher_eid"] for r in _tsv("not_taken_up.tsv")} - taken
    assert len(gold) == 11
    assert gold - {"sec_2__para_6", "sec_4__para_17"} <= set(cov.not_taken_up)
    # every provincial task is either linked or not taken up, never both
    linked = {k.higher for k in cov.links}
    assert not linked & set(cov.not_taken_up)
    assert linked | set(cov.not_taken_up) == set(cov.higher_clauses)


def test_descriptive_city_clauses_are_neither_links_nor_local_additions():
    cov = _real()
    out_of_scope = {r["lower_eid"] for r in _tsv("out_of_scope.tsv")}
    assert set(cov.descriptive) == out_of_scope
    assert not out_of_scope & {k.lower for k in cov.links}
    assert not out_of_scope & set(cov.local_only)
    # local_only holds most labelled local clauses: local in the first labels and not even a
    # possible link in the adjudicated set (the rest are false links, counted in the label tests)
    disputed = {r["lower_eid"] for r in _tsv("jieyang-gd2019.adjudicated.tsv")}
    gold_local = {r["lower_eid"] for r in _tsv("local_only.tsv")} - disputed
    assert len(gold_local & set(cov.local_only)) >= 0.9 * len(gold_local)


def test_links_are_many_to_many():
    cov = _real()
    per_higher: dict[str, int] = {}
    for k in cov.links:
        per_higher[k.higher] = per_higher.get(k.higher, 0) + 1
    assert per_higher["sec_1__para_4"] >= 3  # （四） 一网通办 is spread over several city clauses
    assert per_higher["sec_6__para_32"] == 2  # （三十二） 培训宣贯: training and publicity
    # (one city clause taking up several tasks: the merge case of the synthetic city below)


def test_targets_against_the_labelled_pairs():
    cov = _real()
    got = {(p.higher.clause, p.higher.text, p.lower.clause, p.lower.text): p.relation
           for p in cov.targets if p.lower is not None}

    def find(row):
        return [rel for (hc, ht, lc, lt), rel in got.items()
                if hc == row["higher_eid"] and lc == row["lower_eid"] and ht in row["higher_text"]
                and lt in row["lower_text"]]

    rows = _tsv("targets.tsv")
    ranked = [r for r in rows if r["relation"] in ("stricter", "same", "looser")]
    hits = [r for r in ranked if find(r) == [r["relation"]]]
    # the 一般登记 pair depends on the metric the normalizer reads: with 其他登记类型（非公证的继承不动产
    # 登记除外） it shares 不动产登记 with 不动产一般登记; with 其他登记类型 alone nothing ties the two
    assert len(hits) >= len(ranked) - 1
    for r in rows:
        if r["relation"] == "incomparable":
            assert not [rel for rel in find(r) if rel != "none"], r


def test_a_city_70_percent_against_a_province_70_percent_is_same():
    cov = _real()
    pairs = [p for p in cov.targets if p.lower is not None and p.higher.clause == "sec_1__para_4"
             and p.higher.subject == "市县级" and p.higher.value == 70]
    assert {p.lower.text for p in pairs} >= {"超过70%", "不低于70%"}
    assert {p.relation for p in pairs} == {"same"}


def test_provincial_targets_the_city_does_not_set_are_none():
    cov = _real()
    none = [p for p in cov.targets if p.relation == "none"]
    assert any(p.higher.subject == "省级" and p.higher.value == 90 for p in none)
    assert all(p.lower is None for p in none)


# --------------------------------------------------------------------------- synthetic cities

LOCAL = "举办潮汕美食文化节。每年组织一次美食展示活动，评选十佳小吃店铺，推动餐饮老字号品牌推广。"


def _task(doc, eid):
    return next(c for c in doc.clauses() if c.eid == eid)


@lru_cache(maxsize=1)
def _synthetic():
    from policydiff.read.pipeline import process

    province = seed_doc("2019")
    copy = _task(province, "sec_1__para_2")  # （二） 一体机: copied word for word
    narrow = _task(province, "sec_3__para_14")  # （十四） 不动产登记: one sentence kept
    merged = (_task(province, "sec_4__para_16"), _task(province, "sec_6__para_29"))  # 粤企政策通 + 安全
    sentence = next(s for s in narrow.content.split("。") if "抵押登记" in s) + "。"
    text = "\n".join([
        "揭阳市测试实施方案",
        "一、主要任务",
        "（一）" + copy.heading + copy.content.strip(),
        "（二）压缩不动产登记时间。" + sentence,
        "（三）" + merged[0].heading + merged[0].content.strip() + merged[1].heading + merged[1].content.strip(),
        "（四）" + LOCAL,
    ]) + "\n"
    city = process(text, DocMeta(kind="city-plan"))
    return province, city, coverage(province, city)


def _links(cov) -> set[tuple[str, str]]:
    return {(k.higher, k.lower) for k in cov.links}


def test_synthetic_city_structure():
    _, city, _ = _synthetic()
    leaves = [c.eid for c in city.clauses() if c.is_leaf]
    assert leaves == ["sec_1__para_1", "sec_1__para_2", "sec_1__para_3", "sec_1__para_4"]


def test_synthetic_copy_narrow_merge_omit():
    _, _, cov = _synthetic()
    links = _links(cov)
    assert ("sec_1__para_2", "sec_1__para_1") in links  # copied
    assert ("sec_3__para_14", "sec_1__para_2") in links  # narrowed to one sentence
    assert {("sec_4__para_16", "sec_1__para_3"), ("sec_6__para_29", "sec_1__para_3")} <= links  # merged
    copied = next(k for k in cov.links if k.lower == "sec_1__para_1" and k.higher == "sec_1__para_2")
    assert copied.score == 1.0 and copied.evidence.get("identical")
    # exactly these four links: the rest of the province is not taken up, the local clause is local
    assert len(links) == 4, sorted(links)
    assert cov.local_only == ["sec_1__para_4"]
    assert len(cov.not_taken_up) == 32 - 4
    assert "sec_1__para_1" in cov.not_taken_up


def test_synthetic_city_taking_up_one_task_in_two_short_clauses():
    from policydiff.read.pipeline import process

    province = seed_doc("2019")
    text = "\n".join([
        "揭阳市测试实施方案",
        "一、主要任务",
        "（一）推进政务系统上云。各单位非涉密业务系统逐步迁移至统一政务云平台。",
        "（二）推进政务外网接入。推动各镇接入政务外网，实现全市一张网。",
        "（三）" + LOCAL,
    ]) + "\n"
    cov = coverage(province, process(text, DocMeta(kind="city-plan")))
    assert {("sec_6__para_27", "sec_1__para_1"), ("sec_6__para_27", "sec_1__para_2")} <= _links(cov)
    assert cov.local_only == ["sec_1__para_3"]


def test_synthetic_copied_targets_are_same():
    _, _, cov = _synthetic()
    copied = [p for p in cov.targets if p.higher.clause == "sec_1__para_2"]
    assert copied and all(p.relation == "same" for p in copied)


def test_a_city_plan_against_itself_links_every_clause_once():
    province = seed_doc("2019")
    cov = coverage(province, province)
    assert {(k.higher, k.lower) for k in cov.links if k.higher == k.lower} == {
        (c.eid, c.eid) for c in province.clauses() if c.is_leaf}
    assert cov.not_taken_up == [] and cov.local_only == []


# --------------------------------------------------------------------------- departments


@pytest.mark.parametrize(("province", "city", "key"), [
    ("省政务服务数据管理局", "市政务服务数据管理局", "data-administration"),
    ("省公安厅", "市公安局", "public-security"),
    ("省卫生健康委", "揭阳市卫生健康局", "health"),
    ("省政府办公厅", "市政府办公室", "general-office"),
    ("省“数字政府”建设运营中心", "“数字广东”网络建设有限公司", "digital-gov-operator"),
    ("省委编办", "市委编办", "establishment"),
])
def test_departments_map_across_levels_by_function(province, city, key):
    assert department_function(province) == key
    assert department_function(city) == key


def test_counterparts():
    assert "市公安局" in counterparts("省公安厅", "city")
    assert "省公安厅" in counterparts("市公安局", "province")
    assert "市政务服务数据管理局" in counterparts("广东省政务服务数据管理局", "city")
    assert counterparts("省不存在厅", "city") == []
    assert department_function("") == ""


def test_city_clauses_name_departments_in_their_text():
    city = seed_doc("jieyang")
    operator = next(c for c in city.clauses() if c.eid == "sec_3__para_1__point_6")
    assert "“数字广东”网络建设有限公司" in clause_departments(operator, "city")
    cov = _real()
    pairs = {d.function: d for d in cov.departments}
    assert "省“数字政府”建设运营中心" in pairs["digital-gov-operator"].higher
    assert pairs["digital-gov-operator"].lower
    assert "省公安厅" in pairs["public-security"].higher and pairs["public-security"].lower
    # each provincial task's departments with their city counterparts, side by side in the HTML
    task = cov.higher_clauses["sec_1__para_2"]
    assert ("省公安厅", ["市公安局", "公安部门"]) in task.counterparts
    from renderers.coverage import render_html

    assert "省公安厅 → 市公安局、公安部门" in render_html(cov)


# --------------------------------------------------------------------------- target relations


def _t(comparator: str, value: int, unit: str = "%", deadline: str = "", subject: str = "市县级",
       metric: str = "政务服务事项网上可办率") -> Target:
    return Target(clause="c", subject=subject, metric=metric, comparator=comparator, value=Decimal(value),
                  unit=unit, deadline=deadline, phrase="", text=f"{comparator}{value}")


@pytest.mark.parametrize(("higher", "lower", "expected"), [
    (_t("ge", 70), _t("gt", 70), "same"),  # 超过70% against 不低于70%: the product owner's rule
    (_t("ge", 70), _t("ge", 80), "stricter"),
    (_t("ge", 70), _t("ge", 60), "looser"),
    (_t("le", 3, "工作日"), _t("le", 2, "工作日"), "stricter"),
    (_t("le", 3, "工作日"), _t("le", 5, "工作日"), "looser"),
    (_t("ge", 70), _t("ge", 70, deadline="2019-06-30"), "stricter"),  # earlier deadline
    (_t("ge", 70), _t("ge", 100, deadline="2020-12-31"), ""),  # higher value, later deadline
    (_t("reduce_by", 90), _t("reduce_by", 60), ""),  # a relative cut is not a level
    (_t("le", 5, "工作日"), _t("eq", 5, "工作日"), "same"),  # a bare value reads as the other's ceiling
    (_t("le", 5, "工作日"), _t("eq", 4, "工作日"), "stricter"),
    (_t("eq", 5, "工作日"), _t("eq", 6, "工作日"), ""),
])
def test_relation(higher, lower, expected):
    assert relation(higher, lower, plan_year=2019) == expected


def test_targets_on_other_levels_or_units_are_not_paired():
    pairs = compare_targets([_t("ge", 90, subject="省级")], [_t("ge", 70)], plan_year=2019)
    assert [(p.lower, p.relation) for p in pairs] == [(None, "none")]
    pairs = compare_targets([_t("ge", 100, unit="个")], [_t("ge", 100)], plan_year=2019)
    assert [(p.lower, p.relation) for p in pairs] == [(None, "none")]


# --------------------------------------------------------------------------- reports

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&amp;'


@lru_cache(maxsize=1)
def _hostile():
    from policydiff.read.pipeline import process

    province = seed_doc("2019")
    copy = _task(province, "sec_1__para_2")
    text = "\n".join(["揭阳市测试方案" + HOSTILE, "一、主要任务" + HOSTILE,
                      "（一）" + copy.heading + copy.content.strip(),
                      "（二）" + HOSTILE + "。" + LOCAL]) + "\n"
    city = process(text, DocMeta(kind="city-plan", title="方案" + HOSTILE))
    return coverage(province, city, higher_ref="a" + HOSTILE, lower_ref="b" + HOSTILE)


def test_html_escapes_hostile_text():
    from renderers.coverage import render_html

    page = render_html(_hostile())
    assert "<script" not in page
    assert "<img" not in page
    assert "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")  # only as escaped text
    assert "&lt;script&gt;" in page
    assert 'http-equiv="Content-Security-Policy"' in page and "script-src &#x27;none&#x27;" in page
    assert "http://" not in page and "https://" not in page  # self-contained


def test_markdown_escapes_hostile_text():
    from renderers.coverage import render_markdown

    md = render_markdown(_hostile())
    assert "\\<script\\>" in md
    assert not re.search(r"(?<!\\)<(?:script|img|/script)", md)  # every < is backslash-escaped


def test_json_contract():
    from renderers.coverage import render_json

    data = json.loads(render_json(_real()))
    assert list(data) == ["higher", "lower", "links", "not_taken_up", "local_only", "targets"]
    assert data["higher"] == "gd-digital-gov@2019" and data["lower"] == "jieyang-digital-gov@2019"
    for link in data["links"]:
        assert list(link) == ["higher", "lower", "score", "evidence"]
        assert isinstance(link["score"], float | int) and isinstance(link["evidence"], dict)
    keys = ["clause", "subject", "metric", "comparator", "value", "unit", "deadline", "text", "value_high",
            "baseline", "implicit"]
    for t in data["targets"]:
        assert t["relation"] in ("stricter", "same", "looser", "none")
        assert list(t["higher"]) == keys
        assert t["lower"] is None if t["relation"] == "none" else list(t["lower"]) == keys
    assert "</" not in render_json(_hostile())


# --------------------------------------------------------------------------- the command


def test_cli_coverage_json(cli, seeds, tmp_path):
    out = tmp_path / "cov.json"
    code, _, err = cli("--archive", tmp_path / "archive", "coverage", seeds["2019"], seeds["jieyang"],
                       "--format", "json", "-o", out)
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["higher"] == str(seeds["2019"])
    assert len(data["links"]) == len(_real().links)


def test_cli_coverage_html_and_md(cli, seeds, tmp_path):
    code, page, err = cli("--archive", tmp_path / "archive", "coverage", seeds["2019"], seeds["jieyang"])
    assert code == 0, err
    assert page.startswith("<!DOCTYPE html>") and "sec_6__para_32" in page
    code, md, err = cli("--archive", tmp_path / "archive", "coverage", seeds["2019"], seeds["jieyang"],
                        "--format", "md")
    assert code == 0, err
    assert md.startswith("# ")


def test_cli_coverage_bad_input_is_one_line(cli, seeds, tmp_path):
    code, out, err = cli("--archive", tmp_path / "archive", "coverage", tmp_path / "missing.txt", seeds["jieyang"])
    assert code != 0
    assert err.startswith("policydiff: error:") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and "internal error" not in err


# --------------------------------------------------------------------------- several higher years


def test_a_three_year_city_plan_answers_several_provincial_years():
    from policydiff.match.coverage import answers_by_year

    years = answers_by_year([seed_doc("2019"), seed_doc("2020"), seed_doc("2021")], seed_doc("jieyang"))
    # 不动产登记 (四、（一）3.) answers the 2019 task, the 2020 news and the 2021 point
    assert [a.year for a in years["sec_4__para_1__point_3"]] == [2019, 2020, 2021]
    assert years["sec_4__para_1__point_3"][0].higher == ["sec_3__para_14"]
    assert any(len(v) == 1 and v[0].year == 2021 for v in years.values())  # some answer only 2021
    assert all(e in _real().lower_clauses for e in years)  # descriptive clauses answer nothing


def test_cli_coverage_also_reports_years(cli, seeds, tmp_path):
    code, md, err = cli("--archive", tmp_path / "archive", "coverage", seeds["2019"], seeds["jieyang"],
                        "--also", seeds["2021"], "--format", "md")
    assert code == 0, err
    assert "## 各年度任务的落实 years answered" in md and "2021 (" in md
    code, js, err = cli("--archive", tmp_path / "archive", "coverage", seeds["2019"], seeds["jieyang"],
                        "--also", seeds["2021"], "--format", "json")
    assert code == 0, err
    assert list(json.loads(js)) == ["higher", "lower", "links", "not_taken_up", "local_only", "targets"]


def test_xlsx_has_every_part_and_no_formula(tmp_path):
    import copy
    import io

    from openpyxl import load_workbook

    from renderers.coverage import render_xlsx

    cov = copy.deepcopy(_hostile())  # the cached one is shared with other tests
    first = cov.local_only[0]
    cov.lower_clauses[first].heading = "=HYPERLINK(\"http://x\",\"y\")"
    wb = load_workbook(io.BytesIO(render_xlsx(cov)))
    assert wb.sheetnames[:5] == ["链接 links", "未落实 not taken up", "本级新增 local only", "目标 targets",
                                 "部门 departments"]
    assert wb["链接 links"].max_row == len(cov.links) + 1
    assert wb["未落实 not taken up"].max_row == len(cov.not_taken_up) + 1
    local = wb["本级新增 local only"]
    cell = local.cell(row=2, column=2)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    real = load_workbook(io.BytesIO(render_xlsx(_real())))
    relations = [r[6] for r in real["目标 targets"].iter_rows(min_row=2, values_only=True)]
    assert "same" in relations


def test_two_one_task_plans_with_an_edit_are_linked():
    from policydiff.read.pipeline import process

    higher = process("一、任务\n（一）推进政务服务一体机基层覆盖。在每个县部署不少于10个一体机。\n", DocMeta())
    lower = process("一、任务\n（一）推进政务服务一体机基层覆盖。在每个县部署不少于12个一体机。\n",
                    DocMeta(kind="city-plan"))
    cov = coverage(higher, lower)
    assert [(k.higher, k.lower) for k in cov.links] == [("sec_1__para_1", "sec_1__para_1")]
    assert [p.relation for p in cov.targets] == ["stricter"]


def test_a_mirror_damaged_city_plan_gives_the_same_links():
    from seedlib import mirror_damage, seed_text

    from policydiff.read.pipeline import process

    damaged = process(mirror_damage(seed_text("jieyang"), seed=1), DocMeta(kind="city-plan"))
    cov = coverage(seed_doc("2019"), damaged)
    assert {(k.higher, k.lower) for k in cov.links} == {(k.higher, k.lower) for k in _real().links}
