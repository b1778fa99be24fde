"""Rebuilding an archive's catalog and derived data from its files (`archive verify --rebuild`).

The versions come back from their sidecars (or surviving catalog rows) whose objects are intact.
Objects are trusted over metadata (their bytes hash to their names): a sidecar that lies about the
size, or holds a field no add would write (a year 2^63, a kind "x"), is repaired and reported, not
a reason to drop the version (repair.py). Derived clause XML that its digest does not vouch for is
derived again, and replaced (and reported) when it said something else; the search index is
removed, to be rebuilt from the verified XML by the next search.

A catalog another process keeps locked past the busy timeout is busy, not damaged: the rebuild
stops with one error (`ArchiveBusy`) before it changes anything. Only a catalog that cannot be
read is replaced by a new file, and only while it is still the file found unreadable (a catalog
that a first add or another rebuild put in place meanwhile may hold rows this one never saw).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from policydiff.errors import PolicydiffError
from policydiff.store import derived, repair
from policydiff.store.catalog import (
    CATALOG,
    STALE_TMP_S,
    TMP_PREFIX,
    Problem,
    RebuildReport,
    Version,
    busy_error,
    check_schema,
    connect_rw,
    fetch,
    insert_row,
    is_busy,
    key_parts,
    load_sidecar,
    migrate,
    object_files,
    sidecar_bytes,
    sidecar_files,
    temp_files,
    valid_row,
    write_catalog_file,
)
from policydiff.store.files import fsync_dir, reserve_temp, sha256_file, unlink_quiet, write_durable
from policydiff.store.verify import row_key

Archive = Any  # policydiff.store.archive.Archive, named only here (no import cycle)
Member = tuple[str, str]  # (object id, series): one version
FileId = tuple[int, int] | None  # (device, inode) of a catalog file, None for no file


def rebuild(archive: Archive, deep: bool = False) -> RebuildReport:
    """Recreate the catalog from sidecars and objects; bad objects are skipped and reported.
    `deep` derives every clause XML again (otherwise only XML its digest does not vouch for)."""
    archive.require_root()
    if not os.access(archive.root, os.W_OK):
        raise PolicydiffError(f"archive not writable: {archive.root}")
    report = RebuildReport()
    conn, old_rows, found = _lock_catalog(archive, report)  # busy: ArchiveBusy, nothing touched yet
    try:
        _remove_stale_temps(archive, report)
        versions = _collect(archive, old_rows, report)
        _write_catalog(archive, conn, versions, found)
    except BaseException:
        _roll_back(conn)
        raise
    finally:
        if conn is not None:
            conn.close()
    report.versions = len(versions)
    for v in versions:
        _refresh_xml(archive, v, report, deep)
    unlink_quiet(archive.derived_path("search", "sqlite"))  # the next search indexes the verified XML
    return report


def _write_catalog(archive: Archive, conn: sqlite3.Connection | None, versions: list[Version],
                   found: FileId) -> None:
    """The new rows, in the locked catalog's transaction (or a new catalog file put in place of
    the unreadable or missing one `found`).

    A full disk ("database or disk is full", ENOSPC) or any other SQLite or OS failure here is one
    error naming the catalog, a COMMIT that readers hold off past the busy timeout is ArchiveBusy;
    the caller rolls the transaction back (a temp file is removed), so the catalog is the one there
    was, never half written."""
    try:
        if conn is not None:
            migrate(conn)
            conn.execute("DELETE FROM versions")
            for v in versions:
                insert_row(conn, v)
            conn.execute("COMMIT")
        else:
            _replace_catalog(archive, versions, found)
    except (sqlite3.Error, OSError) as exc:
        if is_busy(exc):
            raise busy_error() from None
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
        raise PolicydiffError(f"cannot write {archive.catalog_path}: {reason}; the catalog was left as it was"
                              ) from None


def _roll_back(conn: sqlite3.Connection | None) -> None:
    """Undo an unfinished catalog transaction; a rollback that fails too (the disk again) leaves
    SQLite's journal, which the next connection rolls back: the old catalog either way."""
    if conn is None or not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _refresh_xml(archive: Archive, v: Version, report: RebuildReport, deep: bool) -> None:
    """Derive a version's clause XML again unless its digest vouches for the stored XML (or always,
    when `deep`); a stored XML that said something else is replaced and reported."""
    if archive.stored_xml(v) is not None and not deep:  # (the CLI's progress bar counts these calls)
        return
    where = f"{v.ref} ({v.short_id})"
    path = archive.xml_path(v)
    try:
        old = path.read_bytes()
    except OSError:
        old = None
    try:
        fresh = archive.derive(v)
    except PolicydiffError as exc:
        report.notes.append(Problem(where, f"clause XML not rebuilt: {exc}"))
        return
    if old is not None and not derived.same_xml(old, fresh) and _claims_current(old, v, archive):
        report.repaired.append(Problem(archive.rel(path), "replaced: it was not what its object derives "
                                       "(edited after derivation)"))
    if old is not None and old == fresh and derived.digest_state(old, archive.digest_path(v), v) == "ok":
        return
    try:
        archive.store_derived(v, fresh)
    except OSError as exc:  # a full disk: the catalog is rebuilt, the XML is built on demand
        failed = archive.rel(Path(exc.filename)) if exc.filename else "derived/"
        report.notes.append(Problem(where, f"clause XML not rebuilt: cannot write {failed}: {exc.strerror or exc}"))


def _claims_current(old: bytes, v: Version, archive: Archive) -> bool:
    """Whether stored XML passes for this version's current XML (so differing from a fresh
    derivation means it was edited, not that it is merely stale)."""
    if derived.digest_state(old, archive.digest_path(v), v) == "stale":
        return False
    try:
        return derived.is_current(derived.parse(old), v)
    except PolicydiffError:
        return False


def _lock_catalog(archive: Archive, report: RebuildReport,
                  ) -> tuple[sqlite3.Connection | None, dict[Member, Version], FileId]:
    """The catalog, write-locked, and its rows; (None, {}, file) when there is none or it is
    unreadable. A catalog locked by another process past the busy timeout is ArchiveBusy: in use,
    not unreadable (replacing it would lose the row a concurrent add is committing)."""
    found = _file_id(archive.catalog_path)  # before reading: a file replaced meanwhile is not this one
    if found is None:
        return None, {}, None
    conn: sqlite3.Connection | None = None
    try:
        conn = connect_rw(archive.catalog_path)
        conn.execute("BEGIN IMMEDIATE")  # holds concurrent adds off until the new rows are in
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            raise sqlite3.DatabaseError(integrity)
        check_schema(conn)
        return conn, {(v.id, v.series): v for v in fetch(conn, "1=1", ())}, found
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if is_busy(exc):
            raise busy_error() from None
        report.notes.append(Problem(CATALOG, f"unreadable ({exc}); replaced by a new catalog"))
        return None, {}, found


def _file_id(path: Path) -> FileId:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _collect(archive: Archive, old_rows: dict[Member, Version], report: RebuildReport) -> list[Version]:
    """The versions of the new catalog, numbered, with their sidecars rewritten where needed."""
    objects = object_files(archive.root)
    intact = {vid: path.stat().st_size for vid, path in objects.items() if sha256_file(path) == vid}
    candidates, keys = _candidates(archive, objects, intact, old_rows, report)
    for vid, path in sorted(objects.items()):
        if vid in intact and not any(m[0] == vid for m in candidates):
            report.notes.append(Problem(archive.rel(path), "object without metadata (interrupted add); left out"))
    result = _number(list(candidates.values()), old_rows, report)
    for v in result:
        path = archive.root / "versions" / f"{keys[(v.id, v.series)]}.json"
        if load_sidecar(path) != v:
            write_durable(path, sidecar_bytes(v), prefix=TMP_PREFIX, mode=0o644)
    return sorted(result, key=lambda v: (v.series, v.year or 0, v.version or 0))


def _usable(archive: Archive, where: str, vid: str, objects: dict[str, Path], intact: dict[str, int],
            report: RebuildReport) -> bool:
    if vid not in objects:
        report.skipped.append(Problem(where, f"object missing ({vid[:12]})"))
    elif vid not in intact:
        report.skipped.append(Problem(where, f"object corrupt ({archive.rel(objects[vid])})"))
    return vid in intact


def _candidates(archive: Archive, objects: dict[str, Path], intact: dict[str, int],
                old_rows: dict[Member, Version], report: RebuildReport,
                ) -> tuple[dict[Member, Version], dict[Member, str]]:
    """Every version with metadata, and the sidecar key each is written under: sidecars first
    (repaired where they lie), then catalog rows whose sidecar was lost or unusable."""
    sidecars = sidecar_files(archive.root)
    candidates: dict[Member, Version] = {}
    keys: dict[Member, str] = {}
    consumed: set[str] = set()  # sidecars that settle their version (kept, or skipped for a bad object)
    for key, path in sorted(sidecars.items()):
        v = _from_sidecar(archive, key, path, objects, intact, old_rows, report, consumed)
        if v is not None and (v.id, v.series) in candidates:
            report.notes.append(Problem(archive.rel(path), f"describes {v.series} again ({v.short_id}); ignored"))
        elif v is not None:
            candidates[(v.id, v.series)], keys[(v.id, v.series)] = v, key
    claims = set(old_rows)
    used = set(keys.values())
    for (vid, series), row in old_rows.items():
        if (vid, series) in candidates or row_key(row, sidecars, claims) in used | consumed:
            continue  # described by its sidecar (which may have moved it to another series)
        where = f"{CATALOG} row {str(vid)[:12]}"
        if not valid_row(row):
            report.skipped.append(Problem(where, "invalid series, year or kind"))
        elif _usable(archive, row.ref, vid, objects, intact, report):
            key = vid if vid not in used else f"{vid}@{series}"
            used.add(key)
            if row.size != intact[vid] or not isinstance(row.version, int):
                row = replace(row, size=intact[vid], version=row.version if isinstance(row.version, int) else None)
            candidates[(vid, series)], keys[(vid, series)] = row, key
            report.notes.append(Problem(f"versions/{key}.json", f"rewritten from the catalog row of {row.ref}"))
    return candidates, keys


def _from_sidecar(archive: Archive, key: str, path: Path, objects: dict[str, Path], intact: dict[str, int],
                  old_rows: dict[Member, Version], report: RebuildReport, consumed: set[str]) -> Version | None:
    """The version a sidecar describes, repaired, or None (reported) when it cannot be used."""
    rel = archive.rel(path)
    data = repair.read_fields(path)
    if data is None:
        report.skipped.append(Problem(rel, "unreadable sidecar"))
        return None
    vid, named = key_parts(key)
    if vid not in intact:
        consumed.add(key)  # a bad object: the catalog row of the version is no help either
        where = rel if repair.bad_fields(data, key) else f"{data['series']}@{data['year']}#{data['version']}"
        _usable(archive, where, vid, objects, intact, report)
        return None
    series = named or data.get("series")
    row = old_rows.get((vid, series)) if isinstance(series, str) else None
    same_id = [r for (i, _s), r in old_rows.items() if i == vid]
    if row is None and len(same_id) == 1:
        row = same_id[0]
    v, messages = repair.repaired(key, data, row, intact[vid], lambda: archive.detect(vid))
    if v is None:
        report.skipped.append(Problem(rel, messages[0]))
        return None
    report.repaired.extend(Problem(rel, m) for m in messages)
    return v


def _number(good: list[Version], old_rows: dict[Member, Version], report: RebuildReport) -> list[Version]:
    """Numbers already in the catalog are kept (refs like SERIES@YEAR#2 must not move); other
    versions keep their sidecar number when it is free, else take the next one."""
    taken: set[tuple[str, int | None, int | None]] = set()
    result: list[Version] = []
    pending: list[Version] = []
    for v in sorted(good, key=lambda v: ((v.id, v.series) not in old_rows, v.added_at, v.id, v.series)):
        row = old_rows.get((v.id, v.series))
        if row is not None and isinstance(row.version, int) and row.year == v.year:
            v = replace(v, version=row.version)
        key = (v.series, v.year, v.version)
        if v.version is not None and key not in taken:
            taken.add(key)
            result.append(v)
        else:
            pending.append(v)
    for v in pending:
        n = 1 + max((k[2] or 0 for k in taken if k[:2] == (v.series, v.year)), default=0)
        taken.add((v.series, v.year, n))
        report.notes.append(Problem(f"{v.series}@{v.year}#{n}", f"renumbered from #{v.version} ({v.short_id})"))
        result.append(replace(v, version=n))
    return result


def _replace_catalog(archive: Archive, versions: list[Version], found: FileId) -> None:
    """A new catalog file in place of the unreadable (or missing) one `found`; ArchiveBusy when
    another process put a catalog there since (a first add creating it, another rebuild)."""
    tmp = reserve_temp(archive.root, prefix=TMP_PREFIX + "catalog-", suffix=".sqlite")
    try:
        write_catalog_file(tmp, versions)
        if _file_id(archive.catalog_path) != found:
            raise busy_error()
        # A journal left by the old (broken) file would be "rolled back" into the new one.
        unlink_quiet(archive.root / (CATALOG + "-journal"))
        if found is None:
            try:
                os.link(tmp, archive.catalog_path)  # never over a catalog a first add just created
            except FileExistsError:
                raise busy_error() from None
            unlink_quiet(tmp)
        else:
            os.replace(tmp, archive.catalog_path)
    except BaseException:
        unlink_quiet(tmp)
        unlink_quiet(tmp.with_name(tmp.name + "-journal"))  # SQLite's, if the write failed midway
        raise
    fsync_dir(archive.root)


def _remove_stale_temps(archive: Archive, report: RebuildReport) -> None:
    now = time.time()
    for path in list(temp_files(archive.root)):
        try:
            if now - path.stat().st_mtime > STALE_TMP_S:
                path.unlink()
                report.notes.append(Problem(archive.rel(path), "removed leftover temp file"))
        except OSError:
            pass
