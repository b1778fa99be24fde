"""Hostile and odd input, through the real CLI (`python -m policydiff` in a subprocess).

Every case runs on a private copy of the bundled archive and checks: a clear one-line error on
stderr and a non-zero exit where the input is refused (or a correct result where it is legitimate
but odd), never a traceback or an "internal error", and an archive that is byte-for-byte unchanged
(except derived/search.sqlite, which `search` may rebuild) and still passes `archive verify`.
Small fixed inputs live in tests/bad_inputs/; large ones are generated here.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from hostile import (
    BAD_INPUTS,
    assert_error,
    assert_ok,
    assert_unchanged,
    assert_verify_clean,
    copy_archive,
    error_line,
    run_cli,
    snapshot,
)
from lxml import etree
from synth import cn

SERIES = "gd-digital-gov"
V2019 = "bb4411de091c99f4f9a5d049c35667f9e84c7b5f71e7b12fd49817ddcbee5d59"
V2021 = "1e6ecb035b5946900a4bd493c638d1f8c3b0ef7aedf86f0c2bb4a155270af25c"


@pytest.fixture
def arch(tmp_path: Path) -> Path:
    return copy_archive(tmp_path / "archive")


def _eids(xml: str) -> list[str]:
    root = etree.fromstring(xml.encode("utf-8"))
    return [el.get("eId") for el in root.iter() if el.get("eId")]


# ------------------------------------------------------------------------------------------ files
REFUSED = [
    ("empty.txt", "empty input"),
    ("whitespace_only.txt", "empty input"),
    ("image.png", "PNG image"),
    ("archive.zip", "ZIP archive"),
    ("program.elf", "ELF executable"),
    ("random_bytes.bin", "binary file"),
    ("random_bytes_no_nul.bin", "cannot decode"),
    ("truncated_utf8.txt", "truncated UTF-8"),
    ("truncated_gb18030.txt", "truncated GB18030"),
    ("truncated_gb18030_4byte.txt", "truncated GB18030"),
    ("utf16le_no_bom.txt", "UTF-16 text without a byte-order mark"),
    ("nul_inside.txt", "NUL bytes"),
]


@pytest.mark.parametrize(("name", "needle"), REFUSED, ids=[n for n, _ in REFUSED])
def test_bad_file_is_refused_by_every_command(arch, tmp_path, name, needle):
    path = BAD_INPUTS / name
    out = tmp_path / "out.html"
    before = snapshot(arch)
    for args in (["archive", "add", path, "--series", "bad", "--year", "2019"],
                 ["normalize", path],
                 ["targets", path, "--format", "csv"],
                 ["compare", f"{SERIES}@2019", path, "--format", "html", "-o", out]):
        r = run_cli(arch, *args, cwd=tmp_path)
        assert_error(r, name, needle, code=1)
        assert r.out == ""
    assert not out.exists()
    assert_unchanged(arch, before)


def test_document_without_chinese_is_processed(arch, tmp_path):
    path = BAD_INPUTS / "no_chinese.txt"
    r = run_cli(arch, "normalize", path)
    assert_ok(r)
    root = etree.fromstring(r.out.encode())
    assert "Reach 15 million users by 2020." in "".join(root.itertext())
    assert_ok(run_cli(arch, "targets", path, "--format", "json"))
    r = run_cli(arch, "archive", "add", path, "--series", "english")
    assert_ok(r)
    assert r.out.startswith("added english@2019 #1")
    assert_verify_clean(arch)


def test_numbering_that_jumps_and_repeats_gets_unique_ids(arch):
    path = BAD_INPUTS / "numbering_jumps_repeats.txt"
    r = run_cli(arch, "normalize", path)
    assert_ok(r)
    ids = _eids(r.out)
    assert len(ids) == len(set(ids)) and len(ids) >= 20
    assert {"sec_1__para_3", "sec_1__para_3_2", "sec_1_2"} <= set(ids)  # repeats get a suffix
    before = snapshot(arch)
    r = run_cli(arch, "compare", path, path, "--format", "json")
    assert_ok(r)
    data = json.loads(r.out)
    assert {m["status"] for m in data["matches"]} == {"unchanged"}
    assert_unchanged(arch, before)


def _deep_html(depth: int) -> str:
    return ("<html><head><title>页面</title></head><body>" + "<div><nav>首页</nav><span>层</span>" * depth
            + "<p>广东省数字政府2019年工作要点：实名用户总数达1500万。</p><script>alert('x')</script>"
            + "</div>" * depth + "</body></html>")


def test_html_with_10000_nested_elements(arch, tmp_path):
    page = tmp_path / "deep.html"
    page.write_text(_deep_html(10_000), encoding="utf-8")
    before = snapshot(arch)
    r = run_cli(arch, "normalize", page)
    assert_ok(r)
    assert "RecursionError" not in r.err
    text = "".join(etree.fromstring(r.out.encode()).itertext())
    # the innermost text survives (libxml2 alone stops at depth 256 and drops it); scripts and nav do not
    assert "实名用户总数达1500万" in text and "alert" not in text and "首页" not in text
    r = run_cli(arch, "targets", page, "--format", "json")
    assert_ok(r)
    assert [t["value"] for t in json.loads(r.out)] == [15000000]
    assert_unchanged(arch, before)


def test_xhtml_page_with_xml_declaration(arch):
    """lxml refuses a str with an encoding declaration; the page is still read as HTML, not kept as markup."""
    r = run_cli(arch, "normalize", BAD_INPUTS / "xml_declaration.xhtml")
    assert_ok(r)
    root = etree.fromstring(r.out.encode())
    text = "".join(root.itertext())
    assert "<p>" not in text and "tracker" not in text and "首页" not in text
    assert root.find(".//para").get("num") == "（一）" and "“一网通办”" in text
    r = run_cli(arch, "targets", BAD_INPUTS / "xml_declaration.xhtml", "--format", "json")
    assert [t["value"] for t in json.loads(r.out)] == [15000000]
    # metadata comes from the page's text, not its markup: year and kind are found
    r = run_cli(arch, "archive", "add", BAD_INPUTS / "xml_declaration.xhtml", "--series", "web")
    assert_ok(r)
    assert r.out.startswith("added web@2019 #1")
    r = run_cli(arch, "archive", "list", "--series", "web", "--format", "json")
    assert [(v["kind"], v["title"]) for v in json.loads(r.out)] == [("plan", "广东省数字政府2019年工作要点")]
    assert_verify_clean(arch)


# ------------------------------------------------------------------------------------------ sizes
def test_50_mb_file_is_refused_quickly_with_bounded_memory(arch, tmp_path):
    big = tmp_path / "big.txt"
    line = ("广东省数字政府2019年工作要点，推进政务服务一网通办。" * 20 + "\n").encode()
    with big.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    before = snapshot(arch)
    # a child's peak RSS includes what it inherited at fork from this (possibly large) pytest
    # process, so memory is judged against the same measurement of a run that reads nothing
    baseline = run_cli(arch, "--version").max_rss_kb
    for args in (["archive", "add", big, "--series", "big"], ["normalize", big], ["compare", big, f"{SERIES}@2019"]):
        r = run_cli(arch, *args, timeout=60)
        assert_error(r, "too large", "limit 20 MB", code=1)
        assert r.seconds < 30, r.seconds
        # the 50 MB file is never read whole
        assert r.max_rss_kb < baseline + 150 * 1024, f"{r.max_rss_kb} KB (baseline {baseline} KB)"
    assert_unchanged(arch, before)


def _one_line(path: Path, chars: int) -> None:
    unit = "推进政务服务一网通办，实名用户总数达1500万，"
    path.write_text("广东省2019年工作要点" + unit * (chars // len(unit)), encoding="utf-8")


def test_5_mb_line_is_refused_clearly(arch, tmp_path):
    path = tmp_path / "line.txt"
    _one_line(path, 2_000_000)  # 2 million characters, 5.5 MB of UTF-8, no newline
    assert path.stat().st_size > 5 * 1024 * 1024
    before = snapshot(arch)
    for args in (["normalize", path], ["targets", path], ["archive", "add", path, "--series", "line"]):
        r = run_cli(arch, *args, timeout=120)
        assert_error(r, "line 1 has", "characters without a line break", code=1)
        assert r.seconds < 30, r.seconds
    assert_unchanged(arch, before)


def test_long_line_under_the_limit_finishes(arch, tmp_path):
    path = tmp_path / "line.txt"
    _one_line(path, 450_000)  # ~18,000 targets on one line
    before = snapshot(arch)
    r = run_cli(arch, "targets", path, "--format", "json", timeout=180)
    assert_ok(r)
    assert len(json.loads(r.out)) > 15_000
    assert r.seconds < 90, r.seconds
    assert_unchanged(arch, before)


@pytest.mark.parametrize("shape", ["targets-in-one-clause", "paragraphs-in-one-body"])
def test_too_fragmented_document_is_refused(arch, tmp_path, shape):
    """XML validation is quadratic in the children of one element: past 20,000 the document is refused."""
    path = tmp_path / "frag.txt"
    if shape == "targets-in-one-clause":
        path.write_text("2019年工作要点\n一、总则\n（一）任务\n" + "\n".join(["达到50%，"] * 21_000), encoding="utf-8")
    else:
        path.write_text("\n".join(f"第{i}段没有小标题，内容较长。" for i in range(21_000)), encoding="utf-8")
    before = snapshot(arch)
    for args in (["normalize", path], ["archive", "add", path, "--series", "frag", "--year", "2019"]):
        r = run_cli(arch, *args, timeout=120)
        assert_error(r, "document too fragmented", "21,000 elements", "limit 20,000", code=1)
        assert r.seconds < 60, r.seconds
    assert_unchanged(arch, before)


def _plan(tasks: int) -> str:
    lines = ["广东省人民政府办公厅关于印发广东省数字政府2019年工作要点的通知", "粤办函〔2019〕87号"]
    for i in range(tasks):
        if i % 100 == 0:
            lines.append(f"{cn(i // 100 + 1)}、第{i // 100 + 1}部分")
        lines.append(f"（{cn(i % 100 + 1)}）推进第{i + 1}项任务。到2020年底，实名用户总数达{30_000 + i}万。"
                     "（省政务服务数据管理局牵头，省发展改革委配合）")
    return "\n".join(lines) + "\n"


def test_plan_with_10000_tasks(arch, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(_plan(10_000), encoding="utf-8")
    before = snapshot(arch)
    r = run_cli(arch, "normalize", path, timeout=300)
    assert_ok(r)
    ids = _eids(r.out)
    assert len(ids) == len(set(ids)) == 10_000 + 100
    assert r.seconds < 120, f"normalize took {r.seconds:.1f} s"
    r = run_cli(arch, "targets", path, "--format", "csv", timeout=300)
    assert_ok(r)
    assert len(r.out.splitlines()) == 10_000 + 1
    assert r.seconds < 120, f"targets took {r.seconds:.1f} s"
    assert_unchanged(arch, before)


# ------------------------------------------------------------------------------------ series, REFs
BAD_SERIES = ["../x", "/", "a/b", "x" * 300, "", "Upper"]


@pytest.mark.parametrize("series", BAD_SERIES, ids=["dotdot", "slash", "a-slash-b", "300-chars", "empty", "upper"])
def test_bad_series_names(arch, tmp_path, seeds, series):
    before = snapshot(arch)
    for args in (["archive", "add", seeds["2019"], "--series", series], ["archive", "log", series],
                 ["report", series, "-o", tmp_path / "rep"], ["track", "数字", "--series", series],
                 ["search", "数字", "--series", series]):
        r = run_cli(arch, *args, cwd=tmp_path)
        line = assert_error(r, "series", code=2)
        assert len(line) < 300  # a 300-character name is shortened in the message
    assert not (tmp_path / "rep").exists()
    assert_unchanged(arch, before)


def test_series_name_with_nul(arch, seeds, cli):
    """NUL cannot travel in argv, so this one goes through main() in-process."""
    before = snapshot(arch)
    code, out, err = cli("--archive", arch, "archive", "add", seeds["2019"], "--series", "a\x00b")
    assert code == 2 and err.startswith("policydiff: error: bad series name 'a\\x00b'") and err.count("\n") == 1
    code, out, err = cli("--archive", arch, "normalize", "a\x00b@2019")
    assert code == 2 and err.startswith("policydiff: error: ") and "Traceback" not in err
    assert_unchanged(arch, before)


BAD_REFS = [
    ("nope@2019", "unknown series: nope"),
    (f"{SERIES}@2018", "no version"),
    (f"{SERIES}@2019#7", "no version"),
    (f"{SERIES}@1800", "bad year"),
    ("abc", "unknown REF"),
    ("ffff", "no version id starts with ffff"),
    ("missing-file.txt", "unknown REF"),
    ("a-directory", "is a directory"),
    ("a-fifo", "not a regular file"),
    ("/dev/null", "not a regular file"),
]


@pytest.mark.parametrize(("ref", "needle"), BAD_REFS, ids=[r for r, _ in BAD_REFS])
def test_refs_that_do_not_resolve(arch, tmp_path, ref, needle):
    (tmp_path / "a-directory").mkdir()
    os.mkfifo(tmp_path / "a-fifo")
    before = snapshot(arch)
    for args in (["normalize", ref], ["compare", f"{SERIES}@2019", ref]):
        r = run_cli(arch, *args, cwd=tmp_path, timeout=60)
        assert_error(r, needle, code=2)
    assert_unchanged(arch, before)


def test_ambiguous_id_prefix(arch, tmp_path, seeds):
    base = seeds["2019"].read_bytes()
    first: dict[str, bytes] = {}
    for i in range(1_000_000):  # two versions whose ids share 4 hex digits (birthday: ~300 tries)
        data = base + f"\n{i}\n".encode()
        prefix = hashlib.sha256(data).hexdigest()[:4]
        if prefix in first:
            break
        first[prefix] = data
    paths = [tmp_path / "v0.txt", tmp_path / "v1.txt"]
    paths[0].write_bytes(first[prefix])
    paths[1].write_bytes(data)
    assert_ok(run_cli(arch, "archive", "add", *paths, "--series", "twins"))
    before = snapshot(arch)
    r = run_cli(arch, "normalize", prefix)
    assert_error(r, f"ambiguous id prefix {prefix}", "matches 2 versions", code=2)
    r = run_cli(arch, "compare", prefix, f"{SERIES}@2019")
    assert_error(r, "ambiguous", code=2)
    assert_unchanged(arch, before)


# ---------------------------------------------------------------------------- hostile stored XML
@pytest.mark.parametrize("template", ["xxe_derived.xml", "entity_bomb_derived.xml"])
def test_hostile_derived_xml(arch, tmp_path, template):
    """XML the archive reads back (derived/<id>.xml) with an external entity or an entity bomb."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9", encoding="utf-8")
    fresh = copy_archive(tmp_path / "fresh")  # what the pipeline builds from the archived bytes
    (fresh / "derived" / f"{V2019}.xml").unlink()
    pristine = run_cli(fresh, "normalize", f"{SERIES}@2019")
    assert_ok(pristine)
    planted = arch / "derived" / f"{V2019}.xml"
    planted.write_text((BAD_INPUTS / template).read_text(encoding="utf-8")
                       .replace("{SHA}", V2019).replace("{SECRET}", str(secret)), encoding="utf-8")
    before = snapshot(arch)
    r = run_cli(arch, "archive", "verify")
    line = assert_error(r, "verify: 1 problem", code=1)
    assert f"problem: {SERIES}@2019#1 ({V2019[:12]}): stored XML invalid" in r.out
    outputs = [r.out, r.err, line]
    # the loader does not trust it: it rebuilds the document from the archived bytes
    r = run_cli(arch, "normalize", f"{SERIES}@2019")
    assert_ok(r)
    assert r.out == pristine.out
    outputs += [r.out, r.err]
    for args in (["targets", f"{SERIES}@2019", "--format", "csv"],
                 ["compare", f"{SERIES}@2016", f"{SERIES}@2019", "--format", "json"],
                 ["track", "实名用户"], ["search", "实名用户"], ["archive", "show", f"{SERIES}@2019"]):
        r = run_cli(arch, *args)
        assert_ok(r)
        outputs += [r.out, r.err]
    assert r.seconds < 30
    assert not any("TOP-SECRET" in o for o in outputs)
    assert_unchanged_but_planted(arch, before)
    r = run_cli(arch, "archive", "verify", "--rebuild")  # repairs it
    assert_ok(r)
    assert "TOP-SECRET" not in planted.read_text(encoding="utf-8")
    assert_verify_clean(arch)


def assert_unchanged_but_planted(arch: Path, before: dict[str, str]) -> None:
    assert snapshot(arch) == before  # nobody rewrote the planted file behind verify's back


# ---------------------------------------------------------------------------- damaged archives
def _catalog_edit(arch: Path, sql: str) -> None:
    conn = sqlite3.connect(arch / "catalog.sqlite")
    conn.execute(sql)
    conn.commit()
    conn.close()


def _rewrite(path: Path, data: bytes) -> None:
    path.chmod(0o644)
    path.write_bytes(data)


OBJ = f"objects/{V2021[:2]}/{V2021}"
SIDECAR = f"versions/{V2021}.json"
DAMAGE = {
    # name: (damage, words verify must print, versions after --rebuild, verify clean after --rebuild)
    "catalog-deleted": (lambda a: (a / "catalog.sqlite").unlink(), ["catalog.sqlite: missing"], 5, True),
    "catalog-truncated": (lambda a: _rewrite(a / "catalog.sqlite", (a / "catalog.sqlite").read_bytes()[:3000]),
                          ["catalog.sqlite:"], 5, True),
    "catalog-garbage": (lambda a: _rewrite(a / "catalog.sqlite", b"SQLite format 3\x00" + b"\xff" * 5000),
                        ["catalog.sqlite: unreadable"], 5, True),
    "catalog-row-edited": (lambda a: _catalog_edit(a, "UPDATE versions SET title = 'edited' WHERE year = 2021"),
                           [f"{SERIES}@2021#1", "sidecar differs from the catalog (title)"], 5, True),
    "catalog-row-deleted": (lambda a: _catalog_edit(a, "DELETE FROM versions WHERE year = 2021"),
                            [f"note: {SIDECAR}: not in catalog"], 5, True),
    "object-deleted": (lambda a: (a / OBJ).unlink(), [f"{SERIES}@2021#1", "object missing"], 4, False),
    "object-truncated": (lambda a: _rewrite(a / OBJ, (a / OBJ).read_bytes()[:-100]),
                         [f"{OBJ}: content does not match its id", "object is corrupt"], 4, False),
    "object-edited": (lambda a: _rewrite(a / OBJ, (a / OBJ).read_bytes().replace("。".encode(), "；".encode(), 1)),
                      [f"{OBJ}: content does not match its id"], 4, False),
    "sidecar-deleted": (lambda a: (a / SIDECAR).unlink(), ["sidecar missing"], 5, True),
    "sidecar-garbage": (lambda a: _rewrite(a / SIDECAR, b"{not json"), ["sidecar unreadable"], 5, True),
    "sidecar-edited": (lambda a: _rewrite(a / SIDECAR, (a / SIDECAR).read_bytes().replace(b'"year": 2021', b'"year": 1999')),
                       ["sidecar differs from the catalog (year)"], 5, True),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_archive_verify_names_it_and_rebuild_recovers(arch, damage):
    do, words, versions_after, clean_after = DAMAGE[damage]
    do(arch)
    r = run_cli(arch, "archive", "verify")
    problems = r.out + r.err
    if damage == "catalog-row-deleted":  # the sidecar still holds the version: a note, not a problem
        assert_ok(r)
    else:
        assert_error(r, "verify:", "problem", code=1)
    for word in words:
        assert word in problems, problems
    damaged = snapshot(arch)
    for args in (["archive", "list"], ["normalize", f"{SERIES}@2019"], ["search", "实名用户"], ["track", "实名用户"]):
        r = run_cli(arch, *args)
        if r.code:
            error_line(r)  # a clean refusal ("run verify --rebuild") is fine, a crash is not
        else:
            assert_ok(r)
    assert snapshot(arch) == damaged  # reading a damaged archive does not change it
    r = run_cli(arch, "archive", "verify", "--rebuild")
    assert f"rebuilt: {versions_after} versions in catalog" in r.out, str(r) + r.out
    if clean_after:
        assert_ok(r)
        assert_verify_clean(arch)
    else:  # the lost document cannot come back from nothing; everything else is intact and named
        assert_error(r, "verify:", code=1)
        assert f"skipped: {SERIES}@2021#1" in r.out
    listed = run_cli(arch, "archive", "list", "--format", "json")
    assert_ok(listed)
    assert len(json.loads(listed.out)) == versions_after
    if damage == "sidecar-edited":  # the catalog follows the sidecars: the hand edit wins
        assert any(v["year"] == 1999 for v in json.loads(listed.out))


# ----------------------------------------------------------------------------- read-only archive
def _without_dac_override() -> None:
    """In the child: drop root's power to ignore file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone after the exec
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _chmod_tree(root: Path, remove: int) -> None:
    for dirpath, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            p = Path(dirpath, name)
            p.chmod(stat.S_IMODE(p.stat().st_mode) & ~remove)
    root.chmod(stat.S_IMODE(root.stat().st_mode) & ~remove)


def test_read_only_archive(arch, tmp_path, seeds):
    other = tmp_path / "other.txt"
    other.write_bytes(seeds["2019"].read_bytes() + b"\n")
    before = {k: v.split(" ", 1)[1] for k, v in snapshot(arch).items()}  # contents; the modes change here
    _chmod_tree(arch, 0o222)
    preexec = None
    if os.geteuid() == 0:
        # chmod does not stop root; a child without CAP_DAC_OVERRIDE is stopped like any user
        try:
            dropped = run_cli(None, "--version", preexec_fn=_without_dac_override).code == 0
        except (subprocess.SubprocessError, OSError):  # an error in preexec_fn surfaces here
            dropped = False
        if not dropped:
            pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE: chmod cannot make the archive read-only")
        preexec = _without_dac_override
    for args in (["archive", "list"], ["archive", "verify"], ["normalize", f"{SERIES}@2019"],
                 ["targets", f"{SERIES}@2021", "--format", "json"], ["lineage", SERIES],
                 ["compare", f"{SERIES}@2019", f"{SERIES}@2021", "--format", "md"],
                 ["search", "实名用户"], ["track", "实名用户", "--format", "csv"],
                 ["report", SERIES, "-o", tmp_path / "rep"],
                 ["archive", "add", seeds["2019"], "--series", SERIES]):  # already archived: no write needed
        r = run_cli(arch, *args, preexec_fn=preexec, cwd=tmp_path)
        assert_ok(r)
    assert r.out.startswith("exists ")
    for args in (["archive", "add", other, "--series", SERIES], ["archive", "verify", "--rebuild"]):
        r = run_cli(arch, *args, preexec_fn=preexec)
        assert_error(r, "archive not writable", code=1)
    assert {k: v.split(" ", 1)[1] for k, v in snapshot(arch).items()} == before
    _chmod_tree(arch, 0)
    for dirpath, _dirs, _files in os.walk(arch):
        Path(dirpath).chmod(0o755)
    assert_verify_clean(arch)


# ------------------------------------------------------------------------------ queries, outputs
@pytest.mark.parametrize("query", ['"', 'a"b"c', "数据*", "NEAR(数据", "%", "_", "AND OR NOT", "{数字}", "^数字", ":"])
def test_odd_search_and_track_queries(arch, query):
    before = snapshot(arch)
    r = run_cli(arch, "search", query, "--format", "json")
    assert_ok(r)
    assert isinstance(json.loads(r.out), list)
    r = run_cli(arch, "track", query, "--format", "json")
    assert_ok(r)
    assert "trajectories" in json.loads(r.out)
    assert_unchanged(arch, before)


def test_refused_search_queries(arch):
    before = snapshot(arch)
    assert_error(run_cli(arch, "search", " "), "empty search query", code=2)
    assert_error(run_cli(arch, "search", "数" * 201), "longer than 200", code=2)
    assert_unchanged(arch, before)


def test_search_index_damaged_or_blocked(arch):
    index = arch / "derived" / "search.sqlite"
    index.write_bytes(b"garbage" * 100)
    r = run_cli(arch, "search", "实名用户")
    assert_ok(r)
    assert "实名用户" in r.out
    index.unlink()
    index.mkdir()  # something else in the index's place: search in memory, leave nothing behind
    before = snapshot(arch)
    r = run_cli(arch, "search", "实名用户")
    assert_ok(r)
    assert "实名用户" in r.out
    assert sorted(p.name for p in (arch / "derived").iterdir() if not p.name.endswith((".xml", ".digest"))) == [
        "search.sqlite"]
    assert_unchanged(arch, before)


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\u0085", "\r\n"])
def test_unicode_line_separators_split_lines(arch, tmp_path, seeds, brk):
    """Issue 17 item 10: lines separated by U+2028, U+2029 or NEL are lines, like LF and CRLF."""
    text = seeds["2019"].read_text(encoding="utf-8")
    plain, odd = tmp_path / "plain.txt", tmp_path / "odd.txt"
    plain.write_text(text, encoding="utf-8")
    odd.write_bytes(text.replace("\n", brk).encode("utf-8"))
    xml = {}
    for path in (plain, odd):
        r = run_cli(arch, "normalize", path)
        assert_ok(r)
        xml[path.name] = r.out
    assert _eids(xml["odd.txt"]) == _eids(xml["plain.txt"]) and len(_eids(xml["plain.txt"])) > 20
    assert brk not in xml["odd.txt"]
    # one long "line" of separators is not one line over the limit
    long = tmp_path / "long.txt"
    long.write_bytes((text + brk.join(["（九十九）建设平台。" * 20] * 4000)).encode("utf-8"))
    r = run_cli(arch, "targets", long, "--format", "json")
    assert "characters without a line break" not in r.err, r.err


def test_search_in_an_archive_whose_path_has_uri_characters(tmp_path):
    """Issue 17 item 11: the SQLite URI is percent-encoded: `#`, `?` and `%41` in the archive path
    neither break search, nor create files outside the archive, nor rebuild the index every time."""
    parent = tmp_path / "a#b?c%41"
    arch = copy_archive(parent / "archive")
    around = sorted(p.name for p in tmp_path.rglob("*") if not p.is_relative_to(arch))
    r = run_cli(arch, "search", "实名用户")
    assert_ok(r)
    assert "实名用户" in r.out
    index = arch / "derived" / "search.sqlite"
    assert index.is_file()
    stamp = index.stat().st_mtime_ns, index.stat().st_ino
    r2 = run_cli(arch, "search", "实名用户")
    assert_ok(r2)
    assert r2.out == r.out
    assert (index.stat().st_mtime_ns, index.stat().st_ino) == stamp  # the stored index was used, not rebuilt
    assert sorted(p.name for p in tmp_path.rglob("*") if not p.is_relative_to(arch)) == around
    assert_verify_clean(arch)


def test_search_says_when_its_limit_cut_the_results(arch):
    """Issue 17 item 12: `search --limit N` (default 200) and a warning on stderr when more matched."""
    r = run_cli(arch, "search", "数据", "--format", "json")
    assert_ok(r)
    total = len(json.loads(r.out))
    assert 3 < total < 200 and "more than" not in r.err
    r = run_cli(arch, "search", "数据", "--format", "json", "--limit", "3")
    assert_ok(r)
    assert len(json.loads(r.out)) == 3
    assert "more than 3 clauses match" in r.err and len(r.err.splitlines()) == 1
    r = run_cli(arch, "search", "数据", "--limit", str(total))
    assert_ok(r)
    assert r.err == "" and len(r.out.splitlines()) == total + 2
    for bad in ("0", "-1", "x"):
        assert_error(run_cli(arch, "search", "数据", "--limit", bad), "--limit", code=2)


def test_report_never_replaces_a_folder_that_is_not_a_report(arch, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious", encoding="utf-8")
    before = snapshot(arch)
    r = run_cli(arch, "report", SERIES, "-o", mine, cwd=tmp_path)
    assert_error(r, "not a policydiff report", code=1)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    for out in (".", "..", "", arch, arch / "derived" / "rep"):
        r = run_cli(arch, "report", SERIES, "-o", out, cwd=tmp_path)
        error_line(r)
    assert_error(run_cli(arch, "report", SERIES, "-o", mine / "notes.txt"), "is a file", code=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "mine"]  # no temp folders left
    # a previous report is replaced as a whole
    assert_ok(run_cli(arch, "report", "jieyang-digital-gov", "-o", tmp_path / "rep"))
    assert_ok(run_cli(arch, "report", SERIES, "-o", tmp_path / "rep"))
    assert "2019-2020.html" in os.listdir(tmp_path / "rep")
    assert_unchanged(arch, before)


def test_report_never_replaces_a_folder_with_a_foreign_manifest(arch, tmp_path):
    """Issue 17 item 1: a MANIFEST.json alone does not make a folder a report: only one that lists
    exactly the (regular) files there, in policydiff's own format, is replaced."""
    real = tmp_path / "real"
    assert_ok(run_cli(arch, "report", SERIES, "-o", real))
    listed = json.loads((real / "MANIFEST.json").read_text(encoding="utf-8"))["files"]
    cases = {
        "empty object": ({}, {"src/main.c": "int main;"}),
        "not an object": ([], {"a.txt": "x"}),
        "lists too little": ({"series": "s", "files": ["a.txt"], "complete": True}, {"a.txt": "x", "b.txt": "y"}),
        "lists too much": ({"series": "s", "files": ["a.txt", "b.txt"], "complete": True}, {"a.txt": "x"}),
        "not complete": ({"series": "s", "files": ["a.txt"], "complete": False}, {"a.txt": "x"}),
        "extra key": ({"series": "s", "files": ["a.txt"], "complete": True, "x": 1}, {"a.txt": "x"}),
        "a path": ({"series": "s", "files": ["../a.txt"], "complete": True}, {"a.txt": "x"}),
        "a subfolder": ({"series": "s", "files": ["src"], "complete": True}, {"src/a.txt": "x"}),
        "a real report plus a file": (None, {"notes.txt": "precious"}),
    }
    for label, (manifest, files) in cases.items():
        mine = tmp_path / "mine"
        if manifest is None:
            shutil.copytree(real, mine)
        else:
            mine.mkdir()
            (mine / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
        for name, text in files.items():
            (mine / name).parent.mkdir(parents=True, exist_ok=True)
            (mine / name).write_text(text, encoding="utf-8")
        before = sorted(str(p.relative_to(mine)) for p in mine.rglob("*"))
        r = run_cli(arch, "report", SERIES, "-o", mine)
        assert_error(r, "not a policydiff report", code=1)
        assert sorted(str(p.relative_to(mine)) for p in mine.rglob("*")) == before, label
        shutil.rmtree(mine)
    # a real report is still replaced, and so is an empty folder
    assert_ok(run_cli(arch, "report", SERIES, "-o", real))
    assert sorted(json.loads((real / "MANIFEST.json").read_text(encoding="utf-8"))["files"]) == sorted(listed)
    (tmp_path / "empty").mkdir()
    assert_ok(run_cli(arch, "report", SERIES, "-o", tmp_path / "empty"))


def test_outputs_never_go_into_the_archive_or_over_special_files(arch, tmp_path):
    before = snapshot(arch)
    for target in (arch / "catalog.sqlite", arch / "derived" / "x.xml", arch):
        r = run_cli(arch, "normalize", f"{SERIES}@2019", "-o", target)
        error_line(r)
    assert_unchanged(arch, before)
    # a symlink keeps pointing at its file, a FIFO stays a FIFO
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert_ok(run_cli(arch, "compare", f"{SERIES}@2019", f"{SERIES}@2021", "-o", link))
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["new"]["year"] == 2021
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert_ok(run_cli(arch, "normalize", f"{SERIES}@2019", "-o", fifo))
    reader.join(30)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and got and got[0].startswith(b"<?xml")


def test_full_disk_on_stdout(arch):
    with open("/dev/full", "wb") as full:
        r = run_cli(arch, "normalize", f"{SERIES}@2019", stdout=full)
    assert_error(r, "No space left on device", code=1)
