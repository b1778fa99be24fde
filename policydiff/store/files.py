"""Writing results safely: atomic files, CSV that spreadsheets cannot execute, plain tables."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from policydiff.errors import PolicydiffError


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write to a temporary file beside `path`, fsync, then rename: never a half-written file.

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


def replace_file(path: Path, data: bytes, *, prefix: str, mode: int | None = None) -> None:
    """The atomic step shared by every writer (results here, the archive's files): a temporary
    file in the same folder, fsynced, then renamed over `path`. Raises OSError; leaves no temp file."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def write_folder(out_dir: str | os.PathLike[str], files: Iterable[tuple[str, str]], *, label: str) -> list[str]:
    """Write (name, text) files into a temporary folder, then rename it into place: a folder of
    results is complete or absent, never half-written. Returns the file names (with MANIFEST.json)."""
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


def _put(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
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
    if has_files and not (dest / MANIFEST).is_file():
        raise PolicydiffError(f"report destination {dest} is a folder that is not a policydiff report "
                              f"(no {MANIFEST}): refusing to replace it; choose a new or empty folder")


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


def to_json(data: object) -> str:
    """UTF-8 JSON (Chinese stays readable); `</` is escaped so JSON embedded in HTML stays inert."""
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ would start a formula (CSV injection)."""
    s = "" if value is None else str(value)
    if s.startswith(_FORMULA) and not _is_number(s):
        return "'" + s
    return s


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def to_csv(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def table(header: list[str], rows: list[list[object]], max_width: int = 40) -> str:
    """A plain aligned table (wide characters count double)."""
    cells = [[_clip(str(v if v is not None else ""), max_width) for v in r] for r in [header, *rows]]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(r)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    out, w = "", 0
    for c in s:
        w += _width(c)
        if w > n:
            return out + "…"
        out += c
    return out
