"""Corpus mode: `batch add` a folder tree, `batch compare` every consecutive pair on each engine."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from seedlib import mirror_damage, seed_bytes, seed_doc, seed_text
from synth import mutate

from policydiff.read.version import NORMALIZER_VERSION
from policydiff.series import batch, engines, tables
from policydiff.series.pairs import PAIR_FORMAT, compare_pair, load_xml, pair_bytes, plan_pairs
from policydiff.store.archive import Archive

KEYS = ("2019", "2021", "2016", "jieyang")
N_SERIES = 12
PAIRS = sum(2 + i % 2 for i in range(N_SERIES))  # 3 or 4 versions per series
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
RECORD_KEYS = {"format", "policydiff", "normalizer", "series", "old_ref", "new_ref", "old_id", "new_id", "corrections",
               "comparison"}


def make_corpus(root: Path) -> None:
    """12 series x 3-4 versions as <Series>/<year>.txt, some with mirror damage, plus a PNG."""
    for i in range(N_SERIES):
        doc = seed_doc(KEYS[i % len(KEYS)])
        folder = root / f"S{i:02d}-{KEYS[i % len(KEYS)]}"  # upper case: series names are lower-cased
        folder.mkdir(parents=True)
        for k in range(3 + i % 2):
            text = mutate(doc, seed=100 * i + k).text
            if (i + k) % 3 == 0:
                text = mirror_damage(text, seed=7 * i + k)
            (folder / f"{2018 + k}.txt").write_text(text, encoding="utf-8")
    (root / "broken").mkdir()
    (root / "broken" / "2020-scan.png").write_bytes(PNG)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    make_corpus(root)
    return root


@pytest.fixture(scope="module")
def archive(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    arch = Archive(tmp_path_factory.mktemp("batch") / "archive")
    report = batch.add_tree(arch, corpus)
    assert report.count("added") == len(report.outcomes) - 1
    return arch


@pytest.fixture(scope="module")
def local_out(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs of the local engine (2 processes); tests copy before changing anything."""
    out = tmp_path_factory.mktemp("local") / "out"
    report = batch.run_batch(archive, out, engine="local", workers=2)
    assert report.computed == PAIRS and not report.failed
    return out


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------ batch add
def test_batch_add_reports_and_skips_the_bad_file(cli, corpus, tmp_path):
    code, out, err = cli("--archive", tmp_path / "a", "batch", "add", corpus)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "skipped  broken/2020-scan.png: binary file (a PNG image), not a text document" in lines
    assert lines[-1] == f"{PAIRS + N_SERIES + 1} files: {PAIRS + N_SERIES} added, 0 existing, 1 skipped"
    assert lines[0].startswith("added    s00-2019@2018 #1 ") and lines[0].endswith("  S00-2019/2018.txt")
    arch = Archive(tmp_path / "a")
    assert [v.year for v in arch.log("s03-jieyang")] == [2018, 2019, 2020, 2021]
    assert {v.filename for v in arch.log("s01-2021")} == {f"S01-2021/{y}.txt" for y in range(2018, 2022)}
    # a rerun adds nothing and still says what it skipped
    code, out, _ = cli("--archive", tmp_path / "a", "batch", "add", corpus)
    assert code == 0
    assert out.splitlines()[-1] == f"{PAIRS + N_SERIES + 1} files: 0 added, {PAIRS + N_SERIES} existing, 1 skipped"
    assert out.splitlines()[0].startswith("exists   s00-2019@2018 #1 ")


def test_batch_add_exit_codes(cli, tmp_path):
    (tmp_path / "bad" / "x").mkdir(parents=True)
    (tmp_path / "bad" / "x" / "2020.png").write_bytes(PNG)
    (tmp_path / "bad" / "x" / "2021.txt").write_bytes(b"")
    (tmp_path / "bad" / ".hidden").write_bytes(PNG)  # hidden files are not documents
    code, out, err = cli("--archive", tmp_path / "a", "batch", "add", tmp_path / "bad")
    assert code == 1
    assert out.splitlines() == ["skipped  x/2020.png: binary file (a PNG image), not a text document",
                                "skipped  x/2021.txt: empty input (no text)",
                                "2 files: 0 added, 0 existing, 2 skipped"]
    assert err == "policydiff: error: batch add: none of the 2 files could be archived\n"
    (tmp_path / "empty").mkdir()
    code, _, err = cli("--archive", tmp_path / "a", "batch", "add", tmp_path / "empty")
    assert code == 1 and err.startswith("policydiff: error: batch add: no files under ")
    code, _, err = cli("--archive", tmp_path / "a", "batch", "add", tmp_path / "nope")
    assert code == 2 and len(err.splitlines()) == 1


def test_series_from_pattern(cli, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "gd-plan_2019.txt").write_bytes(seed_text("2019").encode())
    (flat / "gd-plan_2021.txt").write_bytes(seed_text("2021").encode())
    (flat / "README").write_text("notes", encoding="utf-8")
    pattern = r"^(?P<series>[a-z-]+)_(?P<year>\d{4})\.txt$"
    code, out, _ = cli("--archive", tmp_path / "a", "batch", "add", flat, "--series-from", pattern)
    assert code == 0
    assert out.splitlines()[0] == f"skipped  README: path does not match --series-from {pattern!r}"
    assert [v.ref for v in Archive(tmp_path / "a").log("gd-plan")] == ["gd-plan@2019#1", "gd-plan@2021#1"]
    # without a year group the year is detected from the text (粤办函〔2019〕87号 → 2019)
    (tmp_path / "other" / "Detected").mkdir(parents=True)
    (tmp_path / "other" / "Detected" / "plan.txt").write_bytes(seed_text("2019").encode() + b"\n")
    code, out, _ = cli("--archive", tmp_path / "a", "batch", "add", tmp_path / "other", "--series-from",
                       r"(?P<series>[^/]+)/[^/]+$")
    assert code == 0 and out.startswith("added    detected@2019 #1 ")
    code, _, err = cli("--archive", tmp_path / "a", "batch", "add", flat, "--series-from", r"(?P<year>\d{4})")
    assert code == 2 and "has no named group (?P<series>" in err
    code, _, err = cli("--archive", tmp_path / "a", "batch", "add", flat, "--series-from", "(")
    assert code == 2 and err.startswith("policydiff: error: bad --series-from pattern")


# -------------------------------------------------------------------------- batch compare
def test_engines_write_identical_bytes(cli, archive, local_out, tmp_path):
    """serial (in-process), local (2 processes) and Dask (LocalCluster) give the same files."""
    outs = {"local": files(local_out)}
    for engine, extra in (("serial", ["--workers", "1"]), ("dask", ["--engine", "dask", "--workers", "2"])):
        code, out, err = cli("--archive", archive.root, "batch", "compare", "-o", tmp_path / engine, *extra)
        assert code == 0, err
        assert err == ""  # no progress bar when stderr is not a terminal, no Dask log noise
        lines = out.splitlines()
        assert lines[0] == f"pairs: {PAIRS} in {N_SERIES} series: {PAIRS} compared, 0 up to date, 0 failed"
        assert lines[1].startswith("tables: ") and len(lines) == 2
        outs[engine] = files(tmp_path / engine)
    assert len(outs["local"]) == PAIRS + 2
    assert outs["serial"] == outs["local"] == outs["dask"]


def test_pair_record_is_compare_output(archive, local_out):
    from policydiff.match.compare import compare
    from policydiff.store.loader import load_version

    old, new = archive.log("s02-2016")[1:3]
    path = local_out / "pairs" / "s02-2016" / "2019-1__2020-1.json"
    data = path.read_bytes()
    rec = json.loads(data)
    assert set(rec) == RECORD_KEYS
    assert (rec["series"], rec["old_ref"], rec["new_ref"]) == ("s02-2016", old.ref, new.ref)
    assert (rec["old_id"], rec["new_id"]) == (old.id, new.id)
    assert rec["format"] == PAIR_FORMAT and rec["normalizer"] == [NORMALIZER_VERSION, NORMALIZER_VERSION]
    assert set(rec["comparison"]) == {"old", "new", "matches", "containers", "targets", "summary"}
    # the same change model `policydiff compare` computes, and the same bytes when run again
    assert rec["comparison"] == compare(load_version(archive, old), load_version(archive, new)).to_dict()
    again = compare_pair(archive.xml(old), archive.xml(new), old.ref, new.ref)
    assert pair_bytes(again) == data
    assert data.endswith(b"}\n") and data.count(b"\n") == 1


def test_target_tables(archive, local_out):
    records = [json.loads(p.read_bytes()) for p in sorted((local_out / "pairs").glob("*/*.json"))]
    expected = sum(len(r["comparison"]["targets"]) for r in records)
    assert expected > 100
    rows = json.loads((local_out / "target_changes.json").read_text(encoding="utf-8"))
    assert (local_out / "target_changes.csv").read_bytes().startswith(b"\xef\xbb\xbfseries,")  # a BOM, for Excel
    table = list(csv.reader(io.StringIO((local_out / "target_changes.csv").read_text(encoding="utf-8-sig"))))
    assert table[0] == list(tables.TABLE_COLUMNS)
    assert len(rows) == len(table) - 1 == expected
    assert all(list(r) == list(tables.TABLE_COLUMNS) for r in rows)
    # rows follow series, then version order; each names its pair
    pairs = [(r["series"], r["old_ref"], r["new_ref"]) for r in rows]
    order = [(j.series, j.old.ref, j.new.ref) for j in plan_pairs(archive)]
    assert sorted(set(pairs), key=order.index) == [p for i, p in enumerate(pairs) if p not in pairs[:i]]
    changes = {r["change"] for r in rows}
    assert {"tightened", "loosened"} <= changes
    moved = next(r for r in rows if r["change"] == "tightened")
    assert moved["old_value"] is not None and moved["new_value"] is not None and moved["reason"]


def test_resume_recomputes_only_missing_or_broken_pairs(cli, archive, local_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(local_out, out)
    before = files(out)
    gone = out / "pairs" / "s05-2021" / "2019-1__2020-1.json"
    torn = out / "pairs" / "s10-2016" / "2018-1__2019-1.json"
    gone.unlink()
    torn.write_bytes(before[torn.relative_to(out).as_posix()][:1000])
    stale = out / "pairs" / "s00-2019" / "2017-1__2018-1.json"  # no such pair in the archive
    stale.write_bytes(b"{}")
    (out / "target_changes.csv").unlink()
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "pairs").glob("*/*.json")}

    code, text, err = cli("--archive", archive.root, "batch", "compare", "-o", out, "--workers", "2")
    assert code == 0, err
    assert text.splitlines() == [
        f"pairs: {PAIRS} in {N_SERIES} series: 2 compared, {PAIRS - 2} up to date, 0 failed",
        f"tables: {len(json.loads(before['target_changes.json']))} target changes from {PAIRS} pair files "
        f"-> {out / 'target_changes.csv'}, {out / 'target_changes.json'}",
        "note: 1 pair file(s) left out of the tables (stale or incomplete), e.g. pairs/s00-2019/2017-1__2018-1.json",
    ]
    stale.unlink()
    assert files(out) == before
    touched = [p for p, t in mtimes.items() if p.exists() and p.stat().st_mtime_ns != t]
    assert touched == [torn]


def test_series_selection_and_option_errors(cli, archive, tmp_path):
    code, out, _ = cli("--archive", archive.root, "batch", "compare", "-o", tmp_path / "o", "-s", "s03-jieyang",
                       "-s", "s00-2019", "--workers", "1")
    assert code == 0
    assert out.splitlines()[0] == "pairs: 5 in 2 series: 5 compared, 0 up to date, 0 failed"
    assert sorted(p.parent.name for p in (tmp_path / "o" / "pairs").glob("*/*.json")) == ["s00-2019"] * 2 + [
        "s03-jieyang"] * 3
    for args, message in [
        (["-s", "nope"], "unknown series: nope"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "--workers sizes a local"),
        (["--workers", "0"], "Invalid value for '--workers'"),
    ]:
        code, _, err = cli("--archive", archive.root, "batch", "compare", "-o", tmp_path / "o", *args)
        assert code == 2 and message in err and len(err.splitlines()) == 1, err


def test_dask_not_installed_is_one_line(cli, archive, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    code, out, err = cli("--archive", archive.root, "batch", "compare", "-o", tmp_path / "o", "--engine", "dask")
    assert code == 1 and out == ""
    assert err == "policydiff: error: --engine dask needs Dask: pip install 'policydiff[dask]'\n"


def test_a_failing_pair_is_reported_and_the_rest_done(cli, archive, tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(archive.root, root)
    arch = Archive(root)
    lost = arch.log("s04-2019")[1]  # in two pairs
    arch.derived_path(lost.id, "xml").unlink()
    arch.object_path(lost.id).unlink()
    code, out, err = cli("--archive", root, "batch", "compare", "-o", tmp_path / "o", "--workers", "2")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("failed  s04-2019@2018#1 → s04-2019@2019#1: object missing for s04-2019@2019#1")
    assert lines[1].startswith("failed  s04-2019@2019#1 → s04-2019@2020#1: object missing")
    assert lines[2] == f"pairs: {PAIRS} in {N_SERIES} series: {PAIRS - 2} compared, 0 up to date, 2 failed"
    assert err == "policydiff: error: batch compare: 2 pairs failed (rerun to retry them)\n"
    assert len(list((tmp_path / "o" / "pairs").glob("*/*.json"))) == PAIRS - 2


def test_stale_stored_xml_is_rebuilt_not_trusted(archive, tmp_path):
    """The parent reads stored XML without validating it: a wrong file must still give right results."""
    from policydiff.model import planxml

    root = tmp_path / "archive"
    shutil.copytree(archive.root, root)
    arch = Archive(root)
    a, b = arch.log("s07-jieyang")[:2]
    right = planxml.from_bytes(archive.xml(a)).text
    arch.derived_path(a.id, "xml").write_bytes(arch.derived_path(b.id, "xml").read_bytes())  # b's XML as a's
    doc = planxml.from_bytes(load_xml(arch, a))
    assert doc.meta.sha256 == a.id and doc.text == right
    arch.derived_path(a.id, "xml").write_bytes(b"<document><meta/>")  # torn
    doc = planxml.from_bytes(load_xml(arch, a))
    assert doc.meta.sha256 == a.id and doc.text == right


def test_archive_inside_the_tree_is_not_added(cli, tmp_path):
    tree = tmp_path / "docs"
    (tree / "gd").mkdir(parents=True)
    (tree / "gd" / "2019.txt").write_bytes(seed_bytes("2019"))
    for _ in range(2):  # the second run would see the archive's objects, sidecars and XML
        code, out, _ = cli("--archive", tree / "archive", "batch", "add", tree)
        assert code == 0 and len(out.splitlines()) == 2, out
    assert out.splitlines()[-1] == "1 file: 0 added, 1 existing, 0 skipped"


class _FakeClient:
    """Just enough of dask.distributed.Client for the pre-flight check of a remote cluster."""

    def __init__(self, run):
        self._run = run

    def wait_for_workers(self, n, timeout):
        return None

    def run(self, fn):
        return self._run(fn)


def test_remote_workers_must_run_this_policydiff():
    from policydiff import __version__
    from policydiff.errors import PolicydiffError

    engines._check_workers(_FakeClient(lambda fn: {"tcp://w1": fn(), "tcp://w2": fn()}), "tcp://s:8786")

    with pytest.raises(PolicydiffError) as err:
        engines._check_workers(_FakeClient(lambda fn: {"tcp://w1": fn(), "tcp://w2": "0.0.1"}), "tcp://s:8786")
    assert str(err.value) == (f"Dask workers at tcp://s:8786 run policydiff 0.0.1, this is {__version__}: "
                              f"install policydiff[dask]=={__version__} on every worker")

    def missing(fn):
        raise ModuleNotFoundError("No module named 'policydiff'")

    with pytest.raises(PolicydiffError, match=r"cannot run policydiff \(ModuleNotFoundError: No module named"):
        engines._check_workers(_FakeClient(missing), "tcp://s:8786")
