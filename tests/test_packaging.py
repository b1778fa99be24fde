"""What `pip install .` puts in site-packages: every data file the package reads at run time.

The quick start installs the package (not an editable checkout), so a lexicon file missing from
`[options.package_data]` breaks the first command on a fresh machine while every test of a
checkout passes. This holds the declaration against the files in the tree, and a built package
against it.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("policydiff", "renderers")


def _declared() -> dict[str, list[str]]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    return {pkg: [x.strip() for x in value.replace("\n", ",").split(",") if x.strip()]
            for pkg, value in cfg["options.package_data"].items()}


def _data_files() -> list[Path]:
    """Every file under the packages that is neither Python nor build residue."""
    out = []
    for top in PACKAGES:
        for f in (REPO / top).rglob("*"):
            if f.is_file() and f.suffix not in {".py", ".pyc"} and "__pycache__" not in f.parts:
                out.append(f.relative_to(REPO))
    return sorted(out)


def _covered(rel: Path, declared: dict[str, list[str]]) -> bool:
    for pkg, patterns in declared.items():
        pkg_dir = Path(*pkg.split("."))
        if rel.is_relative_to(pkg_dir):
            inner = rel.relative_to(pkg_dir).as_posix()
            if any(fnmatch(inner, pat) and inner.count("/") == pat.count("/") for pat in patterns):
                return True
    return False


def test_every_data_file_is_declared():
    declared = _declared()
    files = _data_files()
    assert any(f.suffix == ".tsv" for f in files) and any("lexicon" in f.parts for f in files)
    missing = [str(f) for f in files if not _covered(f, declared)]
    assert not missing, f"not in [options.package_data] of setup.cfg: {missing}"


def test_the_built_package_holds_them(tmp_path):
    """Build the package as `pip install .` does (setuptools' build_py: what a wheel holds)."""
    run = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py",
                          "--build-lib", str(tmp_path)], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    missing = [str(f) for f in _data_files() if not (tmp_path / f).is_file()]
    assert not missing, f"not in the built package: {missing}"
