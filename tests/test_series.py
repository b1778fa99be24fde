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
