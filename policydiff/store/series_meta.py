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


def read(root: str | Path) -> dict[str, dict[str, str]]:
    """series → its metadata ({"parent": name}); {} when the archive has no series.json."""
    path = Path(root) / FILE
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicydiffError(f"{path} unreadable: {exc}") from None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise PolicydiffError(f"{path} is not JSON ({exc}): fix it or remove it") from None
    if not isinstance(data, dict):
        raise PolicydiffError(f"{path} is not an object of series: fix it or remove it")
    out: dict[str, dict[str, str]] = {}
    for series, meta in data.items():
        parent = meta.get("parent") if isinstance(meta, dict) else None
        if not isinstance(parent, str):
            raise PolicydiffError(f"{path}: series {series!r} has no parent name: fix it or remove it")
        try:
            check_series(series)
            check_series(parent)
        except UsageProblem as exc:
            raise PolicydiffError(f"{path}: {exc}") from None
        out[series] = {"parent": parent}
    return out


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
