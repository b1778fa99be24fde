"""Series commands on the bundled archive: lineage, track, search, report."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policydiff.match import lineage, trajectory
from policydiff.series import report
from policydiff.store.files import is_complete
from policydiff.store.search import search

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A private copy of docs_archive (the search index is written into it)."""
    dest = tmp_path_factory.mktemp("arch") / "docs_archive"
    shutil.copytree(REPO / "docs_archive", dest)
    return str(dest)


@pytest.fixture(scope="module")
def docs(archive):
    return report.series_documents(archive, "gd-digital-gov")


def run(*args, archive):
    proc = subprocess.run([sys.executable, "-m", "policydiff", "--archive", archive, *args], capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_lineage_chains_all_versions(docs):
    lin = lineage.build("gd-digital-gov", docs)
    assert [v.label for v in lin.versions] == ["2016", "2019", "2020", "2021"]
    by_2019 = {i: ln for ln in lin.lineages for i in ln.cells.get("2019", [])}
    river = by_2019["sec_4__para_20"]  # “互联网+河长” → “广东智慧河长”, across the news summary
    assert river.cells.get("2021") == ["sec_3__para_15__point_3"]
    # every leaf of every plan is in exactly one lineage; a news paragraph in at least one
    for label, doc in zip(["2016", "2019", "2020", "2021"], docs, strict=True):
        cells = [i for ln in lin.lineages for i in ln.cells.get(label, [])]
        leaves = sorted(c.eid for c in doc.clauses() if c.is_leaf)
        if doc.meta.kind == "news":
            assert sorted(set(cells)) == leaves
        else:
            assert sorted(cells) == leaves
    # a news paragraph that summarises two tasks never joins their lineages
    for ln in lin.lineages:
        assert len(ln.cells.get("2019", [])) <= 2


def test_lineage_relinks_after_a_gap(docs):
    lin = lineage.build("gd-digital-gov", docs)
    gap = [lk for ln in lin.lineages for lk in ln.links if lk["status"] == "after_gap"]
    assert gap, "clauses not mentioned by the 2020 summary are re-found in 2021"
    assert all(lk["from"].startswith(("2016:", "2019:")) for lk in gap)


def test_track_yuesheshi_users(docs):
    trajs = trajectory.trajectories(docs, query=["粤省事", "实名"])
    assert len(trajs) == 1
    t = trajs[0]
    assert t.subject == "粤省事"
    assert [(p.year, p.value, p.comparator) for p in t.points] == [
        (2019, 15_000_000, "ge"), (2020, 50_000_000, "gt"), (2021, 110_000_000, "gt")]
    assert [c["change"] for c in t.changes] == ["tightened", "tightened"]


def test_track_keeps_programmes_and_metrics_apart(docs):
    trajs = trajectory.trajectories(docs, query=["粤商通"])
    assert trajs and all(t.subject == "粤商通" for t in trajs)
    yss = trajectory.trajectories(docs, query=["粤省事"])
    metrics = {t.metric for t in yss}
    # 日访问量 (2019) and 日均活跃用户 (2021) are different metrics: never one trajectory
    for t in yss:
        point_metrics = {p.metric for p in t.points}
        assert not (any("日访问" in m for m in point_metrics) and any("活跃" in m for m in point_metrics))
        assert "loosened" not in [c["change"] for c in t.changes]
    assert any("日均活跃用户" in m for m in metrics)


def test_track_cli_json_and_csv(archive):
    code, out, err = run("track", "粤省事", "实名", "--series", "gd-digital-gov", "--format", "json", archive=archive)
    assert code == 0, err
    data = json.loads(out)
    assert data["query"] == "粤省事 实名" and len(data["trajectories"]) == 1
    tr = data["trajectories"][0]
    assert set(tr) == {"subject", "metric", "points", "changes"}
    assert set(tr["points"][0]) == {"year", "value", "unit", "comparator", "text", "ref", "clause"}
    assert [p["value"] for p in tr["points"]] == [15000000, 50000000, 110000000]
    code, out, _ = run("track", "抵押登记", "--format", "csv", archive=archive)
    assert code == 0 and out.splitlines()[0].startswith("series,subject,metric,year")


def test_search_finds_simplified_and_traditional_sources(archive):
    hits = search(archive, "不动产登记", series="gd-digital-gov")
    assert {h.year for h in hits} >= {2019, 2020, 2021}
    assert all("【不动产登记】" in h.snippet for h in hits)
    assert {(h.year, h.clause) for h in search(archive, "不動產登記")} == {(h.year, h.clause)
                                                                       for h in search(archive, "不动产登记")}
    short = search(archive, "河长")  # two characters: substring fallback
    assert {h.year for h in short} == {2019, 2021}
    assert search(archive, "粤省事 实名")[0].year == 2019


def test_search_cli(archive):
    code, out, err = run("search", "不动产登记", "--format", "json", archive=archive)
    assert code == 0, err
    assert {h["year"] for h in json.loads(out) if h["series"] == "gd-digital-gov"} == {2019, 2020, 2021}
    code, out, err = run("search", "  ", archive=archive)
    assert code == 2 and err.count("\n") == 1


def test_report_folder_is_complete(archive, tmp_path):
    out = tmp_path / "report"
    code, stdout, err = run("report", "gd-digital-gov", "-o", str(out), archive=archive)
    assert code == 0, err
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "summary.md", "summary.json", "2019-2020.html", "2020-2021.md", "2016-2019.html"} <= names
    assert is_complete(out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<svg" in index and "<script" not in index  # charts readable without JavaScript
    assert "粤省事" in index and "1.1亿" in index
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [p["old"] for p in summary["pairs"]] == ["2016", "2019", "2020"]
    # the target table across the series: in the page and as CSV
    assert "id='target-table'" in index
    table = (out / "target_table.csv").read_text(encoding="utf-8-sig").splitlines()
    assert table[0] == "subject,metric,2016,2016→2019,2019,2019→2020,2020,2020→2021,2021"
    assert "粤商通,市场主体注册用户,,,,,>200万,tightened,>800万" in table
    rows = {(r["subject"], r["metric"]): r for r in summary["target_table"]["rows"]}
    assert rows[("粤省事", "实名注册用户")]["cells"] == {"2016": None, "2019": "≥1500万", "2020": ">5000万",
                                                      "2021": ">1.1亿"}
    # a second run replaces the folder whole
    code, _, err = run("report", "gd-digital-gov", "-o", str(out), archive=archive)
    assert code == 0 and is_complete(out)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".report.")]


def test_targets_table_across_the_series(archive):
    """`targets SERIES --table`: one row per target identity, one column per version."""
    code, out, err = run("targets", "gd-digital-gov", "--table", "--format", "csv", archive=archive)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "subject,metric,2016,2016→2019,2019,2019→2020,2020,2020→2021,2021"
    assert "粤省事,实名注册用户,,,≥1500万,tightened,>5000万,tightened,>1.1亿" in lines
    assert "粤省事,日均访问次数,,,≥1000万,tightened,>1800万次,," in lines
    code, out, err = run("targets", "gd-digital-gov", "--table", "--format", "json", archive=archive)
    assert code == 0 and json.loads(out)["versions"] == ["2016", "2019", "2020", "2021"]
    code, _, err = run("targets", "nosuch", "--table", archive=archive)
    assert code == 2 and "unknown series" in err


def test_report_unknown_series_writes_nothing(archive, tmp_path):
    out = tmp_path / "nothing"
    code, _, err = run("report", "no-such-series", "-o", str(out), archive=archive)
    assert code == 2 and err.startswith("policydiff: error:") and err.count("\n") == 1
    assert not out.exists()


def test_programmes_never_pair_across_subjects(docs):
    """2019 粤省事 超过400项 and 2020 粤商通 超过500项 are two programmes' counts."""
    from policydiff.match.compare import compare

    cmp = compare(docs[1], docs[2])
    for t in cmp.targets:
        if t.old and t.new and t.old.subject and t.new.subject:
            assert not ({t.old.subject, t.new.subject} <= {"粤省事", "粤商通", "粤政易"}
                        and t.old.subject != t.new.subject), t


# --------------------------------------------------------------------------- plans as plans (issue 16)


@pytest.fixture(scope="module")
def full_report(archive):
    return report.compute(archive, "gd-digital-gov")


def test_lineage_and_compare_agree_on_2019_27(docs):
    """2019 （二十七） continues as 2021 （二十一） in compare, and so in the lineage (plans are
    linked to the next plan across the news summary before any longer gap)."""
    from policydiff.match.compare import compare

    lin = lineage.build("gd-digital-gov", docs)
    e27 = next(e for e, n in lin.numbers["2019"].items() if n == "（二十七）")
    cmp = compare(docs[1], docs[3])
    new = next(m.new for m in cmp.matches if e27 in m.old)
    assert [lin.numbers["2021"][e] for e in new] == ["（二十一）"]
    ln = next(ln for ln in lin.lineages if e27 in ln.cells.get("2019", []))
    assert set(new) <= set(ln.cells["2021"])
    assert [(k, j) for k, j, _ in lin.plan_comparisons] == [(0, 1), (1, 3)]


def test_news_mentions_link_paragraphs_to_plan_tasks(full_report):
    mentions = full_report.lineage.mentions
    assert mentions and all(m["news"].startswith("2020:") for m in mentions)
    assert all(m["plan"].split(":")[0] in ("2016", "2019", "2021") and m["score"] > 0 for m in mentions)
    yss = next(m for m in mentions if m["plan_heading"].startswith("拓展“粤省事”"))
    assert yss["news_label"].startswith("「推动粤省事实名注册用户数突破") and yss["news_label"].endswith("第2段")
    assert yss["plan_num"] == "（三）"


def test_no_responsibility_changes_against_news(full_report):
    labels = [v.label for v in full_report.lineage.versions]
    for k, cmp in enumerate(full_report.lineage.comparisons):
        if "2020" in labels[k:k + 2]:
            assert not cmp.summary["responsibilities"]
            assert all(not m.departments for m in cmp.matches)
            news_side = [n for m in cmp.matches for n in (m.new_nums if labels[k + 1] == "2020" else m.old_nums)]
            assert news_side and all("段" in n for n in news_side if n)
    plan = {(k, j): c for k, j, c in full_report.lineage.plan_comparisons}[(1, 3)]
    assert plan.summary["new_tasks"] and plan.summary["responsibilities"]


def test_report_has_the_plan_page_news_and_departments(archive, tmp_path):
    out = tmp_path / "report"
    code, stdout, err = run("report", "gd-digital-gov", "-o", str(out), archive=archive)
    assert code == 0, err
    assert "2019-2021.html" in stdout and "departments.html" in stdout
    page = (out / "2019-2021.html").read_text(encoding="utf-8")
    assert 'data-status="added"' in page and 'id="f-dept"' in page
    news_page = (out / "2020-2021.html").read_text(encoding="utf-8")
    assert "不再牵头" not in news_page and "新增牵头" not in news_page
    assert "「用大数据" in news_page or "第2段" in news_page
    assert "renumbered</b> （" not in news_page or "→ 2021" in news_page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "id='news'" in index and "2019-2021.html" in index and "departments.html" in index
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert [ln for ln in summary.splitlines() if ln.startswith("# ")] == ["# gd-digital-gov: series summary"]
    assert "## 2019 → 2021" in summary and "sec_3__p_" not in summary
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [(p["old"], p["new"]) for p in data["plan_pairs"]] == [("2016", "2019"), ("2019", "2021")]
    assert data["news_mentions"]
    depts = (out / "departments.html").read_text(encoding="utf-8")
    assert "省政务服务数据管理局" in depts and "2019-2021.html#new-" in depts


def test_departments_cli(archive):
    code, out, err = run("departments", "gd-digital-gov", "--format", "json", archive=archive)
    assert code == 0, err
    rows = {d["department"]: d for d in json.loads(out)["departments"]}
    sj = rows["省政务服务数据管理局"]
    assert set(sj["years"]) == {"2019", "2021"}  # news states no responsibilities
    assert sj["years"]["2019"]["lead"] and sj["changes"][-1]["from"] == "2019"
    assert any(c["gained"] for c in sj["changes"]) and any(c["lost"] for c in sj["changes"])
    code, out, err = run("departments", "gd-digital-gov", archive=archive)
    assert code == 0 and out.splitlines()[0].startswith("department") and "省政务服务数据管理局" in out
    code, _, err = run("departments", "nosuch", archive=archive)
    assert code == 2 and "unknown series" in err


def test_a_heading_stops_at_mojibake(docs):
    """2021 （十二）4.: mojibake ate the 。 after the heading; the heading stops at the suspect span."""
    c = next(c for c in docs[3].clauses() if c.label == "（十二）4.")
    assert c.heading == "推动智慧金融应用" and c.content.startswith("?；谥行")
    assert c.text.startswith("推动智慧金融应用?；")  # no text lost
