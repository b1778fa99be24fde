"""Derived clause XML: a version's text through the pipeline, and whether stored XML is current.

Functions of data (a Version, its text, XML bytes), not of the Archive: the archive and the loader
both call them, and this module imports neither. The pipeline and lxml are imported when first
needed, so opening an archive to list it stays quick.
"""

from __future__ import annotations

import re
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
    """The validated clause XML of a version (the pipeline run on its text)."""
    from policydiff.model import planxml

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


def is_current(doc: Document, version_id: str) -> bool:
    """Whether XML belongs to this version and was made by the current normalizer."""
    return doc.meta.sha256 == version_id and doc.meta.normalizer == NORMALIZER_VERSION


def stored_xml(path: Path, version_id: str) -> bytes | None:
    """The XML at `path` if it is there, validates and is current for this version; else None."""
    try:
        data = path.read_bytes()
        doc = parse(data)
    except (OSError, PolicydiffError):
        return None
    return data if is_current(doc, version_id) else None


def xml_finding(path: Path, version_id: str) -> tuple[str, str] | None:
    """What `verify` says about a version's stored XML: None when it is current, else
    ("note" or "problem", message). Missing or made by an older normalizer is a note."""
    if not path.exists():
        return "note", "clause XML not stored yet (built on demand; verify --rebuild stores it)"
    try:
        doc = parse(path.read_bytes())
    except (OSError, PolicydiffError) as exc:
        return "problem", f"stored XML invalid: {exc} (run verify --rebuild)"
    if doc.meta.sha256 != version_id:
        return "problem", "stored XML belongs to another document (run verify --rebuild)"
    if doc.meta.normalizer != NORMALIZER_VERSION:
        return "note", "stored XML made by an older normalizer (verify --rebuild refreshes it)"
    return None
