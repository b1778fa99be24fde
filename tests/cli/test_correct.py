"""`policydiff correct`: link, unlink, list, undo on a copy of the bundled archive; corrections
reach compare, lineage and the report, survive a rebuild, and verify checks the log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OLD, NEW = "gd-digital-gov@2019:sec_4__para_18", "gd-digital-gov@2021:（十二）7."


@pytest.fixture
def arch(tmp_path):
    dest = tmp_path / "archive"
    shutil.copytree(REPO / "docs_archive", dest)
    return dest


def _match(cli, arch, eid="sec_4__para_18"):
    code, out, err = cli("--archive", arch, "compare", "gd-digital-gov@2019", "gd-digital-gov@2021", "--format", "json")
    assert code == 0, err
    return next(m for m in json.loads(out)["matches"] if eid in m["old"])


def test_link_reaches_compare_lineage_and_report_and_undo_restores(cli, arch, tmp_path):
    before = _match(cli, arch)
    assert before["status"] == "dropped"
    code, out, err = cli("--archive", arch, "correct", "link", OLD, NEW, "--why", "在线行政执法 continues")
    assert code == 0 and out.strip() == f"correction #1: link {OLD} → {NEW}", err
    after = _match(cli, arch)
    assert after["new"] == ["sec_3__para_12__point_7"] and after["evidence"]["corrected"] is True
    assert after["evidence"]["correction"] == "在线行政执法 continues"
    code, out, _ = cli("--archive", arch, "lineage", "gd-digital-gov", "--format", "json")
    lineage = next(ln for ln in json.loads(out)["lineages"] if "sec_4__para_18" in ln["cells"].get("2019", []))
    assert "sec_3__para_12__point_7" in lineage["cells"]["2021"]
    code, out, err = cli("--archive", arch, "report", "gd-digital-gov", "-o", tmp_path / "rep")
    assert code == 0, err
    summary = json.loads((tmp_path / "rep" / "summary.json").read_text(encoding="utf-8"))
    assert summary["pairs"]
    code, out, _ = cli("--archive", arch, "correct", "undo", "1")
    assert code == 0 and out.strip() == "correction #2: undo #1"
    assert _match(cli, arch) == before


def test_unlink_list_and_json(cli, arch):
    wrong = _match(cli, arch, "sec_5__para_26")
    new = "gd-digital-gov@2021:" + wrong["new"][0]
    assert cli("--archive", arch, "correct", "unlink", "gd-digital-gov@2019:（二十六）", new, "--why", "粤政图")[0] == 0
    assert _match(cli, arch, "sec_5__para_26")["status"] == "dropped"
    code, out, _ = cli("--archive", arch, "correct", "list", "gd-digital-gov", "--format", "json")
    rows = json.loads(out)
    assert [(r["id"], r["op"], r["why"], r["undone"]) for r in rows] == [(1, "unlink", "粤政图", False)]
    code, out, _ = cli("--archive", arch, "correct", "list")
    assert "unlink" in out and "粤政图" in out


def test_a_clause_that_does_not_exist_is_a_clear_error_and_writes_nothing(cli, arch):
    code, _out, err = cli("--archive", arch, "correct", "link", "gd-digital-gov@2019:（九十九）", NEW)
    assert code == 2 and "no task '（九十九）' in gd-digital-gov@2019" in err and "Traceback" not in err
    assert not (arch / "corrections.jsonl").exists()
    code, _out, err = cli("--archive", arch, "correct", "undo", "7")
    assert code != 0 and "no correction #7" in err


def test_corrections_survive_a_rebuild_and_verify_checks_the_log(cli, arch):
    assert cli("--archive", arch, "correct", "link", OLD, NEW)[0] == 0
    assert cli("--archive", arch, "archive", "verify", "--rebuild")[0] == 0
    assert _match(cli, arch)["evidence"]["corrected"] is True
    assert cli("--archive", arch, "archive", "verify")[0] == 0
    with open(arch / "corrections.jsonl", "a", encoding="utf-8") as fh:
        fh.write("not json\n")
    code, out, err = cli("--archive", arch, "archive", "verify")
    assert code != 0 and "corrections.jsonl: line 2 of the correction log is not a valid correction" in out + err
