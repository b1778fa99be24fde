"""The one atomic writer (policydiff.store.files): modes, replacing, symlinks, devices, failures."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import subprocess_env

from policydiff.errors import PolicydiffError
from policydiff.store import files
from policydiff.store.files import atomic_write, publish_new, replace_file, writing


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run_with_umask(umask: int, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python `code` in a fresh interpreter whose umask is set before policydiff is imported."""
    script = f"import os, sys\nos.umask({umask:#o})\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script, *args], env=subprocess_env(), capture_output=True,
                          text=True, timeout=120)


# ------------------------------------------------------------------ modes
@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_result_file_mode_comes_from_the_umask(tmp_path, umask, expected):
    out = tmp_path / "sub" / "result.json"
    r = _run_with_umask(umask, """
        from policydiff.store.files import atomic_write
        atomic_write(sys.argv[1], '{"ok": true}')
    """, str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text() == '{"ok": true}'
    assert _mode(out) == expected
    assert sorted(p.name for p in out.parent.iterdir()) == ["result.json"]  # no temp file left


def test_cli_output_file_mode_comes_from_the_umask(tmp_path, seeds):
    """`-o` through the real CLI: 0o666 & ~umask, not the 0600 of a private temp file."""
    out = tmp_path / "doc.xml"
    r = _run_with_umask(0o027, """
        from policydiff.cli import main
        main(sys.argv[1:])
    """, "--archive", str(tmp_path / "no-archive"), "normalize", str(seeds["2019"]), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"<?xml")
    assert _mode(out) == 0o640


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_existing_file_keeps_its_mode(tmp_path, umask):
    out = tmp_path / "result.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    inode = out.stat().st_ino
    r = _run_with_umask(umask, """
        from policydiff.store.files import atomic_write
        atomic_write(sys.argv[1], "new\\n")
    """, str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text() == "new\n"
    assert _mode(out) == 0o640
    assert out.stat().st_ino != inode  # replaced by a rename, not rewritten in place


def test_explicit_mode_ignores_umask_and_existing_file(tmp_path):
    """The archive's files: objects 0444 and sidecars 0644 whatever the umask."""
    r = _run_with_umask(0o077, """
        from pathlib import Path
        from policydiff.store.files import replace_file
        folder = Path(sys.argv[1])
        replace_file(folder / "object", b"bytes", prefix=".tmp-", mode=0o444)
        replace_file(folder / "sidecar.json", b"{}", prefix=".tmp-", mode=0o644)
        (folder / "old").write_bytes(b"x")
        replace_file(folder / "old", b"y", prefix=".tmp-", mode=0o644)
    """, str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert _mode(tmp_path / "object") == 0o444
    assert _mode(tmp_path / "sidecar.json") == 0o644
    assert _mode(tmp_path / "old") == 0o644 and (tmp_path / "old").read_bytes() == b"y"


def test_archive_modes_under_a_strict_umask(tmp_path, seeds):
    """An add under umask 077: object 0444, sidecar, catalog and clause XML 0644."""
    root = tmp_path / "archive"
    r = _run_with_umask(0o077, """
        from policydiff.store.archive import Archive
        Archive(sys.argv[1]).add(sys.argv[2], series="gd-digital-gov")
    """, str(root), str(seeds["2019"]))
    assert r.returncode == 0, r.stderr
    (obj,) = (root / "objects").glob("*/*")
    (sidecar,) = (root / "versions").glob("*.json")
    (xml,) = (root / "derived").glob("*.xml")
    assert _mode(obj) == 0o444
    assert _mode(sidecar) == _mode(xml) == _mode(root / "catalog.sqlite") == 0o644


# ------------------------------------------------------- links and devices
def test_symlink_keeps_pointing_at_its_replaced_target(tmp_path):
    target = tmp_path / "real" / "out.txt"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic_write(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"
    assert _mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_dangling_symlink_creates_its_target(tmp_path):
    target = tmp_path / "new.txt"
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic_write(link, "text")
    assert link.is_symlink() and target.read_text() == "text"


def test_device_is_written_directly(monkeypatch):
    """`-o /dev/null` writes to the device: a rename would replace the device node itself."""

    def no_replace(*args, **kwargs):
        raise AssertionError("the atomic writer must not be used for a device")

    monkeypatch.setattr(files, "replace_file", no_replace)  # a regression fails here, /dev/null stays
    atomic_write("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_directly(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdout.write(open(sys.argv[1]).read())",
                               str(fifo)], stdout=subprocess.PIPE, text=True)
    atomic_write(fifo, "through the pipe")
    assert reader.communicate(timeout=30)[0] == "through the pipe"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_directory_is_refused(tmp_path):
    with pytest.raises(PolicydiffError, match="is a directory"):
        atomic_write(tmp_path, "x")


# ------------------------------------------------------------------ failures
def test_failed_write_leaves_target_and_no_temp_file(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    with pytest.raises(RuntimeError), writing(out, prefix=".out.") as fh:
        fh.write(b"half")
        raise RuntimeError("interrupted")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_unwritable_folder_is_one_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PolicydiffError, match="cannot write"):
            atomic_write(folder / "out.txt", "x")
    finally:
        folder.chmod(0o755)


def test_publish_new_never_overwrites(tmp_path):
    path = tmp_path / ".gitignore"
    assert publish_new(path, b"first\n", prefix=".tmp-", mode=0o644) is True
    assert publish_new(path, b"second\n", prefix=".tmp-", mode=0o644) is False
    assert path.read_bytes() == b"first\n" and _mode(path) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [".gitignore"]


def test_replace_file_without_fsync_is_still_atomic(tmp_path):
    out = tmp_path / "pair.json"
    replace_file(out, b"{}\n", prefix=".pair.json.", fsync=False)
    assert out.read_bytes() == b"{}\n" and _mode(out) == 0o666 & ~_current_umask()


def _current_umask() -> int:
    # read from /proc (Linux) so this test does not change the umask of the test process
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    pytest.skip("no /proc/self/status")
