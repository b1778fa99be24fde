"""The main job as a cold process: `policydiff report gd-digital-gov`, plus CLI start-up and import time.

    python benchmarks/bench_report.py

Goal: report under 1.0 s on a 2-core machine. Prints times; asserts nothing.

Cold means a new process, with the bytecode an installed package has (pip compiles it at
install): each command runs once untimed into a private bytecode folder, even where
PYTHONDONTWRITEBYTECODE is set, so what is timed is start-up and work, not compiling the source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


_CACHE = tempfile.mkdtemp(prefix="policydiff-pyc-")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": _CACHE}


def cold(args: list[str], repeat: int = 3) -> float:
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True, env=ENV)  # writes the bytecode
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(args, cwd=ROOT, check=True, capture_output=True, env=ENV)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    py = sys.executable
    env_note = f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
    t_help = cold([py, "-m", "policydiff", "--help"])
    t_import = cold([py, "-c", "import policydiff.cli"])
    t_bare = cold([py, "-c", "pass"])
    with tempfile.TemporaryDirectory() as tmp:
        t_report = cold([py, "-m", "policydiff", "report", "gd-digital-gov", "-o", str(Path(tmp) / "r")])
    print(f"cold processes ({env_note}), best of 3")
    print(f"  python -c pass                          {t_bare:6.3f} s")
    print(f"  import policydiff.cli                   {t_import:6.3f} s   (+{t_import - t_bare:.3f} s over bare python)")
    print(f"  policydiff --help                       {t_help:6.3f} s")
    print(f"  policydiff report gd-digital-gov        {t_report:6.3f} s   goal < 1.0 s")
    out = subprocess.run([py, "-X", "importtime", "-c", "import policydiff.series.report, policydiff.match.compare, renderers.html"],
                         cwd=ROOT, capture_output=True, text=True, env=ENV).stderr.splitlines()
    heavy = sorted((int(line.split("|")[1]), line.split("|")[2].strip()) for line in out[1:] if line.count("|") == 2)
    print("  heaviest imports of the report path (cumulative µs):")
    for us, name in heavy[-6:][::-1]:
        print(f"    {us / 1e6:6.3f} s  {name}")
    shutil.rmtree(_CACHE, ignore_errors=True)


if __name__ == "__main__":
    main()
