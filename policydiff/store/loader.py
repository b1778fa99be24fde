"""From a REF to a `Document`: the archive's stored XML when it is current, else the pipeline."""

from __future__ import annotations

from policydiff.errors import PolicydiffError
from policydiff.model.document import DocMeta, Document
from policydiff.store.archive import Archive, Version


def meta_of(version: Version) -> DocMeta:
    """Catalog metadata as the pipeline's DocMeta (flags given at `add` win over detection)."""
    return DocMeta(series=version.series, year=version.year, kind=version.kind or "plan", doc_no=version.doc_no,
                   date=version.date, title=version.title, issuer=version.issuer, sha256=version.id,
                   encoding=version.encoding, ref=version.ref if version.version is not None or not version.archived
                   else "")  # at add time the version number is not known yet


def build(archive: Archive, version: Version, *, script_config: str = "t2s") -> Document:
    """Run the pipeline on a version's text."""
    from policydiff.read import clean as normalize
    from policydiff.read import pipeline

    text = archive.read_text(version)
    name = version.filename or version.path
    is_html = normalize.looks_like_html(text, name)
    if not is_html:
        _check_lines(text, name or version.short_id)
    return pipeline.process(text, meta_of(version), is_html=is_html, script_config=script_config)


#: a longer line is not a paragraph of a plan (a whole five-year plan is ~150,000 characters) and
#: would make structuring and XML validation needlessly slow: refuse it up front
MAX_LINE_CHARS = 500_000


def _check_lines(text: str, name: str) -> None:
    lengths = [len(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    longest = max(lengths)
    if longest > MAX_LINE_CHARS:
        raise PolicydiffError(f"{name}: line {lengths.index(longest) + 1} has {longest:,} characters without a "
                              f"line break (limit {MAX_LINE_CHARS:,}): not a document policydiff can structure")


def load_version(archive: Archive, version: Version, *, script_config: str = "t2s") -> Document:
    """The document of a version: its stored XML if made by this normalizer, else built now."""
    from policydiff.model import planxml

    data = archive.stored_xml(version) if version.archived and script_config == "t2s" else None
    if data is None:
        return build(archive, version, script_config=script_config)
    doc = planxml.from_bytes(data)
    doc.meta.ref = version.ref
    return doc


def load(archive_dir: str, ref: str, *, script_config: str = "t2s") -> Document:
    """Resolve REF (SERIES@YEAR, id prefix, or a file path) and load its document."""
    archive = Archive(archive_dir)
    return load_version(archive, archive.resolve(ref), script_config=script_config)
