"""Where the pairs of a batch run: engines, and the loop that feeds them.

* ``local``: a ``ProcessPoolExecutor`` over the machine's cores (``workers=1`` runs in-process);
* ``dask``: a Dask cluster, either at a scheduler address or a ``LocalCluster`` started here.

Engines only decide where `pairs.run_chunk` runs; every engine writes the same bytes.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.release import __version__
from policydiff.series.pairs import PairItem, PairJob, job_key, pair_item, run_chunk
from policydiff.store.catalog import Version

ENGINES = ("local", "dask")
# At most this many pairs travel in one task: large enough to amortize the per-task cost of a
# process pool or a Dask scheduler, small enough to keep every worker busy until the end.
MAX_CHUNK = 8
# Dask workers that must be connected before work is submitted to a remote scheduler.
DASK_WAIT_S = 60.0
# What a forkserver imports once, so each worker forked from it starts warm (compare needs them;
# align imports numpy and scipy lazily).
PRELOAD = ["policydiff.series.pairs", "policydiff.match.compare", "policydiff.model.planxml", "numpy",
           "scipy.sparse", "scipy.optimize", "diff_match_patch"]

OnResult = Callable[[PairJob, bytes | None, str], None]


# ================================================================================ engines
class Engine:
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


class _Inline(Engine):
    """One worker: run in this process (no pickling, no start-up; the serial baseline)."""

    def submit(self, items: list[PairItem]) -> Any:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            fut.set_result(run_chunk(items))
        except Exception as exc:  # noqa: BLE001 - delivered through the future, as a pool would
            fut.set_exception(exc)
        return fut


class _Processes(Engine):
    def __init__(self, pool: concurrent.futures.ProcessPoolExecutor, workers: int) -> None:
        self.pool, self.slots = pool, 2 * workers

    def submit(self, items: list[PairItem]) -> Any:
        return self.pool.submit(run_chunk, items)


class _Dask(Engine):
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
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
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
    if scheduler:
        check_scheduler_address(scheduler)


#: the address schemes of Dask's communication layer (distributed.comm)
DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")


def check_scheduler_address(address: str) -> None:
    """UsageProblem for an address Dask cannot dial (checked before Dask is imported)."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address  # Dask reads host:port as tcp://host:port
    if scheme.lower() not in DASK_SCHEMES or not rest.strip("/") or any(c.isspace() for c in address):
        raise UsageProblem(f"bad --scheduler address {address!r}: expected tcp://HOST:PORT "
                           f"(schemes: {', '.join(DASK_SCHEMES)})")


@contextmanager
def open_engine(engine: str = "local", *, workers: int | None = None, scheduler: str | None = None) -> Iterator[Engine]:
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
        except (ValueError, TypeError) as exc:  # an address Dask cannot parse (tcp://host:notaport …)
            raise UsageProblem(f"bad --scheduler address {scheduler!r}: {exc}") from None
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


# ============================================================================= the loop
def run_pairs(
    engine: Engine,
    jobs: Sequence[PairJob],
    load_xml: Callable[[Version], bytes],
    on_result: OnResult,
) -> None:
    """Run compare_pair for every job on the engine; results arrive in any order.

    At most `engine.slots` chunks are in flight, so memory stays bounded for any corpus size and
    each version's XML is loaded when its chunk is submitted (cached for the next pair of the series).
    """
    chunk = max(1, min(MAX_CHUNK, len(jobs) // (4 * engine.slots) or 1))
    feed = _Feed(engine, (list(jobs[i:i + chunk]) for i in range(0, len(jobs), chunk)), load_xml, on_result)
    pending = feed.pending
    try:
        feed.fill()
        while pending:
            done, _ = engine.wait(set(pending))
            for fut in done:
                _deliver(pending.pop(fut), fut, on_result)
                if isinstance(fut, concurrent.futures.Future) and _pool_broken(fut):
                    raise PolicydiffError("a worker process died (out of memory?); rerun to resume")
            feed.fill()
    except BaseException:
        engine.cancel(set(pending))
        raise


class _Feed:
    """Submits chunks of jobs, with their XML, while the engine has free slots."""

    def __init__(self, engine: Engine, batches: Iterator[list[PairJob]], load_xml: Callable[[Version], bytes],
                 on_result: OnResult) -> None:
        self.engine, self.batches, self.load_xml, self.on_result = engine, batches, load_xml, on_result
        self.cache: dict[tuple[str, str], bytes] = {}
        self.pending: dict[Any, list[PairJob]] = {}

    def fill(self) -> None:
        while len(self.pending) < self.engine.slots and self._submit_next():
            pass

    def _submit_next(self) -> bool:
        for batch in self.batches:
            items, ready = [], []
            for job in batch:
                try:
                    items.append(self._item(job))
                    ready.append(job)
                except PolicydiffError as exc:
                    self.on_result(job, None, str(exc))
            if items:
                try:
                    self.pending[self.engine.submit(items)] = ready
                except RuntimeError as exc:  # BrokenProcessPool, or a pool shut down under us
                    raise PolicydiffError(f"the worker pool failed ({exc}); rerun to resume") from None
                return True
        return False

    def _item(self, job: PairJob) -> PairItem:
        cache = self.cache
        for v in (job.old, job.new):  # by version: one object in two series is two documents
            if (v.id, v.series) not in cache:
                if len(cache) > 64:  # jobs come series by series: old entries are not needed again
                    cache.pop(next(iter(cache)))
                cache[(v.id, v.series)] = self.load_xml(v)
        return pair_item(job, cache[(job.old.id, job.old.series)], cache[(job.new.id, job.new.series)])


def _deliver(batch: list[PairJob], fut: Any, on_result: OnResult) -> None:
    """Hand the results of one finished chunk to on_result, checking each names its job's versions."""
    try:
        results = fut.result()
    except Exception as exc:  # noqa: BLE001 - a crashed worker fails its chunk, not the run
        results = [("error", "", f"worker failed: {type(exc).__name__}: {exc}".encode())] * len(batch)
    for job, (status, ids, payload) in zip(batch, results, strict=True):
        if status != "ok":
            on_result(job, None, payload.decode("utf-8", "replace"))
        elif ids != job_key(job):
            on_result(job, None, "stored clause XML is stale or belongs to another version "
                                 "(run `policydiff archive verify --rebuild`)")
        else:
            on_result(job, payload, "")


def _pool_broken(fut: concurrent.futures.Future[Any]) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(fut.exception(), BrokenProcessPool)
