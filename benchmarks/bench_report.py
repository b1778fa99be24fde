"""The main job as a cold process: `policydiff report gd-digital-gov`, plus CLI start-up and import time.

    python benchmarks/bench_report.py

Goal: report under 1.5 s on a 2-core machine. Prints times; asserts nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cold(args: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
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
    print(f"  policydiff report gd-digital-gov        {t_report:6.3f} s   goal < 1.5 s")
    out = subprocess.run([py, "-X", "importtime", "-c", "import policydiff.series.report, policydiff.match.compare, renderers.html"],
                         cwd=ROOT, capture_output=True, text=True).stderr.splitlines()
    heavy = sorted((int(line.split("|")[1]), line.split("|")[2].strip()) for line in out[1:] if line.count("|") == 2)
    print("  heaviest imports of the report path (cumulative µs):")
    for us, name in heavy[-6:][::-1]:
        print(f"    {us / 1e6:6.3f} s  {name}")


if __name__ == "__main__":
    main()
