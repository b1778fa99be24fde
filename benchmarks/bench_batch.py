"""Corpus mode throughput: 2,000 synthetic pairs through `batch add` and `batch compare`.

    python benchmarks/bench_batch.py                 # 400 series x 6 versions = 2,000 pairs
    python benchmarks/bench_batch.py --pairs 500     # a quicker run
    python benchmarks/bench_batch.py --keep DIR      # keep corpus, archive and outputs in DIR

Small plans (8-12 tasks drawn from the seeds' sentences with tests/synth.py, evolved year to year)
are archived once with `batch add`; then `batch compare` runs end to end (plan, XML loading,
compare, pair files, tables) into a fresh folder with each engine: serial (in-process), local
(2 processes) and Dask (LocalCluster, 2 single-threaded workers). Dask start-up is counted: it is
what a user waits for. Peak memory per worker is the VmHWM of each worker process, sampled from
/proc (psutil is used to find the processes when installed). Asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

VERSIONS = 6  # per series: 5 consecutive pairs


def make_corpus(root: Path, n_pairs: int) -> int:
    """Write <series>/<year>.txt files whose consecutive pairs number n_pairs; return the file count."""
    import random

    from seedlib import seed_doc
    from synth import big_plan, evolve, render_plan, sentence_pool

    pool = sentence_pool([seed_doc(k) for k in ("2016", "2019", "2021", "jieyang")])
    n_series = -(-n_pairs // (VERSIONS - 1))
    files = 0
    for s in range(n_series):
        rng = random.Random(s)
        sections = big_plan(pool, rng.randint(8, 12), seed=s, per_section=4)
        folder = root / f"series-{s:04d}"
        folder.mkdir(parents=True)
        for k in range(VERSIONS):
            if k:
                sections = evolve(sections, seed=s * 100 + k, edit=0.3, drop=0.1, add=0.1, pool=pool)
            (folder / f"{2015 + k}.txt").write_text(render_plan(f"第{s}号工作要点（{2015 + k}年）", sections),
                                                    encoding="utf-8")
            files += 1
    return files


class Monitor:
    """Samples this process's descendants until stopped: peak RSS of workers and CPU time of all.

    The machine may be shared, so wall-clock rates depend on its load; CPU time per pair does not.
    """

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}  # pid -> peak kB (VmHWM)
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds, last seen
        self.helpers: set[int] = set()  # forkserver, trackers: not workers
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._self_cpu = 0.0
        self._load = 0.0
        self._monitor_cpu = 0.0  # this sampling thread's own CPU, not part of the run

    def __enter__(self) -> Monitor:
        t = os.times()
        self._self_cpu = t.user + t.system
        self._load = os.getloadavg()[0]
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        t = os.times()
        self.own_cpu = t.user + t.system - self._self_cpu - self._monitor_cpu
        self.load = max(self._load, os.getloadavg()[0])

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            tree = _process_tree(me)
            # pool workers hang off the forkserver, Dask workers off this process; the forkserver
            # (which outlives its pool), trackers and any process with children do no pair work
            self.helpers |= set(tree.values()) | {
                p for p, pp in tree.items()
                if "resource_tracker" in _cmdline(p) or (pp == me and "forkserver" in _cmdline(p))}
            for pid in tree:
                cpu = _cpu_seconds(pid)
                if cpu is not None:
                    self.cpu[pid] = cpu
                kb = _vm_hwm(pid)
                if kb:
                    self.peaks[pid] = max(kb, self.peaks.get(pid, 0))
            self._monitor_cpu = time.thread_time()
            self._stop.wait(0.25)

    def workers(self) -> list[int]:
        return sorted(kb for pid, kb in self.peaks.items() if pid not in self.helpers)

    def total_cpu(self) -> float:
        return self.own_cpu + sum(self.cpu.values())


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, ValueError, IndexError):
        return None


def _process_tree(root: int) -> dict[int, int]:
    """{pid: parent pid} of every descendant of root (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        out = {}
        try:
            for p in psutil.Process(root).children(recursive=True):
                out[p.pid] = p.ppid()
        except psutil.Error:  # a process that just ended
            pass
        return out
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = {}, [root]
    while todo:
        parent = todo.pop()
        for child in children.get(parent, []):
            out[child] = parent
            todo.append(child)
    return out


def _vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args()

    from policydiff.series import batch, pairs
    from policydiff.store.archive import Archive

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus, archive = work / "corpus", Archive(work / "archive")
        if not corpus.exists():
            t = time.perf_counter()
            files = make_corpus(corpus, args.pairs)
            print(f"corpus: {files} files written in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        added = batch.add_tree(archive, corpus)
        dt = time.perf_counter() - t
        n_docs = len(added.outcomes)
        print(f"batch add: {n_docs} files ({added.count('added')} added, {added.count('exists')} existing, "
              f"{added.count('skipped')} skipped) in {dt:.1f} s = {n_docs / dt:.0f} files/s (serial)")
        n_pairs = len(pairs.plan_pairs(archive))
        sizes = [len(archive.xml(v)) for v in archive.list()[:50]]
        print(f"pairs: {n_pairs}; clause XML ~{sum(sizes) // len(sizes) // 1024} kB per document; "
              f"{os.cpu_count()} cores\n")

        runs = [("serial (in-process)", "local", 1), (f"local ({args.workers} processes)", "local", args.workers),
                (f"dask LocalCluster ({args.workers} workers)", "dask", args.workers)]
        digests = {}
        print(f"{'engine':34} {'wall':>7} {'pairs/s':>8} {'CPU ms/pair':>12} {'load':>5}   peak RSS per worker (VmHWM)")
        for name, engine, workers in runs:
            out = work / f"out-{engine}-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            with Monitor() as mon:
                t = time.perf_counter()
                report = batch.run_batch(archive, out, engine=engine, workers=workers)
                dt = time.perf_counter() - t
            if report.failed:  # a broken run is no measurement
                job, reason = report.failed[0]
                print(f"{name:34} {len(report.failed)} pairs failed, e.g. {job.title}: {reason}")
                continue
            peaks = mon.workers() if workers > 1 else [_vm_hwm(os.getpid())]
            shown = ", ".join(f"{kb / 1024:.0f} MB" for kb in peaks) or "-"
            cpu_ms = mon.total_cpu() / n_pairs * 1000
            print(f"{name:34} {dt:6.1f}s {n_pairs / dt:8.0f} {cpu_ms:12.1f} {mon.load:5.1f}   {shown}", flush=True)
            digests[name] = tree_digest(out)
        t = time.perf_counter()
        batch.run_batch(archive, work / "out-local-1", engine="local", workers=1)
        print(f"{'rerun, all pairs up to date':34} {time.perf_counter() - t:7.1f}s")
        same = len(set(digests.values())) == 1
        print(f"\noutputs byte-identical across engines: {'yes' if same else 'NO'} ({', '.join(digests.values())})")
        print("(serial: the peak is the main process's; CPU ms/pair counts this process and every worker or helper; "
              "load is the 1-minute load average, at most "
              f"{os.cpu_count()} means an otherwise idle machine)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
