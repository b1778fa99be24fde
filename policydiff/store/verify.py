"""Checking an archive (`archive verify`); rebuild.py rebuilds it (`verify --rebuild`).

Functions of an `Archive`; its check/verify methods call them. Objects are re-hashed, catalog
rows, sidecars and stored clause XML cross-checked: the XML against its digest, and (without a
digest, or with `deep`) against a fresh derivation from its object; the search index against the
documents.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from policydiff.errors import ArchiveBusy, PolicydiffError
from policydiff.read.version import NORMALIZER_VERSION
from policydiff.store import corrections, derived, repair, series_meta
from policydiff.store.catalog import (
    CATALOG,
    FIELDS,
    SHA_RE,
    Problem,
    VerifyReport,
    Version,
    busy_error,
    check_schema,
    fetch,
    is_busy,
    key_parts,
    object_files,
    open_ro,
    sidecar_files,
    temp_files,
    valid_row,
)
from policydiff.store.files import sha256_file

#: the archive calls this module, never the other way round: `Archive` below names
#: policydiff.store.archive.Archive only in annotations (never imported, so no cycle)
Archive = Any


def check(archive: Archive, deep: bool = False) -> VerifyReport:
    """Full verification report: problems (unhealthy) and notes (harmless leftovers). `deep`
    re-derives every stored clause XML (otherwise only those without a digest)."""
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
    for message in series_meta.check(archive.root, None if rows is None else {row.series for row in rows}):
        report.problems.append(Problem(series_meta.FILE, message))
    if rows is None:
        return report  # the catalog problem covers everything else
    claims = {(row.id, row.series) for row in rows}
    keys: set[str] = set()
    for row in rows:
        report.versions += 1
        key = row_key(row, sidecars, claims)
        keys.add(key)
        _check_row(archive, row, key, objects, object_ok, sidecars, report)
        if SHA_RE.fullmatch(row.id) and valid_row(row):
            _check_xml(archive, row, report, deep=deep, derivable=bool(object_ok.get(row.id)))
    _check_unlisted(archive, keys, {row.id for row in rows}, objects, object_ok, sidecars, report)
    if rows and not report.problems:
        _check_index(archive, report)
    return report


def plain_series(path: Path | None) -> object:
    """The series a plain sidecar (versions/<id>.json) names, as written (None when unreadable)."""
    data = repair.read_fields(path) if path is not None else None
    return data.get("series") if data else None


def row_key(row: Version, sidecars: dict[str, Path], claims: set[tuple[str, str]]) -> str:
    """The sidecar key of a catalog row: id@series when that sidecar exists; the plain id when its
    sidecar names this series or a series no row claims (an edited sidecar of this version); else
    id@series (another series' version owns the plain sidecar, this one's is missing)."""
    shared = f"{row.id}@{row.series}"
    if shared in sidecars:
        return shared
    named = plain_series(sidecars.get(row.id))
    if row.id in sidecars and (named == row.series or (row.id, named) not in claims):
        return row.id
    return shared if row.id in sidecars else row.id


def _check_unlisted(
    archive: Archive,
    keys: set[str],
    in_catalog: set[str],
    objects: dict[str, Path],
    object_ok: dict[str, bool],
    sidecars: dict[str, Path],
    report: VerifyReport,
) -> None:
    """Sidecars and objects the catalog does not list."""
    for key, path in sorted(sidecars.items()):
        if key in keys:
            continue
        vid = key_parts(key)[0]
        data = repair.read_fields(path)
        if data is None:
            report.problems.append(Problem(archive.rel(path), "unreadable sidecar (not valid version metadata)"))
        elif bad := repair.bad_fields(data, key):
            report.problems.append(Problem(archive.rel(path), f"invalid sidecar, not in catalog: {'; '.join(bad.values())}"))
        elif not object_ok.get(vid):
            report.problems.append(Problem(archive.rel(path), "sidecar without a valid object and not in catalog"))
        else:
            # A complete sidecar without a row: an add killed just before its commit, or a
            # catalog that lost rows. Not a version until the catalog says so.
            report.notes.append(Problem(archive.rel(path), "not in catalog (run verify --rebuild)"))
    with_sidecar = {key_parts(key)[0] for key in sidecars}
    for vid, path in sorted(objects.items()):
        if vid not in in_catalog and vid not in with_sidecar and object_ok[vid]:
            report.notes.append(Problem(archive.rel(path), "not in catalog (left by an interrupted add; harmless)"))


def _catalog_rows(archive: Archive, report: VerifyReport, has_content: bool) -> list[Version] | None:
    """The catalog rows, or None (with the problem reported) when the catalog cannot be trusted.
    A catalog another process keeps locked is ArchiveBusy: in use, not damaged (no rebuild for it)."""
    if not archive.catalog_path.exists():
        if has_content:
            report.problems.append(Problem(CATALOG, "missing (run verify --rebuild)"))
            return None
        return []
    try:
        conn = open_ro(archive.catalog_path)
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise busy_error() from None
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
        if is_busy(exc):
            raise busy_error() from None
        report.problems.append(Problem(CATALOG, f"unreadable: {exc} (run verify --rebuild)"))
        return None
    finally:
        conn.close()


def _check_row(
    archive: Archive,
    row: Version,
    key: str,
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
    size = objects[row.id].stat().st_size if row.id in objects else None
    if row.id not in objects:
        problems.append(Problem(where, f"object missing: {archive.rel(archive.object_path(row.id))}"))
    elif object_ok[row.id] and size != row.size:
        problems.append(Problem(where, f"the catalog says {row.size!r} bytes but the object holds {size} and its "
                                "hash matches its name: the catalog row is wrong (verify --rebuild repairs it)"))
    elif not object_ok[row.id]:
        problems.append(Problem(where, "object is corrupt"))
    path = sidecars.get(key)
    if path is None:
        problems.append(Problem(where, f"sidecar missing: versions/{key}.json (run verify --rebuild)"))
        return
    _check_sidecar(archive, row, key, path, size if object_ok.get(row.id) else None, report)


def _check_sidecar(archive: Archive, row: Version, key: str, path: Path, size: int | None,
                   report: VerifyReport) -> None:
    """The sidecar of a catalog row: valid, and saying what the row says (the object settles the size)."""
    where, rel = f"{row.ref} ({row.short_id})", archive.rel(path)
    data = repair.read_fields(path)
    if data is None:
        report.problems.append(Problem(where, f"sidecar unreadable: {rel} (run verify --rebuild)"))
        return
    bad = repair.bad_fields(data, key)
    if bad:
        report.problems.append(Problem(rel, f"invalid sidecar: {'; '.join(bad.values())} "
                                       "(verify --rebuild repairs it from the catalog row)"))
        return
    diff = [name for name in FIELDS if data[name] != getattr(row, name)]
    if size is not None and data["size"] != size:
        report.problems.append(Problem(rel, f"size {data['size']} but the object holds {size} bytes and its hash "
                                       "matches its name: the sidecar is wrong (verify --rebuild repairs it)"))
        diff = [name for name in diff if name != "size"]
    if diff:
        report.problems.append(Problem(where, f"sidecar differs from the catalog ({', '.join(diff)}) (run verify --rebuild)"))


def _check_xml(archive: Archive, version: Version, report: VerifyReport, *, deep: bool, derivable: bool) -> None:
    """The stored clause XML: valid, this version's, as its digest recorded it, and (without a
    digest, or `deep`) what its object derives. Missing or stale is a note; a lie is a problem."""
    where = f"{version.ref} ({version.short_id})"
    path, digest = archive.xml_path(version), archive.digest_path(version)
    rel = archive.rel(path)
    finding = _xml_finding(archive, version, path, rel, archive.rel(digest), deep=deep, derivable=derivable)
    if finding is not None:
        kind, message = finding
        (report.notes if kind == "note" else report.problems).append(Problem(where, message))


def _xml_finding(archive: Archive, version: Version, path: Path, rel: str, digest_rel: str, *,
                 deep: bool, derivable: bool) -> tuple[str, str] | None:
    if not path.exists():
        return "note", "clause XML not stored yet (built on demand; verify --rebuild stores it)"
    try:
        data = path.read_bytes()
        doc = derived.parse(data)
    except (OSError, PolicydiffError) as exc:
        return "problem", f"stored XML invalid: {exc} ({rel}; run verify --rebuild)"
    if doc.meta.sha256 != version.id:
        return "problem", f"stored XML belongs to another document ({rel}; run verify --rebuild)"
    if doc.meta.series != version.series:
        return "problem", f"stored XML belongs to series {doc.meta.series!r} ({rel}; run verify --rebuild)"
    if doc.meta.normalizer != NORMALIZER_VERSION:
        return "note", "stored XML made by an older normalizer (verify --rebuild refreshes it)"
    state = derived.digest_state(data, archive.digest_path(version), version)
    if state == "edited":
        return "problem", (f"{rel} was changed after it was derived (it is not the XML {digest_rel} records); it "
                           "feeds no output (the version is derived again), verify --rebuild replaces it")
    if state == "stale":
        return "note", f"{rel} was derived from other metadata (verify --rebuild refreshes it)"
    if (state == "missing" or deep) and derivable:
        try:
            fresh = archive.derive(version)
        except PolicydiffError as exc:
            return "problem", f"cannot derive the clause XML again to check {rel}: {exc}"
        if not derived.same_xml(data, fresh):
            return "problem", (f"{rel} is not what its object derives (edited after derivation); verify --rebuild "
                               "replaces it" + (" (its digest was forged or recomputed)" if state == "ok" else ""))
        if state == "missing":
            return "note", f"{rel} has no digest; checked by deriving it again: it matches (verify --rebuild records it)"
    return None


def _check_index(archive: Archive, report: VerifyReport) -> None:
    """The search index, when it claims to be current, must hold the documents' text and nothing else."""
    from policydiff.store import search  # search reads the archive: imported here, not at the top

    finding = getattr(search, "index_finding", None)  # an index that records what it was made from
    if finding is None:
        return
    try:
        message = finding(archive)
    except ArchiveBusy:
        raise
    except PolicydiffError as exc:
        message = f"cannot check the search index: {exc}"
    if message:
        report.problems.append(Problem(archive.rel(archive.derived_path("search", "sqlite")), message))
