"""Archive-sharing threats (issue 17): an archive that came from someone else (git, a copied folder)
is input, not trusted. Edited catalog rows and sidecars, hostile series names, symlinks in a tree
given to `batch add`: each is refused or reported, never followed out of the folders it names."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hostile import assert_error, assert_no_crash, assert_ok, assert_verify_clean, copy_archive, run_cli

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


# ------------------------------------------------ item 2: sidecars that lie about a version
V2019 = "bb4411de091c99f4f9a5d049c35667f9e84c7b5f71e7b12fd49817ddcbee5d59"


def _edit_sidecar(arch: Path, vid: str, **fields: object) -> Path:
    path = arch / "versions" / f"{vid}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for name, value in fields.items():
        if value is _DROP:
            del data[name]
        else:
            data[name] = value
    path.chmod(0o644)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


_DROP = object()


def _versions(arch: Path) -> dict[str, dict]:
    listed = run_cli(arch, "archive", "list", "--format", "json")
    assert_ok(listed)
    return {f"{v['series']}@{v['year']}#{v['version']}": v for v in json.loads(listed.out)}


def test_rebuild_keeps_a_version_whose_sidecar_lies_about_its_size(arch):
    """Issue 17 item 2: the object's bytes still hash to its name, so the object is trusted and the
    sidecar is repaired (and named) instead of the version being dropped as "object corrupt"."""
    size = (arch / "objects" / V2021[:2] / V2021).stat().st_size
    sidecar = _edit_sidecar(arch, V2021, size=5)
    r = run_cli(arch, "archive", "verify")
    assert r.code == 1
    assert f"versions/{V2021}.json: size 5 but the object holds {size} bytes" in r.out and "sidecar is wrong" in r.out
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert_ok(r)
    assert f"repaired: versions/{V2021}.json: size 5 but the object holds {size} bytes" in r.out, r.out
    assert "skipped" not in r.out and "rebuilt: 5 versions" in r.out
    assert json.loads(sidecar.read_text(encoding="utf-8"))["size"] == size
    assert _versions(arch)[f"{SERIES}@2021#1"]["size"] == size


@pytest.mark.parametrize("year", [2**63, 10**30, -5, "2019", 2019.5, None, True])
def test_rebuild_repairs_an_absurd_sidecar_year_from_the_catalog(arch, year):
    sidecar = _edit_sidecar(arch, V2019, year=year)
    r = run_cli(arch, "archive", "verify")
    assert r.code == 1 and f"versions/{V2019}.json: invalid sidecar: year" in r.out, r.out + r.err
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert_ok(r)
    assert f"repaired: versions/{V2019}.json: year" in r.out and "repaired from the catalog row (2019)" in r.out
    assert "rebuilt: 5 versions" in r.out
    assert json.loads(sidecar.read_text(encoding="utf-8"))["year"] == 2019
    assert_ok(run_cli(arch, "compare", f"{SERIES}@2019", f"{SERIES}@2021", "--format", "summary"))


def test_rebuild_without_catalog_takes_a_bad_year_from_the_text_and_repairs_other_fields(arch):
    _edit_sidecar(arch, V2021, year=2**63, kind="x", title=["not", "text"], version=_DROP)
    (arch / "catalog.sqlite").unlink()
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert_ok(r)
    assert "repaired from the document's text (2021)" in r.out and "kind 'x'" in r.out, r.out
    assert "version missing" in r.out and "rebuilt: 5 versions" in r.out
    v = _versions(arch)[f"{SERIES}@2021#1"]
    assert v["kind"] == "plan" and v["title"] == ""
    assert_ok(run_cli(arch, "archive", "verify"))


def test_rebuild_leaves_out_a_version_whose_year_nothing_gives_and_says_so(arch):
    _edit_sidecar(arch, V2019, year=2**63, series="../../x")  # no row to repair from, series unknowable
    conn = sqlite3.connect(arch / "catalog.sqlite")
    conn.execute("DELETE FROM versions WHERE id = ?", (V2019,))
    conn.commit()
    conn.close()
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert_no_crash(r)
    assert f"skipped: versions/{V2019}.json: sidecar names an invalid series" in r.out, r.out
    assert "rebuilt: 4 versions" in r.out
    assert_ok(run_cli(arch, "archive", "list"))


# ---------------------------------------- item 3: derived XML is checked against what it derives
def _xml(arch: Path, key: str) -> Path:
    return arch / "derived" / f"{key}.xml"


def _edit_xml(arch: Path, key: str) -> bytes:
    """A schema-valid lie: a target tightened into a loosening, text that is in no document."""
    path = _xml(arch, key)
    original = path.read_bytes()
    edited = original.replace("达1500万".encode(), "达1234万".encode()).replace("大幅压缩不动产登记时间".encode(),
                                                                          "大幅压缩秘密口令时间".encode())
    assert edited != original
    path.chmod(0o644)
    path.write_bytes(edited)
    return original


def _forge_digest(arch: Path, key: str) -> None:
    """What someone who knows the digest format can do: record the edited XML as derived."""
    import hashlib

    digest = arch / "derived" / f"{key}.digest"
    record = json.loads(digest.read_bytes())
    record["xml"] = hashlib.sha256(_xml(arch, key).read_bytes()).hexdigest()
    digest.chmod(0o644)
    digest.write_text(json.dumps(record), encoding="ascii")


def _targets_2019(arch: Path) -> str:
    r = run_cli(arch, "targets", f"{SERIES}@2019", "--format", "json")
    assert_ok(r)
    return r.out


def test_an_edited_derived_xml_is_named_feeds_no_output_and_is_replaced(arch):
    original = _edit_xml(arch, V2019)
    r = run_cli(arch, "archive", "verify")
    assert r.code == 1 and f"derived/{V2019}.xml was changed after it was derived" in r.out, r.out
    assert "1234万" not in _targets_2019(arch) and "1500万" in _targets_2019(arch)  # derived again, not trusted
    found = run_cli(arch, "search", "秘密口令", "--format", "json")
    assert_ok(found)
    assert json.loads(found.out) == []  # the index is built from verified XML: no text of no document
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert_ok(r)
    assert f"repaired: derived/{V2019}.xml: replaced: it was not what its object derives" in r.out, r.out
    assert _xml(arch, V2019).read_bytes() == original
    assert_ok(run_cli(arch, "archive", "verify", "--deep"))


def test_a_forged_digest_passes_verify_but_not_verify_deep(arch):
    original = _edit_xml(arch, V2019)
    _forge_digest(arch, V2019)
    assert_ok(run_cli(arch, "archive", "verify"))  # documented: a recomputed digest needs --deep
    r = run_cli(arch, "archive", "verify", "--deep")
    assert r.code == 1 and f"derived/{V2019}.xml is not what its object derives" in r.out, r.out
    r = run_cli(arch, "archive", "verify", "--rebuild", "--deep")
    assert_ok(r)
    assert f"repaired: derived/{V2019}.xml: replaced" in r.out, r.out
    assert _xml(arch, V2019).read_bytes() == original
    assert "1500万" in _targets_2019(arch)


def test_derived_xml_without_a_digest_is_checked_by_deriving_it(arch):
    """Archives written before digests (or a writer killed between XML and digest) stay readable."""
    (arch / "derived" / f"{V2019}.digest").unlink()
    r = run_cli(arch, "archive", "verify")
    assert_ok(r)
    assert f"derived/{V2019}.xml has no digest; checked by deriving it again: it matches" in r.out
    _edit_xml(arch, V2019)
    r = run_cli(arch, "archive", "verify")
    assert r.code == 1 and f"derived/{V2019}.xml is not what its object derives" in r.out, r.out
    assert "1500万" in _targets_2019(arch)
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert_ok(r)
    assert (arch / "derived" / f"{V2019}.digest").is_file()
    assert "note:" not in run_cli(arch, "archive", "verify").out


def test_an_edited_search_index_is_named_and_rebuilt(arch):
    from policydiff.store import search

    if not hasattr(search, "index_finding"):
        pytest.skip("this search index cannot be checked")
    assert_ok(run_cli(arch, "search", "不动产登记"))  # builds the index
    conn = sqlite3.connect(arch / "derived" / "search.sqlite")
    conn.execute("UPDATE clauses SET text = text || '秘密口令' WHERE rowid = (SELECT min(rowid) FROM clauses)")
    conn.commit()
    conn.close()
    r = run_cli(arch, "archive", "verify")
    assert r.code == 1 and "derived/search.sqlite" in r.out, r.out
    assert_ok(run_cli(arch, "archive", "verify", "--rebuild"))
    found = run_cli(arch, "search", "秘密口令", "--format", "json")
    assert_ok(found)
    assert json.loads(found.out) == []


# ----------------------------------------------- item 14: one object, versions in two series
def test_the_same_bytes_in_two_series_are_two_versions_sharing_one_object(arch, tmp_path, seeds):
    for key in ("2019", "2021"):
        r = run_cli(arch, "archive", "add", seeds[key], "--series", "other-gov")
        assert_ok(r)
        assert r.out.startswith(f"added other-gov@{key} #1"), r.out
    again = run_cli(arch, "archive", "add", seeds["2019"], "--series", "other-gov")
    assert again.out.startswith("exists other-gov@2019 #1"), again.out
    versions = _versions(arch)
    assert {"other-gov@2019#1", "other-gov@2021#1", f"{SERIES}@2019#1", f"{SERIES}@2021#1"} <= set(versions)
    assert versions["other-gov@2019#1"]["id"] == versions[f"{SERIES}@2019#1"]["id"] == V2019
    assert len(list((arch / "objects").rglob("*"))) == 5 + 5  # five objects in five folders: none added
    assert_error(run_cli(arch, "archive", "show", V2019[:8]), "2 series", "SERIES@YEAR", code=2)
    shown = run_cli(arch, "archive", "show", "other-gov@2019", "--format", "json")
    assert_ok(shown)
    assert json.loads(shown.out)["series"] == "other-gov"
    assert_verify_clean(arch)
    out = tmp_path / "out"
    r = run_cli(arch, "batch", "compare", "-o", out)
    assert_ok(r)
    assert "pairs: 5 in 2 series" in r.out, r.out  # gd-digital-gov: 4 (2019 → 2021 too), other-gov: 1, jieyang: 0
    rec = json.loads((out / "pairs" / "other-gov" / "2019-1__2021-1.json").read_text(encoding="utf-8"))
    assert rec["series"] == "other-gov" and rec["old_id"] == V2019
    for catalog_too in (False, True):  # rebuilt with the catalog, and from the sidecars alone
        if catalog_too:
            (arch / "catalog.sqlite").unlink()
        r = run_cli(arch, "archive", "verify", "--rebuild")
        assert_ok(r)
        assert "rebuilt: 7 versions" in r.out, r.out
        assert set(_versions(arch)) == set(versions)
        assert_verify_clean(arch)


def test_a_catalog_of_one_series_per_object_is_migrated_by_the_next_add(arch, seeds):
    """Catalogs written before shared objects keyed versions by id alone: still read, and migrated
    by the add that needs a second series."""
    conn = sqlite3.connect(arch / "catalog.sqlite")
    conn.executescript("""
        ALTER TABLE versions RENAME TO v2;
        CREATE TABLE versions (id TEXT PRIMARY KEY, series TEXT NOT NULL, year INTEGER NOT NULL,
            kind TEXT NOT NULL, version INTEGER NOT NULL, doc_no TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', issuer TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '', encoding TEXT NOT NULL DEFAULT '', size INTEGER NOT NULL,
            added_at TEXT NOT NULL, filename TEXT NOT NULL DEFAULT '', UNIQUE (series, year, version));
        INSERT INTO versions SELECT * FROM v2;
        DROP TABLE v2;
        PRAGMA user_version = 1;
    """)
    conn.close()
    before = _versions(arch)
    assert_verify_clean(arch)
    assert_ok(run_cli(arch, "archive", "add", seeds["2019"], "--series", "other-gov"))
    after = _versions(arch)
    assert set(after) == set(before) | {"other-gov@2019#1"}
    conn = sqlite3.connect(arch / "catalog.sqlite")
    pk = [row[1] for row in conn.execute("PRAGMA table_info(versions)") if row[5]]
    conn.close()
    assert sorted(pk) == ["id", "series"]
    assert_verify_clean(arch)
