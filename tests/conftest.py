"""Shared fixtures: the real seed documents, archive folders, CLI runners, tree hashing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Seed file → short key used by the tests (see ../shared/seeds/INDEX.md).
SEED_FILES = {
    "2016": "001_66936beedc7eb52d.txt",
    "2019": "000_f5389067b9ab5a36.txt",
    "2020": "003_6760169ef42d98b0.txt",
    "2021": "002_d45bf98a6024f160.txt",
    "jieyang": "004_5f60215a50e547ff.txt",
}


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed documents, shared next to the repository; skip only if they are absent."""
    path = REPO.parent / "shared" / "seeds"
    if not path.is_dir():
        pytest.skip(f"seed documents not found at {path}")
    return path


@pytest.fixture(scope="session")
def seeds(seeds_dir: Path) -> dict[str, Path]:
    """Seed paths by key: 2016, 2019, 2020, 2021, jieyang."""
    out = {key: seeds_dir / name for key, name in SEED_FILES.items()}
    missing = [str(p) for p in out.values() if not p.is_file()]
    if missing:
        pytest.skip(f"seed documents missing: {', '.join(missing)}")
    return out


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
