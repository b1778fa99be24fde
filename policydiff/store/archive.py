"""The document archive: immutable, content-addressed, crash-safe.

Layout under the archive folder::

    objects/ab/<sha256>     raw bytes, read-only, never modified
    versions/<key>.json     one metadata sidecar per version (the catalog can be rebuilt from these)
    catalog.sqlite          the catalog (rollback journal, no WAL: only this file needs committing)
    derived/<key>.xml       the clause XML of each version (rebuilt on demand when missing or stale)
    derived/<key>.digest    what that XML was derived from and its hash (XML without it is not trusted)

A version is an object in a series: identical bytes added to two series are two versions sharing one
object. The key of a version is its object id (<sha256>), or <sha256>@<series> for a version of an
object that another series archived first.

An add writes the object, then the sidecar (each: temp file, fsync, atomic rename, fsync of the
directory) and finally inserts the catalog row in one transaction. That transaction is the commit
point: an object or sidecar without a row is a leftover of an interrupted add, not a version, and
the next add of the same bytes completes it.

The pieces: catalog.py (versions, reports, SQLite, layout and sidecar helpers), commit.py (the
writing steps of an add), files.py (the atomic writer), derived.py (clause XML), verify.py (check),
rebuild.py and repair.py (rebuild); this module is the Archive itself.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from pathlib import Path

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.read import decode as ingest
from policydiff.read import metadata
from policydiff.store import derived, rebuild, verify
from policydiff.store.catalog import (
    CATALOG,
    KINDS,
    LAYOUT,
    MIN_PREFIX,
    SERIES_RE,
    TMP_PREFIX,
    AddResult,
    PreparedAdd,
    Problem,
    RebuildReport,
    VerifyReport,
    Version,
    busy_error,
    check_schema,
    check_series,
    check_year,
    fetch,
    is_busy,
    object_files,
    open_ro,
    sidecar_files,
)
from policydiff.store.commit import Undo, ensure_layout, insert, object_intact, store_object
from policydiff.store.files import read_input_file, write_durable

_HEX_RE = re.compile(r"[0-9a-fA-F]{4,64}")
_REF_RE = re.compile(r"(?P<series>[^@#]+)@(?P<year>\d{1,6})(?:#(?P<n>\d{1,9}))?")


#: encodings that name a format extractor rather than a codec (the text was taken out of a file)
_EXTRACTED = frozenset({"pdf", "docx", "ofd", "doc", "wps"})


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

    def sidecar_path(self, key: str) -> Path:
        """versions/<key>.json; a version's key is `key(version)` (its id, unless its object is shared)."""
        return self.root / "versions" / f"{key}.json"

    def key(self, version: Version) -> str:
        """The version's key: id@series when that sidecar exists (its object was archived by
        another series first), else the plain id."""
        shared = f"{version.id}@{version.series}"
        return shared if self.sidecar_path(shared).exists() else version.id

    def derived_path(self, key: str, ext: str) -> Path:
        """Where a file derived from a version belongs: derived/<key>.<ext> (its clause XML: ext "xml")."""
        return self.root / "derived" / f"{key}.{ext}"

    def xml_path(self, version: Version) -> Path:
        return self.derived_path(self.key(version), "xml")

    def digest_path(self, version: Version) -> Path:
        return self.derived_path(self.key(version), "digest")

    def rel(self, path: Path) -> str:
        """A path as verify reports it: relative to the archive folder."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

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

    def get(self, version_id: str, series: str | None = None) -> Version | None:
        """The archived version with this full id (in this series), or None (the first series'
        version when the object is archived in several and no series is given)."""
        if series is None:
            rows = self._select("id = ?", (version_id,))
        else:
            rows = self._select("id = ? AND series = ?", (version_id, series))
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
            return read_input_file(Path(version.path), ingest.MAX_BYTES)
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

    def read_decoded(self, version: Version) -> ingest.Decoded:
        """The decoded text with what a format extractor did (PDF, DOCX, OFD …: its steps)."""
        if version.text is not None and version.encoding not in _EXTRACTED:
            return ingest.Decoded(version.text, version.encoding)
        return ingest.decode(self.read_bytes(version), version.filename or version.short_id)

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
            data, name = read_input_file(path, ingest.MAX_BYTES), filename or path.name
        decoded = ingest.decode(data, name)
        meta = derived.detect_meta(decoded.text, name)
        if year is None:
            year = _detected_year(meta, name)
        vid = hashlib.sha256(data).hexdigest()
        self._check_writable(vid, series)
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
        return PreparedAdd(data=data, version=version, xml=self.derive(version, decoded))

    def commit(self, prepared: PreparedAdd) -> AddResult:
        """Write a prepared add: object, sidecar, then the catalog row (the commit point)."""
        vid = prepared.version.id
        if self.catalog_path.exists():
            existing = self.get(vid, prepared.version.series)
            if existing is not None:
                self._repair_object(vid, prepared.data)
                if prepared.xml and self.stored_xml(existing) is None and os.access(self.root, os.W_OK):
                    self.cache_derived(existing, prepared.xml)
                return AddResult("exists", existing)
        undo = Undo()
        try:
            ensure_layout(self.root, undo)
            store_object(self.object_path(vid), vid, prepared.data, undo)
            result = insert(self.catalog_path, self.root / "versions", prepared.version, undo)
        except OSError as exc:
            undo.run()
            raise PolicydiffError(f"cannot write to archive {self.root}: {exc.strerror or exc}") from None
        except BaseException:
            undo.run()
            raise
        # derived data, written after the commit point: a kill here leaves a complete version whose
        # XML is rebuilt on demand (`verify` notes it, `verify --rebuild` writes it)
        if prepared.xml and result.added:  # (XML made at add time carries no ref: see derived.to_xml)
            self.cache_derived(result.version, prepared.xml)
        return result

    # ------------------------------------------------------------ derived XML
    def derive(self, version: Version, decoded: ingest.Decoded | None = None) -> bytes:
        """The validated clause XML of a version (the pipeline run on its text)."""
        decoded = decoded or self.read_decoded(version)
        return derived.to_xml(version, decoded.text, decoded.steps)

    def stored_xml(self, version: Version) -> bytes | None:
        """The XML stored for a version if its digest vouches for it, it validates and is current."""
        return derived.stored_xml(self.xml_path(version), self.digest_path(version), version)

    def digested_xml(self, version: Version) -> bytes | None:
        """The stored XML if its digest vouches for it (not parsed: for callers that parse it anyway)."""
        return derived.digested(self.xml_path(version), self.digest_path(version), version)

    def xml(self, version: Version) -> bytes:
        """Stored XML when current, else built now (and stored when the archive is writable)."""
        data = self.stored_xml(version) if version.archived else None
        if data is None:
            data = self.derive(version)
            if version.archived and os.access(self.root / "derived", os.W_OK):
                self.cache_derived(version, data)
        return data

    def cache_derived(self, version: Version, xml: bytes) -> bool:
        """`store_derived`, best effort: the XML is a cache of what the pipeline gives, so a full or
        read-only disk must not fail a command that only reads (it is built again next time)."""
        try:
            self.store_derived(version, xml)
        except OSError:
            return False
        return True

    def store_derived(self, version: Version, xml: bytes) -> None:
        """Store the clause XML of a version and then its digest (derived data: not part of an add's
        commit). The old digest goes first: a kill in between leaves XML without one, unverified."""
        path, digest = self.xml_path(version), self.digest_path(version)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest.unlink(missing_ok=True)
        write_durable(path, xml, prefix=TMP_PREFIX, mode=0o644)
        write_durable(digest, derived.digest_bytes(version, xml), prefix=TMP_PREFIX, mode=0o644)

    def detect(self, vid: str) -> metadata.DetectedMeta:
        """The metadata detected from an archived object's text (what an add without flags takes)."""
        return derived.detect_meta(ingest.decode(self.object_path(vid).read_bytes(), vid[:12]).text, vid[:12])

    # ------------------------------------------------------------ verifying
    def verify(self) -> list[Problem]:
        """Problems found by re-hashing objects and cross-checking catalog and sidecars."""
        return self.check().problems

    def check(self, deep: bool = False) -> VerifyReport:
        """Full verification report: problems (unhealthy) and notes (harmless leftovers); `deep`
        derives every stored clause XML again and compares."""
        return verify.check(self, deep=deep)

    def rebuild(self, deep: bool = False) -> RebuildReport:
        """Recreate the catalog from sidecars and objects; bad objects are skipped and reported."""
        return rebuild.rebuild(self, deep=deep)

    # -------------------------------------------------------- catalog access
    def require_root(self) -> None:
        if not self.root.is_dir():
            raise PolicydiffError(f"archive not found: {self.root}")

    def _has_content(self) -> bool:
        return any(sidecar_files(self.root)) or any(object_files(self.root))

    def _connect_ro(self) -> sqlite3.Connection | None:
        """A read-only catalog connection, or None for an archive with nothing in it yet."""
        self.require_root()
        if not self.catalog_path.exists():
            if self._has_content():
                raise PolicydiffError(f"catalog missing in {self.root}: run `policydiff archive verify --rebuild`")
            # Layout folders without a catalog: a first add was interrupted before creating it.
            if any(p for p in self.root.iterdir() if not p.name.startswith(".") and p.name not in LAYOUT):
                raise PolicydiffError(f"not an archive (no {CATALOG}): {self.root}")
            return None
        try:
            conn = open_ro(self.catalog_path)
            check_schema(conn)
        except sqlite3.DatabaseError as exc:
            raise _unreadable(exc) from None
        return conn

    def _select(self, where: str, params: tuple[object, ...]) -> list[Version]:
        conn = self._connect_ro()
        if conn is None:
            return []
        try:
            rows = fetch(conn, where, params)
        except sqlite3.DatabaseError as exc:
            raise _unreadable(exc) from None
        finally:
            conn.close()
        for row in rows:  # names from an archive are input: a series becomes a folder name in batch outputs
            if not isinstance(row.series, str) or not SERIES_RE.fullmatch(row.series):
                raise PolicydiffError(f"catalog row {str(row.id)[:12]!r} names an invalid series {str(row.series)[:40]!r}: "
                                      "the catalog was edited; run `policydiff archive verify`")
        return rows

    # ------------------------------------------------------------- resolving
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
        if len(rows) > 1 and len({row.id for row in rows}) == 1:
            refs = ", ".join(row.ref for row in rows[:5])
            raise UsageProblem(f"id prefix {prefix} names one document archived in {len(rows)} series ({refs}): "
                               "give SERIES@YEAR")
        if len(rows) > 1:
            raise UsageProblem(f"ambiguous id prefix {prefix}: matches {len(rows)} versions; give more characters")
        return rows[0]

    def _resolve_file(self, path: Path) -> Version:
        data = read_input_file(path, ingest.MAX_BYTES)
        vid = hashlib.sha256(data).hexdigest()
        if self.root.is_dir():
            archived = self.get(vid)
            if archived is not None:
                return archived
        decoded = ingest.decode(data, path.name)
        meta = derived.detect_meta(decoded.text, path.name)
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

    # ------------------------------------------------------- the add, inside
    def _check_writable(self, vid: str, series: str) -> None:
        """Refuse before anything is written if the archive cannot take this version."""
        root = self.root
        if root.exists():
            if not root.is_dir():
                raise PolicydiffError(f"archive path is not a directory: {root}")
            conn = self._connect_ro()  # raises on a missing/corrupt catalog or a non-archive folder
            if conn is not None:
                try:
                    known = bool(fetch(conn, "id = ? AND series = ?", (vid, series)))
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

    def _repair_object(self, vid: str, data: bytes) -> None:
        """Re-adding a file whose stored object went missing or bad puts the right bytes back."""
        path = self.object_path(vid)
        if object_intact(path, vid, len(data)):
            return
        if os.access(self.root, os.W_OK):
            try:
                store_object(path, vid, data, Undo())
            except OSError:
                pass  # best effort: verify keeps reporting the damage



def _unreadable(exc: sqlite3.DatabaseError) -> PolicydiffError:
    """The error of a catalog SQLite could not read: damaged (rebuild it), or locked by another
    process past the busy timeout (busy, not damaged: try again)."""
    if is_busy(exc):
        return busy_error()
    return PolicydiffError(f"catalog unreadable ({exc}): run `policydiff archive verify --rebuild`")


def _detected_year(meta: metadata.DetectedMeta, name: str) -> int:
    if meta.year is None:
        raise UsageProblem(f"{name}: cannot detect the year of the document; pass --year")
    try:
        return check_year(meta.year)
    except UsageProblem as exc:
        raise UsageProblem(f"{name}: detected {exc}; pass --year") from None
