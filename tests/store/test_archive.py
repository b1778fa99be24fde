"""Archive: add/dedup/versions, resolve, verify/rebuild, refusals, crash safety, concurrency."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import subprocess_env

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.read.text import strip_pinyin
from policydiff.store.archive import Archive
from policydiff.store.catalog import FIELDS, check_series, check_year

SERIES = "gd-digital-gov"


@pytest.fixture
def arch(archive_dir: Path) -> Archive:
    return Archive(archive_dir)


@pytest.fixture
def filled(arch: Archive, seeds) -> Archive:
    for key in ("2016", "2019", "2020", "2021"):
        arch.add(seeds[key], series=SERIES)
    arch.add(seeds["jieyang"], series="jieyang-digital-gov", kind="city-plan")
    return arch


# ------------------------------------------------------------------ adding
def test_add_seeds(filled: Archive, seeds):
    versions = filled.list()
    assert [(v.series, v.year, v.version, v.kind) for v in versions] == [
        (SERIES, 2016, 1, "plan"),
        (SERIES, 2019, 1, "plan"),
        (SERIES, 2020, 1, "news"),
        (SERIES, 2021, 1, "plan"),
        ("jieyang-digital-gov", 2019, 1, "city-plan"),
    ]
    v2019 = filled.resolve(f"{SERIES}@2019")
    raw = seeds["2019"].read_bytes()
    assert v2019.id == hashlib.sha256(raw).hexdigest()
    assert (v2019.doc_no, v2019.date, v2019.issuer) == ("粤办函〔2019〕87号", "2019-04-21", "广东省人民政府办公厅")
    assert (v2019.encoding, v2019.size, v2019.filename) == ("utf-8", len(raw), seeds["2019"].name)
    assert filled.read_bytes(v2019) == raw
    assert filled.read_text(v2019) == raw.decode("utf-8")
    # layout: read-only object, sidecar equal to the catalog row, rollback-journal catalog
    obj = filled.object_path(v2019.id)
    assert obj == filled.root / "objects" / v2019.id[:2] / v2019.id
    assert not os.stat(obj).st_mode & 0o222
    assert json.loads(filled.sidecar_path(v2019.id).read_text(encoding="utf-8")) == v2019.to_dict()
    conn = sqlite3.connect(filled.catalog_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert sorted(p.name for p in filled.root.iterdir()) == [".gitignore", "catalog.sqlite", "derived", "objects",
                                                             "versions"]
    # the clause XML is built at add and stored beside the object
    assert filled.stored_xml(v2019) is not None
    assert filled.verify() == []


def test_identical_bytes_are_a_noop(filled: Archive, seeds, hash_tree):
    before = hash_tree(filled.root)
    result = filled.add(seeds["2019"], series=SERIES)
    assert result.status == "exists" and not result.added
    assert result.version.ref == f"{SERIES}@2019#1"
    # as bytes, too: within a series the content is the identity (another series: test_shared_archives)
    assert filled.add(seeds["2019"].read_bytes(), series=SERIES).status == "exists"
    assert hash_tree(filled.root) == before


def test_new_version_for_same_series_and_year(filled: Archive, seeds, tmp_path):
    revised = tmp_path / "revised.txt"
    revised.write_bytes(seeds["2019"].read_bytes() + "（修订）\n".encode())
    result = filled.add(revised, series=SERIES, source="https://example.gov.cn/x")
    assert result.added and result.version.version == 2 and result.version.year == 2019
    assert [v.version for v in filled.log(SERIES) if v.year == 2019] == [1, 2]
    assert filled.resolve(f"{SERIES}@2019").id == result.version.id  # latest
    assert filled.resolve(f"{SERIES}@2019#1").id == hashlib.sha256(seeds["2019"].read_bytes()).hexdigest()
    assert filled.resolve(f"{SERIES}@2019#2").source == "https://example.gov.cn/x"
    assert filled.verify() == []


def test_flags_override_detection(arch: Archive, seeds):
    v = arch.add(seeds["2020"], series="news-x", year=2021, kind="plan", title="T", source="S").version
    assert (v.year, v.kind, v.title, v.source) == (2021, "plan", "T", "S")
    assert v.date == "2020-02-24"  # not a flag: detected


def test_add_bytes(arch: Archive):
    text = "某市数字政府工作方案\n某府办〔2022〕1号\n2022年1月2日\n一、目标\n"
    v = arch.add(text.encode("gb18030"), series="s", filename="a.txt").version
    assert (v.encoding, v.filename, v.doc_no, v.year) == ("gb18030", "a.txt", "某府办〔2022〕1号", 2022)
    assert arch.read_text(v) == text


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("gb18030"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    ],
    ids=["gb18030", "utf-8-bom", "utf-16-le", "utf-16-be"],
)
def test_add_seed_encodings(arch: Archive, seeds, tmp_path, encode):
    for key in ("2016", "2019", "2021", "jieyang"):
        text = seeds[key].read_text(encoding="utf-8")
        path = tmp_path / f"{key}.txt"
        path.write_bytes(encode(text))
        v = arch.add(path, series=f"enc-{key}").version
        assert arch.read_text(v) == text
        assert v.doc_no  # metadata detected through the encoding


def test_add_big5_traditional_seed(arch: Archive, seeds, tmp_path):
    text = "".join(ch for ch in strip_pinyin(seeds["2021"].read_text(encoding="utf-8"))[0] if _big5_ok(ch))
    path = tmp_path / "2021-big5.txt"
    path.write_bytes(text.encode("big5"))
    v = arch.add(path, series="big5").version
    assert v.encoding == "big5"
    assert arch.read_text(v) == text
    assert (v.doc_no, v.year, v.date) == ("粤办函〔2021〕44号", 2021, "2021-03-25")


def _big5_ok(ch: str) -> bool:
    try:
        ch.encode("big5")
        return True
    except UnicodeEncodeError:
        return False


# -------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "series",
    ["../x", "a/b", "/abs", "a\x00b", "x" * 300, "", "Upper", "-lead", ".hidden", "a b", "中文", "a" * 65],
)
def test_bad_series_names(arch: Archive, seeds, series):
    with pytest.raises(UsageProblem):
        arch.add(seeds["2019"], series=series)
    assert not arch.root.exists()


def test_series_and_year_validators():
    assert check_series("a") == "a" and check_series("gd-digital.gov_2") == "gd-digital.gov_2"
    assert check_series("a" * 64)
    assert check_year(1949) == 1949 and check_year(2100) == 2100
    for year in (1948, 2101, -1, 0):
        with pytest.raises(UsageProblem, match="bad year"):
            check_year(year)


def test_refusals_leave_the_archive_unchanged(filled: Archive, seeds, tmp_path, hash_tree):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    png = tmp_path / "img.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    noyear = tmp_path / "noyear.txt"
    noyear.write_text("没有年份的文件\n", encoding="utf-8")
    cases = [
        ({"item": tmp_path / "missing.txt", "series": SERIES}, UsageProblem, "no such file"),
        ({"item": tmp_path, "series": SERIES}, UsageProblem, "directory"),
        ({"item": empty, "series": SERIES}, PolicydiffError, "empty"),
        ({"item": png, "series": SERIES}, PolicydiffError, "PNG"),
        ({"item": noyear, "series": SERIES}, UsageProblem, "--year"),
        ({"item": seeds["2019"], "series": SERIES, "year": 1800}, UsageProblem, "bad year"),
        ({"item": seeds["2019"], "series": None}, UsageProblem, "series is required"),
        ({"item": seeds["2019"], "series": SERIES, "kind": "memo"}, UsageProblem, "bad kind"),
    ]
    before = hash_tree(filled.root)
    for kwargs, exc, message in cases:
        item = kwargs.pop("item")
        with pytest.raises(exc, match=message):
            filled.add(item, **kwargs)
        assert hash_tree(filled.root) == before, message


def test_first_add_that_fails_creates_nothing(arch: Archive, tmp_path):
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    with pytest.raises(PolicydiffError):
        arch.add(empty, series="s")
    assert not arch.root.exists()


def test_unwritable_archive_location(tmp_path, seeds, hash_tree):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PolicydiffError, match="not a directory"):
        Archive(blocker / "arch").add(seeds["2019"], series="s")
    with pytest.raises(PolicydiffError, match="not a directory"):
        Archive(blocker).add(seeds["2019"], series="s")
    assert blocker.read_text() == "x"


def test_read_only_archive_refuses_add(filled: Archive, seeds, tmp_path, hash_tree, monkeypatch):
    other = tmp_path / "o.txt"
    other.write_bytes(seeds["2019"].read_bytes() + b"\n")
    real_access = os.access
    # chmod does not stop root, so make the archive folder report itself unwritable.
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == filled.root else real_access(p, mode))
    before = hash_tree(filled.root)
    with pytest.raises(PolicydiffError, match="archive not writable"):
        filled.add(other, series=SERIES)
    assert filled.add(seeds["2019"], series=SERIES).status == "exists"  # no write needed
    assert hash_tree(filled.root) == before


def test_not_an_archive_folder(tmp_path, seeds):
    (tmp_path / "notes.md").write_text("hello")
    with pytest.raises(PolicydiffError, match="not an archive"):
        Archive(tmp_path).add(seeds["2019"], series="s")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]


def test_empty_existing_folder_is_an_empty_archive(tmp_path, seeds):
    folder = tmp_path / "docs_archive"
    folder.mkdir()
    (folder / ".gitkeep").write_text("")
    assert Archive(folder).list() == []
    assert Archive(folder).add(seeds["2019"], series="s").added


# ---------------------------------------------------------------- reading
def test_missing_archive(tmp_path):
    arch = Archive(tmp_path / "nope")
    for call in (arch.list, arch.verify, arch.rebuild, lambda: arch.log("s"), lambda: arch.resolve("s@2019")):
        with pytest.raises(PolicydiffError, match="archive not found"):
            call()
    assert not arch.root.exists()


def test_resolve_refs(filled: Archive, seeds, tmp_path):
    v = filled.resolve(f"{SERIES}@2021")
    assert filled.resolve(v.id[:4]).id == v.id
    assert filled.resolve(v.id.upper()[:10]).id == v.id
    assert filled.resolve(str(seeds["2021"])).id == v.id  # an archived file resolves to its version
    for ref, message in [
        (f"{SERIES}@2018", "no version"),
        (f"{SERIES}@2019#7", "no version"),
        ("nosuch@2019", "unknown series"),
        (f"{SERIES}@1800", "bad year"),
        ("BAD/@2019", "bad series"),
        ("ffffffff", "no version id"),
        ("zz", "unknown REF"),
        ("bb4", "unknown REF"),
    ]:
        with pytest.raises(UsageProblem, match=message):
            filled.resolve(ref)


def test_resolve_unarchived_file(filled: Archive, seeds, tmp_path):
    path = tmp_path / "draft.txt"
    path.write_bytes(seeds["2019"].read_bytes().replace("87号".encode(), "88号".encode()))
    v = filled.resolve(str(path))
    assert not v.archived and v.series == "" and v.version is None
    assert v.id == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (v.doc_no, v.year) == ("粤办函〔2019〕88号", 2019)
    assert filled.read_text(v) == path.read_text(encoding="utf-8")
    assert filled.read_bytes(v) == path.read_bytes()
    # also without any archive
    assert Archive(tmp_path / "none").resolve(str(path)).id == v.id
    with pytest.raises(UsageProblem, match="directory"):
        filled.resolve(str(tmp_path))


def test_ambiguous_prefix(arch: Archive):
    base = "某府办〔2022〕1号\n2022年1月2日\n方案\n"
    seen: dict[str, bytes] = {}
    for i in range(5000):
        data = f"{base}{i}\n".encode()
        prefix = hashlib.sha256(data).hexdigest()[:4]
        if prefix in seen:
            arch.add(seen[prefix], series="a")
            arch.add(data, series="a")
            break
        seen[prefix] = data
    else:
        pytest.fail("no 4-hex-digit collision found")
    with pytest.raises(UsageProblem, match="ambiguous id prefix .*: matches 2 versions"):
        arch.resolve(prefix)


def test_log_and_list_unknown_series(filled: Archive):
    assert [v.year for v in filled.log(SERIES)] == [2016, 2019, 2020, 2021]
    assert [v.series for v in filled.list("jieyang-digital-gov")] == ["jieyang-digital-gov"]
    with pytest.raises(UsageProblem, match="unknown series: nope .*known: gd-digital-gov, jieyang-digital-gov"):
        filled.log("nope")
    with pytest.raises(UsageProblem, match="unknown series"):
        filled.list("nope")
    with pytest.raises(UsageProblem, match="bad series"):
        filled.log("../x")


def test_read_only_archive_is_readable(filled: Archive):
    modes = {}
    for dirpath, dirnames, filenames in os.walk(filled.root):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath, name)
            modes[p] = p.stat().st_mode
            os.chmod(p, modes[p] & ~0o222)
    os.chmod(filled.root, 0o555)
    try:
        assert len(filled.list()) == 5
        v = filled.resolve(f"{SERIES}@2019")
        assert "粤办函" in filled.read_text(v)
        assert filled.verify() == []
    finally:
        os.chmod(filled.root, 0o755)
        for p, mode in modes.items():
            os.chmod(p, mode)


def test_derived_path_is_reserved(arch: Archive):
    assert arch.derived_path("ab" * 32, "xml") == arch.root / "derived" / f"{'ab' * 32}.xml"
    assert not arch.root.exists()


# ------------------------------------------------------ verify / rebuild
def _writable(path: Path) -> None:
    os.chmod(path, 0o644)


def test_verify_finds_a_corrupt_object_and_rebuild_skips_it(filled: Archive):
    v = filled.resolve(f"{SERIES}@2019")
    obj = filled.object_path(v.id)
    _writable(obj)
    obj.write_bytes(obj.read_bytes()[:-10])  # truncated
    problems = [str(p) for p in filled.verify()]
    assert any("corrupt object" in p for p in problems)
    assert any(f"{SERIES}@2019#1" in p for p in problems)
    with pytest.raises(PolicydiffError, match="corrupt"):
        filled.read_bytes(v)
    report = filled.rebuild()
    assert report.versions == 4
    assert [p.where for p in report.skipped] == [f"{SERIES}@2019#1"]


def test_re_adding_a_file_repairs_its_object(filled: Archive, seeds):
    v = filled.resolve(f"{SERIES}@2021")
    filled.object_path(v.id).unlink()
    assert any("object missing" in str(p) for p in filled.verify())
    assert filled.add(seeds["2021"], series=SERIES).status == "exists"
    assert filled.verify() == []


def test_verify_sidecar_problems_and_rebuild(filled: Archive):
    v = filled.resolve(f"{SERIES}@2016")
    filled.sidecar_path(v.id).unlink()
    w = filled.resolve(f"{SERIES}@2021")
    data = json.loads(filled.sidecar_path(w.id).read_text(encoding="utf-8"))
    data["title"] = "changed"
    filled.sidecar_path(w.id).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    problems = " | ".join(map(str, filled.verify()))
    assert "sidecar missing" in problems and "sidecar differs from the catalog (title)" in problems
    filled.rebuild()  # the missing sidecar is rewritten from the row, the catalog follows the sidecar
    assert filled.verify() == []
    assert filled.resolve(f"{SERIES}@2021").title == "changed"
    assert filled.sidecar_path(v.id).exists()


@pytest.mark.parametrize("damage", ["missing", "truncated", "garbage", "empty-table"])
def test_damaged_catalog_is_a_problem_not_a_crash(filled: Archive, damage, hash_tree):
    cat = filled.catalog_path
    before = {v.ref: v.id for v in filled.list()}
    if damage == "missing":
        cat.unlink()
    elif damage == "truncated":
        cat.write_bytes(cat.read_bytes()[:1000])
    elif damage == "garbage":
        cat.write_bytes(b"not a database at all" * 100)
    else:
        conn = sqlite3.connect(cat)
        conn.execute("DROP TABLE versions")
        conn.commit()
        conn.close()
    problems = filled.verify()
    assert problems and all(p.where == "catalog.sqlite" for p in problems)
    with pytest.raises(PolicydiffError, match="run `policydiff archive verify --rebuild`"):
        filled.list()
    state = hash_tree(filled.root)
    with pytest.raises(PolicydiffError):
        filled.add(b"2022\xe5\xb9\xb4", series="s")  # refused before writing
    assert hash_tree(filled.root) == state
    report = filled.rebuild()
    assert report.versions == 5 and not report.skipped
    assert {v.ref: v.id for v in filled.list()} == before
    assert filled.verify() == []


def test_rebuild_keeps_numbers_and_renumbers_conflicting_orphans(filled: Archive, seeds, tmp_path):
    revised = tmp_path / "r.txt"
    revised.write_bytes(seeds["2019"].read_bytes() + b"\n")
    v2 = filled.add(revised, series=SERIES).version
    # Simulate an add killed between its sidecar and its commit that claimed #2 as well.
    orphan = tmp_path / "o.txt"
    orphan.write_bytes(seeds["2019"].read_bytes() + b"\n\n")
    prepared = filled.prepare(orphan, series=SERIES)
    oid = prepared.version.id
    filled.object_path(oid).parent.mkdir(exist_ok=True)
    filled.object_path(oid).write_bytes(orphan.read_bytes())
    sidecar = {**prepared.version.to_dict(), "version": 2, "added_at": "2000-01-01T00:00:00Z"}
    filled.sidecar_path(oid).write_text(json.dumps(sidecar), encoding="utf-8")
    report = filled.check()
    assert report.problems == []
    assert any("not in catalog (run verify --rebuild)" in str(n) for n in report.notes)
    filled.rebuild()
    assert filled.resolve(f"{SERIES}@2019#2").id == v2.id  # committed numbers never move
    assert filled.resolve(f"{SERIES}@2019#3").id == oid
    assert filled.verify() == []


# ----------------------------------------------------- crash safety
_STAGED_ADD = textwrap.dedent(
    """
    import os, sys, time
    from policydiff.store import commit as A

    stage = sys.argv[1]

    def pause(name):
        if name == stage:
            print("STAGE " + name, flush=True)
            time.sleep(60)

    real_write, real_insert, real_fsync = A.write_durable, A.insert_row, os.fsync
    first_fsync = [True]

    def write_durable(path, data, **kw):
        if stage == "object-tmp" and first_fsync[0] and path.parent.parent.name == "objects":
            def fsync(fd):
                real_fsync(fd)
                first_fsync[0] = False
                pause("object-tmp")  # object bytes in a temp file, not yet renamed
            os.fsync = fsync
        real_write(path, data, **kw)
        os.fsync = real_fsync
        pause("object" if path.parent.parent.name == "objects" else "sidecar")

    def insert_row(conn, v):
        real_insert(conn, v)
        pause("insert")  # row inserted, transaction not committed

    A.write_durable, A.insert_row = write_durable, insert_row
    from policydiff.cli import main
    main(sys.argv[2:])
    """
)


@pytest.mark.parametrize("stage", ["object-tmp", "object", "sidecar", "insert"])
def test_kill_at_each_stage_leaves_no_partial_version(filled: Archive, seeds, tmp_path, stage):
    script = tmp_path / "staged_add.py"
    script.write_text(_STAGED_ADD, encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_bytes(seeds["2019"].read_bytes() + f"\n{stage}\n".encode())
    proc = subprocess.Popen(
        [sys.executable, str(script), stage, "--archive", str(filled.root), "archive", "add", str(doc), "--series", SERIES],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env(),
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == f"STAGE {stage}", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    report = filled.check()
    assert report.problems == [], report.problems
    vid = hashlib.sha256(doc.read_bytes()).hexdigest()
    assert filled.get(vid) is None  # not a version
    assert len(filled.list()) == 5
    # the next add of the same bytes completes it
    result = filled.add(doc, series=SERIES)
    assert result.added and result.version.ref == f"{SERIES}@2019#2"
    report = filled.check()
    assert report.problems == [] and report.versions == 6
    assert not any("not in catalog" in str(n) for n in report.notes)


def test_sigkill_during_large_add(arch: Archive, seeds, tmp_path):
    """Kill a child `add` of an 8 MB file at several points: verify stays clean every time."""
    body = "".join(seeds[k].read_text(encoding="utf-8") for k in ("2019", "2016", "2021")).encode()
    big = (body * (8 * 1024 * 1024 // len(body) + 1))[: 8 * 1024 * 1024]

    def child(path: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "policydiff", "--archive", str(arch.root), "archive", "add", str(path),
             "--series", "big", "--year", "2019"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=subprocess_env(),
        )  # fmt: skip

    # Calibrate: how long does a whole add take here? Kill points are fractions of that.
    calib = tmp_path / "calib.txt"
    calib.write_bytes(big + b"\ncalibration\n")
    start = time.monotonic()
    assert child(calib).wait() == 0
    full = time.monotonic() - start
    fractions = [0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 1.05]
    committed_count = 0
    for i, fraction in enumerate(fractions):
        path = tmp_path / f"big{i}.txt"
        path.write_bytes(big + f"\n{i}\n".encode())
        proc = child(path)
        time.sleep(full * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        report = arch.check()
        assert report.problems == [], (fraction, report.problems)
        vid = hashlib.sha256(path.read_bytes()).hexdigest()
        committed = arch.get(vid)
        if committed is not None:  # finished before the kill: then it is complete
            assert arch.read_bytes(committed) == path.read_bytes()
            committed_count += 1
        else:  # no partial version: it is not listed anywhere
            assert vid not in {v.id for v in arch.list()}
        # the next add of the same bytes completes it (or finds it)
        result = arch.add(path, series="big", year=2019)
        assert result.added == (committed is None)
    numbers = [v.version for v in arch.log("big")]
    assert numbers == list(range(1, len(fractions) + 2))
    assert arch.verify() == []


def test_concurrent_adds_both_succeed(arch: Archive, seeds, tmp_path):
    paths = []
    for i in range(2):
        p = tmp_path / f"c{i}.txt"
        p.write_bytes(seeds["2019"].read_bytes() + f"\n{i}\n".encode())
        paths.append(p)
    dup = tmp_path / "dup.txt"
    dup.write_bytes(seeds["2021"].read_bytes())
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "policydiff", "--archive", str(arch.root), "archive", "add", str(p), str(dup),
             "--series", SERIES],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=subprocess_env(),
            text=True,
        )  # fmt: skip
        for p in paths
    ]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert sorted(v.version for v in arch.log(SERIES) if v.year == 2019) == [1, 2]
    statuses = sorted(out.splitlines()[1].split()[0] for out, _ in outputs)
    assert statuses == ["added", "exists"]  # the same bytes from both: stored once
    assert len(arch.list()) == 3
    assert arch.verify() == []


def test_catalog_rows_match_fields(filled: Archive):
    conn = sqlite3.connect(filled.catalog_path)
    cols = [row[1] for row in conn.execute("PRAGMA table_info(versions)")]
    conn.close()
    assert cols == list(FIELDS)


def test_verify_names_every_temp_file_and_rebuild_removes_stale_ones(filled: Archive):
    """Issue 17 item 13: the temp files of killed adds, rebuilds, derived-XML writes and searches are
    named by verify wherever they are; verify --rebuild removes those older than 10 minutes."""
    from policydiff.store.catalog import STALE_TMP_S, TMP_PREFIX
    from policydiff.store.search import search

    root = filled.root
    shard = next(p for p in (root / "objects").iterdir() if p.is_dir())
    planted = [root / f"{TMP_PREFIX}catalog-1a2b3c4d.sqlite", root / f"{TMP_PREFIX}catalog-1a2b3c4d.sqlite-journal",
               root / "versions" / f"{TMP_PREFIX}5e6f7a8b.tmp", shard / f"{TMP_PREFIX}0badcafe.tmp",
               root / "derived" / f"{TMP_PREFIX}deadbeef.tmp", root / "derived" / f"{TMP_PREFIX}search-4242.sqlite",
               root / "derived" / f"{TMP_PREFIX}search-4242.sqlite-journal", root / "derived" / ".search.sqlite.77.tmp"]
    for path in planted:
        path.write_bytes(b"half")
    old = time.time() - STALE_TMP_S - 60
    for path in planted[1:]:
        os.utime(path, (old, old))
    named = {n.where for n in filled.check().notes if "temp file" in n.message}
    assert named == {filled.rel(p) for p in planted}
    filled.rebuild()
    assert [p.exists() for p in planted] == [True] + [False] * (len(planted) - 1)  # the fresh one may be running
    assert search(str(root), "实名用户")  # a search leaves no temp file behind
    assert not [p for p in (root / "derived").iterdir() if p.name.startswith(TMP_PREFIX)]
