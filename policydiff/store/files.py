"""Writing files safely: one atomic writer, CSV that spreadsheets cannot execute, plain tables.

Every file policydiff writes, a result (`-o`), a batch table or an archive object, goes through
`writing`: a new temporary file beside the target, flushed and fsynced, given its mode, then renamed
(or, for files that must not be overwritten, linked) into place. A reader sees the old file or the
new one, never half of one.

Modes. A new result file gets ``0o666 & ~umask``, like any file a shell redirect creates; an
existing one keeps its mode; the archive passes explicit modes (objects 0o444, sidecars 0o644).
The umask is never read: the temporary file is created with ``os.open(..., 0o666)`` and the kernel
applies the umask (or the folder's default ACL) itself. Reading it would mean setting it
(``os.umask(0)`` then ``os.umask(old)``), which briefly changes it for every thread of the process.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.model.formats import CSV_BOM

_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write a result file atomically (see `writing`); its mode comes from the umask, or from the
    file it replaces.

    A device, FIFO or terminal (`-o /dev/stdout`) is written to directly: renaming over it would
    replace the special file itself. A symlink to a file keeps pointing there: its target is replaced.
    """
    target = Path(path)
    if target.is_dir():
        raise PolicydiffError(f"output path is a directory: {target}")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if target.exists() and not target.is_file():
        try:
            with open(target, "wb") as fh:
                fh.write(raw)
        except OSError as exc:
            raise PolicydiffError(f"cannot write {target}: {exc.strerror or exc}") from None
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, raw, prefix=f".{target.name}.")
    except OSError as exc:
        raise PolicydiffError(f"cannot write {target}: {exc.strerror or exc}") from None


def replace_file(path: Path, data: bytes, *, prefix: str, mode: int | None = None, fsync: bool = True) -> None:
    """Put `data` at `path` atomically (see `writing`). Raises OSError; leaves no temp file."""
    with writing(path, prefix=prefix, mode=mode, fsync=fsync) as fh:
        fh.write(data)


@contextmanager
def writing(
    path: Path,
    *,
    prefix: str,
    mode: int | None = None,
    fsync: bool = True,
    place: Callable[[Path, Path], None] = os.replace,
) -> Iterator[BinaryIO]:
    """The one atomic writer: yields a new temporary file beside `path`; when the block ends it is
    flushed, fsynced (unless fsync=False), given its mode and moved into place by `place(tmp, path)`.

    mode None: an existing `path` keeps its mode, a new one gets 0o666 & ~umask. If the block or
    any step raises, the temporary file is removed and `path` is untouched. Raises OSError.
    """
    keep = _existing_mode(path) if mode is None else mode
    fd, tmp = _create_temp(path.parent, prefix, ".tmp", 0o666 if keep is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
            if keep is not None:
                os.fchmod(fh.fileno(), keep)
        place(tmp, path)
    except BaseException:
        unlink_quiet(tmp)
        raise


def publish_new(path: Path, data: bytes, *, prefix: str, mode: int) -> bool:
    """Write a file that must not overwrite one a concurrent process created first; durable.

    Returns whether this call created it (False: the file was already there, and is kept)."""
    created = False

    def link(tmp: Path, dest: Path) -> None:
        nonlocal created
        try:
            os.link(tmp, dest)
            created = True
        except FileExistsError:
            pass
        finally:
            unlink_quiet(tmp)

    with writing(path, prefix=prefix, mode=mode, place=link) as fh:
        fh.write(data)
    fsync_dir(path.parent)
    return created


def write_durable(path: Path, data: bytes, *, prefix: str, mode: int) -> None:
    """`replace_file`, then an fsync of the folder: the rename itself survives a power cut.
    An OSError names `path` (a full disk fails a write(), which names no file)."""
    try:
        replace_file(path, data, prefix=prefix, mode=mode)
        fsync_dir(path.parent)
    except OSError as exc:
        raise naming(exc, path) from exc


def naming(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """`exc` (same errno, so the same subclass) naming `path` as the file it failed on."""
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def reserve_temp(folder: Path, *, prefix: str, suffix: str) -> Path:
    """A new, empty, private temporary file in `folder`, for writers that need a name (SQLite)."""
    fd, tmp = _create_temp(folder, prefix, suffix, 0o600)
    os.close(fd)
    return tmp


def _create_temp(folder: Path, prefix: str, suffix: str, perms: int) -> tuple[int, Path]:
    """Like tempfile.mkstemp, but `perms` is passed to the kernel, which applies the umask."""
    for _ in range(100):
        tmp = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            return os.open(tmp, _TEMP_FLAGS, perms), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(folder))


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the regular file at `path`, or None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return stat.S_IMODE(st.st_mode) & 0o777 if stat.S_ISREG(st.st_mode) else None


def fsync_dir(folder: Path) -> None:
    """Make a rename or creation in `folder` durable, not just the file contents."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def unlink_quiet(path: Path) -> None:
    """Remove a file that may already be gone."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def mkdirs(folder: Path, created: list[Path]) -> None:
    """Create `folder` and missing parents, each durably; appends each one made here to `created`."""
    missing: list[Path] = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    for m in reversed(missing):
        try:
            m.mkdir()
            created.append(m)
        except FileExistsError:
            pass
        fsync_dir(m.parent)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_input_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of an input file, or UsageProblem/PolicydiffError naming what is wrong with it."""
    if not path.exists():
        raise UsageProblem(f"no such file: {path}")
    if path.is_dir():
        raise UsageProblem(f"{path} is a directory, not a file")
    if not path.is_file():
        raise UsageProblem(f"{path} is not a regular file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise PolicydiffError(f"{path}: too large: {size} bytes (limit {max_bytes // (1024 * 1024)} MB)")
        with path.open("rb") as fh:
            return fh.read(max_bytes + 1)  # decode() refuses it if it grew meanwhile
    except PermissionError:
        raise PolicydiffError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise PolicydiffError(f"cannot read {path}: {exc.strerror or exc}") from None


def refuse_archive_overlap(path: str | os.PathLike[str], archive_dir: str | os.PathLike[str]) -> None:
    """Raise PolicydiffError when an output path lies in the archive folder or would contain it.

    Results written into the archive would damage it (`-o docs_archive/catalog.sqlite`), and a report
    folder replaced around it (`report -o .`) would delete it.
    """
    if not Path(archive_dir).is_dir():
        return
    out, arch = Path(os.path.realpath(path)), Path(os.path.realpath(archive_dir))
    if out.is_relative_to(arch) or arch.is_relative_to(out):
        raise PolicydiffError(f"refusing to write {os.fspath(path) or '.'}: it overlaps the archive folder {archive_dir}")


#: written last into a folder: its presence says the folder is complete
MANIFEST = "MANIFEST.json"
#: what a CSV file starts with: Excel on Windows reads a CSV as UTF-8 (not the ANSI code page) only after it


def write_folder(out_dir: str | os.PathLike[str], files: Iterable[tuple[str, str | bytes]], *,
                 label: str) -> list[str]:
    """Write (name, text or bytes) files into a temporary folder, then rename it into place: a
    folder of results is complete or absent, never half-written. Returns the file names (with
    MANIFEST.json). A .csv file starts with a UTF-8 BOM (CSV_BOM), for Excel; bytes (a workbook)
    are written as they are."""
    dest = Path(out_dir)
    check_destination(dest)
    if dest.name in ("", ".", ".."):
        dest = Path(os.path.abspath(dest))  # a real name for the temp folder and the swap
    parent = dest.parent if str(dest.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.incomplete-", dir=parent))
        tmp.chmod(0o755)  # mkdtemp makes it private; a report is for reading
    except OSError as exc:
        raise PolicydiffError(f"cannot write report to {dest}: {exc.strerror or exc}") from None
    names: list[str] = []
    try:
        for name, text in files:
            _put(tmp / name, text)
            names.append(name)
        _put(tmp / MANIFEST, json.dumps({"series": label, "files": sorted(names), "complete": True}, indent=2))
        names.append(MANIFEST)
        _swap_into_place(tmp, dest)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise PolicydiffError(f"cannot write report to {dest}: {exc.strerror or exc}") from None
        raise
    return sorted(names)


def _put(path: Path, text: str | bytes) -> None:
    if isinstance(text, str) and path.suffix.lower() == ".csv" and not text.startswith(CSV_BOM):
        text = CSV_BOM + text
    data = text.encode("utf-8") if isinstance(text, str) else text
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def check_destination(dest: Path) -> None:
    """Only a report folder (or an empty one) is ever replaced: never a folder with other files in it."""
    if dest.exists() and not dest.is_dir():
        raise PolicydiffError(f"report destination is not a folder: {dest}")
    if not dest.exists():
        return
    here, there = Path.cwd().resolve(), dest.resolve()
    if here == there or here.is_relative_to(there):
        raise PolicydiffError(f"report destination {dest} is the current folder or contains it: choose another folder")
    try:
        has_files = any(dest.iterdir())
    except OSError as exc:
        raise PolicydiffError(f"cannot write report to {dest}: {exc.strerror or exc}") from None
    if has_files and not is_report_folder(dest):
        raise PolicydiffError(f"report destination {dest} is a folder that is not a policydiff report "
                              f"(no {MANIFEST} listing exactly its files): refusing to replace it; "
                              "choose a new or empty folder")


def is_report_folder(folder: Path) -> bool:
    """Whether `folder` holds exactly what a policydiff report manifest lists: MANIFEST.json (an
    object with a "series" string, "complete": true and a "files" list of plain names) and those
    files, all regular files. Any other file, folder or link in it means it is not ours to replace."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        entries = {p.name: p for p in folder.iterdir()}
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or set(manifest) != {"series", "files", "complete"}:
        return False
    files = manifest["files"]
    if manifest["complete"] is not True or not isinstance(manifest["series"], str) or not isinstance(files, list):
        return False
    if not all(isinstance(f, str) and f and "/" not in f and f not in (".", "..", MANIFEST) for f in files):
        return False
    if set(entries) != {*files, MANIFEST} or len(set(files)) != len(files):
        return False
    return all(p.is_file() and not p.is_symlink() for p in entries.values())


def _swap_into_place(tmp: Path, dest: Path) -> None:
    """Replace dest by tmp with renames only; an older report is removed after the new one is in."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def is_complete(folder: str | os.PathLike[str]) -> bool:
    """A report folder is complete when its manifest lists files that are all there."""
    path = Path(folder)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(manifest.get("complete")) and all((path / f).is_file() for f in manifest.get("files", []))
