"""The writing half of an add: object, sidecar and catalog row, and the undo of a failed add.

Every step is durable before the next (temp file, fsync, rename, fsync of the folder). The INSERT
of the catalog row is the commit point; anything an add created before it is removed again when
the add fails (`Undo`), and whatever a kill leaves behind is a harmless leftover that `verify`
notes and the next add of the same bytes completes.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path

from policydiff.errors import PolicydiffError
from policydiff.store.catalog import (
    CATALOG,
    GITIGNORE,
    TMP_PREFIX,
    AddResult,
    Version,
    busy_error,
    catalog_is_empty,
    check_schema,
    connect_rw,
    fetch,
    insert_row,
    is_busy,
    load_sidecar,
    migrate,
    now,
    sidecar_bytes,
    write_catalog_file,
)
from policydiff.store.files import (
    fsync_dir,
    mkdirs,
    publish_new,
    reserve_temp,
    sha256_file,
    unlink_quiet,
    write_durable,
)


@dataclass
class Undo:
    """Files and directories created by an add that failed before its commit point."""

    files: list[Path] = field(default_factory=list)
    dirs: list[Path] = field(default_factory=list)
    catalog: Path | None = None  # a catalog this add created

    def run(self) -> None:
        for path in reversed(self.files):
            unlink_quiet(path)
        if self.catalog is not None and catalog_is_empty(self.catalog):
            # Only while still empty: a concurrent add may already have committed into it.
            unlink_quiet(self.catalog)
        # rmdir, never rmtree: a concurrent add may already be using a directory we created.
        for d in reversed(self.dirs):
            try:
                d.rmdir()
            except OSError:
                pass

    def forget(self) -> None:
        """The add committed: everything it created belongs to the archive now."""
        self.files.clear()
        self.dirs.clear()
        self.catalog = None


def ensure_layout(root: Path, undo: Undo) -> None:
    """The archive folder with objects/, versions/, .gitignore and an (empty) catalog."""
    for d in (root, root / "objects", root / "versions"):
        mkdirs(d, undo.dirs)
    gitignore = root / ".gitignore"
    if not gitignore.exists() and publish_new(gitignore, GITIGNORE.encode(), prefix=TMP_PREFIX, mode=0o644):
        undo.files.append(gitignore)
    if not (root / CATALOG).exists():
        _create_catalog(root, undo)


def _create_catalog(root: Path, undo: Undo) -> None:
    # Built under a temp name and linked into place, so a catalog file always has its schema
    # and two first adds racing to create it cannot overwrite each other.
    catalog = root / CATALOG
    tmp = reserve_temp(root, prefix=TMP_PREFIX + "catalog-", suffix=".sqlite")
    try:
        write_catalog_file(tmp, [])
        try:
            os.link(tmp, catalog)
            undo.catalog = catalog
        except FileExistsError:
            pass
    finally:
        unlink_quiet(tmp)
    fsync_dir(root)


def object_intact(path: Path, vid: str, size: int) -> bool:
    """Whether the object file at `path` holds the bytes with this id."""
    return path.is_file() and path.stat().st_size == size and sha256_file(path) == vid


def store_object(path: Path, vid: str, data: bytes, undo: Undo) -> None:
    """The object file of `data` at `path` (read-only, 0444)."""
    mkdirs(path.parent, undo.dirs)
    if path.exists() and object_intact(path, vid, len(data)):
        return  # left by an interrupted or concurrent add of the same bytes
    # Missing, or damaged on disk: content addressing makes rewriting the right bytes safe.
    existed = path.exists()
    write_durable(path, data, prefix=TMP_PREFIX, mode=0o444)
    if not existed:
        undo.files.append(path)


def sidecar_for(conn: sqlite3.Connection, versions: Path, version: Version) -> Path:
    """Where a new version's sidecar goes (decided inside the write lock): versions/<id>.json,
    unless a version of another series already owns that file: then versions/<id>@<series>.json."""
    shared = versions / f"{version.id}@{version.series}.json"
    plain = versions / f"{version.id}.json"
    if shared.exists() or not plain.exists():
        return shared if shared.exists() else plain
    owner = load_sidecar(plain)
    if owner is None or owner.series == version.series:
        return plain  # a leftover of this series' interrupted add, or unreadable: rewritten
    owned = conn.execute("SELECT 1 FROM versions WHERE id = ? AND series = ?", (version.id, owner.series)).fetchone()
    return shared if owned else plain  # a leftover of another series' interrupted add is no version


def insert(catalog: Path, versions: Path, version: Version, undo: Undo) -> AddResult:
    """Number the version, write its sidecar and commit its catalog row (or find it committed)."""
    conn = connect_rw(catalog)
    try:
        conn.execute("BEGIN IMMEDIATE")
        check_schema(conn)
        migrate(conn)  # a catalog of schema 1 cannot hold one object in two series
        rows = fetch(conn, "id = ? AND series = ?", (version.id, version.series))
        if rows:  # a concurrent add of the same bytes to this series committed first
            conn.execute("ROLLBACK")
            undo.files.clear()  # the object is now referenced by that version
            return AddResult("exists", rows[0])
        # Numbered inside the write lock, so concurrent adds to one series+year never collide.
        (last,) = conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM versions WHERE series = ? AND year = ?",
            (version.series, version.year),
        ).fetchone()
        version = replace(version, version=last + 1, added_at=now())
        sidecar = sidecar_for(conn, versions, version)
        existed = sidecar.exists()
        write_durable(sidecar, sidecar_bytes(version), prefix=TMP_PREFIX, mode=0o644)
        if not existed:
            undo.files.append(sidecar)
        insert_row(conn, version)
        conn.execute("COMMIT")
        undo.forget()
        return AddResult("added", version)
    except sqlite3.DatabaseError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if is_busy(exc):  # another writer past the busy timeout: the undo removes what this add wrote
            raise busy_error() from None
        raise PolicydiffError(f"catalog update failed: {exc}") from None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
