"""Shared fixtures: the real seed documents, archive folders, CLI runners, tree hashing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from seedlib import FILES, SEEDS

REPO = Path(__file__).resolve().parents[1]



@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed documents kept with the tests."""
    return SEEDS


@pytest.fixture(scope="session")
def seeds() -> dict[str, Path]:
    """Seed paths by key: 2016, 2019, 2020, 2021, jieyang."""
    return {key: SEEDS / name for key, name in FILES.items()}


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """A not-yet-existing archive folder (only a successful add creates it)."""
    return tmp_path / "archive"


def tree_hash(root: Path) -> str:
    """Hash of every path, file mode and file content under root ("absent" if it does not exist)."""
    if not root.exists():
        return "absent"
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        h.update(f"D {rel}\n".encode())
        for name in sorted(filenames):
            path = Path(dirpath, name)
            h.update(f"F {rel}/{name} {oct(path.stat().st_mode)}\n".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@pytest.fixture
def hash_tree() -> Callable[[Path], str]:
    return tree_hash


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `policydiff ARGS…` in-process through policydiff.cli.main; return (exit code, stdout, stderr)."""
    from policydiff.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("POLICYDIFF_ARCHIVE", None)
    env.pop("POLICYDIFF_DEBUG", None)
    return env


@pytest.fixture
def run_policydiff(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m policydiff ARGS…` in a subprocess (cwd: tmp_path)."""

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "policydiff", *map(str, args)],
            cwd=tmp_path,
            env=subprocess_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
