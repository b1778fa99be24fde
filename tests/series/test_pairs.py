"""The pairs of a batch replay the researcher's corrections, as `compare` does, and a new
correction (or an undo) makes a rerun recompute exactly the pair it names."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from seedlib import seed_path

from policydiff.model.corrections import Correction, digest
from policydiff.series.pairs import compare_pair, job_key, plan_pairs, run_chunk, series_pairs
from policydiff.store.archive import Archive

LINK = ("gd@2016:（八）", "gd@2019:（十二）")  # 加强网上办事效能在线监管 → 深入推进“互联网+监管”
FIRST, SECOND = "pairs/gd/2016-1__2019-1.json", "pairs/gd/2019-1__2021-1.json"


@pytest.fixture
def arch(cli, tmp_path) -> Path:
    root = tmp_path / "archive"
    for key in ("2016", "2019", "2021"):
        code, _out, err = cli("--archive", root, "archive", "add", seed_path(key), "--series", "gd")
        assert code == 0, err
    return root


def _batch(cli, arch: Path, out: Path, *extra: str) -> str:
    code, text, err = cli("--archive", arch, "batch", "compare", "-o", out, *extra)
    assert code == 0, err
    return text.splitlines()[0]


def _match(rec: dict, old: str) -> dict:
    return next(m for m in rec["comparison"]["matches"] if old in m["old"])


def _pick(rec: dict) -> tuple[tuple[str, str], tuple[str, str]]:
    """From an uncorrected record: a dropped old and an added new clause to link, and a 1:1 match
    to unlink (chosen from the record, so the test does not hang on today's scores)."""
    ms = rec["comparison"]["matches"]
    dropped = next(m["old"][0] for m in ms if m["status"] == "dropped")
    added = next(m["new"][0] for m in ms if m["status"] == "added")
    one = next(m for m in ms if len(m["old"]) == len(m["new"]) == 1 and m["old"][0] != dropped)
    return (f"gd@2016:{dropped}", f"gd@2019:{added}"), (f"gd@2016:{one['old'][0]}", f"gd@2019:{one['new'][0]}")


def test_batch_replays_corrections_and_recomputes_only_the_corrected_pair(cli, arch, tmp_path):
    out = tmp_path / "out"
    assert _batch(cli, arch, out, "--workers", "1") == "pairs: 2 in 1 series: 2 compared, 0 up to date, 0 failed"
    first, second = (out / FIRST).read_bytes(), (out / SECOND).read_bytes()
    plain = json.loads(first)
    assert plain["corrections"] == ""
    link, unlink = _pick(plain)
    second_mtime = (out / SECOND).stat().st_mtime_ns

    assert cli("--archive", arch, "correct", "link", *link, "--why", "监管 continues")[0] == 0
    assert cli("--archive", arch, "correct", "unlink", *unlink, "--why", "not the same task")[0] == 0
    # through worker processes: the corrections travel with the pair
    assert _batch(cli, arch, out, "--workers", "2") == "pairs: 2 in 1 series: 1 compared, 1 up to date, 0 failed"
    rec = json.loads((out / FIRST).read_bytes())
    linked = _match(rec, link[0].split(":")[1])
    assert linked["new"] == [link[1].split(":")[1]] and linked["status"] != "dropped"
    assert linked["evidence"]["corrected"] is True and linked["evidence"]["correction"] == "监管 continues"
    unlinked = _match(rec, unlink[0].split(":")[1])
    assert unlinked["status"] == "dropped" and unlinked["evidence"]["corrected"] is True
    assert unlinked["evidence"]["correction"] == "not the same task"
    assert rec["corrections"] and rec["corrections"] == digest(plan_pairs(Archive(arch))[0].corrections)
    assert (out / SECOND).read_bytes() == second and (out / SECOND).stat().st_mtime_ns == second_mtime

    # the same change model `policydiff compare` computes with the corrections
    code, text, err = cli("--archive", arch, "compare", "gd@2016", "gd@2019", "--format", "json")
    assert code == 0, err
    assert rec["comparison"] == json.loads(text)

    assert _batch(cli, arch, out, "--workers", "1").endswith("0 compared, 2 up to date, 0 failed")
    assert cli("--archive", arch, "correct", "undo", "1")[0] == 0
    assert cli("--archive", arch, "correct", "undo", "2")[0] == 0
    assert _batch(cli, arch, out, "--workers", "1").endswith("1 compared, 1 up to date, 0 failed")
    assert (out / FIRST).read_bytes() == first  # undo restores the uncorrected record, byte for byte


def test_jobs_carry_only_their_pairs_corrections(cli, arch):
    assert cli("--archive", arch, "correct", "link", *LINK)[0] == 0
    jobs = plan_pairs(Archive(arch))
    assert [len(j.corrections) for j in jobs] == [1, 0]
    assert job_key(jobs[0]).endswith(" " + digest(jobs[0].corrections)) and job_key(jobs[1]).endswith(" ")


def test_compare_pair_ignores_corrections_of_other_versions(arch):
    archive = Archive(arch)
    old, new = archive.log("gd")[:2]
    other = Correction(1, "link", old="gd@2019:（十二）", new="gd@2021:（十二）7.", why="another pair")
    mine = Correction(2, "link", old=LINK[0], new=LINK[1], why="mine")
    rec = compare_pair(archive.xml(old), archive.xml(new), old.ref, new.ref, [other.to_dict(), mine.to_dict()])
    assert _match(rec, "sec_2__para_8")["evidence"]["correction"] == "mine"
    assert not [m for m in rec["comparison"]["matches"] if m["evidence"].get("correction") == "another pair"]
    # a worker given the old four-field item computes the pair without corrections
    (status, key, payload), = run_chunk([(archive.xml(old), archive.xml(new), old.ref, new.ref)])
    assert status == "ok" and key.endswith(" ") and json.loads(payload)["corrections"] == ""


# ------------------------------------------------------------- plans across news summaries
def _kinds(*kinds: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(kind=k, n=i) for i, k in enumerate(kinds)]


@pytest.mark.parametrize(("kinds", "pairs"), [
    (("plan", "plan", "news", "plan"), [(0, 1), (1, 2), (1, 3), (2, 3)]),  # gd-digital-gov
    (("plan", "news", "news", "plan", "news"), [(0, 1), (0, 3), (1, 2), (2, 3), (3, 4)]),
    (("news", "plan", "city-plan"), [(0, 1), (1, 2)]),  # nothing to skip: consecutive only
    (("news", "news"), [(0, 1)]),
    (("plan",), []),
])
def test_series_pairs_are_consecutive_versions_and_consecutive_plans(kinds, pairs):
    assert [(a.n, b.n) for a, b in series_pairs(_kinds(*kinds))] == pairs


def test_batch_compares_plans_across_news_as_the_report_does(cli, tmp_path):
    """gd-digital-gov (2016, 2019 plans, 2020 news, 2021 plan): 2019 → 2021 is a batch pair, with its
    own file and key, the same comparison as `compare` and the report's plan page; a correction of
    2019 → 2021 recomputes exactly that pair."""
    from hostile import copy_archive

    from policydiff.series.report import compute, summary_json

    arch = copy_archive(tmp_path / "archive")
    out = tmp_path / "out"
    assert _batch(cli, arch, out, "--workers", "1") == "pairs: 4 in 1 series: 4 compared, 0 up to date, 0 failed"
    names = sorted(p.name for p in (out / "pairs" / "gd-digital-gov").glob("*.json"))
    assert names == ["2016-1__2019-1.json", "2019-1__2020-1.json", "2019-1__2021-1.json", "2020-1__2021-1.json"]
    jobs = plan_pairs(Archive(arch))
    assert len({j.rel_path for j in jobs}) == len({job_key(j) for j in jobs}) == 4  # no two pairs share either

    report = summary_json(compute(str(arch), "gd-digital-gov"))
    assert {(p["old"], p["new"]) for p in report["pairs"] + report["plan_pairs"]} == {
        (n[:4], n[8:12]) for n in names}
    rec = json.loads((out / "pairs" / "gd-digital-gov" / "2019-1__2021-1.json").read_bytes())
    assert (rec["old_ref"], rec["new_ref"]) == ("gd-digital-gov@2019#1", "gd-digital-gov@2021#1")
    code, text, err = cli("--archive", arch, "compare", "gd-digital-gov@2019", "gd-digital-gov@2021", "--format", "json")
    assert code == 0, err
    assert rec["comparison"] == json.loads(text)
    plan_page = next(p for p in report["plan_pairs"] if (p["old"], p["new"]) == ("2019", "2021"))
    assert rec["comparison"]["summary"]["counts"] == plan_page["summary"]["counts"]

    assert _batch(cli, arch, out, "--workers", "1").endswith("0 compared, 4 up to date, 0 failed")
    fix = ("gd-digital-gov@2019:（十八）", "gd-digital-gov@2021:（十二）7.")
    assert cli("--archive", arch, "correct", "link", *fix, "--why", "在线行政执法 continues")[0] == 0
    assert _batch(cli, arch, out, "--workers", "1").endswith("1 compared, 3 up to date, 0 failed")
    rec = json.loads((out / "pairs" / "gd-digital-gov" / "2019-1__2021-1.json").read_bytes())
    linked = next(m for m in rec["comparison"]["matches"] if m["evidence"].get("correction") == "在线行政执法 continues")
    assert "（十八）" in linked["old_num"].split() and linked["new_num"] == "（十二）7." and linked["status"] != "dropped"
