"""Series-level metadata of an archive: the series a series takes up (its parent: a city plan's
provincial series), kept in `series.json` at the archive root:

    {"jieyang-digital-gov": {"parent": "gd-digital-gov"}}

The file is optional and additive: an archive without it has no parents, and the catalog, the
sidecars and the objects are the same with it or without it. It is written atomically, under the
catalog's write lock, so two adds naming parents at once do not lose one another's.
"""

from __future__ import annotations

import json
from pathlib import Path

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.store.catalog import CATALOG, check_series, connect_rw
from policydiff.store.files import atomic_write

FILE = "series.json"


#: a series.json larger than this is refused (it holds one short line per series)
MAX_BYTES = 1 << 20


def _load(path: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The parents a series.json records and what is wrong with it (messages without the path).
    Every malformed or hostile form — not a regular file, too large, not UTF-8, not JSON, nested
    without end, not an object of series, a duplicated series, an entry without a valid parent — is
    a message, never an exception."""
    if not path.exists() and not path.is_symlink():
        return {}, []
    if path.is_symlink() or not path.is_file():
        return {}, ["not a regular file (a link or a folder): remove it"]
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return {}, [f"{size} bytes, more than {MAX_BYTES}: not series metadata"]
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"unreadable: {exc}"]
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        seen = set()
        for key, _ in items:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        return dict(items)

    try:
        data = json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError) as exc:
        return {}, [f"not JSON ({str(exc)[:80]})" if isinstance(exc, ValueError) else "not JSON (nested too deep)"]
    if not isinstance(data, dict):
        return {}, ["not an object of series ({\"SERIES\": {\"parent\": \"SERIES\"}})"]
    problems = [f"series {d[:40]!r} is given more than once" for d in dict.fromkeys(duplicates)]
    out: dict[str, dict[str, str]] = {}
    for series, meta in data.items():
        parent = meta.get("parent") if isinstance(meta, dict) else None
        if not isinstance(parent, str):
            problems.append(f"series {series[:40]!r} has no parent name")
            continue
        try:
            check_series(series)
            check_series(parent)
        except UsageProblem as exc:
            problems.append(str(exc))
            continue
        out[series] = {"parent": parent}
    return out, problems


def read(root: str | Path) -> dict[str, dict[str, str]]:
    """series → its metadata ({"parent": name}); {} when the archive has no series.json. A
    malformed one raises PolicydiffError naming the file and its first problem."""
    path = Path(root) / FILE
    data, problems = _load(path)
    if problems:
        raise PolicydiffError(f"{path}: {problems[0]}: fix it or remove it (`archive verify` lists every problem)")
    return data


def read_lenient(root: str | Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The parents that can be read and the problems of the rest (for listings that go on)."""
    return _load(Path(root) / FILE)


def check(root: str | Path, series: set[str] | None) -> list[str]:
    """What is wrong with series.json (for `archive verify`): its form, series or parents that are
    not archived (unless `series` is None: the catalog is unreadable), a series that is its own
    parent or a parent of its parents."""
    data, problems = _load(Path(root) / FILE)
    for name, meta in sorted(data.items()) if series is not None else ():
        if name not in series:
            problems.append(f"series {name} is not archived")
        if meta["parent"] not in series:
            problems.append(f"parent {meta['parent']} of {name} is not archived")
    for name in sorted(data):
        try:
            _no_cycle({k: v for k, v in data.items() if k != name}, name, data[name]["parent"])
        except UsageProblem:
            problems.append(f"{name} is its own parent, or a parent of its parents")
    return problems


def children(data: dict[str, dict[str, str]], series: str) -> list[str]:
    """The series that name `series` as their parent."""
    return sorted(k for k, v in data.items() if v.get("parent") == series)


def parent(root: str | Path, series: str) -> str:
    """The parent series of `series` ('' when none is recorded)."""
    return read(root).get(series, {}).get("parent", "")


def check_parent(root: str | Path, series: str, parent_series: str) -> None:
    """Raise UsageProblem when `parent_series` cannot be the parent of `series` (itself, or a series
    whose parents lead back to it)."""
    check_series(series)
    check_series(parent_series)
    _no_cycle(read(root), series, parent_series)


def _no_cycle(data: dict[str, dict[str, str]], series: str, parent_series: str) -> None:
    chain, seen = parent_series, set()
    while chain and chain not in seen:
        if chain == series:
            raise UsageProblem(f"--parent {parent_series}: {series} would be a parent of itself")
        seen.add(chain)
        chain = data.get(chain, {}).get("parent", "")


def set_parent(root: str | Path, series: str, parent_series: str) -> bool:
    """Record `parent_series` as the parent of `series`; False when it already was. A series is
    not its own parent, nor a parent of its parents."""
    check_series(series)
    check_series(parent_series)
    root = Path(root)
    conn = connect_rw(root / CATALOG)
    try:
        conn.execute("BEGIN IMMEDIATE")
        data = read(root)
        _no_cycle(data, series, parent_series)
        if data.get(series, {}).get("parent") == parent_series:
            return False
        data[series] = {"parent": parent_series}
        text = json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=2) + "\n"
        atomic_write(root / FILE, text)
        return True
    finally:
        if conn.in_transaction:  # nothing was written to the catalog: this only releases the lock
            conn.rollback()
        conn.close()
