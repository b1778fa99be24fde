"""Crash safety and concurrency of the commands that write: `archive add` and `report`.

A child `policydiff` process is SIGKILLed at 20 points: 12 over `archive add` of a 6.5 MB plan and 8
over `report` writing its folder. Kill points are of two kinds: fractions of a calibrated run
(like tests/test_archive.py::test_sigkill_during_large_add, but spread over the whole run and on a
structured plan), and the moment a given file appears on disk (the object's temp file, the object,
the sidecar, the derived XML; the report's temp folder, its manifest, the swap of an old report).
After every kill: `archive verify` is clean and the version is complete or absent; the report
folder is complete or absent, with at most clearly named `.<name>.incomplete-*`/`.<name>.old-*`
leftovers beside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import subprocess_env
from hostile import assert_error, assert_ok, copy_archive, run_cli
from seedlib import FILES as SEED_FILES
from synth import cn

from policydiff.store.archive import Archive
from policydiff.store.catalog import TMP_PREFIX
from policydiff.store.files import is_complete

SERIES = "gd-digital-gov"


def _big_plan(seeds_dir: Path, size: int) -> bytes:
    """A numbered plan of `size` bytes: the 2019 seed's header, then its tasks again and again."""
    lines = (seeds_dir / SEED_FILES["2019"]).read_text(encoding="utf-8").split("\n")
    tasks = [re.sub(r"^（[一二三四五六七八九十]+）", "", ln) for ln in lines if re.match(r"^（[一二三四五六七八九十]+）", ln)]
    out, total, n = lines[:8], 0, 0
    while total < size:
        if n % 50 == 0:
            out.append(f"{cn(n // 50 % 999 + 1)}、第{n // 50 + 1}部分重点任务")
        out.append(f"（{cn(n % 50 + 1)}）{tasks[n % len(tasks)]}")
        total += len(out[-1].encode()) + 4
        n += 1
    return ("\n".join(out) + "\n").encode()[:size].rsplit(b"\n", 1)[0] + b"\n"


@pytest.fixture(scope="module")
def big(seeds_dir) -> bytes:
    data = _big_plan(seeds_dir, 6 * 1024 * 1024 + 512 * 1024)
    assert 6 * 1024 * 1024 < len(data) < 20 * 1024 * 1024
    return data


def _spawn(archive: Path, *args: object, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "policydiff", "--archive", str(archive), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=subprocess_env(), cwd=cwd)


def _kill_when(proc: subprocess.Popen[bytes], delay: float | None, event: Callable[[], bool] | None,
               limit: float) -> str:
    """SIGKILL after `delay` seconds, or as soon as `event()` is true; "finished" if the child won."""
    start = time.monotonic()
    while proc.poll() is None:
        elapsed = time.monotonic() - start
        if (delay is not None and elapsed >= delay) or (event is not None and event()) or elapsed > limit:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return "killed"
        time.sleep(0.0005 if event is not None else 0.002)
    return "finished"


def _temp_in(folder: Path) -> bool:
    try:
        return any(p.name.startswith(TMP_PREFIX) for p in folder.iterdir())
    except FileNotFoundError:
        return False


def test_sigkill_during_add_of_a_large_plan(tmp_path, big):
    calib_dir = copy_archive(tmp_path / "calib")
    calib = tmp_path / "calib.txt"
    calib.write_bytes(big + "批次校准\n".encode())
    start = time.monotonic()
    assert _spawn(calib_dir, "archive", "add", calib, "--series", "big", "--year", "2019").wait() == 0
    full = time.monotonic() - start

    # (label, delay in seconds, event factory: (archive, vid) -> predicate)
    points: list[tuple[str, float | None, Callable[[Archive, str], Callable[[], bool]] | None]] = [
        (f"t={f:.2f}", full * f, None) for f in (0.15, 0.4, 0.7, 0.85, 0.92, 0.96, 0.99, 1.02)
    ] + [
        ("object temp file", None, lambda a, vid: lambda: _temp_in(a.root / "objects" / vid[:2])),
        ("object in place", None, lambda a, vid: lambda: a.object_path(vid).exists()),
        ("sidecar in place", None, lambda a, vid: lambda: a.sidecar_path(vid).exists()),
        ("derived XML", None, lambda a, vid: lambda: _temp_in(a.root / "derived") or a.derived_path(vid, "xml").exists()),
    ]
    outcomes = {}
    for i, (label, delay, event) in enumerate(points):
        arch = Archive(copy_archive(tmp_path / f"archive{i}"))  # one archive per point: each check stays small
        path = tmp_path / f"big{i}.txt"
        path.write_bytes(big + f"批次{i}\n".encode())
        vid = hashlib.sha256(path.read_bytes()).hexdigest()
        proc = _spawn(arch.root, "archive", "add", path, "--series", "big", "--year", "2019")
        outcomes[label] = _kill_when(proc, delay, event(arch, vid) if event else None, limit=full * 3 + 10)
        report = arch.check()
        assert report.problems == [], (label, report.problems)
        committed = arch.get(vid)
        if committed is not None:  # committed before the kill: then it is whole
            assert arch.read_bytes(committed) == path.read_bytes(), label
            assert (committed.series, committed.version) == ("big", 1)
        else:  # no partial version: not listed anywhere
            assert vid not in {v.id for v in arch.list()}, label
            assert len(arch.list()) == 5
        path.unlink()
    assert list(outcomes.values()).count("killed") >= 6, outcomes
    r = run_cli(tmp_path / "archive11", "archive", "verify")
    assert_ok(r)


def _report_state(dest: Path) -> tuple[bool, list[str]]:
    """(complete report at dest, leftovers beside it); a folder at dest that is not complete fails."""
    if dest.exists():
        assert is_complete(dest), f"half-written report at {dest}: {sorted(os.listdir(dest))}"
    leftovers = sorted(p.name for p in dest.parent.iterdir() if p.name != dest.name and p.name.startswith(f".{dest.name}."))
    for name in leftovers:
        assert re.fullmatch(rf"\.{re.escape(dest.name)}\.(incomplete-\w+|old-\d+)", name), name
    return dest.exists(), leftovers


def test_sigkill_while_report_writes_its_folder(tmp_path):
    arch_dir = copy_archive(tmp_path / "archive")
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "rep"
    start = time.monotonic()
    assert _spawn(arch_dir, "report", SERIES, "-o", dest).wait() == 0
    full = time.monotonic() - start
    assert is_complete(dest)

    def incomplete(name: str = "") -> Callable[[], bool]:
        return lambda: any(p.name.startswith(".rep.incomplete-") and (not name or (p / name).exists())
                           for p in out.iterdir())

    points: list[tuple[str, float | None, Callable[[], bool] | None, bool]] = [
        # label, delay, event, an older complete report is at dest before the run
        ("t=0.30", full * 0.30, None, False),
        ("t=0.60", full * 0.60, None, True),
        ("t=0.85", full * 0.85, None, False),
        ("t=0.97", full * 0.97, None, True),
        ("temp folder created", None, incomplete(), False),
        ("first redline written", None, incomplete("2016-2019.html"), True),
        ("manifest written", None, incomplete("MANIFEST.json"), True),
        ("old report moved aside", None, lambda: any(p.name.startswith(".rep.old-") for p in out.iterdir()), True),
    ]
    outcomes = {}
    for label, delay, event, previous in points:
        if previous and not dest.exists():
            assert_ok(run_cli(arch_dir, "report", SERIES, "-o", dest))
        elif not previous and dest.exists():
            shutil.rmtree(dest)
        proc = _spawn(arch_dir, "report", SERIES, "-o", dest)
        outcomes[label] = _kill_when(proc, delay, event, limit=full * 3 + 10)
        present, leftovers = _report_state(dest)
        if previous and not present:  # killed between the two renames: the old report is kept aside
            olds = [name for name in leftovers if ".old-" in name]
            assert olds and all(is_complete(out / name) for name in olds), (label, leftovers)
    assert list(outcomes.values()).count("killed") >= 4, outcomes
    # a new run writes over whatever the kills left
    assert_ok(run_cli(arch_dir, "report", SERIES, "-o", dest))
    assert is_complete(dest)
    assert run_cli(arch_dir, "archive", "verify").code == 0


@pytest.mark.parametrize("start", ["empty", "bundled", "bundled, with rebuilds"])
def test_four_concurrent_adds(tmp_path, seeds, start):
    """Four adds at once all land; with rebuilds: `verify --rebuild` runs again and again while they
    do (at least twice), each waiting for the adds' catalog lock (never taking a locked catalog for a
    broken one), and no version is lost."""
    arch_dir = tmp_path / "archive"
    if start != "empty":
        copy_archive(arch_dir)
    docs = []
    for i, key in enumerate(("2019", "2016", "2021", "jieyang")):
        path = tmp_path / f"doc{i}.txt"
        path.write_bytes(seeds[key].read_bytes() + f"\n并发{i}\n".encode())
        docs.append(path)
    # two into the same series and year (numbering races), two elsewhere
    args = [(docs[0], "conc", 2019), (docs[1], "conc", 2019), (docs[2], "conc", 2021), (docs[3], "other", 2019)]
    procs = [subprocess.Popen([sys.executable, "-m", "policydiff", "--archive", str(arch_dir), "archive", "add",
                               str(p), "--series", s, "--year", str(y)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(), text=True)
             for p, s, y in args]
    rebuilds = []
    while start.endswith("rebuilds") and (len(rebuilds) < 2 or any(p.poll() is None for p in procs)):
        rebuilds.append(run_cli(arch_dir, "archive", "verify", "--rebuild"))  # one after another, until the adds end
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], results
    assert all(out.startswith("added ") for out, _ in results), results
    for r in rebuilds:  # each waited for the adds' catalog lock, never took it for a broken catalog
        assert r.code == 0 and r.err == "" and "rebuilt: " in r.out and "unreadable" not in r.out, r
    arch = Archive(arch_dir)
    ids = {v.id: v for v in arch.list()}
    for p, s, y in args:
        v = ids[hashlib.sha256(p.read_bytes()).hexdigest()]
        assert (v.series, v.year) == (s, y)
    assert sorted(v.version for v in arch.list() if v.series == "conc" and v.year == 2019) == [1, 2]
    assert len(ids) == 4 + (5 if start != "empty" else 0)
    r = run_cli(arch_dir, "archive", "verify")
    assert_ok(r)
    assert not [n for n in r.out.splitlines() if n.startswith("note:")], r.out  # no leftovers either


# ------------------------------------------------------------------ inputs that used to crash
def test_redline_beyond_the_private_use_planes_falls_back_to_a_coarser_diff():
    """Issue 17 item 7: more distinct sentences than private-use characters (~131,000) used to end in
    `chr()` out of range; the redline is now coarser there, and still exact."""
    from policydiff.match.redline import _CAPACITY, token_diff

    old = "".join(f"第{i}项。" for i in range(_CAPACITY + 5000))
    for new in (old.replace("第70000项。", "第七万项。"), "前言。" + old + "附则。",
                "".join(f"新{i}条。" for i in range(_CAPACITY // 2 + 5000))):
        diff = token_diff(old, new)
        assert "".join(t for op, t in diff if op != "+") == old
        assert "".join(t for op, t in diff if op != "-") == new
        assert all(op in "=-+" for op, _ in diff)
    diff = token_diff(old, old.replace("第70000项。", "第七万项。"))
    assert [op for op, _ in diff] == ["=", "-", "+", "="] and diff[1][1] == "第70000项。"


def test_impossible_dates_and_malformed_numbers_do_not_crash(tmp_path):
    """Issue 17 item 7: 2021年13月 and 百分之1.2.3 are skipped with a warning, not an internal error."""
    plan = tmp_path / "plan.txt"
    plan.write_text("广东省2021年工作要点\n一、任务\n（一）2021年13月底前，网上可办率达到95%以上，"
                    "网上办理率提高百分之1.2.3。\n（二）2021年0月前，办理时限压缩至百分之..5。\n", encoding="utf-8")
    r = run_cli(None, "targets", plan, "--format", "json")
    assert_ok(r)
    assert "internal error" not in r.err and "95" in r.out
    r = run_cli(tmp_path / "archive", "archive", "add", plan, "--series", "s1")
    assert_ok(r)
    assert r.out.startswith("added s1@2021")


# ------------------------------------------------ the environment fails: one line, or it just works
@pytest.mark.parametrize("address", ["garbage://x", "tcp://", "tcp://host name:8786"])
def test_bad_scheduler_address_is_one_line(tmp_path, address):
    """Issue 17 item 9: an address Dask cannot dial is refused before any work, not an internal error."""
    r = run_cli(copy_archive(tmp_path / "archive"), "batch", "compare", "--engine", "dask",
                "--scheduler", address, "-o", tmp_path / "out")
    assert_error(r, "bad --scheduler address", code=2)
    assert not (tmp_path / "out").exists()


def test_output_in_an_encoding_without_every_character(tmp_path):
    """Issue 17 item 9: PYTHONIOENCODING=gbk (Chinese Windows, output redirected): what GBK cannot
    hold (U+2212, U+00B7 …) is written as an escape, the rest as GBK; the command succeeds."""
    arch = copy_archive(tmp_path / "archive")
    env = {**subprocess_env(), "PYTHONIOENCODING": "gbk"}
    for args in (["compare", "gd-digital-gov@2019", "gd-digital-gov@2021", "--format", "md"],
                 ["compare", "gd-digital-gov@2019", "gd-digital-gov@2021", "--format", "summary"],
                 ["archive", "show", "gd-digital-gov@2021"], ["search", "不动产登记"],
                 ["normalize", "--explain", "gd-digital-gov@2021"], ["lineage", "gd-digital-gov"]):
        p = subprocess.run([sys.executable, "-m", "policydiff", "--archive", str(arch), *args],
                           env=env, capture_output=True, timeout=120)
        assert p.returncode == 0, (args, p.stderr.decode("gbk", "replace"))
        out = p.stdout.decode("gbk")  # valid GBK throughout
        assert any(w in out for w in ("广东", "不动产", "suspect")), args
    p = subprocess.run([sys.executable, "-m", "policydiff", "--archive", str(arch), "compare", "粤省事·x", "y"],
                       env=env, capture_output=True, timeout=120)
    err = p.stderr.decode("gbk")
    assert p.returncode == 2 and err.count("\n") == 1 and "internal error" not in err


@pytest.fixture
def full_archive_disk(tmp_path, monkeypatch) -> Path:
    """An archive on a disk that is full: every atomic write into it fails with ENOSPC (a write()
    names no file); files outside it (-o) are written as usual."""
    import errno

    from policydiff.store import files

    arch = copy_archive(tmp_path / "archive")
    real = files.replace_file

    def full(path, *args, **kwargs):
        if Path(os.path.abspath(path)).is_relative_to(arch.resolve()):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "replace_file", full)
    v2019 = "bb4411de091c99f4f9a5d049c35667f9e84c7b5f71e7b12fd49817ddcbee5d59"
    for path in (arch / "derived").glob(v2019 + ".*"):  # its clause XML must be derived again
        path.unlink()
    return arch


def test_reading_commands_work_on_a_full_archive_disk(full_archive_disk, cli, tmp_path):
    """Issue 17 item 9: the derived XML is a cache; when it cannot be written, the output is still made."""
    arch = full_archive_disk
    code, out, err = cli("--archive", arch, "archive", "show", "gd-digital-gov@2019", "--format", "xml")
    assert code == 0, err
    assert out.startswith("<?xml") and "</document>" in out
    code, out, err = cli("--archive", arch, "batch", "compare", "-o", tmp_path / "out", "--workers", "1")
    assert code == 0, err
    assert "4 compared" in out and len(list((tmp_path / "out" / "pairs").rglob("*.json"))) == 4  # 2019 → 2021 too


def test_full_disk_during_rebuild_names_the_file(full_archive_disk, cli):
    """Issue 17 item 9: ENOSPC while `verify --rebuild` rewrites a sidecar: one line naming the file."""
    arch = full_archive_disk
    sidecar = arch / "versions" / "bb4411de091c99f4f9a5d049c35667f9e84c7b5f71e7b12fd49817ddcbee5d59.json"
    sidecar.unlink()  # the catalog row survives: the rebuild writes the sidecar again
    code, _out, err = cli("--archive", arch, "archive", "verify", "--rebuild")
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith("policydiff: error: No space left on device") and sidecar.name in err
    assert "internal error" not in err


class _CommitFails:
    """A catalog connection whose COMMIT fails as SQLite does when the disk fills up."""

    def __init__(self, conn) -> None:
        self._conn = conn

    def execute(self, sql: str, *args):
        if sql.strip().upper() == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def _full_catalog(monkeypatch, arch: Path, where: str) -> None:
    """Make the catalog write of `verify --rebuild` fail with a full disk at `where`."""
    import errno

    from policydiff.store import rebuild

    if where == "insert":  # SQLITE_FULL on the third row, after the old rows were deleted
        real, calls = rebuild.insert_row, []

        def insert(conn, v):
            calls.append(v)
            if len(calls) == 3:
                raise sqlite3.OperationalError("database or disk is full")
            real(conn, v)

        monkeypatch.setattr(rebuild, "insert_row", insert)
    elif where == "commit":
        real_connect = rebuild.connect_rw
        monkeypatch.setattr(rebuild, "connect_rw", lambda path: _CommitFails(real_connect(path)))
    else:  # an unreadable catalog is replaced by a new file: ENOSPC halfway through writing it
        (arch / "catalog.sqlite").write_bytes(b"not a database\n" * 64)
        real_write = rebuild.write_catalog_file

        def write(path, versions):
            real_write(path, versions[:2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) if where == "new file" else \
                sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(rebuild, "write_catalog_file", write)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", ["insert", "commit", "new file", "new file (sqlite)"])
def test_full_disk_while_rebuild_writes_the_catalog(tmp_path, cli, monkeypatch, where):
    """Issue 17 item 9: "database or disk is full" (or ENOSPC) while `verify --rebuild` writes the
    catalog: one line naming catalog.sqlite, exit 1, and the archive as it was (no half catalog,
    no temp file)."""
    arch = copy_archive(tmp_path / "archive")
    _full_catalog(monkeypatch, arch, where)
    before = _files(arch)
    code, _out, err = cli("--archive", arch, "archive", "verify", "--rebuild")
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith("policydiff: error: cannot write ") and "catalog.sqlite: " in err, err
    assert ("No space left on device" if where == "new file" else "database or disk is full") in err
    assert "internal error" not in err and "Traceback" not in err
    assert _files(arch) == before  # byte for byte: the old rows are back, no temp file or journal left
    monkeypatch.undo()
    if where.startswith("new file"):  # it was unreadable before, and still is: a rebuild with room replaces it
        assert cli("--archive", arch, "archive", "verify", "--rebuild")[0] == 0
    code, out, err = cli("--archive", arch, "archive", "verify")
    assert code == 0 and out == "ok: 5 versions verified\n", (out, err)


# ------------------------------------------------------------- a catalog another process holds
#: a process holding the catalog's write lock until a line arrives on stdin: a real `archive add`
#: paused between its INSERT and its COMMIT ("add"), or a bare BEGIN IMMEDIATE / BEGIN EXCLUSIVE
_HOLD = """
import sqlite3, sys
mode = sys.argv[1]
if mode == "add":
    from policydiff.store import commit
    real = commit.insert_row
    def insert_row(conn, v):
        real(conn, v)
        print("holding", flush=True)
        sys.stdin.readline()
    commit.insert_row = insert_row
    from policydiff.cli import main
    main(sys.argv[2:])
else:
    c = sqlite3.connect(sys.argv[2], isolation_level=None)
    c.execute("BEGIN " + mode)
    c.execute("SELECT count(*) FROM versions").fetchone()
    print("holding", flush=True)
    sys.stdin.readline()
    c.execute("COMMIT")
"""

BUSY = "policydiff: error: catalog.sqlite is busy: another policydiff process is writing to it; try again\n"


def _hold(arch: Path, mode: str, doc: Path) -> subprocess.Popen[str]:
    args = (["--archive", arch, "archive", "add", doc, "--series", "held", "--year", 2021] if mode == "add"
            else [arch / "catalog.sqlite"])
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, mode, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env(), text=True)
    if proc.stdout.readline().strip() != "holding":
        proc.kill()
        pytest.fail(f"the lock holder did not start: {proc.communicate()[1]}")
    return proc


def _tree(root: Path) -> tuple[list[str], dict[str, bytes]]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")), _files(root)


@pytest.mark.parametrize("mode", ["add", "IMMEDIATE", "EXCLUSIVE"])
def test_a_locked_catalog_is_busy_never_unreadable(tmp_path, cli, monkeypatch, seeds, mode):
    """Issue 17: `verify --rebuild` used to read "database is locked" (another process holding the
    catalog past the busy timeout) as an unreadable catalog and replace it with one rebuilt from the
    sidecars, losing the row a concurrent add was committing. A locked catalog is busy: the rebuild
    waits its busy timeout, then says so in one line and touches nothing; no command calls it
    unreadable; once the lock is gone a rebuild loses nothing."""
    from policydiff.store import catalog

    arch = copy_archive(tmp_path / "archive")
    doc, other = tmp_path / "held.txt", tmp_path / "other.txt"
    doc.write_bytes(seeds["2021"].read_bytes() + "\n持锁新增\n".encode())
    other.write_bytes(seeds["2019"].read_bytes() + "\n锁外新增\n".encode())
    monkeypatch.setattr(catalog, "BUSY_TIMEOUT_S", 0.3)
    holder = _hold(arch, mode, doc)
    try:
        before = _tree(arch)
        start = time.monotonic()
        assert cli("--archive", arch, "archive", "verify", "--rebuild") == (1, "", BUSY)
        assert time.monotonic() - start >= 0.3  # it waited for the lock first
        assert _tree(arch) == before  # byte for byte: catalog, journal, sidecars, objects, derived XML
        code, out, err = cli("--archive", arch, "archive", "add", other, "--series", "other")
        assert (code, err) == (1, BUSY), (out, err)  # its object is removed again
        code, out, err = cli("--archive", arch, "archive", "verify")
        if mode == "EXCLUSIVE":  # readers are held off too: busy, never "unreadable (run verify --rebuild)"
            assert (code, out, err) == (1, "", BUSY)
            assert cli("--archive", arch, "archive", "list") == (1, "", BUSY)
        else:  # readers go on beside a writer
            assert code == 0 and out.endswith("ok: 5 versions verified\n"), (out, err)
        assert _tree(arch) == before
    finally:
        _holder_out, holder_err = holder.communicate("\n", timeout=120)  # it commits (the paused add finishes)
    assert holder.returncode == 0, holder_err
    expected = 6 if mode == "add" else 5
    code, out, err = cli("--archive", arch, "archive", "verify", "--rebuild")
    assert code == 0 and f"rebuilt: {expected} versions in catalog\n" in out, (out, err)
    assert "unreadable" not in out
    code, out, err = cli("--archive", arch, "archive", "verify")
    assert (code, out, err) == (0, f"ok: {expected} versions verified\n", "")
    if mode == "add":
        added = [v for v in Archive(arch).list() if v.series == "held"]
        assert [v.id for v in added] == [hashlib.sha256(doc.read_bytes()).hexdigest()]


@pytest.mark.parametrize("state", ["missing", "unreadable"])
def test_rebuild_never_replaces_a_catalog_put_in_place_meanwhile(tmp_path, cli, monkeypatch, state):
    """A missing or unreadable catalog is rebuilt into a new file; when another process put a
    catalog in its place meanwhile (a first add created it, another rebuild replaced it), that one may
    hold rows this rebuild never saw: it is left alone, and the rebuild says the catalog is busy."""
    from policydiff.store import rebuild

    arch = copy_archive(tmp_path / "archive")
    good = (arch / "catalog.sqlite").read_bytes()
    if state == "missing":
        (arch / "catalog.sqlite").unlink()
    else:
        (arch / "catalog.sqlite").write_bytes(b"not a database\n" * 64)
    real_write = rebuild.write_catalog_file

    def write(path, versions):  # while this rebuild writes its file, another process puts one in place
        real_write(path, versions)
        other = arch / ".other-catalog"
        other.write_bytes(good)
        os.replace(other, arch / "catalog.sqlite")

    monkeypatch.setattr(rebuild, "write_catalog_file", write)
    assert cli("--archive", arch, "archive", "verify", "--rebuild") == (1, "", BUSY)
    assert (arch / "catalog.sqlite").read_bytes() == good
    assert not [p for p in arch.iterdir() if p.name.startswith(TMP_PREFIX)]
    monkeypatch.undo()
    assert cli("--archive", arch, "archive", "verify") == (0, "ok: 5 versions verified\n", "")
