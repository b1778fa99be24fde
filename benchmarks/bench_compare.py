"""compare 2019 → 2021 against peers in one run, and growth on synthetic 500/1,000/2,000-clause plans.

    python benchmarks/bench_compare.py            # everything (diff-match-patch without timeout takes ~1 min)
    python benchmarks/bench_compare.py --quick    # skip diff-match-patch without timeout

Prints times and ratios; asserts nothing (speed is measured here, never in unit tests).
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def timed(fn, repeat: int = 1):
    best = float("inf")
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    import diff_match_patch as dmp_module
    from seedlib import seed_doc
    from synth import big_plan, evolve, render_plan, sentence_pool

    from policydiff.match.compare import compare
    from policydiff.read.pipeline import process

    old, new = seed_doc("2019"), seed_doc("2021")
    compare(old, new)  # warm imports (numpy, scipy, diff-match-patch)
    t_ours, cmp = timed(lambda: compare(old, new), repeat=3)
    t_html, _ = timed(lambda: difflib.HtmlDiff().make_file(old.text.split("\n"), new.text.split("\n")), repeat=3)
    print("2019 → 2021 (normalized texts)")
    print(f"  policydiff compare (align + token diffs + targets) {t_ours:8.3f} s   "
          f"{len(cmp.matches)} clause matches")
    print(f"  difflib.HtmlDiff (lines)                          {t_html:8.3f} s   ratio {t_html / t_ours:6.1f}x")
    dmp = dmp_module.diff_match_patch()
    t_dmp, diffs = timed(lambda: dmp.diff_main(old.text, new.text))
    gave_up = len(diffs) <= 3
    print(f"  diff-match-patch whole text, 1 s timeout          {t_dmp:8.3f} s   ratio {t_dmp / t_ours:6.1f}x"
          f"   {'gave up (delete all, insert all)' if gave_up else f'{len(diffs)} ops'}")
    if "--quick" not in sys.argv:
        dmp.Diff_Timeout = 0
        t_full, diffs = timed(lambda: dmp.diff_main(old.text, new.text))
        print(f"  diff-match-patch whole text, no timeout           {t_full:8.3f} s   ratio {t_full / t_ours:6.1f}x")
    else:
        print("  diff-match-patch whole text, no timeout           skipped (--quick)")

    print("\nsynthetic plans (10% tasks edited, 5% dropped, 5% added, sections reordered)")
    pool = sentence_pool([seed_doc(k) for k in ("2016", "2019", "2021", "jieyang")])
    for n in (500, 1000, 2000):
        a = big_plan(pool, n, seed=n)
        b = evolve(a, seed=n, pool=pool)
        da, db = process(render_plan("甲", a)), process(render_plan("乙", b))
        t, c = timed(lambda da=da, db=db: compare(da, db))
        print(f"  {n:5d} clauses  compare {t:6.2f} s   ({t / n * 1000:.2f} ms per clause)   "
              f"{c.summary['counts']['added']} added, {c.summary['counts']['dropped']} dropped")


if __name__ == "__main__":
    main()
