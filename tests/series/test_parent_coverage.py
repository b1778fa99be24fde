"""A series naming a parent series (`archive add … --parent`): the parent is kept in series.json, and
the series report gains a coverage page per plan against the parent's plans of the years it covers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from seedlib import seed_doc

from policydiff.model.document import DocMeta, Document
from policydiff.series.coverage import series_coverage, span


@pytest.fixture
def two_levels(cli, seeds, archive_dir):
    for key, extra in (("2019", ()), ("2020", ("--kind", "news")), ("2021", ())):
        code, _, err = cli("--archive", archive_dir, "archive", "add", seeds[key], "--series", "gd-digital-gov", *extra)
        assert code == 0, err
    code, out, err = cli("--archive", archive_dir, "archive", "add", seeds["jieyang"], "--series",
                         "jieyang-digital-gov", "--kind", "city-plan", "--parent", "gd-digital-gov")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "parent jieyang-digital-gov → gd-digital-gov"
    return archive_dir


def test_parent_is_recorded_in_series_json(cli, seeds, two_levels, hash_tree):
    data = json.loads((two_levels / "series.json").read_text(encoding="utf-8"))
    assert data == {"jieyang-digital-gov": {"parent": "gd-digital-gov"}}
    code, out, _ = cli("--archive", two_levels, "archive", "add", seeds["jieyang"], "--series", "jieyang-digital-gov",
                       "--kind", "city-plan", "--parent", "gd-digital-gov")
    assert code == 0 and "parent unchanged jieyang-digital-gov → gd-digital-gov" in out
    code, _, err = cli("--archive", two_levels, "archive", "verify")
    assert code == 0, err


def test_a_bad_parent_writes_nothing(cli, seeds, two_levels, hash_tree):
    before = hash_tree(two_levels)
    code, _, err = cli("--archive", two_levels, "archive", "add", seeds["2016"], "--series", "city-x",
                       "--parent", "gd-digitl-gov")
    assert code == 2 and err.startswith("policydiff: error: --parent: unknown series: gd-digitl-gov")
    assert "did you mean gd-digital-gov" in err and len(err.strip().splitlines()) == 1
    # a parent of a parent of itself
    code, _, err = cli("--archive", two_levels, "archive", "add", seeds["2016"], "--series", "gd-digital-gov",
                       "--parent", "jieyang-digital-gov")
    assert code == 2 and "would be a parent of itself" in err
    code, _, err = cli("--archive", two_levels, "archive", "add", seeds["2016"], "--series", "gd-digital-gov",
                       "--parent", "gd-digital-gov")
    assert code == 2 and "would be a parent of itself" in err
    assert hash_tree(two_levels) == before


def test_report_of_a_child_series_has_a_coverage_page(cli, two_levels, tmp_path):
    out = tmp_path / "rep"
    code, _, err = cli("--archive", two_levels, "report", "jieyang-digital-gov", "-o", out)
    assert code == 0, err
    page = (out / "coverage-2019.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "sec_6__para_27" in page
    assert "2021 (" in (out / "coverage-2019.md").read_text(encoding="utf-8")  # years answered
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "id='coverage'" in index and "href='coverage-2019.html'" in index
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parent"] == "gd-digital-gov"
    [cov] = summary["coverage"]
    assert cov["higher"] == "gd-digital-gov@2019#1" and cov["lower"] == "jieyang-digital-gov@2019#1"
    assert cov["years"] == [2019, 2020, 2021] and cov["links"] > 20 and cov["higher_tasks"] == 32
    assert "Coverage of the parent series gd-digital-gov" in (out / "summary.md").read_text(encoding="utf-8")


def test_report_of_a_series_without_parent_has_no_coverage(cli, two_levels, tmp_path):
    out = tmp_path / "rep"
    code, _, err = cli("--archive", two_levels, "report", "gd-digital-gov", "-o", out)
    assert code == 0, err
    assert not list(out.glob("coverage-*"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parent"] is None and summary["coverage"] == []


def _doc(title: str, year: int | None, kind: str = "city-plan") -> Document:
    return replace(seed_doc("jieyang"), meta=DocMeta(title=title, year=year, kind=kind))


@pytest.mark.parametrize(("title", "year", "expected"), [
    ("揭阳市“数字政府”改革建设实施方案(2019—2021年)", 2019, (2019, 2021)),
    ("某市数字政府建设方案（2020-2022年）", 2020, (2020, 2022)),
    ("某市2020年工作要点", 2020, (2020, 2020)),
    ("某市工作要点", None, None),
])
def test_span(title, year, expected):
    assert span(_doc(title, year)) == expected


def test_span_runs_to_the_next_plan():
    assert span(_doc("某市方案", 2019), _doc("某市方案", 2022)) == (2019, 2021)


def test_a_plan_answers_only_parent_versions_of_its_years():
    province = [seed_doc("2019"), seed_doc("2020"), seed_doc("2021")]
    [cov] = series_coverage([_doc("某市方案（2019—2020年）", 2019)], province)
    assert cov.higher_meta.year == 2019
    assert {a.year for answers in cov.years.values() for a in answers} <= {2019, 2020}
    assert series_coverage([_doc("某市方案", 2018)], province) == []
