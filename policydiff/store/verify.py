"""Checking an archive (`archive verify`) and rebuilding its catalog (`verify --rebuild`).

Functions of an `Archive`; its check/verify/rebuild methods call them. Objects are re-hashed,
catalog rows, sidecars and stored clause XML cross-checked; a rebuild takes the versions back
from sidecars (or surviving catalog rows) whose objects are intact.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from policydiff.errors import PolicydiffError
from policydiff.store import corrections, derived
from policydiff.store.catalog import (
    CATALOG,
    FIELDS,
    SHA_RE,
    STALE_TMP_S,
    TMP_PREFIX,
    Problem,
    RebuildReport,
    VerifyReport,
    Version,
    check_schema,
    connect_rw,
    fetch,
    insert_row,
    load_sidecar,
    object_files,
    open_ro,
    sidecar_bytes,
    sidecar_files,
    temp_files,
    valid_row,
    write_catalog_file,
)
from policydiff.store.files import fsync_dir, reserve_temp, sha256_file, unlink_quiet, write_durable

#: the archive calls this module, never the other way round: `Archive` below names
#: policydiff.store.archive.Archive only in annotations (never imported, so no cycle)
Archive = Any


# ------------------------------------------------------------------ check
def check(archive: Archive) -> VerifyReport:
    """Full verification report: problems (unhealthy) and notes (harmless leftovers)."""
    archive.require_root()
    report = VerifyReport()
    for message in corrections.check(archive.root):  # the hand corrections every comparison replays
        report.problems.append(Problem(corrections.LOG, message))
    for tmp in temp_files(archive.root):
        report.notes.append(Problem(archive.rel(tmp), "temp file of a running or interrupted add, rebuild or "
                                    "search (`verify --rebuild` removes it once it is 10 minutes old)"))
    objects = object_files(archive.root)
    sidecars = sidecar_files(archive.root)
    object_ok: dict[str, bool] = {}
    for vid, path in objects.items():
        object_ok[vid] = sha256_file(path) == vid
        if not object_ok[vid]:
            report.problems.append(Problem(archive.rel(path), "content does not match its id (corrupt object)"))

    rows = _catalog_rows(archive, report, bool(objects or sidecars))
    for row in rows or []:
        report.versions += 1
        _check_row(archive, row, objects, object_ok, sidecars, report)
    if rows is None:
        return report  # the catalog problem covers everything else
    _check_unlisted(archive, {row.id for row in rows}, objects, object_ok, sidecars, report)
    return report


def _check_unlisted(
    archive: Archive,
    in_catalog: set[str],
    objects: dict[str, Path],
    object_ok: dict[str, bool],
    sidecars: dict[str, Path],
    report: VerifyReport,
) -> None:
    """Sidecars and objects the catalog does not list."""
    for vid, path in sorted(sidecars.items()):
        if vid in in_catalog:
            continue
        sidecar = load_sidecar(path)
        if sidecar is None:
            report.problems.append(Problem(archive.rel(path), "unreadable sidecar (not valid version metadata)"))
        elif not object_ok.get(vid):
            report.problems.append(Problem(archive.rel(path), "sidecar without a valid object and not in catalog"))
        else:
            # A complete sidecar without a row: an add killed just before its commit, or a
            # catalog that lost rows. Not a version until the catalog says so.
            report.notes.append(Problem(archive.rel(path), "not in catalog (run verify --rebuild)"))
    for vid, path in sorted(objects.items()):
        if vid not in in_catalog and vid not in sidecars and object_ok[vid]:
            report.notes.append(Problem(archive.rel(path), "not in catalog (left by an interrupted add; harmless)"))


def _catalog_rows(archive: Archive, report: VerifyReport, has_content: bool) -> list[Version] | None:
    """The catalog rows, or None (with the problem reported) when the catalog cannot be trusted."""
    if not archive.catalog_path.exists():
        if has_content:
            report.problems.append(Problem(CATALOG, "missing (run verify --rebuild)"))
            return None
        return []
    try:
        conn = open_ro(archive.catalog_path)
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem(CATALOG, f"unreadable: {exc} (run verify --rebuild)"))
        return None
    try:
        (result,) = conn.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            report.problems.append(Problem(CATALOG, f"corrupt: {result} (run verify --rebuild)"))
            return None
        check_schema(conn)
        return fetch(conn, "1=1", ())
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem(CATALOG, f"unreadable: {exc} (run verify --rebuild)"))
        return None
    finally:
        conn.close()


def _check_row(
    archive: Archive,
    row: Version,
    objects: dict[str, Path],
    object_ok: dict[str, bool],
    sidecars: dict[str, Path],
    report: VerifyReport,
) -> None:
    where = f"{row.ref} ({row.short_id})"
    problems = report.problems
    if not SHA_RE.fullmatch(row.id):
        problems.append(Problem(where, "catalog row has an invalid id"))
        return
    if not valid_row(row):
        problems.append(Problem(where, "catalog row has an invalid series, year or kind"))
    if row.id not in objects:
        problems.append(Problem(where, f"object missing: {archive.rel(archive.object_path(row.id))}"))
    elif object_ok[row.id] and objects[row.id].stat().st_size != row.size:
        problems.append(Problem(where, "object size differs from the catalog"))
    elif not object_ok[row.id]:
        problems.append(Problem(where, "object is corrupt"))
    path = sidecars.get(row.id)
    if path is None:
        problems.append(Problem(where, f"sidecar missing: {archive.rel(archive.sidecar_path(row.id))} (run verify --rebuild)"))
        return
    sidecar = load_sidecar(path)
    if sidecar is None:
        problems.append(Problem(where, f"sidecar unreadable: {archive.rel(path)} (run verify --rebuild)"))
    elif sidecar.to_dict() != row.to_dict():
        diff = [k for k in FIELDS if sidecar.to_dict()[k] != row.to_dict()[k]]
        problems.append(Problem(where, f"sidecar differs from the catalog ({', '.join(diff)}) (run verify --rebuild)"))
    # the stored clause XML must validate and belong to its version; missing or stale is a note
    finding = derived.xml_finding(archive.derived_path(row.id, "xml"), row.id)
    if finding is not None:
        kind, message = finding
        (report.notes if kind == "note" else report.problems).append(Problem(where, message))


# ---------------------------------------------------------------- rebuild
def rebuild(archive: Archive) -> RebuildReport:
    """Recreate the catalog from sidecars and objects; bad objects are skipped and reported."""
    archive.require_root()
    if not os.access(archive.root, os.W_OK):
        raise PolicydiffError(f"archive not writable: {archive.root}")
    report = RebuildReport()
    _remove_stale_temps(archive, report)
    conn, old_rows = _lock_catalog(archive, report)
    try:
        versions = _collect(archive, old_rows, report)
        if conn is not None:
            conn.execute("DELETE FROM versions")
            for v in versions:
                insert_row(conn, v)
            conn.execute("COMMIT")
        else:
            _replace_catalog(archive, versions)
    except BaseException:
        if conn is not None and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        if conn is not None:
            conn.close()
    report.versions = len(versions)
    for v in versions:  # derived clause XML: regenerate what is missing, invalid or stale
        if archive.stored_xml(v) is None:
            try:
                archive.store_derived(v.id, archive.derive(v))
            except PolicydiffError as exc:
                report.notes.append(Problem(f"{v.ref} ({v.short_id})", f"clause XML not rebuilt: {exc}"))
    return report


def _lock_catalog(archive: Archive, report: RebuildReport) -> tuple[sqlite3.Connection | None, dict[str, Version]]:
    """The catalog, write-locked, and its rows; (None, {}) when there is none or it is unreadable."""
    if not archive.catalog_path.exists():
        return None, {}
    conn: sqlite3.Connection | None = None
    try:
        conn = connect_rw(archive.catalog_path)
        conn.execute("BEGIN IMMEDIATE")  # holds concurrent adds off until the new rows are in
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            raise sqlite3.DatabaseError(integrity)
        check_schema(conn)
        return conn, {v.id: v for v in fetch(conn, "1=1", ())}
    except sqlite3.DatabaseError as exc:
        report.notes.append(Problem(CATALOG, f"unreadable ({exc}); replaced by a new catalog"))
        if conn is not None:
            conn.close()
        return None, {}


def _collect(archive: Archive, old_rows: dict[str, Version], report: RebuildReport) -> list[Version]:
    """The versions of the new catalog, numbered, with their sidecars rewritten where needed."""
    objects = object_files(archive.root)
    candidates = _candidates(archive, old_rows, report)
    good: list[Version] = []
    for vid, v in candidates.items():
        obj = objects.get(vid)
        if obj is None:
            report.skipped.append(Problem(v.ref, f"object missing ({v.short_id})"))
        elif sha256_file(obj) != vid or obj.stat().st_size != v.size:
            report.skipped.append(Problem(v.ref, f"object corrupt ({archive.rel(obj)})"))
        else:
            good.append(v)
    for vid, path in sorted(objects.items()):
        if vid not in candidates:
            report.notes.append(Problem(archive.rel(path), "object without metadata (interrupted add); left out"))
    result = _number(good, old_rows, report)
    for v in result:
        path = archive.sidecar_path(v.id)
        if load_sidecar(path) != v:
            write_durable(path, sidecar_bytes(v), prefix=TMP_PREFIX, mode=0o644)
    return sorted(result, key=lambda v: (v.series, v.year or 0, v.version or 0))


def _candidates(archive: Archive, old_rows: dict[str, Version], report: RebuildReport) -> dict[str, Version]:
    """Every version with metadata: readable sidecars, then catalog rows whose sidecar was lost."""
    candidates: dict[str, Version] = {}
    for vid, path in sorted(sidecar_files(archive.root).items()):
        sidecar = load_sidecar(path)
        if sidecar is None:
            report.skipped.append(Problem(archive.rel(path), "unreadable sidecar"))
        elif not valid_row(sidecar):  # names from an archive are input (a series ../../x is a path)
            report.skipped.append(Problem(archive.rel(path), "sidecar names an invalid series, year or kind"))
        else:
            candidates[vid] = sidecar
    for vid, row in old_rows.items():
        if vid not in candidates and not valid_row(row):
            report.skipped.append(Problem(f"{CATALOG} row {vid[:12]}", "invalid series, year or kind"))
        elif vid not in candidates:
            candidates[vid] = row  # sidecar lost but the catalog row survived: keep it, rewrite the sidecar
    return candidates


def _number(good: list[Version], old_rows: dict[str, Version], report: RebuildReport) -> list[Version]:
    """Numbers already in the catalog are kept (refs like SERIES@YEAR#2 must not move); other
    versions keep their sidecar number when it is free, else take the next one."""
    taken: set[tuple[str, int | None, int | None]] = set()
    result: list[Version] = []
    pending: list[Version] = []
    for v in sorted(good, key=lambda v: (v.id not in old_rows, v.added_at, v.id)):
        if v.id in old_rows:
            v = replace(v, version=old_rows[v.id].version)
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


def _replace_catalog(archive: Archive, versions: list[Version]) -> None:
    tmp = reserve_temp(archive.root, prefix=TMP_PREFIX + "catalog-", suffix=".sqlite")
    try:
        write_catalog_file(tmp, versions)
        # A journal left by the old (broken) file would be "rolled back" into the new one.
        unlink_quiet(archive.root / (CATALOG + "-journal"))
        os.replace(tmp, archive.catalog_path)
    except BaseException:
        unlink_quiet(tmp)
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
