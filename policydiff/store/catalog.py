"""The archive's data: versions and reports, name rules, the SQLite catalog and the JSON sidecars.

Plain data and small functions over a connection or a path; the `Archive` class (archive.py) decides
when they run.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from policydiff.errors import ArchiveBusy, PolicydiffError, UsageProblem

SERIES_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
KINDS = ("plan", "news", "city-plan")
YEAR_MIN, YEAR_MAX = 1949, 2100
MIN_PREFIX = 4

CATALOG = "catalog.sqlite"
TMP_PREFIX = ".tmp-"
#: 1 keyed versions by object id alone (one object, one series); 2 by (id, series): identical bytes
#: archived under two series are two versions sharing one object. Writers migrate 1 → 2 (`migrate`).
SCHEMA_VERSION = 2
# Waiting for another writer: an add holds the write lock only for a sidecar write and one INSERT.
BUSY_TIMEOUT_S = 60.0
# rebuild() removes temp files older than this; younger ones may belong to a running add.
STALE_TMP_S = 600

SHA_RE = re.compile(r"[0-9a-f]{64}")
#: the name of a version's sidecar (and derived files): its object id, or id@series for a version of
#: an object that another series archived first (versions/<id>.json is that first version's)
KEY_RE = re.compile(r"(?P<id>[0-9a-f]{64})(?:@(?P<series>[a-z0-9][a-z0-9._-]{0,63}))?")

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id       TEXT NOT NULL,
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
    PRIMARY KEY (id, series),
    UNIQUE (series, year, version)
);
"""

LAYOUT = frozenset({"objects", "versions", "derived"})
# Keeps leftovers of interrupted work out of git when the archive lives in a repository.
GITIGNORE = f"{TMP_PREFIX}*\n*.sqlite-journal\nderived/search.sqlite\n"


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
    repaired: list[Problem] = field(default_factory=list)  # files that lied, and what was put right


@dataclass(frozen=True)
class PreparedAdd:
    """A validated, decoded input ready to be committed (nothing written yet)."""

    data: bytes = field(repr=False)
    version: Version  # version number and added_at are assigned at commit
    xml: bytes = field(default=b"", repr=False)  # the clause XML, built and validated before writing


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


def valid_row(v: Version) -> bool:
    """Whether a catalog row names a series, year and kind an add would accept."""
    return (
        isinstance(v.series, str) and bool(SERIES_RE.fullmatch(v.series))
        and isinstance(v.year, int) and not isinstance(v.year, bool) and YEAR_MIN <= v.year <= YEAR_MAX
        and v.kind in KINDS
    )


# -------------------------------------------------------------------- SQLite
def is_busy(exc: BaseException) -> bool:
    """Whether an SQLite error says another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED,
    "database is locked"): the database is in use, not damaged, and never a reason to replace it."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED, and their extended codes
    return str(exc).startswith(("database is locked", "database table is locked"))


def busy_error(name: str = CATALOG) -> ArchiveBusy:
    """The one-line error of a database another process kept locked past the busy timeout."""
    return ArchiveBusy(f"{name} is busy: another policydiff process is writing to it; try again")


def open_ro(catalog: Path) -> sqlite3.Connection:
    """A read-only connection to the catalog (rolling back a transaction a killed writer left)."""
    uri = f"{catalog.resolve().as_uri()}?mode=ro"
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
    if not os.access(catalog.parent, os.W_OK):
        raise PolicydiffError(
            f"catalog has an unfinished transaction and {catalog.parent} is read-only: open it once with write access"
        )
    rw = sqlite3.connect(catalog, timeout=BUSY_TIMEOUT_S)
    try:
        rw.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        rw.close()
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def connect_rw(catalog: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
    return sqlite3.connect(catalog, timeout=BUSY_TIMEOUT_S, isolation_level=None)


def catalog_is_empty(path: Path) -> bool:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        try:
            return conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 0
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def check_schema(conn: sqlite3.Connection) -> None:
    cols = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
    if not set(FIELDS) <= cols:
        raise sqlite3.DatabaseError("catalog has no valid versions table")


def shares_objects(conn: sqlite3.Connection) -> bool:
    """Whether the catalog keys versions by (id, series) (schema 2) rather than by id alone."""
    pk = {row[1]: row[5] for row in conn.execute("PRAGMA table_info(versions)")}
    return pk.get("series", 0) > 0


def migrate(conn: sqlite3.Connection) -> None:
    """Rewrite a schema-1 catalog as schema 2, inside the caller's write transaction (rows unchanged)."""
    if shares_objects(conn):
        return
    cols = ", ".join(FIELDS)
    conn.execute("DROP TABLE IF EXISTS versions_v2")
    conn.execute(SCHEMA.strip().replace("EXISTS versions", "EXISTS versions_v2", 1))
    conn.execute(f"INSERT INTO versions_v2 ({cols}) SELECT {cols} FROM versions")
    conn.execute("DROP TABLE versions")
    conn.execute("ALTER TABLE versions_v2 RENAME TO versions")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def fetch(conn: sqlite3.Connection, where: str, params: tuple[object, ...]) -> list[Version]:
    cur = conn.execute(f"SELECT {', '.join(FIELDS)} FROM versions WHERE {where} ORDER BY series, year, version", params)
    return [Version(**dict(zip(FIELDS, row, strict=True))) for row in cur]


def insert_row(conn: sqlite3.Connection, v: Version) -> None:
    conn.execute(
        f"INSERT INTO versions ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})",
        tuple(getattr(v, name) for name in FIELDS),
    )


def write_catalog_file(path: Path, versions: list[Version]) -> None:
    """A complete catalog with these rows at `path`, fsynced, mode 0644."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # no WAL: the catalog is a single file
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("BEGIN")
        conn.execute(SCHEMA.strip())
        for v in versions:
            insert_row(conn, v)
        conn.execute("COMMIT")
    finally:
        conn.close()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, 0o644)


# -------------------------------------------------------------------- layout
def object_files(root: Path) -> dict[str, Path]:
    """Stored objects by id (files named like an id, in the folder of their first two digits)."""
    out: dict[str, Path] = {}
    base = root / "objects"
    if base.is_dir():
        for sub in base.iterdir():
            if sub.is_dir():
                for path in sub.iterdir():
                    if SHA_RE.fullmatch(path.name) and path.name[:2] == sub.name:
                        out[path.name] = path
    return out


def sidecar_files(root: Path) -> dict[str, Path]:
    """Sidecar files by key (the id, or id@series: see KEY_RE)."""
    base = root / "versions"
    if not base.is_dir():
        return {}
    return {p.stem: p for p in base.iterdir() if p.suffix == ".json" and KEY_RE.fullmatch(p.stem)}


def key_parts(key: str) -> tuple[str, str | None]:
    """(id, series) of a sidecar key; series is None for the plain key (the id alone)."""
    vid, _, series = key.partition("@")
    return vid, series or None


#: temp names older versions used for the search index (derived/.search.sqlite.PID.tmp, and its journal)
_OLD_SEARCH_TMP = re.compile(r"\.search\.sqlite\.\d+\.tmp(?:-journal)?")


def is_temp_name(name: str) -> bool:
    """Whether a file name is one a writer of the archive uses for its temporary files: every writer
    (add, rebuild, derived XML, search index, SQLite journals of those) names them .tmp-*."""
    return name.startswith(TMP_PREFIX) or bool(_OLD_SEARCH_TMP.fullmatch(name))


def temp_files(root: Path) -> Iterator[Path]:
    """Temporary files of writers (running, or interrupted), in every folder of the archive."""
    dirs = [root, root / "versions", root / "derived"]
    objects = root / "objects"
    if objects.is_dir():
        dirs.append(objects)
        dirs.extend(p for p in objects.iterdir() if p.is_dir())
    for d in dirs:
        if d.is_dir():
            yield from sorted(p for p in d.iterdir() if is_temp_name(p.name))


# ------------------------------------------------------------------ sidecars
def sidecar_bytes(v: Version) -> bytes:
    return (json.dumps(v.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def load_sidecar(path: Path) -> Version | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or set(data) != set(FIELDS) or data.get("id") != key_parts(path.stem)[0]:
        return None
    types = {"year": int, "version": int, "size": int}
    for name in FIELDS:
        if not isinstance(data[name], types.get(name, str)) or isinstance(data[name], bool):
            return None
    return Version(**data)


def now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
