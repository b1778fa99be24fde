"""Archive-sharing threats (issue 17): an archive that came from someone else (git, a copied folder)
is input, not trusted. Edited catalog rows and sidecars, hostile series names, symlinks in a tree
given to `batch add`: each is refused or reported, never followed out of the folders it names."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hostile import assert_error, assert_ok, copy_archive, run_cli

SERIES = "gd-digital-gov"
V2021 = "1e6ecb035b5946900a4bd493c638d1f8c3b0ef7aedf86f0c2bb4a155270af25c"


@pytest.fixture
def arch(tmp_path: Path) -> Path:
    return copy_archive(tmp_path / "work" / "archive")


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _set_row_series(arch: Path, series: str) -> None:
    conn = sqlite3.connect(arch / "catalog.sqlite")
    conn.execute("UPDATE versions SET series = ? WHERE id = ?", (series, V2021))
    conn.commit()
    conn.close()


def _set_sidecar_series(arch: Path, series: str) -> None:
    path = arch / "versions" / f"{V2021}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["series"] = series
    path.chmod(0o644)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize("series", ["../../escaped", "/tmp/abs", "a/../../b", "..", "a\nb"])
def test_batch_compare_refuses_a_catalog_series_that_is_a_path(arch, tmp_path, series):
    _set_row_series(arch, series)
    _set_sidecar_series(arch, series)
    out = tmp_path / "work" / "out"
    outside = _tree(tmp_path)
    r = run_cli(arch, "batch", "compare", "-o", out)
    assert_error(r, "invalid series", code=1)
    assert _tree(tmp_path) == outside  # nothing written anywhere, least of all outside -o
    r = run_cli(arch, "archive", "verify")
    assert_error(r, "problem", code=1)
    assert "invalid series" in r.out


def test_rebuild_refuses_a_sidecar_series_that_is_a_path(arch, tmp_path):
    _set_sidecar_series(arch, "../../escaped")
    conn = sqlite3.connect(arch / "catalog.sqlite")
    conn.execute("DELETE FROM versions WHERE id = ?", (V2021,))  # the catalog lost the row: only the sidecar says
    conn.commit()
    conn.close()
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert "sidecar names an invalid series" in r.out, r.out + r.err
    assert "rebuilt: 4 versions in catalog" in r.out
    listed = run_cli(arch, "archive", "list", "--format", "json")
    assert_ok(listed)
    assert {v["series"] for v in json.loads(listed.out)} == {SERIES, "jieyang-digital-gov"}
    out = tmp_path / "work" / "out"
    assert_ok(run_cli(arch, "batch", "compare", "-o", out))
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "work" / "escaped").exists()
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))


def test_rebuild_refuses_a_catalog_row_series_that_is_a_path(arch):
    _set_row_series(arch, "../../escaped")
    (arch / "versions" / f"{V2021}.json").unlink()  # only the catalog row holds the version now
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert "invalid series, year or kind" in r.out, r.out + r.err
    listed = run_cli(arch, "archive", "list", "--format", "json")
    assert_ok(listed)
    assert "../../escaped" not in listed.out


def test_batch_add_does_not_follow_symlinks_out_of_its_folder(arch, tmp_path, seeds):
    corpus = tmp_path / "corpus"
    (corpus / "gd-digital-gov").mkdir(parents=True)
    outside = tmp_path / "secret"
    outside.mkdir()
    secret = outside / "2030-plan.txt"
    secret.write_bytes(seeds["2019"].read_bytes().replace("。".encode(), "；".encode(), 3))  # a plan, not yet archived
    (outside / "2031-plan.txt").write_bytes(seeds["2021"].read_bytes() + "\n附件。\n".encode())
    inside = corpus / "gd-digital-gov" / "2019-plan.txt"
    inside.write_bytes(seeds["2019"].read_bytes())
    (corpus / "gd-digital-gov" / "2030-link.txt").symlink_to(secret)
    (corpus / "gd-digital-gov" / "2019-again.txt").symlink_to(inside)  # inside the folder: fine
    (corpus / "elsewhere").symlink_to(outside, target_is_directory=True)
    (corpus / "gd-digital-gov" / "2040-passwd.txt").symlink_to("/etc/passwd")
    r = run_cli(arch, "batch", "add", corpus)
    assert_ok(r)
    lines = r.out.splitlines()
    for rel in ("gd-digital-gov/2030-link.txt", "elsewhere", "gd-digital-gov/2040-passwd.txt"):
        assert any(ln.startswith("skipped") and f"{rel}: symlink to outside the folder" in ln for ln in lines), r.out
    assert any(ln.startswith("exists") and ln.endswith("gd-digital-gov/2019-again.txt") for ln in lines), r.out
    listed = run_cli(arch, "archive", "list", "--format", "json")
    assert {v["year"] for v in json.loads(listed.out)} <= {2016, 2019, 2020, 2021}  # 2030, 2031, 2040 not added


def test_batch_compare_removes_the_stale_temp_files_of_killed_runs(arch, tmp_path):
    """Issue 17 item 13: temp files a killed batch left in its -o folder are removed (and named) by
    the next run once they are older than 10 minutes; fresh ones (a running batch's) are kept."""
    import os
    import time

    out = tmp_path / "out"
    assert_ok(run_cli(arch, "batch", "compare", "-o", out))
    pairs = next((out / "pairs").iterdir())
    stale = [out / ".target_changes.csv.0a1b2c3d.tmp", pairs / ".2019-1__2020-1.json.deadbeef.tmp"]
    fresh = pairs / ".2020-1__2021-1.json.12345678.tmp"
    mine = out / ".notes.txt"  # not a temp name of ours: never touched
    for path in [*stale, fresh, mine]:
        path.write_bytes(b"half")
    old = time.time() - 3600
    for path in [*stale, mine]:
        os.utime(path, (old, old))
    r = run_cli(arch, "batch", "compare", "-o", out)
    assert_ok(r)
    for path in stale:
        assert not path.exists()
        assert f"note: removed a temp file an interrupted run left: {path.relative_to(out).as_posix()}" in r.out
    assert fresh.exists() and mine.exists()
