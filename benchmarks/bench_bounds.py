"""Worst cases: long clauses without sentence marks, and large plans (issue 17 item 16).

    python benchmarks/bench_bounds.py                 # redlines, and plans of ~1, 4 and 10 MB
    python benchmarks/bench_bounds.py --sizes 1       # a quicker run

Redlines: two clauses of 5,000 / 20,000 / 100,000 characters without a sentence mark, one
with an edit in the middle and one unrelated, against difflib.SequenceMatcher on the same
characters (the peer, run side by side). Plans: a synthetic plan drawn from the seeds'
sentences (tests/synth.py) and an evolved copy (10% of tasks edited, or every task reworded: the
worst case for the aligner, nothing identical to pair first; 5% dropped, 5% added,
sections reordered), each step in a fresh process so its peak memory (max RSS) is its own.
Prints times, the peak memory over a process that has loaded what a comparison loads, and its
ratio to the two inputs' size. Asserts nothing.
"""

from __future__ import annotations

import argparse
import difflib
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
#: clauses per MB of rendered plan text (measured on tests/synth.py plans)
CLAUSES_PER_MB = 2300

_PLAN_JOB = """
import resource, sys, time
sys.path[:0] = [{root!r}, {tests!r}]
from seedlib import seed_doc
from synth import big_plan, evolve, render_plan, sentence_pool
pool = sentence_pool([seed_doc(k) for k in ("2016", "2019", "2021", "jieyang")])
n = {n}
a = big_plan(pool, n, seed=n)
ta, tb = render_plan("甲", a), render_plan("乙", evolve(a, seed=n, pool=pool, edit={edit}))
size = len(ta.encode()) + len(tb.encode())
import policydiff.match.compare, policydiff.read.pipeline
# load what any comparison loads (lexicons, OpenCC, numpy, scipy's solvers) before measuring
policydiff.match.compare.compare(policydiff.read.pipeline.process("一、总体\\n（一）推进政务服务。"),
                                 policydiff.read.pipeline.process("一、总体\\n（一）推进政务服务改革。"))
import scipy.optimize, scipy.sparse.csgraph
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
da, db = policydiff.read.pipeline.process(ta), policydiff.read.pipeline.process(tb)
t_norm = time.perf_counter() - t
t = time.perf_counter()
policydiff.match.compare.compare(da, db)
t_cmp = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(size, t_norm, t_cmp, (peak - base) * 1024)
"""


def _text(n: int, seed: int) -> str:
    rng = random.Random(seed)
    words = "推进政务服务数据共享平台建设完善一体化在线办理事项标准规范提升网上可办率覆盖省市县镇村五级"
    return "".join(rng.choice(words) for _ in range(n))


def redlines() -> None:
    from policydiff.match.redline import token_diff

    print("redline of two clauses without sentence marks (ours vs difflib.SequenceMatcher)")
    for n in (5_000, 20_000, 100_000):
        old = _text(n, 1)
        for what, new in (("one edit", old[: n // 2] + "新增事项" + old[n // 2 + 30:]), ("unrelated", _text(n, 2))):
            t = time.perf_counter()
            token_diff(old, new)
            ours = time.perf_counter() - t
            peer = "skipped (quadratic: about a minute)" if n > 20_000 else None
            if peer is None:
                t = time.perf_counter()
                difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
                peer_t = time.perf_counter() - t
                peer = f"{peer_t:7.2f} s   ratio {peer_t / ours:6.1f}x"
            print(f"  {n:7,d} chars  {what:9s}  {ours:6.2f} s   difflib {peer}")


def plans(sizes: list[float]) -> None:
    print("\nlarge plans (normalize both, then compare; peak memory over the loaded process)")
    for mb in sizes:
        for what, edit in (("10% edited", 0.1), ("all reworded", 1.0)):
            job = _PLAN_JOB.format(root=str(ROOT), tests=str(ROOT / "tests"), n=int(mb * CLAUSES_PER_MB), edit=edit)
            out = subprocess.run([sys.executable, "-c", job], capture_output=True, text=True, check=True).stdout.split()
            size, t_norm, t_cmp, peak = int(out[0]), float(out[1]), float(out[2]), int(out[3])
            print(f"  {size / 1e6:5.1f} MB of text, {what:12s}  normalize {t_norm:6.1f} s  compare {t_cmp:6.1f} s  "
                  f"peak +{peak / 1e6:6.0f} MB ({peak / size:4.1f}x the input)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="*", default=[1, 4, 10], help="plan sizes in MB (each side)")
    args = ap.parse_args()
    redlines()
    plans(args.sizes)


if __name__ == "__main__":
    main()
