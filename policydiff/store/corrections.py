"""The correction log: corrections.jsonl in the archive, one JSON object a line, append-only.

A correction never edits a stored object: it is replayed by the matcher. Appends hold an exclusive
lock (corrections.lock) while they read the last id and write one fsynced line, so concurrent
`correct` commands never lose or duplicate a line; readers never lock (a line is written whole
with one write call, and a torn last line is reported by `check`).
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import getpass
import json
import os
from pathlib import Path

from policydiff.errors import PolicydiffError
from policydiff.model.corrections import OPS, Correction, active

LOG = "corrections.jsonl"
_LOCK = "corrections.lock"
_FIELDS = set(Correction.__dataclass_fields__)


def log_path(root: str | os.PathLike[str]) -> Path:
    return Path(root) / LOG


def read(root: str | os.PathLike[str]) -> list[Correction]:
    """Every line of the log, in order (an archive without corrections has none)."""
    path = log_path(root)
    if not path.exists():
        return []
    out, problems = _parse(path)
    if problems:
        raise PolicydiffError(f"{path}: {problems[0]} (run `policydiff archive verify`)")
    return out


def in_force(root: str | os.PathLike[str]) -> list[Correction]:
    """The links and unlinks not undone."""
    return active(read(root))


def check(root: str | os.PathLike[str]) -> list[str]:
    """What is wrong with the log, one message a problem (for `archive verify`)."""
    path = log_path(root)
    return _parse(path)[1] if path.exists() else []


def append(root: str | os.PathLike[str], op: str, *, old: str = "", new: str = "", why: str = "",
           undoes: int | None = None) -> Correction:
    """Add one line under the lock; returns it with its id."""
    if op not in OPS:
        raise PolicydiffError(f"unknown correction {op!r}")
    folder = Path(root)
    if not folder.is_dir():
        raise PolicydiffError(f"archive not found: {folder}")
    try:
        with open(folder / _LOCK, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            log = read(folder)
            if undoes is not None and not any(c.id == undoes and c.op != "undo" for c in log):
                raise PolicydiffError(f"no correction #{undoes} to undo (see `policydiff correct list`)")
            if undoes is not None and any(c.undoes == undoes for c in log):
                raise PolicydiffError(f"correction #{undoes} is already undone")
            entry = Correction(id=1 + max((c.id for c in log), default=0), op=op, old=old, new=new, why=why,
                               author=_author(), at=_now(), undoes=undoes)
            _write_line(log_path(folder), json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
            return entry
    except OSError as exc:
        raise PolicydiffError(f"cannot write the correction log in {folder}: {exc.strerror or exc}") from None


def _write_line(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _parse(path: Path) -> tuple[list[Correction], list[str]]:
    out: list[Correction] = []
    problems: list[str] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or set(data) != _FIELDS or data.get("op") not in OPS:
                raise ValueError("not a correction")
            entry = Correction(**data)
            if not isinstance(entry.id, int) or (entry.op != "undo" and (not entry.old or not entry.new)):
                raise ValueError("incomplete")
            if entry.op != "undo":
                entry.old_ref, entry.new_ref  # noqa: B018 - they must parse
        except (ValueError, TypeError, PolicydiffError) as exc:
            problems.append(f"line {n} of the correction log is not a valid correction ({exc})")
            continue
        out.append(entry)
    ids = [c.id for c in out]
    if len(ids) != len(set(ids)):
        problems.append("the correction log repeats an id")
    return out, problems


def _author() -> str:
    try:
        return os.environ.get("POLICYDIFF_AUTHOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
