"""Writing results safely: atomic files, CSV that spreadsheets cannot execute, plain tables."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import unicodedata
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
