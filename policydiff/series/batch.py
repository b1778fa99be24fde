"""Corpus mode: archive a folder tree, then compare every consecutive pair of every series.

The per-pair work is `compare_pair`, a pure function of two clause-XML documents: it calls
`policydiff.compare.compare` (the same function behind `compare` and `report`) and returns a JSON
record. Because it takes XML bytes, a worker needs nothing but the policydiff package: no archive,
no shared file system. Engines only decide where `compare_pair` runs:

* ``local``: a ``ProcessPoolExecutor`` over the machine's cores (``workers=1`` runs in-process);
* ``dask``: a Dask cluster, either at a scheduler address or a ``LocalCluster`` started here.

Output layout under the output folder::

    pairs/<series>/<oldyear>-<n>__<newyear>-<n>.json   one record per consecutive pair
    target_changes.csv, target_changes.json             every target change of the corpus

Pair files are canonical JSON (sorted keys, no timestamps), so every engine writes the same bytes.
A rerun skips pairs whose file is complete (valid JSON naming the same versions, written by this
policydiff and normalizer); the tables are always rebuilt from the pair files.
"""

from __future__ import annotations

import concurrent.futures
import csv
import json
import logging
import multiprocessing
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policydiff import __version__
from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.store.archive import Archive, Version, check_series, check_year

#: matched (re.search) against each file's path relative to DIR, with "/" separators
DEFAULT_SERIES_FROM = r"(?P<series>[^/]+)/(?P<year>\d{4})[^/]*$"
#: version of the pair record layout; a change makes reruns recompute every pair
PAIR_FORMAT = 1
ENGINES = ("local", "dask")
TABLE_COLUMNS = (
    "series", "old_ref", "new_ref", "subject", "metric",
    "old_value", "old_unit", "old_comparator", "old_deadline",
    "new_value", "new_unit", "new_comparator", "new_deadline",
    "change", "reason", "old_clause", "new_clause",
)  # fmt: skip
PAIRS_DIR = "pairs"
CSV_NAME = "target_changes.csv"
JSON_NAME = "target_changes.json"
# At most this many pairs travel in one task: large enough to amortize the per-task cost of a
# process pool or a Dask scheduler, small enough to keep every worker busy until the end.
MAX_CHUNK = 8
# Dask workers that must be connected before work is submitted to a remote scheduler.
DASK_WAIT_S = 60.0

PairItem = tuple[bytes, bytes, str, str]  # old_xml, new_xml, old_ref, new_ref


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
        for name in filenames:
            if not name.startswith("."):
                path = Path(dirpath, name)
                out.append((path.relative_to(root).as_posix(), path))
    return sorted(out)


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


# ========================================================================== the pure pair
def compare_pair(old_xml: bytes, new_xml: bytes, old_ref: str, new_ref: str) -> dict[str, Any]:
    """The result record of one pair: the Comparison JSON of old → new plus the ids it belongs to."""
    from policydiff.match.compare import compare
    from policydiff.model import planxml

    old_doc, new_doc = planxml.from_bytes(old_xml), planxml.from_bytes(new_xml)
    # like loader.load_version: the ref is catalog data, the XML may have been derived before it
    old_doc.meta.ref, new_doc.meta.ref = old_ref, new_ref
    return {
        "format": PAIR_FORMAT,
        "policydiff": __version__,
        "normalizer": [old_doc.meta.normalizer, new_doc.meta.normalizer],
        "series": new_doc.meta.series,
        "old_ref": old_ref,
        "new_ref": new_ref,
        "old_id": old_doc.meta.sha256,
        "new_id": new_doc.meta.sha256,
        "comparison": compare(old_doc, new_doc).to_dict(),
    }


def pair_bytes(record: dict[str, Any]) -> bytes:
    """Canonical bytes of a record: sorted keys, compact, UTF-8, one trailing newline."""
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def run_chunk(items: Sequence[PairItem]) -> list[tuple[str, str, bytes]]:
    """Worker entry point: ("ok", record key, bytes) or ("error", "", message) per pair.

    Serializing here keeps the parent (which also writes files) out of the hot path, and catching
    per pair keeps one bad document from failing its chunk-mates.
    """
    out: list[tuple[str, str, bytes]] = []
    for old_xml, new_xml, old_ref, new_ref in items:
        try:
            rec = compare_pair(old_xml, new_xml, old_ref, new_ref)
            out.append(("ok", _record_key(rec), pair_bytes(rec)))
        except Exception as exc:  # noqa: BLE001 - reported per pair by the parent
            msg = str(exc) if isinstance(exc, PolicydiffError) else f"{type(exc).__name__}: {exc}"
            out.append(("error", "", " ".join(msg.split()).encode("utf-8")))
    return out


# =============================================================================== planning
@dataclass(frozen=True)
class PairJob:
    """One consecutive pair of a series (versions in `Archive.log` order)."""

    series: str
    old: Version
    new: Version

    @property
    def rel_path(self) -> str:
        return f"{PAIRS_DIR}/{self.series}/{_label(self.old)}__{_label(self.new)}.json"

    @property
    def title(self) -> str:
        return f"{self.old.ref} → {self.new.ref}"


def _label(v: Version) -> str:
    return f"{v.year}-{v.version}"


def plan_pairs(archive: Archive, series: Sequence[str] | None = None) -> list[PairJob]:
    """Every consecutive pair of the given series (default: all), by series then log order."""
    if series:
        logs = {s: archive.log(s) for s in sorted(set(series))}  # UsageProblem for unknown series
    else:
        logs = {}
        for v in archive.list():
            logs.setdefault(v.series, []).append(v)
    return [PairJob(s, a, b) for s, versions in sorted(logs.items()) for a, b in zip(versions, versions[1:], strict=False)]


def is_complete(path: Path, job: PairJob) -> bool:
    """A pair file this run would write again: valid JSON for the same versions, format and code."""
    try:
        rec = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return _record_matches(rec, job)


def _record_matches(rec: object, job: PairJob) -> bool:
    return (
        isinstance(rec, dict)
        and rec.get("format") == PAIR_FORMAT
        and rec.get("policydiff") == __version__
        and rec.get("old_ref") == job.old.ref
        and rec.get("new_ref") == job.new.ref
        and isinstance(rec.get("comparison"), dict)
        and _record_key(rec) == _job_key(job)
    )


def _record_key(rec: dict[str, Any]) -> str:
    """What a record was computed from: both ids and both normalizer versions."""
    norm = rec.get("normalizer")
    if not isinstance(norm, list) or len(norm) != 2:
        return ""
    return f"{rec.get('old_id')} {rec.get('new_id')} {norm[0]} {norm[1]}"


def _job_key(job: PairJob) -> str:
    from policydiff.read.version import NORMALIZER_VERSION

    return f"{job.old.id} {job.new.id} {NORMALIZER_VERSION} {NORMALIZER_VERSION}"


_META_SHA = re.compile(rb'<meta\s[^<]*?\bsha256="([0-9a-f]{64})"')
_META_NORMALIZER = re.compile(rb'<meta\s[^<]*?\bnormalizer="([^"]*)"')


def load_xml(archive: Archive, version: Version) -> bytes:
    """The clause XML of a version for a worker, built and stored if missing or stale.

    Unlike Archive.xml this does not validate stored XML here: the worker validates it anyway
    (planxml.from_bytes), and the record it returns names the ids and normalizer it saw, which
    the parent checks. Reading the <meta> attributes is enough to pick the stored file, and keeps
    the parent (one process feeding all workers) off the CPU.
    """
    from policydiff.read.version import NORMALIZER_VERSION

    try:
        data = archive.derived_path(version.id, "xml").read_bytes()
    except OSError:
        data = b""
    head = data[:4096]  # <meta> comes first, before any text
    sha, norm = _META_SHA.search(head), _META_NORMALIZER.search(head)
    if sha and norm and sha[1].decode() == version.id and norm[1].decode() == NORMALIZER_VERSION:
        return data
    return archive.xml(version)


def _write_pair(path: Path, data: bytes) -> None:
    """Atomic (temp file + rename) but not fsynced: a pair file lost or torn by a crash fails the
    completeness check of the next run and is recomputed, so thousands of fsyncs buy nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PolicydiffError(f"cannot write {path}: {exc.strerror or exc}") from None


# ================================================================================ engines
class _Engine:
    """What the batch loop needs from an executor: submit, wait for any, and a useful window."""

    slots = 1  # chunks kept in flight

    def submit(self, items: list[PairItem]) -> Any:
        raise NotImplementedError

    def wait(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        done, not_done = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
        return set(done), set(not_done)

    def cancel(self, pending: set[Any]) -> None:
        for f in pending:
            f.cancel()


class _Inline(_Engine):
    """One worker: run in this process (no pickling, no start-up; the serial baseline)."""

    def submit(self, items: list[PairItem]) -> Any:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            fut.set_result(run_chunk(items))
        except Exception as exc:  # noqa: BLE001 - delivered through the future, as a pool would
            fut.set_exception(exc)
        return fut


class _Processes(_Engine):
    def __init__(self, pool: concurrent.futures.ProcessPoolExecutor, workers: int) -> None:
        self.pool, self.slots = pool, 2 * workers

    def submit(self, items: list[PairItem]) -> Any:
        return self.pool.submit(run_chunk, items)


class _Dask(_Engine):
    def __init__(self, client: Any, slots: int) -> None:
        self.client, self.slots = client, slots

    def submit(self, items: list[PairItem]) -> Any:
        return self.client.submit(run_chunk, items, pure=False)

    def wait(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        from dask.distributed import wait

        done, not_done = wait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(not_done)


def _process_context() -> multiprocessing.context.BaseContext:
    # forkserver, not fork: forking a parent that may hold threads (a caller's, Dask's) is unsafe.
    # The server imports what compare needs once (align imports numpy and scipy lazily), so each
    # worker forked from it starts warm.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["policydiff.batch", "policydiff.compare", "policydiff.planxml", "numpy",
                                    "scipy.sparse", "scipy.optimize", "diff_match_patch"])
        return ctx
    return multiprocessing.get_context("spawn")


def check_engine_options(engine: str, workers: int | None, scheduler: str | None) -> None:
    """UsageProblem for engine options that do not go together (checked before any work)."""
    if engine not in ENGINES:
        raise UsageProblem(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise UsageProblem(f"--workers must be at least 1, not {workers}")
    if scheduler and engine != "dask":
        raise UsageProblem("--scheduler needs --engine dask")
    if scheduler and workers is not None:
        raise UsageProblem("--workers sizes a local cluster; a cluster at --scheduler has its own workers")


@contextmanager
def open_engine(engine: str = "local", *, workers: int | None = None, scheduler: str | None = None) -> Iterator[_Engine]:
    """An engine for `run_pairs`; closed (workers stopped) on exit."""
    check_engine_options(engine, workers, scheduler)
    n = workers or os.cpu_count() or 1
    if engine == "local":
        if n == 1:
            yield _Inline()
            return
        with concurrent.futures.ProcessPoolExecutor(max_workers=n, mp_context=_process_context()) as pool:
            try:
                yield _Processes(pool, n)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        return
    with _dask_client(scheduler, n) as client:
        threads = sum(client.nthreads().values())
        yield _Dask(client, max(2, 2 * threads))


@contextmanager
def _dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise PolicydiffError("--engine dask needs Dask: pip install 'policydiff[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise PolicydiffError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from None
        try:
            _check_workers(client, scheduler)
            yield client
        finally:
            client.close()
        return
    # one single-threaded process per worker: compare is CPU-bound Python, threads would share the GIL
    try:
        cluster = LocalCluster(processes=True, n_workers=workers, threads_per_worker=1, dashboard_address=None,
                               silence_logs=logging.ERROR)
    except Exception as exc:  # noqa: BLE001 - ports, process limits …: one line, not a traceback
        raise PolicydiffError(f"cannot start a local Dask cluster: {type(exc).__name__}: {exc}") from None
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def _check_workers(client: Any, scheduler: str) -> None:
    """Fail early, in one line, when a remote cluster cannot run this policydiff."""
    try:
        client.wait_for_workers(1, timeout=DASK_WAIT_S)
    except (OSError, TimeoutError):
        raise PolicydiffError(f"no Dask workers joined the scheduler at {scheduler} within {DASK_WAIT_S:.0f} s") from None
    try:
        versions = client.run(worker_version)
    except Exception as exc:  # noqa: BLE001 - typically "No module named 'policydiff'" on a worker
        raise PolicydiffError(
            f"Dask workers at {scheduler} cannot run policydiff ({type(exc).__name__}: {exc}): "
            f"install policydiff[dask]=={__version__} on every worker"
        ) from None
    wrong = sorted({v for v in versions.values() if v != __version__})
    if wrong:
        raise PolicydiffError(
            f"Dask workers at {scheduler} run policydiff {', '.join(wrong)}, this is {__version__}: "
            f"install policydiff[dask]=={__version__} on every worker"
        )


def worker_version() -> str:
    """The policydiff version a worker runs (checked before a remote cluster gets work)."""
    return __version__


# ============================================================================= the runner
@dataclass
class CompareReport:
    """What `run_batch` did; `failed` pairs have no file and make the command exit 1."""

    out_dir: Path
    series: int = 0  # selected series that have at least one pair
    pairs: int = 0  # consecutive pairs of the selected series
    computed: int = 0
    up_to_date: int = 0
    failed: list[tuple[PairJob, str]] = field(default_factory=list)
    table_rows: int = 0
    table_pairs: int = 0  # pair files the tables were built from (all series)
    ignored: list[str] = field(default_factory=list)  # pair files left out: stale or incomplete


def run_pairs(
    engine: _Engine,
    jobs: Sequence[PairJob],
    load_xml: Callable[[Version], bytes],
    on_result: Callable[[PairJob, bytes | None, str], None],
) -> None:
    """Run compare_pair for every job on the engine; results arrive in any order.

    At most `engine.slots` chunks are in flight, so memory stays bounded for any corpus size and
    each version's XML is loaded when its chunk is submitted (cached for the next pair of the series).
    """
    chunk = max(1, min(MAX_CHUNK, len(jobs) // (4 * engine.slots) or 1))
    batches = (list(jobs[i:i + chunk]) for i in range(0, len(jobs), chunk))
    cache: dict[str, bytes] = {}
    pending: dict[Any, list[PairJob]] = {}

    def submit_next() -> bool:
        for batch in batches:
            items, ready = [], []
            for job in batch:
                try:
                    items.append(_item(job, cache, load_xml))
                    ready.append(job)
                except PolicydiffError as exc:
                    on_result(job, None, str(exc))
            if items:
                try:
                    pending[engine.submit(items)] = ready
                except RuntimeError as exc:  # BrokenProcessPool, or a pool shut down under us
                    raise PolicydiffError(f"the worker pool failed ({exc}); rerun to resume") from None
                return True
        return False

    try:
        while len(pending) < engine.slots and submit_next():
            pass
        while pending:
            done, _ = engine.wait(set(pending))
            for fut in done:
                batch = pending.pop(fut)
                try:
                    results = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker fails its chunk, not the run
                    results = [("error", "", f"worker failed: {type(exc).__name__}: {exc}".encode())] * len(batch)
                for job, (status, ids, payload) in zip(batch, results, strict=True):
                    if status != "ok":
                        on_result(job, None, payload.decode("utf-8", "replace"))
                    elif ids != _job_key(job):
                        on_result(job, None, "stored clause XML is stale or belongs to another version "
                                             "(run `policydiff archive verify --rebuild`)")
                    else:
                        on_result(job, payload, "")
                if isinstance(fut, concurrent.futures.Future) and _pool_broken(fut):
                    raise PolicydiffError("a worker process died (out of memory?); rerun to resume")
            while len(pending) < engine.slots and submit_next():
                pass
    except BaseException:
        engine.cancel(set(pending))
        raise


def _pool_broken(fut: concurrent.futures.Future[Any]) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(fut.exception(), BrokenProcessPool)


def _item(job: PairJob, cache: dict[str, bytes], load_xml: Callable[[Version], bytes]) -> PairItem:
    for v in (job.old, job.new):
        if v.id not in cache:
            if len(cache) > 64:  # jobs come series by series: old entries are not needed again
                cache.pop(next(iter(cache)))
            cache[v.id] = load_xml(v)
    return cache[job.old.id], cache[job.new.id], job.old.ref, job.new.ref


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
    """Compare every consecutive pair of the series into out_dir, skipping complete pair files.

    on_start gets the number of pairs left to compute, on_progress 1 per finished pair.
    """
    check_engine_options(engine, workers, scheduler)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"output path is not a directory: {out}")
    jobs = plan_pairs(archive, series)
    report = CompareReport(out_dir=out, series=len({job.series for job in jobs}), pairs=len(jobs))
    todo = [job for job in jobs if not is_complete(out / job.rel_path, job)]
    report.up_to_date = len(jobs) - len(todo)
    if on_start is not None:
        on_start(len(todo))

    def on_result(job: PairJob, payload: bytes | None, error: str) -> None:
        if payload is None:
            report.failed.append((job, error))
        else:
            _write_pair(out / job.rel_path, payload)
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


# ================================================================================= tables
def target_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The target changes of one pair record as table rows (TABLE_COLUMNS)."""
    rows = []
    for t in record["comparison"]["targets"]:
        old, new = t.get("old") or {}, t.get("new") or {}
        ref = new or old
        rows.append({
            "series": record["series"], "old_ref": record["old_ref"], "new_ref": record["new_ref"],
            "subject": ref.get("subject"), "metric": ref.get("metric"),
            "old_value": old.get("value"), "old_unit": old.get("unit"), "old_comparator": old.get("comparator"),
            "old_deadline": old.get("deadline"),
            "new_value": new.get("value"), "new_unit": new.get("unit"), "new_comparator": new.get("comparator"),
            "new_deadline": new.get("deadline"),
            "change": t.get("change"), "reason": t.get("reason"),
            "old_clause": old.get("clause"), "new_clause": new.get("clause"),
        })
    return rows


def write_tables(archive: Archive, out_dir: str | os.PathLike[str]) -> tuple[int, int, list[str]]:
    """Rebuild target_changes.csv/.json from every complete pair file of the whole archive.

    Returns (rows, pair files used, pair files ignored). An ignored file is incomplete or stale
    (it names no current consecutive pair, e.g. a version was added in between); it is left out
    of the tables, never deleted. Rows are streamed: memory does not grow with the corpus.
    The JSON is an array with one row object per line (easy to grep, quick to load).
    """
    from policydiff.store.files import csv_cell

    out = Path(out_dir)
    used: set[str] = set()
    n = 0
    with _atomic_text(out / CSV_NAME) as csv_fh, _atomic_text(out / JSON_NAME) as json_fh:
        writer = csv.writer(csv_fh, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS)
        json_fh.write("[")
        for job in plan_pairs(archive):
            try:
                rec = json.loads((out / job.rel_path).read_bytes())
            except (OSError, ValueError):
                continue
            if not _record_matches(rec, job):
                continue
            used.add(job.rel_path)
            for row in target_rows(rec):
                writer.writerow([csv_cell(row[c]) for c in TABLE_COLUMNS])  # csv_cell: no formulas
                json_fh.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False))
                n += 1
        json_fh.write("\n]\n")
    present = sorted(p.relative_to(out).as_posix() for p in (out / PAIRS_DIR).glob("*/*.json"))
    return n, len(used), [p for p in present if p not in used]


@contextmanager
def _atomic_text(path: Path) -> Iterator[Any]:
    """A text file written under a temporary name and renamed into place only when complete."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise PolicydiffError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; tables are for sharing, like the pair files
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise PolicydiffError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
