"""The document archive: immutable, content-addressed, crash-safe.

Layout under the archive folder::

    objects/ab/<sha256>     raw bytes, read-only, never modified
    versions/<sha256>.json  one metadata sidecar per version (the catalog can be rebuilt from these)
    catalog.sqlite          the catalog (rollback journal, no WAL: only this file needs committing)
    derived/<id>.<ext>      reserved for derived files (see Archive.derived_path)

An add writes the object, then the sidecar (each: temp file, fsync, atomic rename, fsync of the
directory) and finally inserts the catalog row in one transaction. That transaction is the commit
point: an object or sidecar without a row is a leftover of an interrupted add, not a version, and
the next add of the same bytes completes it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.read import decode as ingest
from policydiff.read import metadata

SERIES_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
KINDS = ("plan", "news", "city-plan")
YEAR_MIN, YEAR_MAX = 1949, 2100
MIN_PREFIX = 4

CATALOG = "catalog.sqlite"
TMP_PREFIX = ".tmp-"
SCHEMA_VERSION = 1
# Waiting for another writer: an add holds the write lock only for a sidecar write and one INSERT.
BUSY_TIMEOUT_S = 60.0
# rebuild() removes temp files older than this; younger ones may belong to a running add.
STALE_TMP_S = 600

_HEX_RE = re.compile(r"[0-9a-fA-F]{4,64}")
_REF_RE = re.compile(r"(?P<series>[^@#]+)@(?P<year>\d{1,6})(?:#(?P<n>\d{1,9}))?")
_SHA_RE = re.compile(r"[0-9a-f]{64}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id       TEXT PRIMARY KEY,
    series   TEXT NOT NULL,
    year     INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    doc_no   TEXT NOT NULL DEFAULT '',
    date     TEXT NOT NULL DEFAULT '',
    title    TEXT NOT NULL DEFAULT '',
    issuer   TEXT NOT NULL DEFAULT '',
    source   TEXT NOT NULL DEFAULT '',
    encoding TEXT NOT NULL DEFAULT '',
    size     INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    filename TEXT NOT NULL DEFAULT '',
    UNIQUE (series, year, version)
);
"""

_LAYOUT = frozenset({"objects", "versions", "derived"})
# Keeps leftovers of interrupted work out of git when the archive lives in a repository.
_GITIGNORE = f"{TMP_PREFIX}*\n*.sqlite-journal\nderived/search.sqlite\n"


@dataclass(frozen=True)
class Version:
    """One archived document version (or, with archived=False, a file outside the archive)."""

    id: str
    series: str
    year: int | None
    kind: str
    version: int | None
    doc_no: str = ""
    date: str = ""
    title: str = ""
    issuer: str = ""
    source: str = ""
    encoding: str = ""
    size: int = 0
    added_at: str = ""
    filename: str = ""
    archived: bool = True
    path: str = ""  # for unarchived versions: the file it was read from
    text: str | None = field(default=None, repr=False, compare=False)  # cached text of unarchived files

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def ref(self) -> str:
        """SERIES@YEAR#N for archived versions, the file path otherwise."""
        return f"{self.series}@{self.year}#{self.version}" if self.archived else self.path

    def to_dict(self) -> dict[str, object]:
        """The catalog fields (the JSON shape used by the CLI and the sidecars)."""
        return {name: getattr(self, name) for name in FIELDS}


FIELDS: tuple[str, ...] = (
    "id", "series", "year", "kind", "version", "doc_no", "date", "title",
    "issuer", "source", "encoding", "size", "added_at", "filename",
)  # fmt: skip


@dataclass(frozen=True)
class AddResult:
    """Outcome of an add: status is "added" or "exists"."""

    status: str
    version: Version

    @property
    def added(self) -> bool:
        return self.status == "added"


@dataclass(frozen=True)
class Problem:
    """Something verify found: `where` is a path in the archive or a version ref."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class VerifyReport:
    """Problems make the archive unhealthy; notes are harmless leftovers worth knowing about."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    versions: int = 0  # catalog rows checked


@dataclass
class RebuildReport:
    """What rebuild() put into the new catalog and what it had to leave out."""

    versions: int = 0
    skipped: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class PreparedAdd:
    """A validated, decoded input ready to be committed (nothing written yet)."""

    data: bytes = field(repr=False)
    version: Version  # version number and added_at are assigned at commit
    xml: bytes = field(default=b"", repr=False)  # the clause XML, built and validated before writing


class Archive:
    """An archive folder. Opening it does nothing; every operation checks what it needs."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    # ----------------------------------------------------------------- paths
    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG

    def object_path(self, version_id: str) -> Path:
        return self.root / "objects" / version_id[:2] / version_id

    def sidecar_path(self, version_id: str) -> Path:
        return self.root / "versions" / f"{version_id}.json"

    def derived_path(self, version_id: str, ext: str) -> Path:
        """Where a file derived from a version (e.g. its XML) belongs: derived/<id>.<ext>.

        Reserved for the derived-XML work; the archive itself neither writes nor checks it.
        """
        return self.root / "derived" / f"{version_id}.{ext}"

    # --------------------------------------------------------------- reading
    def list(self, series: str | None = None) -> list[Version]:
        """All versions (of one series), ordered by series, year, version."""
        if series is not None:
            return self.log(series)
        return self._select("1=1", ())

    def log(self, series: str) -> list[Version]:
        """The versions of a series in year, version order."""
        check_series(series)
        rows = self._select("series = ?", (series,))
        if not rows:
            raise UsageProblem(f"unknown series: {series}{self._known_series_hint()}")
        return rows

    def get(self, version_id: str) -> Version | None:
        """The archived version with this full id, or None."""
        rows = self._select("id = ?", (version_id,))
        return rows[0] if rows else None

    def resolve(self, ref: str) -> Version:
        """Turn SERIES@YEAR, SERIES@YEAR#N, an id prefix or a file path into a Version."""
        m = _REF_RE.fullmatch(ref)
        if m and not os.path.exists(ref):
            return self._resolve_series_ref(ref, m["series"], m["year"], m["n"])
        if _HEX_RE.fullmatch(ref) and not os.path.exists(ref):
            return self._resolve_prefix(ref.lower())
        path = Path(ref)
        if path.exists():
            return self._resolve_file(path)
        raise UsageProblem(
            f"unknown REF {ref!r}: expected SERIES@YEAR, SERIES@YEAR#N, "
            f"an id prefix of at least {MIN_PREFIX} hex characters, or an existing file"
        )

    def read_bytes(self, version: Version) -> bytes:
        """The raw bytes of a version, checked against its id."""
        if not version.archived:
            return _read_input_file(Path(version.path))
        path = self.object_path(version.id)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise PolicydiffError(f"object missing for {version.ref} ({version.short_id}): run `archive verify`") from None
        except OSError as exc:
            raise PolicydiffError(f"cannot read object of {version.ref}: {exc.strerror or exc}") from None
        if hashlib.sha256(data).hexdigest() != version.id:
            raise PolicydiffError(f"object of {version.ref} ({version.short_id}) is corrupt: run `archive verify`")
        return data

    def read_text(self, version: Version) -> str:
        """The decoded text of a version (no normalization)."""
        if version.text is not None:
            return version.text
        return ingest.decode(self.read_bytes(version), version.filename or version.short_id).text

    # --------------------------------------------------------------- writing
    def add(
        self,
        item: bytes | str | os.PathLike[str],
        *,
        series: str | None,
        year: int | None = None,
        kind: str | None = None,
        title: str | None = None,
        source: str | None = None,
        filename: str | None = None,
    ) -> AddResult:
        """Archive a file (path) or raw bytes; identical bytes already archived are a no-op."""
        prepared = self.prepare(item, series=series, year=year, kind=kind, title=title, source=source, filename=filename)
        return self.commit(prepared)

    def prepare(
        self,
        item: bytes | str | os.PathLike[str],
        *,
        series: str | None,
        year: int | None = None,
        kind: str | None = None,
        title: str | None = None,
        source: str | None = None,
        filename: str | None = None,
    ) -> PreparedAdd:
        """Validate and decode an input without writing anything; flags override detection."""
        if not series:
            raise UsageProblem("a series is required (--series NAME)")
        check_series(series)
        if kind is not None and kind not in KINDS:
            raise UsageProblem(f"bad kind {kind!r}: expected one of {', '.join(KINDS)}")
        if year is not None:
            check_year(year)
        if isinstance(item, bytes):
            data, name = item, filename or "<bytes>"
        else:
            path = Path(item)
            data, name = _read_input_file(path), filename or path.name
        decoded = ingest.decode(data, name)
        meta = _detect(decoded.text, name)
        if year is None:
            if meta.year is None:
                raise UsageProblem(f"{name}: cannot detect the year of the document; pass --year")
            year = meta.year
            try:
                check_year(year)
            except UsageProblem as exc:
                raise UsageProblem(f"{name}: detected {exc}; pass --year") from None
        vid = hashlib.sha256(data).hexdigest()
        self._check_writable(vid)
        version = Version(
            id=vid,
            series=series,
            year=year,
            kind=kind or ("news" if meta.kind == "news" else "plan"),
            version=None,
            doc_no=meta.doc_no,
            date=meta.date,
            title=title if title is not None else meta.title,
            issuer=meta.issuer,
            source=source or "",
            encoding=decoded.encoding,
            size=len(data),
            filename=name if not isinstance(item, bytes) or filename else "",
        )
        return PreparedAdd(data=data, version=version, xml=self.derive(version, decoded.text))

    # ------------------------------------------------------------ derived XML
    def derive(self, version: Version, text: str | None = None) -> bytes:
        """The validated clause XML of a version (the pipeline run on its text)."""
        from policydiff.model import planxml
        from policydiff.store import loader

        if text is not None:
            version = replace(version, text=text)
        return planxml.to_bytes(loader.build(self, version))

    def stored_xml(self, version: Version) -> bytes | None:
        """The XML stored for a version if it is there and made by the current normalizer."""
        from policydiff.model import planxml
        from policydiff.read.version import NORMALIZER_VERSION

        try:
            data = self.derived_path(version.id, "xml").read_bytes()
            doc = planxml.from_bytes(data)
        except (OSError, PolicydiffError):
            return None
        if doc.meta.sha256 != version.id or doc.meta.normalizer != NORMALIZER_VERSION:
            return None
        return data

    def xml(self, version: Version) -> bytes:
        """Stored XML when current, else built now (and stored when the archive is writable)."""
        data = self.stored_xml(version) if version.archived else None
        if data is None:
            data = self.derive(version)
            if version.archived and os.access(self.root / "derived", os.W_OK):
                self._store_derived(version.id, data)
        return data

    def _store_derived(self, vid: str, xml: bytes) -> None:
        path = self.derived_path(vid, "xml")
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, xml, 0o644)

    def commit(self, prepared: PreparedAdd) -> AddResult:
        """Write a prepared add: object, sidecar, then the catalog row (the commit point)."""
        vid = prepared.version.id
        if self.catalog_path.exists():
            existing = self.get(vid)
            if existing is not None:
                self._repair_object(vid, prepared.data)
                if prepared.xml and self.stored_xml(existing) is None and os.access(self.root, os.W_OK):
                    self._store_derived(vid, prepared.xml)
                return AddResult("exists", existing)
        undo = _Undo()
        try:
            self._ensure_layout(undo)
            self._store_object(vid, prepared.data, undo)
            result = self._insert(prepared.version, undo)
        except OSError as exc:
            undo.run()
            raise PolicydiffError(f"cannot write to archive {self.root}: {exc.strerror or exc}") from None
        except BaseException:
            undo.run()
            raise
        # derived data, written after the commit point: a kill here leaves a complete version whose
        # XML is rebuilt on demand (`verify` notes it, `verify --rebuild` writes it)
        if prepared.xml:
            try:
                self._store_derived(vid, prepared.xml)
            except OSError:
                pass
        return result

    # ------------------------------------------------------------ verifying
    def verify(self) -> list[Problem]:
        """Problems found by re-hashing objects and cross-checking catalog and sidecars."""
        return self.check().problems

    def check(self) -> VerifyReport:
        """Full verification report: problems (unhealthy) and notes (harmless leftovers)."""
        self._require_root()
        report = VerifyReport()
        for tmp in self._temp_files():
            report.notes.append(Problem(self._rel(tmp), "leftover temp file from an interrupted add (safe to delete)"))
        objects = self._object_files()
        sidecars = self._sidecar_files()
        object_ok: dict[str, bool] = {}
        for vid, path in objects.items():
            object_ok[vid] = _sha256_file(path) == vid
            if not object_ok[vid]:
                report.problems.append(Problem(self._rel(path), "content does not match its id (corrupt object)"))

        rows = self._catalog_rows_for_check(report, bool(objects or sidecars))
        for row in rows or []:
            report.versions += 1
            self._check_row(row, objects, object_ok, sidecars, report)
        if rows is None:
            return report  # the catalog problem covers everything else
        in_catalog = {row.id for row in rows}
        for vid, path in sorted(sidecars.items()):
            if vid in in_catalog:
                continue
            sidecar = _load_sidecar(path)
            if sidecar is None:
                report.problems.append(Problem(self._rel(path), "unreadable sidecar (not valid version metadata)"))
            elif not object_ok.get(vid):
                report.problems.append(Problem(self._rel(path), "sidecar without a valid object and not in catalog"))
            else:
                # A complete sidecar without a row: an add killed just before its commit, or a
                # catalog that lost rows. Not a version until the catalog says so.
                report.notes.append(Problem(self._rel(path), "not in catalog (run verify --rebuild)"))
        for vid, path in sorted(objects.items()):
            if vid not in in_catalog and vid not in sidecars and object_ok[vid]:
                report.notes.append(Problem(self._rel(path), "not in catalog (left by an interrupted add; harmless)"))
        return report

    def rebuild(self) -> RebuildReport:
        """Recreate the catalog from sidecars and objects; bad objects are skipped and reported."""
        self._require_root()
        if not os.access(self.root, os.W_OK):
            raise PolicydiffError(f"archive not writable: {self.root}")
        report = RebuildReport()
        self._remove_stale_temps(report)
        old_rows: dict[str, Version] = {}
        conn: sqlite3.Connection | None = None
        if self.catalog_path.exists():
            try:
                conn = self._connect_rw()
                conn.execute("BEGIN IMMEDIATE")  # holds concurrent adds off until the new rows are in
                (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
                if integrity != "ok":
                    raise sqlite3.DatabaseError(integrity)
                _check_schema(conn)
                old_rows = {v.id: v for v in _fetch(conn, "1=1", ())}
            except sqlite3.DatabaseError as exc:
                report.notes.append(Problem(CATALOG, f"unreadable ({exc}); replaced by a new catalog"))
                if conn is not None:
                    conn.close()
                conn = None
        try:
            versions = self._collect_for_rebuild(old_rows, report)
            if conn is not None:
                conn.execute("DELETE FROM versions")
                for v in versions:
                    _insert_row(conn, v)
                conn.execute("COMMIT")
            else:
                self._replace_catalog(versions)
        except BaseException:
            if conn is not None and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            if conn is not None:
                conn.close()
        report.versions = len(versions)
        for v in versions:  # derived clause XML: regenerate what is missing, invalid or stale
            if self.stored_xml(v) is None:
                try:
                    self._store_derived(v.id, self.derive(v))
                except PolicydiffError as exc:
                    report.notes.append(Problem(f"{v.ref} ({v.short_id})", f"clause XML not rebuilt: {exc}"))
        return report

    # ------------------------------------------------------------- internals
    def _require_root(self) -> None:
        if not self.root.is_dir():
            raise PolicydiffError(f"archive not found: {self.root}")

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def _has_content(self) -> bool:
        return any(self._sidecar_files()) or any(self._object_files())

    def _connect_ro(self) -> sqlite3.Connection | None:
        """A read-only catalog connection, or None for an archive with nothing in it yet."""
        self._require_root()
        if not self.catalog_path.exists():
            if self._has_content():
                raise PolicydiffError(f"catalog missing in {self.root}: run `policydiff archive verify --rebuild`")
            # Layout folders without a catalog: a first add was interrupted before creating it.
            if any(p for p in self.root.iterdir() if not p.name.startswith(".") and p.name not in _LAYOUT):
                raise PolicydiffError(f"not an archive (no {CATALOG}): {self.root}")
            return None
        try:
            conn = self._open_ro()
            _check_schema(conn)
        except sqlite3.DatabaseError as exc:
            raise PolicydiffError(f"catalog unreadable ({exc}): run `policydiff archive verify --rebuild`") from None
        return conn

    def _open_ro(self) -> sqlite3.Connection:
        uri = f"{self.catalog_path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_READONLY_ROLLBACK":
                raise
        # A writer was killed mid-transaction and left a hot journal. A read-only connection
        # cannot roll it back; one read through a writable connection does.
        if not os.access(self.root, os.W_OK):
            raise PolicydiffError(
                f"catalog has an unfinished transaction and {self.root} is read-only: open it once with write access"
            )
        rw = sqlite3.connect(self.catalog_path, timeout=BUSY_TIMEOUT_S)
        try:
            rw.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            rw.close()
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn

    def _connect_rw(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        return sqlite3.connect(self.catalog_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)

    def _select(self, where: str, params: tuple[object, ...]) -> list[Version]:
        conn = self._connect_ro()
        if conn is None:
            return []
        try:
            return _fetch(conn, where, params)
        except sqlite3.DatabaseError as exc:
            raise PolicydiffError(f"catalog unreadable ({exc}): run `policydiff archive verify --rebuild`") from None
        finally:
            conn.close()

    def _known_series_hint(self) -> str:
        names = sorted({v.series for v in self._select("1=1", ())})
        return f" (known: {', '.join(names)})" if names else " (the archive is empty)"

    def _resolve_series_ref(self, ref: str, series: str, year_s: str, n_s: str | None) -> Version:
        check_series(series)
        year = int(year_s)
        check_year(year)
        if n_s is not None:
            rows = self._select("series = ? AND year = ? AND version = ?", (series, year, int(n_s)))
        else:
            rows = self._select("series = ? AND year = ?", (series, year))
        if rows:
            return rows[-1]  # ordered by version: the latest
        if not self._select("series = ?", (series,)):
            raise UsageProblem(f"unknown series: {series}{self._known_series_hint()}")
        raise UsageProblem(f"no version {ref} in the archive (see `policydiff archive log {series}`)")

    def _resolve_prefix(self, prefix: str) -> Version:
        if len(prefix) < MIN_PREFIX:
            raise UsageProblem(f"id prefix {prefix!r} too short: give at least {MIN_PREFIX} hex characters")
        rows = self._select("id LIKE ?", (prefix + "%",))
        if not rows:
            raise UsageProblem(f"no version id starts with {prefix}")
        if len(rows) > 1:
            raise UsageProblem(f"ambiguous id prefix {prefix}: matches {len(rows)} versions; give more characters")
        return rows[0]

    def _resolve_file(self, path: Path) -> Version:
        data = _read_input_file(path)
        vid = hashlib.sha256(data).hexdigest()
        if self.root.is_dir():
            archived = self.get(vid)
            if archived is not None:
                return archived
        decoded = ingest.decode(data, path.name)
        meta = _detect(decoded.text, path.name)
        return Version(
            id=vid,
            series="",
            year=meta.year,
            kind=meta.kind,
            version=None,
            doc_no=meta.doc_no,
            date=meta.date,
            title=meta.title,
            issuer=meta.issuer,
            encoding=decoded.encoding,
            size=len(data),
            filename=path.name,
            archived=False,
            path=str(path),
            text=decoded.text,
        )

    def _check_writable(self, vid: str) -> None:
        """Refuse before anything is written if the archive cannot take this version."""
        root = self.root
        if root.exists():
            if not root.is_dir():
                raise PolicydiffError(f"archive path is not a directory: {root}")
            conn = self._connect_ro()  # raises on a missing/corrupt catalog or a non-archive folder
            if conn is not None:
                try:
                    known = bool(_fetch(conn, "id = ?", (vid,)))
                finally:
                    conn.close()
                if known:
                    return  # re-adding an archived file is a no-op: a read-only archive answers "exists"
            if not os.access(root, os.W_OK):
                raise PolicydiffError(f"archive not writable: {root}")
            return
        parent = root.absolute().parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise PolicydiffError(f"cannot create archive {root}: {parent} is not a directory")
        if not os.access(parent, os.W_OK):
            raise PolicydiffError(f"cannot create archive {root}: {parent} is not writable")

    def _ensure_layout(self, undo: _Undo) -> None:
        for d in (self.root, self.root / "objects", self.root / "versions"):
            _mkdirs(d, undo)
        if not (self.root / ".gitignore").exists():
            _publish_new(self.root / ".gitignore", _GITIGNORE.encode(), 0o644, undo)
        if not self.catalog_path.exists():
            self._create_catalog(undo)

    def _create_catalog(self, undo: _Undo) -> None:
        # Built under a temp name and linked into place, so a catalog file always has its schema
        # and two first adds racing to create it cannot overwrite each other.
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + "catalog-", suffix=".sqlite", dir=self.root)
        os.close(fd)
        try:
            _write_catalog_file(Path(tmp), [])
            try:
                os.link(tmp, self.catalog_path)
                undo.catalog = self.catalog_path
            except FileExistsError:
                pass
        finally:
            _unlink(Path(tmp))
        _fsync_dir(self.root)

    def _repair_object(self, vid: str, data: bytes) -> None:
        """Re-adding a file whose stored object went missing or bad puts the right bytes back."""
        path = self.object_path(vid)
        if path.is_file() and path.stat().st_size == len(data) and _sha256_file(path) == vid:
            return
        if os.access(self.root, os.W_OK):
            try:
                self._store_object(vid, data, _Undo())
            except OSError:
                pass  # best effort: verify keeps reporting the damage

    def _store_object(self, vid: str, data: bytes, undo: _Undo) -> None:
        path = self.object_path(vid)
        _mkdirs(path.parent, undo)
        if path.exists() and path.stat().st_size == len(data) and _sha256_file(path) == vid:
            return  # left by an interrupted or concurrent add of the same bytes
        # Missing, or damaged on disk: content addressing makes rewriting the right bytes safe.
        existed = path.exists()
        _atomic_write(path, data, 0o444)
        if not existed:
            undo.files.append(path)

    def _insert(self, version: Version, undo: _Undo) -> AddResult:
        conn = self._connect_rw()
        try:
            conn.execute("BEGIN IMMEDIATE")
            _check_schema(conn)
            rows = _fetch(conn, "id = ?", (version.id,))
            if rows:  # a concurrent add of the same bytes committed first
                conn.execute("ROLLBACK")
                undo.files.clear()  # the object is now referenced by that version
                return AddResult("exists", rows[0])
            # Numbered inside the write lock, so concurrent adds to one series+year never collide.
            (last,) = conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM versions WHERE series = ? AND year = ?",
                (version.series, version.year),
            ).fetchone()
            version = replace(version, version=last + 1, added_at=_now())
            sidecar = self.sidecar_path(version.id)
            existed = sidecar.exists()
            _atomic_write(sidecar, _sidecar_bytes(version), 0o644)
            if not existed:
                undo.files.append(sidecar)
            _insert_row(conn, version)
            conn.execute("COMMIT")
            undo.files.clear()
            undo.dirs.clear()
            undo.catalog = None
            return AddResult("added", version)
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise PolicydiffError(f"catalog update failed: {exc}") from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def _object_files(self) -> dict[str, Path]:
        out: dict[str, Path] = {}
        base = self.root / "objects"
        if base.is_dir():
            for sub in base.iterdir():
                if sub.is_dir():
                    for path in sub.iterdir():
                        if _SHA_RE.fullmatch(path.name) and path.name[:2] == sub.name:
                            out[path.name] = path
        return out

    def _sidecar_files(self) -> dict[str, Path]:
        base = self.root / "versions"
        if not base.is_dir():
            return {}
        return {p.stem: p for p in base.iterdir() if p.suffix == ".json" and _SHA_RE.fullmatch(p.stem)}

    def _temp_files(self) -> Iterator[Path]:
        dirs = [self.root, self.root / "versions"]
        objects = self.root / "objects"
        if objects.is_dir():
            dirs.append(objects)
            dirs.extend(p for p in objects.iterdir() if p.is_dir())
        for d in dirs:
            if d.is_dir():
                yield from sorted(p for p in d.iterdir() if p.name.startswith(TMP_PREFIX))

    def _catalog_rows_for_check(self, report: VerifyReport, has_content: bool) -> list[Version] | None:
        if not self.catalog_path.exists():
            if has_content:
                report.problems.append(Problem(CATALOG, "missing (run verify --rebuild)"))
                return None
            return []
        try:
            conn = self._open_ro()
        except sqlite3.DatabaseError as exc:
            report.problems.append(Problem(CATALOG, f"unreadable: {exc} (run verify --rebuild)"))
            return None
        try:
            (result,) = conn.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                report.problems.append(Problem(CATALOG, f"corrupt: {result} (run verify --rebuild)"))
                return None
            _check_schema(conn)
            return _fetch(conn, "1=1", ())
        except sqlite3.DatabaseError as exc:
            report.problems.append(Problem(CATALOG, f"unreadable: {exc} (run verify --rebuild)"))
            return None
        finally:
            conn.close()

    def _check_row(
        self,
        row: Version,
        objects: dict[str, Path],
        object_ok: dict[str, bool],
        sidecars: dict[str, Path],
        report: VerifyReport,
    ) -> None:
        where = f"{row.ref} ({row.short_id})"
        problems = report.problems
        if not _SHA_RE.fullmatch(row.id):
            problems.append(Problem(where, "catalog row has an invalid id"))
            return
        if not SERIES_RE.fullmatch(row.series) or not (YEAR_MIN <= (row.year or 0) <= YEAR_MAX) or row.kind not in KINDS:
            problems.append(Problem(where, "catalog row has an invalid series, year or kind"))
        if row.id not in objects:
            problems.append(Problem(where, f"object missing: {self._rel(self.object_path(row.id))}"))
        elif object_ok[row.id] and objects[row.id].stat().st_size != row.size:
            problems.append(Problem(where, "object size differs from the catalog"))
        elif not object_ok[row.id]:
            problems.append(Problem(where, "object is corrupt"))
        path = sidecars.get(row.id)
        if path is None:
            problems.append(Problem(where, f"sidecar missing: {self._rel(self.sidecar_path(row.id))} (run verify --rebuild)"))
            return
        sidecar = _load_sidecar(path)
        if sidecar is None:
            problems.append(Problem(where, f"sidecar unreadable: {self._rel(path)} (run verify --rebuild)"))
        elif sidecar.to_dict() != row.to_dict():
            diff = [k for k in FIELDS if sidecar.to_dict()[k] != row.to_dict()[k]]
            problems.append(Problem(where, f"sidecar differs from the catalog ({', '.join(diff)}) (run verify --rebuild)"))
        self._check_xml(row, where, report)

    def _check_xml(self, row: Version, where: str, report: VerifyReport) -> None:
        """The stored clause XML must validate and belong to its version; missing or stale is a note."""
        from policydiff.model import planxml
        from policydiff.read.version import NORMALIZER_VERSION

        path = self.derived_path(row.id, "xml")
        if not path.exists():
            report.notes.append(Problem(where, "clause XML not stored yet (built on demand; verify --rebuild stores it)"))
            return
        try:
            doc = planxml.from_bytes(path.read_bytes())
        except (OSError, PolicydiffError) as exc:
            report.problems.append(Problem(where, f"stored XML invalid: {exc} (run verify --rebuild)"))
            return
        if doc.meta.sha256 != row.id:
            report.problems.append(Problem(where, "stored XML belongs to another document (run verify --rebuild)"))
        elif doc.meta.normalizer != NORMALIZER_VERSION:
            report.notes.append(Problem(where, "stored XML made by an older normalizer (verify --rebuild refreshes it)"))

    def _collect_for_rebuild(self, old_rows: dict[str, Version], report: RebuildReport) -> list[Version]:
        objects = self._object_files()
        candidates: dict[str, Version] = {}
        for vid, path in sorted(self._sidecar_files().items()):
            sidecar = _load_sidecar(path)
            if sidecar is None:
                report.skipped.append(Problem(self._rel(path), "unreadable sidecar"))
            else:
                candidates[vid] = sidecar
        for vid, row in old_rows.items():
            if vid not in candidates:
                candidates[vid] = row  # sidecar lost but the catalog row survived: keep it, rewrite the sidecar
        good: list[Version] = []
        for vid, v in candidates.items():
            obj = objects.get(vid)
            if obj is None:
                report.skipped.append(Problem(v.ref, f"object missing ({v.short_id})"))
            elif _sha256_file(obj) != vid or obj.stat().st_size != v.size:
                report.skipped.append(Problem(v.ref, f"object corrupt ({self._rel(obj)})"))
            else:
                good.append(v)
        for vid, path in sorted(objects.items()):
            if vid not in candidates:
                report.notes.append(Problem(self._rel(path), "object without metadata (interrupted add); left out"))

        # Numbers already in the catalog are kept (refs like SERIES@YEAR#2 must not move); other
        # versions keep their sidecar number when it is free, else take the next one.
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
        for v in result:
            path = self.sidecar_path(v.id)
            if _load_sidecar(path) != v:
                _atomic_write(path, _sidecar_bytes(v), 0o644)
        return sorted(result, key=lambda v: (v.series, v.year or 0, v.version or 0))

    def _replace_catalog(self, versions: list[Version]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + "catalog-", suffix=".sqlite", dir=self.root)
        os.close(fd)
        try:
            _write_catalog_file(Path(tmp), versions)
            # A journal left by the old (broken) file would be "rolled back" into the new one.
            _unlink(self.root / (CATALOG + "-journal"))
            os.replace(tmp, self.catalog_path)
        except BaseException:
            _unlink(Path(tmp))
            raise
        _fsync_dir(self.root)

    def _remove_stale_temps(self, report: RebuildReport) -> None:
        now = time.time()
        for path in list(self._temp_files()):
            try:
                if now - path.stat().st_mtime > STALE_TMP_S:
                    path.unlink()
                    report.notes.append(Problem(self._rel(path), "removed leftover temp file"))
            except OSError:
                pass


# ----------------------------------------------------------------- validation
def check_series(series: str) -> str:
    """Return the series name or raise UsageProblem: [a-z0-9][a-z0-9._-]{0,63}."""
    if not isinstance(series, str) or not SERIES_RE.fullmatch(series):
        shown = repr(series[:40] + "…") if isinstance(series, str) and len(series) > 40 else repr(series)
        raise UsageProblem(
            f"bad series name {shown}: use 1-64 characters a-z 0-9 . _ - starting with a letter or digit"
        )
    return series


def check_year(year: int) -> int:
    """Return the year or raise UsageProblem outside 1949–2100."""
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        raise UsageProblem(f"bad year {year!r}: expected {YEAR_MIN}-{YEAR_MAX}")
    return year


# ------------------------------------------------------------------- helpers
@dataclass
class _Undo:
    """Files and directories created by an add that failed before its commit point."""

    files: list[Path] = field(default_factory=list)
    dirs: list[Path] = field(default_factory=list)
    catalog: Path | None = None  # a catalog this add created

    def run(self) -> None:
        for path in reversed(self.files):
            _unlink(path)
        if self.catalog is not None and _catalog_is_empty(self.catalog):
            # Only while still empty: a concurrent add may already have committed into it.
            _unlink(self.catalog)
        # rmdir, never rmtree: a concurrent add may already be using a directory we created.
        for d in reversed(self.dirs):
            try:
                d.rmdir()
            except OSError:
                pass


def _detect(text: str, name: str) -> metadata.DetectedMeta:
    """Metadata read from a document's text: for an HTML page, from its text without the markup."""
    from policydiff.read import clean as normalize

    if normalize.looks_like_html(text, name):
        text = normalize.clean(text, is_html=True).text
    return metadata.detect(text)


def _read_input_file(path: Path) -> bytes:
    if not path.exists():
        raise UsageProblem(f"no such file: {path}")
    if path.is_dir():
        raise UsageProblem(f"{path} is a directory, not a file")
    if not path.is_file():
        raise UsageProblem(f"{path} is not a regular file")
    try:
        size = path.stat().st_size
        if size > ingest.MAX_BYTES:
            raise PolicydiffError(f"{path}: too large: {size} bytes (limit {ingest.MAX_BYTES // (1024 * 1024)} MB)")
        with path.open("rb") as fh:
            return fh.read(ingest.MAX_BYTES + 1)  # decode() refuses it if it grew meanwhile
    except PermissionError:
        raise PolicydiffError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise PolicydiffError(f"cannot read {path}: {exc.strerror or exc}") from None


def _catalog_is_empty(path: Path) -> bool:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        try:
            return conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 0
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def _check_schema(conn: sqlite3.Connection) -> None:
    cols = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
    if not set(FIELDS) <= cols:
        raise sqlite3.DatabaseError("catalog has no valid versions table")


def _fetch(conn: sqlite3.Connection, where: str, params: tuple[object, ...]) -> list[Version]:
    cur = conn.execute(f"SELECT {', '.join(FIELDS)} FROM versions WHERE {where} ORDER BY series, year, version", params)
    return [Version(**dict(zip(FIELDS, row, strict=True))) for row in cur]


def _insert_row(conn: sqlite3.Connection, v: Version) -> None:
    conn.execute(
        f"INSERT INTO versions ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})",
        tuple(getattr(v, name) for name in FIELDS),
    )


def _write_catalog_file(path: Path, versions: list[Version]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # no WAL: the catalog is a single file
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("BEGIN")
        conn.execute(_SCHEMA.strip())
        for v in versions:
            _insert_row(conn, v)
        conn.execute("COMMIT")
    finally:
        conn.close()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, 0o644)


def _sidecar_bytes(v: Version) -> bytes:
    return (json.dumps(v.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _load_sidecar(path: Path) -> Version | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or set(data) != set(FIELDS) or data.get("id") != path.stem:
        return None
    types = {"year": int, "version": int, "size": int}
    for name in FIELDS:
        if not isinstance(data[name], types.get(name, str)) or isinstance(data[name], bool):
            return None
    return Version(**data)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    from policydiff.store.files import replace_file

    replace_file(path, data, prefix=TMP_PREFIX, mode=mode)
    _fsync_dir(path.parent)  # the rename itself must survive a power cut


def _publish_new(path: Path, data: bytes, mode: int, undo: _Undo) -> None:
    """Write a file that must not overwrite one a concurrent process created first."""
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        try:
            os.link(tmp, path)
            undo.files.append(path)
        except FileExistsError:
            pass
    finally:
        _unlink(Path(tmp))
    _fsync_dir(path.parent)


def _mkdirs(d: Path, undo: _Undo) -> None:
    missing: list[Path] = []
    p = d
    while not p.exists():
        missing.append(p)
        p = p.parent
    for m in reversed(missing):
        try:
            m.mkdir()
            undo.dirs.append(m)
        except FileExistsError:
            pass
        _fsync_dir(m.parent)


def _fsync_dir(d: Path) -> None:
    # Makes the rename/creation itself durable, not just the file contents.
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

