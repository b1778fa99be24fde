"""Helpers for the hostile-input, crash and output-security tests: run the CLI as a subprocess on a
copy of the bundled archive and check that it failed cleanly (or worked) and left the archive alone."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO, subprocess_env

BUNDLED = REPO / "docs_archive"
BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"
#: `search` may (re)build its index; nothing else in the archive may change on a read or a refusal
MAY_CHANGE = {"derived/search.sqlite"}


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str
    seconds: float
    max_rss_kb: int = 0

    def __str__(self) -> str:
        return f"policydiff {' '.join(self.args)[:200]} -> {self.code}\nstderr: {self.err[-2000:]}"


_pristine: list[Path] = []


def _pristine_archive() -> Path:
    """One snapshot of the bundled archive per test session (it may be rebuilt while tests run)."""
    if not _pristine:
        root = Path(tempfile.mkdtemp(prefix="policydiff-bundled-"))
        atexit.register(shutil.rmtree, root, True)
        for _attempt in range(10):
            snap = root / f"archive{_attempt}"
            try:
                shutil.copytree(BUNDLED, snap, symlinks=True)
                if len(list((snap / "versions").glob("*.json"))) == 5 and (snap / "catalog.sqlite").is_file():
                    break
            except (OSError, shutil.Error):
                pass
            time.sleep(1)  # caught in the middle of tools/build_docs_archive.sh: try again
        else:
            raise RuntimeError(f"cannot take a consistent copy of {BUNDLED}")
        _pristine.append(snap)
    return _pristine[0]


def copy_archive(dest: Path) -> Path:
    """A private copy of the bundled archive (the seeds in gd-digital-gov and jieyang-digital-gov)."""
    shutil.copytree(_pristine_archive(), dest, symlinks=True)
    return dest


def run_cli(archive: Path | str | None, *args: object, cwd: Path | None = None, timeout: float = 180,
            stdout=None, preexec_fn=None) -> Run:
    """`python -m policydiff [--archive A] ARGS…` in a subprocess; its time and peak memory are measured."""
    argv = [str(a) for a in args]
    if archive is not None:
        argv = ["--archive", str(archive), *argv]
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "policydiff", *argv], cwd=cwd, env=subprocess_env(),
                            stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec_fn)
    chunks: dict[str, bytes] = {"out": b"", "err": b""}

    def drain(name: str, stream) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(name, stream), daemon=True)
               for name, stream in (("out", proc.stdout), ("err", proc.stderr)) if stream is not None]
    for t in readers:
        t.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        # wait4, not wait: the child's own peak memory comes with its exit status
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    seconds = time.monotonic() - start
    if proc.returncode == -signal.SIGKILL and seconds >= timeout:
        raise AssertionError(f"policydiff {' '.join(argv)[:200]} did not finish in {timeout} s")
    return Run(argv, proc.returncode, chunks["out"].decode("utf-8", "replace"),
               chunks["err"].decode("utf-8", "replace"), seconds, usage.ru_maxrss)


def snapshot(root: Path) -> dict[str, str]:
    """sha256 and mode of every file under root (paths relative to it), except what may change."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if rel in MAY_CHANGE:
                continue
            out[rel] = f"{oct(path.stat().st_mode)} {hashlib.sha256(path.read_bytes()).hexdigest()}"
    return out


def assert_no_crash(r: Run) -> None:
    assert "Traceback" not in r.err and "Traceback" not in r.out, str(r)
    assert "internal error" not in r.err, str(r)


def error_line(r: Run) -> str:
    """The one stderr line of a clean failure (warnings before it are allowed)."""
    assert_no_crash(r)
    assert r.code != 0, str(r)
    lines = [ln for ln in r.err.splitlines() if not ln.startswith("policydiff: warning:")]
    assert len(lines) == 1 and lines[0].startswith("policydiff: error: "), str(r)
    return lines[0]


def assert_error(r: Run, *needles: str, code: int | None = None) -> str:
    """A clean one-line error mentioning every needle (case-insensitive)."""
    line = error_line(r)
    for needle in needles:
        assert needle.lower() in line.lower(), f"{needle!r} not in {line!r}"
    if code is not None:
        assert r.code == code, str(r)
    return line


def assert_ok(r: Run) -> None:
    assert_no_crash(r)
    assert r.code == 0, str(r)
    assert all(ln.startswith("policydiff: warning:") for ln in r.err.splitlines()), str(r)


def assert_verify_clean(archive: Path) -> None:
    r = run_cli(archive, "archive", "verify")
    assert r.code == 0 and r.out.rstrip().splitlines()[-1].startswith("ok:"), str(r) + r.out


def assert_unchanged(archive: Path, before: dict[str, str]) -> None:
    after = snapshot(archive)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"archive changed: {changed}"
    assert_verify_clean(archive)
