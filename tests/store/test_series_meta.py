"""series.json (the parent of a series): shown by `archive list` and `archive log`, checked by
`archive verify`, where a malformed or hostile file is a finding and never a crash."""

from __future__ import annotations

import json
import os

import pytest

from policydiff.errors import PolicydiffError
from policydiff.store import series_meta


@pytest.fixture
def levels(cli, seeds, archive_dir):
    for key, series, extra in (("2019", "gd-digital-gov", ()),
                               ("jieyang", "jieyang-digital-gov", ("--kind", "city-plan", "--parent", "gd-digital-gov"))):
        code, _, err = cli("--archive", archive_dir, "archive", "add", seeds[key], "--series", series, *extra)
        assert code == 0, err
    return archive_dir


def test_list_and_log_show_the_parent(cli, levels):
    code, out, err = cli("--archive", levels, "archive", "list")
    assert code == 0 and not err
    assert out.splitlines()[-2:] == ["", "parent jieyang-digital-gov → gd-digital-gov"]
    code, out, _ = cli("--archive", levels, "archive", "log", "jieyang-digital-gov")
    assert code == 0 and out.splitlines()[0].startswith("jieyang-digital-gov@2019#1")
    assert out.splitlines()[-1] == "parent jieyang-digital-gov → gd-digital-gov"
    # the parent's log names the series that take it up
    code, out, _ = cli("--archive", levels, "archive", "log", "gd-digital-gov")
    assert code == 0 and out.splitlines()[-1] == "parent jieyang-digital-gov → gd-digital-gov"
    # a listing of one series without parent relations has none
    code, out, _ = cli("--archive", levels, "archive", "list", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 2  # the JSON rows are the versions, unchanged


def test_an_archive_without_series_json_lists_no_parents(cli, seeds, archive_dir):
    code, _, _ = cli("--archive", archive_dir, "archive", "add", seeds["2019"], "--series", "gd-digital-gov")
    assert code == 0
    code, out, _ = cli("--archive", archive_dir, "archive", "list")
    assert code == 0 and "parent" not in out and len(out.splitlines()) == 2
    assert series_meta.check(archive_dir, {"gd-digital-gov"}) == []


HOSTILE = {
    "not json": b"{\"jieyang-digital-gov\": ",
    "not utf-8": b"\xff\xfe{}",
    "a list": b"[\"gd-digital-gov\"]",
    "nested": b"[" * 100000 + b"]" * 100000,
    "no parent": b"{\"jieyang-digital-gov\": {\"parent\": 7}}",
    "bad name": b"{\"../../etc\": {\"parent\": \"gd-digital-gov\"}}",
    "bad parent": b"{\"jieyang-digital-gov\": {\"parent\": \"GD \\u0000 gov\"}}",
    "duplicate": b"{\"jieyang-digital-gov\": {\"parent\": \"gd-digital-gov\"}, "
                 b"\"jieyang-digital-gov\": {\"parent\": \"gd-digital-gov\"}}",
    "cycle": b"{\"jieyang-digital-gov\": {\"parent\": \"gd-digital-gov\"}, "
             b"\"gd-digital-gov\": {\"parent\": \"jieyang-digital-gov\"}}",
    "self": b"{\"gd-digital-gov\": {\"parent\": \"gd-digital-gov\"}}",
    "unknown": b"{\"jieyang-digital-gov\": {\"parent\": \"gd-digitl-gov\"}}",
    "huge": b"{\"a\": {\"parent\": \"b\"}, \"pad\": \"" + b"x" * (series_meta.MAX_BYTES + 1) + b"\"}",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_verify_names_a_malformed_or_hostile_series_json(cli, levels, kind):
    (levels / "series.json").write_bytes(HOSTILE[kind])
    code, out, err = cli("--archive", levels, "archive", "verify")
    assert code == 1, (out, err)
    problems = [ln for ln in out.splitlines() if ln.startswith("problem: series.json: ")]
    assert problems, out
    assert err.startswith("policydiff: error: verify:") and "Traceback" not in err
    # the listings go on, with a warning instead of the parents
    code, out, err = cli("--archive", levels, "archive", "list")
    assert code == 0 and "gd-digital-gov@2019#1" in out and "Traceback" not in err
    if kind not in ("cycle", "self", "unknown"):  # readable, only inconsistent: still shown
        assert err.startswith("policydiff: warning: series.json:") and "parent " not in out


def test_series_json_as_a_link_or_a_folder_is_a_finding(cli, levels, tmp_path):
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"jieyang-digital-gov": {"parent": "gd-digital-gov"}}), encoding="utf-8")
    path = levels / "series.json"
    path.unlink()
    os.symlink(outside, path)
    code, out, _ = cli("--archive", levels, "archive", "verify")
    assert code == 1 and "problem: series.json: not a regular file" in out
    path.unlink()
    path.mkdir()
    code, out, _ = cli("--archive", levels, "archive", "verify")
    assert code == 1 and "problem: series.json: not a regular file" in out


def test_read_raises_one_error_naming_the_file(tmp_path):
    (tmp_path / "series.json").write_bytes(HOSTILE["nested"])
    with pytest.raises(PolicydiffError, match=r"series.json: not JSON \(nested too deep\)"):
        series_meta.read(tmp_path)
    (tmp_path / "series.json").write_text('{"b": {"parent": "a"}}', encoding="utf-8")
    assert series_meta.read(tmp_path) == {"b": {"parent": "a"}}
    assert series_meta.children(series_meta.read(tmp_path), "a") == ["b"]
    assert series_meta.check(tmp_path, {"a", "b"}) == []
    assert series_meta.check(tmp_path, {"b"}) == ["parent a of b is not archived"]
    assert series_meta.check(tmp_path, None) == []  # the catalog unreadable: only the form is checked
