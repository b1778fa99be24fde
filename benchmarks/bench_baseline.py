"""Today's tree against a git revision, side by side in one run on this machine.

    python benchmarks/bench_baseline.py --against eaa7a78            # 5 rounds, everything
    python benchmarks/bench_baseline.py --against eaa7a78 --quick    # 3 rounds, no synthetic plans, no batch
    python benchmarks/bench_baseline.py --against HEAD~5 --rounds 9 --pairs 100

The revision is checked out with `git worktree` into a temporary folder (removed at the end);
today's tree is this working tree, uncommitted changes included. Every measurement is a fresh
process with PYTHONPATH set to one tree (ahead of the editable install), the two trees taking
turns round by round (the order swapped every round), so that load from other processes falls
on both alike. Each tree's modules are byte-compiled first (into its own cache folder), as an
installed copy would be.

Measured: in process (after a warm-up, best of 3 per process): normalize of each seed, compare
2019 -> 2021, the HTML / Markdown / summary renderers on that comparison, difflib.HtmlDiff on the
seeds' raw texts (a control: the same work in both); synthetic 500/1,000/2,000-clause plans; as cold
processes: `policydiff --help`, `import policydiff.cli`, `report gd-digital-gov`, `compare
--format json`; `batch add` + serial `batch compare` of a small synthetic corpus. Prints the
median over rounds of each tree, and today / revision (below 1 is faster today). Old revisions
kept the modules flat (`policydiff.compare`, not `policydiff.match.compare`): both names are
tried. Asserts nothing; never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "tests" / "data" / "seeds"

#: prelude of every in-process job: the tree first on sys.path, old and new module names
_PRELUDE = """
import importlib, json, sys, time
tree = sys.argv[1]
sys.path[:0] = [tree, tree + "/tests"]
# an editable install's finder would serve modules this tree lacks from the installed tree
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__name__", type(f).__name__).lower()]
import seedlib
from pathlib import Path
seedlib.SEEDS = Path(sys.argv[2])

def mod(*names):
    for name in names:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(str(exc.name)):
                raise
    raise ModuleNotFoundError(names[0])

def best(fn, repeat=3):
    fn()
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)

compare = mod("policydiff.match.compare", "policydiff.compare").compare
process = mod("policydiff.read.pipeline", "policydiff.pipeline").process
DocMeta = mod("policydiff.model.document", "policydiff.document").DocMeta
out = {}
"""

_INPROC = _PRELUDE + """
import difflib
for key, name in seedlib.FILES.items():
    text = seedlib.seed_text(key)
    meta = DocMeta(kind=seedlib.KINDS.get(key, "plan"))
    out["normalize " + key] = best(lambda: process(text, meta, source_bytes=text.encode()))
out["normalize, all five seeds"] = sum(v for k, v in out.items() if k.startswith("normalize "))
old, new = seedlib.seed_doc("2019"), seedlib.seed_doc("2021")
out["compare 2019 -> 2021"] = best(lambda: compare(old, new))
cmp = compare(old, new)
for name in ("html", "markdown", "summary"):
    render = importlib.import_module("renderers." + name).render
    out["render " + name] = best(lambda: render(cmp))
lines_a, lines_b = seedlib.seed_text("2019").split("\\n"), seedlib.seed_text("2021").split("\\n")
out["control: difflib.HtmlDiff"] = best(lambda: difflib.HtmlDiff().make_file(lines_a, lines_b))
print(json.dumps(out))
"""

_SYNTH = _PRELUDE + """
from synth import big_plan, evolve, render_plan, sentence_pool
pool = sentence_pool([seedlib.seed_doc(k) for k in ("2016", "2019", "2021", "jieyang")])
for n in (500, 1000, 2000):
    a = big_plan(pool, n, seed=n)
    da, db = process(render_plan("甲", a)), process(render_plan("乙", evolve(a, seed=n, pool=pool)))
    out[f"synthetic {n} clauses compare"] = best(lambda: compare(da, db), repeat=1)
print(json.dumps(out))
"""

_BATCH = _PRELUDE + """
import shutil
batch = mod("policydiff.series.batch", "policydiff.batch")
Archive = mod("policydiff.store.archive", "policydiff.archive").Archive
work = Path(sys.argv[3])
shutil.rmtree(work / "archive", ignore_errors=True)
shutil.rmtree(work / "out", ignore_errors=True)
archive = Archive(work / "archive")
t = time.perf_counter()
batch.add_tree(archive, work.parent / "corpus")
out["batch add (wall)"] = time.perf_counter() - t
t = time.perf_counter()
report = batch.run_batch(archive, work / "out", engine="local", workers=1)
out["batch compare, serial (wall)"] = time.perf_counter() - t
assert not report.failed, report.failed[:1]
print(json.dumps(out))
"""


#: extra import paths of the revision (--rev-path), e.g. a dependency it had and today's does not
REV_PATHS: list[str] = []


def tree_env(tree: Path, cache: Path) -> dict[str, str]:
    paths = [str(tree), *(REV_PATHS if tree != ROOT else [])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths), PYTHONPYCACHEPREFIX=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # each tree keeps its own cache
    return env


def checkout(rev: str, work: Path) -> Path:
    """`git worktree add` the revision under work; old trees read their seeds from ../shared/seeds."""
    tree = work / "rev" / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev],
                   check=True, capture_output=True)
    (work / "rev" / "shared").mkdir()
    (work / "rev" / "shared" / "seeds").symlink_to(SEEDS)
    return tree


def warm_cache(tree: Path, cache: Path) -> None:
    """Byte-compile the tree and every module its commands import, into its own cache folder."""
    env = tree_env(tree, cache)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "policydiff"), str(tree / "renderers"),
                    str(tree / "tests")], env=env, check=False, capture_output=True)
    subprocess.run([sys.executable, "-m", "policydiff", "--help"], cwd=tree, env=env, capture_output=True)


def job(script: str, tree: Path, cache: Path, *extra: str) -> dict[str, float]:
    res = subprocess.run([sys.executable, "-c", script, str(tree), str(SEEDS), *extra], cwd=tree,
                         env=tree_env(tree, cache), capture_output=True, text=True)
    if res.returncode:
        print(f"  ({tree.name}: job failed: {res.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return {}
    return json.loads(res.stdout.strip().splitlines()[-1])


def cold(args: list[str], tree: Path, cache: Path) -> float:
    """Wall time of one fresh process in the tree's folder."""
    t = time.perf_counter()
    res = subprocess.run(args, cwd=tree, env=tree_env(tree, cache), capture_output=True)
    dt = time.perf_counter() - t
    return dt if res.returncode == 0 else float("nan")


def cold_jobs(tree: Path, cache: Path, tmp: Path) -> dict[str, float]:
    py, pd = sys.executable, [sys.executable, "-m", "policydiff"]
    shutil.rmtree(tmp / "report", ignore_errors=True)
    return {
        "cold: python -c pass": cold([py, "-c", "pass"], tree, cache),
        "cold: import policydiff.cli": cold([py, "-c", "import policydiff.cli"], tree, cache),
        "cold: policydiff --help": cold([*pd, "--help"], tree, cache),
        "cold: report gd-digital-gov": cold([*pd, "report", "gd-digital-gov", "-o", str(tmp / "report")],
                                            tree, cache),
        "cold: compare 2019 2021 --format json": cold(
            [*pd, "compare", "gd-digital-gov@2019", "gd-digital-gov@2021", "--format", "json",
             "-o", str(tmp / "c.json")], tree, cache),
    }


def make_corpus(where: Path, pairs: int) -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]
    from bench_batch import make_corpus as write

    write(where, pairs)


def one_round(trees: dict[str, Path], caches: dict[str, Path], work: Path, args, order: list[str]):
    results = {}
    for name in order:
        tree, cache, tmp = trees[name], caches[name], work / f"tmp-{name}"
        tmp.mkdir(exist_ok=True)
        row = job(_INPROC, tree, cache)
        if not args.quick:
            row |= job(_SYNTH, tree, cache)
        row |= cold_jobs(tree, cache, tmp)
        if not args.quick and args.pairs:
            row |= job(_BATCH, tree, cache, str(tmp))
        results[name] = row
    return results


def table(samples: dict[str, list[dict[str, float]]], names: list[str], rev: str) -> None:
    keys = list(dict.fromkeys(k for rows in samples.values() for row in rows for k in row))
    print(f"\n{'median over ' + str(len(samples[names[0]])) + ' rounds, seconds':46} "
          f"{rev[:12]:>12} {'today':>9} {'today/rev':>10}")
    for key in keys:
        med = {}
        for name in names:
            values = [row[key] for row in samples[name] if key in row and row[key] == row[key]]
            med[name] = statistics.median(values) if values else float("nan")
        base, today = med[names[0]], med[names[1]]
        ratio = today / base if base else float("nan")
        flag = "  slower" if ratio > 1.10 else ""
        print(f"  {key:44} {base:12.4f} {today:9.4f} {ratio:9.2f}x{flag}")
    print("(in-process rows: CPU time, best of 3 inside each process; cold and batch rows: wall time; "
          "'slower' marks a ratio above 1.10; the control row and `python -c pass` do the same work in both trees, "
          "so how far their ratios stray from 1.00 is how far this machine's load moves a ratio)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--against", required=True, metavar="REV", help="git revision to compare with")
    ap.add_argument("--rounds", type=int, help="rounds per tree (default 5, --quick 3)")
    ap.add_argument("--pairs", type=int, default=60, help="pairs in the batch corpus (0: no batch)")
    ap.add_argument("--quick", action="store_true", help="no synthetic plans, no batch")
    ap.add_argument("--rev-path", action="append", default=[], metavar="DIR",
                    help="also on the revision's PYTHONPATH (e.g. `pip install --target DIR matplotlib` "
                         "for a revision that drew its charts with it)")
    args = ap.parse_args()
    REV_PATHS[:] = args.rev_path
    rounds = args.rounds or (3 if args.quick else 5)
    work = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    try:
        trees = {"rev": checkout(args.against, work), "today": ROOT}
        caches = {name: work / f"pyc-{name}" for name in trees}
        for name in trees:
            warm_cache(trees[name], caches[name])
        if not args.quick and args.pairs:
            make_corpus(work / "corpus", args.pairs)
        print(f"{args.against} against today's tree, {rounds} rounds, python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
        one_round(trees, caches, work, argparse.Namespace(quick=True, pairs=0), list(trees))  # warm-up
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for i in range(rounds):
            order = list(trees) if i % 2 == 0 else list(trees)[::-1]
            for name, row in one_round(trees, caches, work, args, order).items():
                samples[name].append(row)
            print(f"  round {i + 1}/{rounds} done", flush=True)
        table(samples, list(trees), args.against)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "rev" / "tree")],
                       capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
