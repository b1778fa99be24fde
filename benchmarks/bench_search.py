"""Search as a cold process on archives of 50 and 500 versions, and after one more version is added.

    python benchmarks/bench_search.py              # 50 and 500 versions
    python benchmarks/bench_search.py --sizes 50   # a quicker run
    python benchmarks/bench_search.py --keep DIR   # keep the archives in DIR

Archives of synthetic plans (about 30 tasks each, drawn from the seeds' sentences with
tests/synth.py) are built through the library. For each size it prints, as cold
`python -m policydiff search` processes:

- first search: the index built from nothing (every version normalized once);
- cold search: a new process, the index current (best of 3); goal under 0.3 s at 500 versions;
- after one add: `archive add` of one more plan, then a search (only that version is indexed);
- read-only (in-process, os.access answering no): the stored index current; and one version
  not in it (the index copied into memory, that version indexed there).

Also the in-process time of `open_index` for the same states, without process start-up.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

QUERY = "政务服务"
PER_SERIES = 5


def make_archive(root: Path, n: int, pool: list[str]) -> None:
    """An archive of n versions: n / 5 series of 5 yearly plans."""
    from synth import big_plan, evolve, render_plan

    from policydiff.store.archive import Archive

    arch = Archive(str(root))
    for s in range(-(-n // PER_SERIES)):
        rng = random.Random(s)
        sections = big_plan(pool, rng.randint(26, 34), seed=s, per_section=6)
        for k in range(min(PER_SERIES, n - s * PER_SERIES)):
            if k:
                sections = evolve(sections, seed=s * 100 + k, edit=0.3, drop=0.1, add=0.1, pool=pool)
            text = render_plan(f"第{s}号工作要点（{2015 + k}年）", sections)
            arch.add(text.encode("utf-8"), series=f"bench-{s:04d}", year=2015 + k, filename=f"{2015 + k}.txt")


def cold(archive: Path, *args: str, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "policydiff", "--archive", str(archive), *args],
                       cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - t)
    return best


def in_process(archive: Path) -> float:
    from policydiff.store.archive import Archive
    from policydiff.store.search_index import open_index

    t = time.perf_counter()
    open_index(Archive(str(archive))).close()
    return time.perf_counter() - t


def one_more(folder: Path, pool: list[str], seed: int) -> Path:
    from synth import big_plan, render_plan

    path = folder / f"extra-{seed}.txt"
    path.write_text(render_plan(f"第{seed}号补充工作要点（2030年）", big_plan(pool, 30, seed=seed, per_section=6)),
                    encoding="utf-8")
    return path


def read_only(archive: Path) -> float:
    """`in_process` as a read-only archive sees it (os.access says no: root writes anyway)."""
    from policydiff.store import search_index

    real = search_index.os.access
    search_index.os.access = lambda path, mode, **kw: False if mode & os.W_OK else real(path, mode, **kw)
    try:
        return in_process(archive)
    finally:
        search_index.os.access = real


def bench_size(base: Path, n: int, pool: list[str]) -> None:
    archive = base / f"archive-{n}"
    t = time.perf_counter()
    make_archive(archive, n, pool)
    print(f"{n} versions (built in {time.perf_counter() - t:.1f} s)")
    index = archive / "derived" / "search.sqlite"
    index.unlink(missing_ok=True)
    first = cold(archive, "search", QUERY)
    current = cold(archive, "search", QUERY, repeat=3)
    current_in = in_process(archive)
    cold(archive, "archive", "add", str(one_more(base, pool, n)), "--series", "bench-extra", "--year", "2030")
    added = cold(archive, "search", QUERY)
    in_process(archive)  # (current again)
    cold(archive, "archive", "add", str(one_more(base, pool, n + 1)), "--series", "bench-extra", "--year", "2031")
    added_in = in_process(archive)
    cold(archive, "archive", "add", str(one_more(base, pool, n + 2)), "--series", "bench-extra", "--year", "2032")
    ro_stale = read_only(archive)
    cold(archive, "search", QUERY)  # the stored index brought up to date
    ro_current = read_only(archive)
    print(f"  first search (index built from nothing)   {first:6.3f} s")
    print(f"  cold search, index current (best of 3)    {current:6.3f} s   goal < 0.3 s   in-process {current_in:.3f} s")
    print(f"  search after adding one version           {added:6.3f} s   in-process {added_in:.3f} s")
    print(f"  read-only archive, index current          in-process {ro_current:.3f} s")
    print(f"  read-only archive, one version not in it  in-process {ro_stale:.3f} s")
    print(f"  index size {index.stat().st_size / 1e6:.1f} MB; first search / cold search = {first / current:.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    from seedlib import seed_doc
    from synth import sentence_pool

    pool = sentence_pool([seed_doc(k) for k in ("2016", "2019", "2021", "jieyang")])
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; query {QUERY!r}")
    try:
        for n in args.sizes:
            bench_size(base, n, pool)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
