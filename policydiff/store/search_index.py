"""The search index of an archive (derived/search.sqlite), kept up to date version by version.

One FTS5 table (trigram tokenizer) holds every clause; a table `versions` records, for each
version indexed, a stamp of what its rows were made from (series, year, ref and the stored
clause XML's size and time) and the range of rowids its rows occupy. Opening the index compares
the stamps with the catalog and indexes only what changed: new versions are added, versions that
vanished or changed are dropped (and re-added). A new normalizer (or an index of an older
layout, or a damaged one) is built again from scratch, under a temporary name renamed into place.

A read-only archive uses its stored index as it is when current; when versions were added since,
the index is copied into memory and only those are indexed there; without a usable stored index
it is built in memory.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from policydiff.read.version import NORMALIZER_VERSION
from policydiff.store.archive import Archive
from policydiff.store.catalog import TMP_PREFIX, Version, busy_error, is_busy

#: the layout of the index; another value (or none: the old one-fingerprint index) is rebuilt
LAYOUT = "2"

_SCHEMA = """
CREATE VIRTUAL TABLE clauses USING fts5(
    text, heading UNINDEXED, series UNINDEXED, year UNINDEXED, ref UNINDEXED, clause UNINDEXED,
    kind UNINDEXED, tokenize = 'trigram'
);
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE versions (key TEXT PRIMARY KEY, stamp TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL);
"""

_COLUMNS = "text, heading, series, year, ref, clause, kind"

#: seconds a search waits for another process that is updating the index
BUSY_TIMEOUT_S = 30.0

Row = tuple[str, str, str, int | None, str, str, str]


class _Stale(Exception):
    """The stored index cannot be updated in place: another layout or normalizer, or damaged."""


def _key(v: Version) -> str:
    return f"{v.id}@{v.series}"  # the same bytes in two series are two versions


def stamps(archive: Archive) -> dict[str, tuple[Version, str]]:
    """Every archived version by key, with the stamp of what its index rows are made from: its
    series, year and ref, and the size and time of the derived files its clause XML may be read
    from (derived/<id>.xml or derived/<id>@<series>.xml, and their digests; one listing of the
    folder, not a stat per file)."""
    files = _derived_files(archive.root / "derived")
    out = {}
    for v in archive.list():
        names = [f"{v.id}{tail}{ext}" for tail in ("", f"@{v.series}") for ext in (".xml", ".digest")]
        out[_key(v)] = (v, "\t".join([v.series, str(v.year), v.ref, *(files.get(n, "-") for n in names)]))
    return out


def _derived_files(folder: Path) -> dict[str, str]:
    """Name → "size:mtime_ns" of the files in derived/."""
    out = {}
    try:
        with os.scandir(folder) as it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                out[entry.name] = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        pass
    return out


def rows_of(archive: Archive, v: Version) -> list[Row]:
    """The index rows of one version: its clauses in document order."""
    from policydiff.store import loader

    doc = loader.load_version(archive, v)
    return [(c.full_text, c.heading, v.series, v.year, v.ref, c.eid, c.tag) for c in doc.clauses()]


def _indexed(conn: sqlite3.Connection) -> dict[str, tuple[str, int, int]]:
    """The versions an index holds: key → (stamp, first rowid, last rowid). Raises _Stale (a
    locked index is not stale: that error is raised as it is, and the index is not rebuilt)."""
    try:
        state = dict(conn.execute("SELECT key, value FROM state").fetchall())
        if state.get("layout") != LAYOUT or state.get("normalizer") != NORMALIZER_VERSION:
            raise _Stale
        return {k: (s, a, b) for k, s, a, b in conn.execute("SELECT key, stamp, first, last FROM versions")}
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise
        raise _Stale from None


def _apply(conn: sqlite3.Connection, archive: Archive, wanted: dict[str, tuple[Version, str]],
           loaded: dict[str, list[Row]] | None = None) -> int:
    """Bring the index in `conn` to `wanted` (inside the caller's transaction); the versions indexed."""
    have = _indexed(conn)
    for key, (stamp, first, last) in have.items():
        if key not in wanted or wanted[key][1] != stamp:
            conn.execute("DELETE FROM clauses WHERE rowid BETWEEN ? AND ?", (first, last))
            conn.execute("DELETE FROM versions WHERE key = ?", (key,))
    (top,) = conn.execute("SELECT coalesce(max(last), 0) FROM versions").fetchone()
    added = 0
    for key, (v, stamp) in wanted.items():
        if key in have and have[key][0] == stamp:
            continue
        rows = (loaded or {}).get(key)
        rows = rows_of(archive, v) if rows is None else rows
        first = top + 1
        conn.executemany(f"INSERT INTO clauses (rowid, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [(first + i, *row) for i, row in enumerate(rows)])
        top = first + len(rows) - 1 if rows else top
        conn.execute("INSERT INTO versions VALUES (?, ?, ?, ?)", (key, stamp, first, first + len(rows) - 1))
        added += 1
    return added


def _missing(conn: sqlite3.Connection, wanted: dict[str, tuple[Version, str]]) -> list[str]:
    """Keys of the versions to index; one more ("") when the index holds versions that vanished."""
    have = _indexed(conn)
    todo = [k for k, (_v, stamp) in wanted.items() if k not in have or have[k][0] != stamp]
    return todo + [""] if have.keys() - wanted.keys() else todo


def _fill_new(conn: sqlite3.Connection, archive: Archive, wanted: dict[str, tuple[Version, str]]) -> None:
    conn.executescript(_SCHEMA)
    conn.executemany("INSERT INTO state VALUES (?, ?)", [("layout", LAYOUT), ("normalizer", NORMALIZER_VERSION)])
    _apply(conn, archive, wanted)
    conn.commit()


def ro_uri(path: Path) -> str:
    """A read-only SQLite URI for `path`, percent-encoded: a folder named a#b?c%41 is that folder
    (unquoted, `#` and `?` would end the path and %41 would read as "A")."""
    return f"{Path(os.path.abspath(path)).as_uri()}?mode=ro"


def _open_ro(path: Path) -> sqlite3.Connection | None:
    try:
        return sqlite3.connect(ro_uri(path), uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None


def _update_in_place(path: Path, archive: Archive, wanted: dict[str, tuple[Version, str]]) -> sqlite3.Connection:
    """The stored index, updated to `wanted`. Raises _Stale, sqlite3.Error or OSError."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        todo = _missing(conn, wanted)
        loaded = {k: rows_of(archive, wanted[k][0]) for k in todo if k}  # the slow part, outside the lock
        conn.execute("BEGIN IMMEDIATE")  # one updater at a time; readers see before or after
        try:
            _apply(conn, archive, wanted, loaded)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except BaseException:
        conn.close()
        raise
    return conn


def _build_file(path: Path, archive: Archive, wanted: dict[str, tuple[Version, str]]) -> sqlite3.Connection:
    """A new index under a temporary name (a name verify knows), renamed into place."""
    tmp = path.with_name(f"{TMP_PREFIX}search-{os.getpid()}.sqlite")
    try:
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        try:
            _fill_new(conn, archive, wanted)
        finally:
            conn.close()
        os.replace(tmp, path)  # readers see the old index or the new one, never half of one
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk, a version that cannot be read …: no half index left
        raise
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)


def _in_memory(path: Path, archive: Archive, wanted: dict[str, tuple[Version, str]]) -> sqlite3.Connection:
    """The index in memory: the stored one copied and brought up to date, else built."""
    mem = sqlite3.connect(":memory:")
    disk = _open_ro(path) if path.is_file() else None
    if disk is not None:
        try:
            disk.backup(mem)
            _apply(mem, archive, wanted)
            mem.commit()
            return mem
        except (_Stale, sqlite3.Error):
            mem.close()
            mem = sqlite3.connect(":memory:")
        finally:
            disk.close()
    _fill_new(mem, archive, wanted)
    return mem


def _current(path: Path, wanted: dict[str, tuple[Version, str]]) -> sqlite3.Connection | None:
    """A read-only connection to the stored index when it is up to date, else None."""
    conn = _open_ro(path) if path.is_file() else None
    if conn is None:
        return None
    try:
        if not _missing(conn, wanted):
            return conn
    except (_Stale, sqlite3.Error):
        pass
    conn.close()
    return None


def open_index(archive: Archive) -> sqlite3.Connection:
    """The search index of an archive, up to date: the stored one (updated in place when the archive
    changed, rebuilt when stale), or one in memory when it cannot be stored."""
    wanted = stamps(archive)
    path = archive.derived_path("search", "sqlite")
    conn = _current(path, wanted)
    if conn is not None:
        return conn
    if os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK)):
        try:
            if path.is_file():
                try:
                    return _update_in_place(path, archive, wanted)
                except _Stale:
                    pass
            return _build_file(path, archive, wanted)
        except (OSError, sqlite3.Error):
            pass  # the index cannot be stored (a folder in its place, a full disk …): in memory
    return _in_memory(path, archive, wanted)


def index_finding(archive: Archive) -> str | None:
    """What is wrong with a stored index that claims to be current, or None: the rows of every
    version it claims to hold as that version's document gives them, and no row of no version.
    (A stale or missing index is not a problem: search brings it up to date.)"""
    path = archive.derived_path("search", "sqlite")
    conn = _open_ro(path) if path.is_file() else None
    if conn is None:
        return None
    try:
        try:
            have = _indexed(conn)
        except _Stale:
            return None
        wanted = stamps(archive)
        for key, (stamp, first, last) in sorted(have.items(), key=lambda kv: kv[1][1]):
            if key in wanted and wanted[key][1] == stamp:
                v = wanted[key][0]
                got = conn.execute(f"SELECT {_COLUMNS} FROM clauses WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                                   (first, last)).fetchall()
                if got != rows_of(archive, v):
                    return f"holds text that is not in {v.ref} ({v.short_id}); delete it and search rebuilds it"
        ranges = sorted((first, last) for _s, first, last in have.values())
        overlap = any(b[0] <= a[1] for a, b in zip(ranges, ranges[1:], strict=False))
        (count,) = conn.execute("SELECT count(*) FROM clauses").fetchone()
        claimed = sum(max(0, last - first + 1) for first, last in ranges)
        if overlap or count != claimed:
            return "holds rows of no version; delete it and search rebuilds it"
        return None
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):  # a search updating it: in use, not damaged
            raise busy_error("derived/search.sqlite") from None
        return f"unreadable ({exc}); delete it and search rebuilds it"
    finally:
        conn.close()
