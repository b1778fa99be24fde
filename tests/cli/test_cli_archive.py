"""`policydiff archive …` through policydiff.cli.main and `python -m policydiff`."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap

import pytest
from conftest import subprocess_env

from policydiff.store.catalog import FIELDS

SERIES = "gd-digital-gov"
JSON_KEYS = ["id", "series", "year", "kind", "version", "doc_no", "date", "title",
             "issuer", "source", "encoding", "size", "added_at", "filename"]  # fmt: skip


@pytest.fixture
def filled(cli, archive_dir, seeds):
    code, out, err = cli("--archive", archive_dir, "archive", "add", seeds["2016"], seeds["2019"], seeds["2020"],
                         seeds["2021"], "--series", SERIES)  # fmt: skip
    assert code == 0, err
    code, out2, err = cli("--archive", archive_dir, "archive", "add", seeds["jieyang"], "--series", "jieyang",
                          "--kind", "city-plan")  # fmt: skip
    assert code == 0, err
    return archive_dir, out + out2


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_add_output(filled, seeds):
    _, out = filled
    assert out.splitlines() == [
        f"added {SERIES}@2016 #1 {_sha(seeds['2016'])[:12]} (粤府办〔2016〕137号)",
        f"added {SERIES}@2019 #1 {_sha(seeds['2019'])[:12]} (粤办函〔2019〕87号)",
        f"added {SERIES}@2020 #1 {_sha(seeds['2020'])[:12]} (广东省数字政府改革建设2020年工作要点)",
        f"added {SERIES}@2021 #1 {_sha(seeds['2021'])[:12]} (粤办函〔2021〕44号)",
        f"added jieyang@2019 #1 {_sha(seeds['jieyang'])[:12]} (揭府办〔2019〕42号)",
    ]


def test_add_existing_and_new_version(cli, filled, seeds, tmp_path):
    archive_dir, _ = filled
    revised = tmp_path / "rev.txt"
    revised.write_bytes(seeds["2019"].read_bytes() + b"\n")
    code, out, err = cli("--archive", archive_dir, "archive", "add", seeds["2019"], revised, "--series", SERIES)
    assert code == 0 and err == ""
    assert out.splitlines() == [
        f"exists {SERIES}@2019 #1 {_sha(seeds['2019'])[:12]} (粤办函〔2019〕87号)",
        f"added {SERIES}@2019 #2 {_sha(revised)[:12]} (粤办函〔2019〕87号)",
    ]


def test_env_var_selects_archive(cli, filled, monkeypatch):
    archive_dir, _ = filled
    monkeypatch.setenv("POLICYDIFF_ARCHIVE", str(archive_dir))
    code, out, _ = cli("archive", "log", "jieyang")
    assert code == 0 and out.startswith("jieyang@2019#1")


def test_list_table_and_json(cli, filled, seeds):
    archive_dir, _ = filled
    code, out, _ = cli("--archive", archive_dir, "archive", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 6
    assert lines[0].split() == ["REF", "ID", "KIND", "DATE", "DOC_NO", "TITLE"]
    assert lines[1].split() == [f"{SERIES}@2016#1", _sha(seeds["2016"])[:12], "plan", "2016-12-30",
                                "粤府办〔2016〕137号", "广东省加快推进“互联网+政务服务”工作方案"]  # fmt: skip
    assert lines[3].split()[2:5] == ["news", "2020-02-24", "-"]
    code, out, _ = cli("--archive", archive_dir, "archive", "list", "--series", "jieyang", "--format", "json")
    data = json.loads(out)
    assert code == 0 and len(data) == 1
    assert list(data[0]) == JSON_KEYS == list(FIELDS)
    assert data[0]["kind"] == "city-plan" and data[0]["title"] == "揭阳市“数字政府”改革建设实施方案(2019—2021年)"
    assert data[0]["filename"] == seeds["jieyang"].name and data[0]["size"] == seeds["jieyang"].stat().st_size


def test_show_text_and_json(cli, filled, seeds, tmp_path):
    archive_dir, _ = filled
    code, out, _ = cli("--archive", archive_dir, "archive", "show", f"{SERIES}@2021", "--raw")
    assert code == 0 and out == seeds["2021"].read_text(encoding="utf-8")
    code, out, _ = cli("--archive", archive_dir, "archive", "show", _sha(seeds["2019"])[:6], "--format", "json",
                       "--raw")
    data = json.loads(out)
    assert data["doc_no"] == "粤办函〔2019〕87号" and data["version"] == 1
    assert data["text"] == seeds["2019"].read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(seeds["2016"].read_text(encoding="utf-8").encode("gbk"))
    code, out, _ = cli("--archive", archive_dir, "archive", "show", gbk, "--format", "json", "--raw")
    data = json.loads(out)
    assert (data["series"], data["version"], data["encoding"], data["year"]) == ("", None, "gb18030", 2016)


def test_log(cli, filled):
    archive_dir, _ = filled
    code, out, _ = cli("--archive", archive_dir, "archive", "log", SERIES)
    refs = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and refs == [f"{SERIES}@{y}#1" for y in (2016, 2019, 2020, 2021)]


def test_verify_ok_and_problem(cli, filled, seeds):
    archive_dir, _ = filled
    code, out, _ = cli("--archive", archive_dir, "archive", "verify")
    assert (code, out) == (0, "ok: 5 versions verified\n")
    obj = archive_dir / "objects" / _sha(seeds["2020"])[:2] / _sha(seeds["2020"])
    obj.chmod(0o644)
    obj.write_bytes(b"tampered")
    code, out, err = cli("--archive", archive_dir, "archive", "verify")
    problems = [line for line in out.splitlines() if line.startswith("problem: ")]
    assert code == 1 and len(problems) == 2, out
    assert err == f"policydiff: error: verify: 2 problems in {archive_dir}\n"
    # rebuild leaves the damaged version out, but the damage is still reported
    code, out, _ = cli("--archive", archive_dir, "archive", "verify", "--rebuild")
    assert code == 1 and f"skipped: {SERIES}@2020#1: object corrupt" in out and "rebuilt: 4 versions" in out
    # adding the original file again repairs the object and restores the version
    code, out, _ = cli("--archive", archive_dir, "archive", "add", seeds["2020"], "--series", SERIES)
    assert code == 0 and out.startswith(f"added {SERIES}@2020 #1 ")
    code, out, _ = cli("--archive", archive_dir, "archive", "verify")
    assert (code, out) == (0, "ok: 5 versions verified\n")


def test_verify_rebuild_recreates_a_lost_catalog(cli, filled):
    archive_dir, _ = filled
    (archive_dir / "catalog.sqlite").unlink()
    code, out, err = cli("--archive", archive_dir, "archive", "verify")
    assert code == 1 and out == "problem: catalog.sqlite: missing (run verify --rebuild)\n"
    code, out, err = cli("--archive", archive_dir, "archive", "list")
    assert code == 1 and "verify --rebuild" in err
    code, out, _ = cli("--archive", archive_dir, "archive", "verify", "--rebuild")
    assert code == 0 and out.splitlines()[-2:] == ["rebuilt: 5 versions in catalog", "ok: 5 versions verified"]


# ---------------------------------------------------------------- errors
def _error_cases(tmp_path, seeds):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)))
    return [
        (["archive", "add", tmp_path / "missing.txt", "--series", SERIES], 2, "no such file"),
        (["archive", "add", tmp_path, "--series", SERIES], 2, "is a directory"),
        (["archive", "add", empty, "--series", SERIES], 1, "empty"),
        (["archive", "add", binary, "--series", SERIES], 1, "binary"),
        (["archive", "add", seeds["2019"], binary, "--series", SERIES], 1, "binary"),  # nothing half-done
        (["archive", "add", seeds["2019"]], 2, "series is required"),
        (["archive", "add", seeds["2019"], "--series", "../evil"], 2, "bad series"),
        (["archive", "add", seeds["2019"], "--series", "x" * 300], 2, "bad series"),
        (["archive", "add", seeds["2019"], "--series", SERIES, "--year", "1800"], 2, "bad year"),
        (["archive", "add", seeds["2019"], "--series", SERIES, "--year", "abc"], 2, "--year"),
        (["archive", "add", seeds["2019"], "--series", SERIES, "--kind", "memo"], 2, "--kind"),
        (["archive", "show", "nosuch@2019"], 2, "unknown series"),
        (["archive", "show", f"{SERIES}@2030"], 2, "no version"),
        (["archive", "show", "deadbeef"], 2, "no version id"),
        (["archive", "show", "what?"], 2, "unknown REF"),
        (["archive", "show", f"{SERIES}@1700"], 2, "bad year"),
        (["archive", "log", "nosuch"], 2, "unknown series"),
        (["archive", "list", "--series", "nosuch"], 2, "unknown series"),
        (["archive", "show", "--format", "yaml", f"{SERIES}@2019"], 2, "yaml"),
    ]


def test_errors_are_one_line_and_change_nothing(cli, filled, seeds, tmp_path, hash_tree):
    archive_dir, _ = filled
    before = hash_tree(archive_dir)
    for args, expected_code, message in _error_cases(tmp_path, seeds):
        code, out, err = cli("--archive", archive_dir, *args)
        assert code == expected_code, (args, err)
        assert err.count("\n") == 1 and err.startswith("policydiff: error: "), (args, err)
        assert message in err, (args, err)
        assert "Traceback" not in err
        assert hash_tree(archive_dir) == before, args


def test_errors_on_a_missing_archive_create_nothing(cli, archive_dir, seeds, tmp_path):
    for args, expected_code, _message in _error_cases(tmp_path, seeds):
        code, _, err = cli("--archive", archive_dir, *args)
        if args[1] == "add":
            assert code == expected_code, (args, err)
        assert code in (1, 2) and err.count("\n") == 1 and "Traceback" not in err, (args, err)
        assert not archive_dir.exists(), args
    for args in (["archive", "list"], ["archive", "log", "s"], ["archive", "verify"], ["archive", "show", "s@2019"]):
        code, out, err = cli("--archive", archive_dir, *args)
        assert (code, out) == (1, "") and err.startswith(f"policydiff: error: archive not found: {archive_dir} — ")
        assert err.count("\n") == 1 and "--archive" in err and "POLICYDIFF_ARCHIVE" in err, err
    assert not archive_dir.exists()


def test_corrupt_and_unwritable_archives(cli, filled, seeds, tmp_path, hash_tree):
    archive_dir, _ = filled
    (archive_dir / "catalog.sqlite").write_bytes(b"garbage" * 500)
    before = hash_tree(archive_dir)
    for args in (["archive", "list"], ["archive", "show", f"{SERIES}@2019"], ["archive", "add", seeds["2019"], "--series", "s"]):
        code, out, err = cli("--archive", archive_dir, *args)
        assert code == 1 and err.count("\n") == 1 and "catalog unreadable" in err, (args, err)
    code, out, err = cli("--archive", archive_dir, "archive", "verify")
    assert code == 1 and out.startswith("problem: catalog.sqlite: unreadable")
    assert hash_tree(archive_dir) == before
    blocker = tmp_path / "plainfile"
    blocker.write_text("x")
    code, _, err = cli("--archive", blocker / "sub", "archive", "add", seeds["2019"], "--series", "s")
    assert code == 1 and "not a directory" in err and blocker.read_text() == "x"


def test_hot_journal_left_by_a_killed_writer_is_rolled_back(cli, filled):
    archive_dir, _ = filled
    catalog = archive_dir / "catalog.sqlite"
    # A writer that spills its uncommitted changes into the database file, then dies.
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, sys, time
            c = sqlite3.connect({str(catalog)!r}, isolation_level=None)
            c.execute("PRAGMA cache_size=1")
            c.execute("BEGIN IMMEDIATE")
            c.execute("DELETE FROM versions")
            c.execute("CREATE TABLE filler(x)")
            c.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 2000)
            print("ready", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "ready"
    finally:
        writer.kill()
        writer.wait()
    assert (archive_dir / "catalog.sqlite-journal").exists()
    code, out, err = cli("--archive", archive_dir, "archive", "verify")
    assert (code, out, err) == (0, "ok: 5 versions verified\n", "")
    assert not (archive_dir / "catalog.sqlite-journal").exists()


def test_subprocess_cli(run_policydiff, seeds, tmp_path):
    archive_dir = tmp_path / "a"
    result = run_policydiff("--archive", archive_dir, "archive", "add", seeds["2021"], "--series", "gd")
    assert result.returncode == 0 and result.stdout.startswith("added gd@2021 #1 ")
    result = run_policydiff("--archive", archive_dir, "archive", "show", "gd@2021#1", "--raw")
    assert result.stdout == seeds["2021"].read_text(encoding="utf-8")
    result = run_policydiff("--archive", archive_dir, "archive", "show", "gd@1900")
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert re.fullmatch(r"policydiff: error: .+\n", result.stderr)


def test_help_does_not_load_heavy_modules(run_policydiff):
    result = run_policydiff("archive", "--help")
    assert result.returncode == 0 and "verify" in result.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from policydiff.cli import main\n"
         "try: main(['--help'])\nexcept SystemExit: pass\n"
         "print(sorted(m for m in ('opencc', 'sqlite3', 'policydiff.store.archive', 'policydiff.read.metadata') if m in sys.modules))"],
        capture_output=True, text=True, env=subprocess_env(),
    )  # fmt: skip
    assert probe.stdout.strip().splitlines()[-1] == "[]"


def test_show_xml_returns_the_stored_clause_xml(cli, filled):
    archive_dir, _ = filled
    code, out, err = cli("--archive", archive_dir, "archive", "show", "--format", "xml", f"{SERIES}@2019")
    assert code == 0, err
    assert out.startswith("<?xml") and 'eId="sec_3__para_12"' in out and "粤办函〔2019〕87号" in out
