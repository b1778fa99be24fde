"""Corpus mode: archive a folder tree, then compare every consecutive pair of every series (and
each plan with the next plan across news summaries, as the series report does).

The pieces: pairs.py plans the pairs and holds the pure per-pair work (`compare_pair`), engines.py
decides where it runs (local processes or Dask), tables.py gathers every target change; this module
adds a folder tree (`add_tree`) and runs a batch (`run_batch`).

Output layout under the output folder::

    pairs/<series>/<oldyear>-<n>__<newyear>-<n>.json   one record per pair
    target_changes.csv, target_changes.json             every target change of the corpus

Pair files are canonical JSON (sorted keys, no timestamps), so every engine writes the same bytes.
Each pair is compared with the researcher's corrections in force for it (`policydiff correct`),
as `compare` does. A rerun skips pairs whose file is complete (valid JSON naming the same versions,
written by this policydiff and normalizer with the same corrections): a new correction or an undo
recomputes exactly the pairs it names. The tables are always rebuilt from the pair files.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.series.engines import check_engine_options, open_engine, run_pairs
from policydiff.series.pairs import (
    PAIRS_DIR,
    PairJob,
    is_complete,
    load_xml,
    pair_path,
    plan_pairs,
    write_pair,
)
from policydiff.series.tables import write_tables
from policydiff.store.archive import Archive
from policydiff.store.catalog import STALE_TMP_S, Version, check_series, check_year

#: matched (re.search) against each file's path relative to DIR, with "/" separators
DEFAULT_SERIES_FROM = r"(?P<series>[^/]+)/(?P<year>\d{4})[^/]*$"


# =============================================================================== batch add
@dataclass(frozen=True)
class AddOutcome:
    """What happened to one file: status is "added", "exists" or "skipped" (with the reason)."""

    path: str  # relative to the folder, "/" separators
    status: str
    version: Version | None = None
    reason: str = ""


@dataclass
class AddReport:
    """Every file of a `batch add`, in the order they were processed (sorted paths)."""

    outcomes: list[AddOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def processed(self) -> int:
        """Files now in the archive (added or already there)."""
        return len(self.outcomes) - self.count("skipped")


def compile_series_pattern(pattern: str) -> re.Pattern[str]:
    """The --series-from regex; it needs a named group `series` (`year` is optional)."""
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise UsageProblem(f"bad --series-from pattern {pattern!r}: {exc}") from None
    if "series" not in rx.groupindex:
        raise UsageProblem(f"--series-from pattern {pattern!r} has no named group (?P<series>…)")
    return rx


def series_and_year(rel: str, rx: re.Pattern[str]) -> tuple[str, int | None]:
    """Series and year (None: detect from the text) named by a relative path; UsageProblem if none."""
    m = rx.search(rel)
    if m is None or not m.group("series"):
        raise UsageProblem(f"path does not match --series-from {rx.pattern!r}")
    # folder names are often capitalized; series names are lower case by definition
    series = check_series(m.group("series").lower())
    year_s = m.groupdict().get("year")
    return series, (check_year(int(year_s)) if year_s else None)


def list_files(root: Path, skip: Path | None = None) -> list[tuple[str, Path]]:
    """Regular files under root as (relative posix path, path), sorted.

    Hidden names (.git, .DS_Store …) are skipped, and so is the folder `skip` (the archive itself,
    when it lives inside the tree being added).
    """
    skip_real = os.path.realpath(skip) if skip is not None else None
    out: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames
                       if not d.startswith(".") and os.path.realpath(os.path.join(dirpath, d)) != skip_real]
        # os.walk does not descend into linked folders; one that leads out of root is listed, so that
        # add_tree reports it (a link inside root is just not followed twice)
        for d in dirnames:
            link = Path(dirpath, d)
            if link.is_symlink() and escapes(root, link):
                out.append((link.relative_to(root).as_posix(), link))
        for name in filenames:
            if not name.startswith("."):
                path = Path(dirpath, name)
                out.append((path.relative_to(root).as_posix(), path))
    return sorted(out)


def escapes(root: str | os.PathLike[str], path: Path) -> bool:
    """Whether `path` (a symlink, or below one) resolves to something outside the folder `root`."""
    return not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def add_tree(
    archive: Archive,
    root: str | os.PathLike[str],
    pattern: str = DEFAULT_SERIES_FROM,
    on_outcome: Callable[[AddOutcome], None] | None = None,
) -> AddReport:
    """Archive every file under root; a file that fails is skipped with its reason, never fatal."""
    rx = compile_series_pattern(pattern)
    base = Path(root)
    if not base.is_dir():
        raise UsageProblem(f"not a directory: {base}")
    report = AddReport()
    for rel, path in list_files(base, skip=archive.root):
        if escapes(base, path):  # a link to /etc/passwd is not a plan of this folder
            outcome = AddOutcome(rel, "skipped", reason="symlink to outside the folder: not followed")
            report.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            continue
        try:
            series, year = series_and_year(rel, rx)
            result = archive.add(path, series=series, year=year, filename=rel)
            outcome = AddOutcome(rel, result.status, result.version)
        except PolicydiffError as exc:
            outcome = AddOutcome(rel, "skipped", reason=_strip_label(str(exc), rel))
        except Exception as exc:  # noqa: BLE001 - one odd file must not abort a batch of thousands
            outcome = AddOutcome(rel, "skipped", reason=f"internal error: {type(exc).__name__}: {exc}")
        report.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return report


def _strip_label(message: str, rel: str) -> str:
    # errors name the file they are about, and the report already does
    message = " ".join(message.split())
    for label in (rel, rel.rsplit("/", 1)[-1]):
        if message.startswith(label + ": "):
            message = message[len(label) + 2:]
            break
    # archive.add speaks to `archive add`; here the year comes from the path
    return message.replace("; pass --year", "; put the year in the path (see --series-from)")


# ============================================================================= the runner
#: the temp name of the atomic writer (store.files.writing) for a pair file or table: .NAME.8HEX.tmp
_OUT_TMP = re.compile(r"\.[^/]+\.[0-9a-f]{8}\.tmp")


def remove_stale_temps(out: Path) -> list[str]:
    """Remove the temp files a killed `batch compare` left in `out` (its top folder and the pair
    folders), once older than STALE_TMP_S (a running batch's are younger); their paths, relative."""
    removed: list[str] = []
    folders = [out, *sorted(p for p in (out / PAIRS_DIR).glob("*") if p.is_dir() and not p.is_symlink())]
    for folder in folders:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            try:
                if (_OUT_TMP.fullmatch(path.name) and path.is_file() and not path.is_symlink()
                        and time.time() - path.stat().st_mtime > STALE_TMP_S):
                    path.unlink()
                    removed.append(path.relative_to(out).as_posix())
            except OSError:
                pass
    return removed


@dataclass
class CompareReport:
    """What `run_batch` did; `failed` pairs have no file and make the command exit 1."""

    out_dir: Path
    series: int = 0  # selected series that have at least one pair
    pairs: int = 0  # pairs of the selected series (consecutive, and plans across news)
    computed: int = 0
    up_to_date: int = 0
    failed: list[tuple[PairJob, str]] = field(default_factory=list)
    removed_temps: list[str] = field(default_factory=list)  # stale temp files of killed runs, removed
    table_rows: int = 0
    table_pairs: int = 0  # pair files the tables were built from (all series)
    ignored: list[str] = field(default_factory=list)  # pair files left out: stale or incomplete


def run_batch(
    archive: Archive,
    out_dir: str | os.PathLike[str],
    *,
    series: Sequence[str] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CompareReport:
    """Compare every pair of the series (`pairs.series_pairs`) into out_dir, skipping complete
    pair files.

    on_start gets the number of pairs left to compute, on_progress 1 per finished pair.
    """
    check_engine_options(engine, workers, scheduler)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"output path is not a directory: {out}")
    jobs = plan_pairs(archive, series)
    report = CompareReport(out_dir=out, series=len({job.series for job in jobs}), pairs=len(jobs))
    report.removed_temps = remove_stale_temps(out)
    todo = [job for job in jobs if not is_complete(pair_path(out, job), job)]
    report.up_to_date = len(jobs) - len(todo)
    if on_start is not None:
        on_start(len(todo))

    def on_result(job: PairJob, payload: bytes | None, error: str) -> None:
        if payload is None:
            report.failed.append((job, error))
        else:
            write_pair(pair_path(out, job), payload)
            report.computed += 1
        if on_progress is not None:
            on_progress(1)

    if todo:
        with open_engine(engine, workers=workers, scheduler=scheduler) as eng:
            run_pairs(eng, todo, lambda v: load_xml(archive, v), on_result)
    order = {job.rel_path: i for i, job in enumerate(jobs)}
    report.failed.sort(key=lambda f: order[f[0].rel_path])
    report.table_rows, report.table_pairs, report.ignored = write_tables(archive, out)
    return report
