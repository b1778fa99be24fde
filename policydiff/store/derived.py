"""Derived clause XML: a version's text through the pipeline, and whether stored XML is current.

Functions of data (a Version, its text, XML bytes), not of the Archive: the archive and the loader
both call them, and this module imports neither. The pipeline and lxml are imported when first
needed, so opening an archive to list it stays quick.

Stored XML is trusted only with its digest: derived/<key>.digest, written after the XML, records
the normalizer, a hash of the metadata the XML was derived from and the hash of the XML itself.
XML whose hash is not the recorded one was changed after derivation (it lies); XML without a
digest (archives made before digests, or a writer killed between the two files) is unverified.
Neither feeds an output: the version is derived again. A digest can be recomputed by whoever
edits the XML, so `verify --deep` re-derives every version and compares.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from policydiff.errors import PolicydiffError
from policydiff.read.version import NORMALIZER_VERSION
from policydiff.store.catalog import Version

if TYPE_CHECKING:
    from policydiff.model.document import DocMeta, Document

#: a longer line is not a paragraph of a plan (a whole five-year plan is ~150,000 characters) and
#: would make structuring and XML validation needlessly slow: refuse it up front
MAX_LINE_CHARS = 500_000


#: the catalog fields the clause XML is derived from (with the object's bytes and the normalizer)
INPUT_FIELDS = ("id", "series", "year", "kind", "doc_no", "date", "title", "issuer", "encoding", "filename")


def detect_meta(text: str, name: str):  # -> metadata.DetectedMeta
    """Metadata read from a document's text: for an HTML page, from its text without the markup."""
    from policydiff.read import clean as normalize
    from policydiff.read import metadata

    if normalize.looks_like_html(text, name):
        text = normalize.clean(text, is_html=True).text
    return metadata.detect(text)


def meta_of(version: Version) -> DocMeta:
    """Catalog metadata as the pipeline's DocMeta (flags given at `add` win over detection)."""
    from policydiff.model.document import DocMeta

    return DocMeta(series=version.series, year=version.year, kind=version.kind or "plan", doc_no=version.doc_no,
                   date=version.date, title=version.title, issuer=version.issuer, sha256=version.id,
                   encoding=version.encoding, ref=version.ref if version.version is not None or not version.archived
                   else "")  # at add time the version number is not known yet


def document(version: Version, text: str, *, script_config: str = "t2s",
             extracted: tuple[tuple[str, int, str], ...] = ()) -> Document:
    """Run the pipeline on a version's (decoded) text; `extracted` are a format extractor's steps."""
    from policydiff.read import clean as normalize
    from policydiff.read import pipeline

    name = version.filename or version.path
    is_html = normalize.looks_like_html(text, name)
    if not is_html:
        _check_lines(text, name or version.short_id)
    return pipeline.process(text, meta_of(version), is_html=is_html, script_config=script_config,
                            extracted=extracted)


def to_xml(version: Version, text: str, extracted: tuple[tuple[str, int, str], ...] = ()) -> bytes:
    """The validated clause XML of a version (the pipeline run on its text). An archived version's
    XML carries no ref: its number is catalog data (a rebuild may renumber), set when it is loaded."""
    from policydiff.model import planxml

    if version.archived:
        version = replace(version, version=None)
    return planxml.to_bytes(document(version, text, extracted=extracted))


def _check_lines(text: str, name: str) -> None:
    lengths = [len(line) for line in re.split("\r\n|[\r\n\u0085\u2028\u2029]", text)]  # the breaks clean.py knows
    longest = max(lengths)
    if longest > MAX_LINE_CHARS:
        raise PolicydiffError(f"{name}: line {lengths.index(longest) + 1} has {longest:,} characters without a "
                              f"line break (limit {MAX_LINE_CHARS:,}): not a document policydiff can structure")


def parse(data: bytes) -> Document:
    """Stored XML as a Document; PolicydiffError when it does not validate."""
    from policydiff.model import planxml

    return planxml.from_bytes(data)


def is_current(doc: Document, version: Version) -> bool:
    """Whether XML belongs to this version (object and series) and was made by the current normalizer."""
    return (doc.meta.sha256 == version.id and doc.meta.series == version.series
            and doc.meta.normalizer == NORMALIZER_VERSION)


# ------------------------------------------------------------------ digests
def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inputs_digest(version: Version) -> str:
    """A hash of what a version's XML is derived from: the normalizer and the INPUT_FIELDS."""
    inputs = {"normalizer": NORMALIZER_VERSION, **{name: getattr(version, name) for name in INPUT_FIELDS}}
    return _sha(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def digest_bytes(version: Version, xml: bytes) -> bytes:
    """The digest file stored beside a version's XML."""
    record = {"format": 1, "normalizer": NORMALIZER_VERSION, "inputs": inputs_digest(version), "xml": _sha(xml)}
    return (json.dumps(record, sort_keys=True) + "\n").encode("ascii")


def digest_state(xml: bytes, digest_path: Path, version: Version) -> str:
    """"ok"; "missing" (no readable digest: unverified); "stale" (derived from other metadata or by
    another normalizer); "edited" (the XML is not the XML the digest recorded)."""
    try:
        record = json.loads(digest_path.read_bytes())
    except (OSError, ValueError):
        return "missing"
    if not isinstance(record, dict) or not isinstance(record.get("xml"), str):
        return "missing"
    if record["xml"] != _sha(xml):
        return "edited"
    if record.get("normalizer") != NORMALIZER_VERSION or record.get("inputs") != inputs_digest(version):
        return "stale"
    return "ok"


def digested(xml_path: Path, digest_path: Path, version: Version) -> bytes | None:
    """The stored XML when its digest says it is this version's current, unedited XML (not parsed)."""
    try:
        data = xml_path.read_bytes()
    except OSError:
        return None
    return data if digest_state(data, digest_path, version) == "ok" else None


def stored_xml(xml_path: Path, digest_path: Path, version: Version) -> bytes | None:
    """The XML at `xml_path` if its digest vouches for it, it validates and is current; else None."""
    data = digested(xml_path, digest_path, version)
    if data is None:
        return None
    try:
        doc = parse(data)
    except PolicydiffError:
        return None
    return data if is_current(doc, version) else None


def same_xml(stored: bytes, fresh: bytes) -> bool:
    """Whether stored XML says what a fresh derivation says (XML stored by older versions of
    policydiff may carry the version's ref, which fresh XML leaves out)."""
    if stored == fresh:
        return True
    from policydiff.model import planxml

    try:
        doc = parse(stored)
    except PolicydiffError:
        return False
    doc.meta.ref = ""
    return planxml.to_bytes(doc) == fresh
