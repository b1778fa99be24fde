"""From a REF to a `Document`: the archive's stored XML when it is current, else the pipeline."""

from __future__ import annotations

from policydiff.model.document import Document
from policydiff.store import corrections, derived
from policydiff.store.archive import Archive
from policydiff.store.catalog import Version


def build(archive: Archive, version: Version, *, script_config: str = "t2s") -> Document:
    """Run the pipeline on a version's text."""
    decoded = archive.read_decoded(version)
    return derived.document(version, decoded.text, script_config=script_config, extracted=decoded.steps)


def load_version(archive: Archive, version: Version, *, script_config: str = "t2s") -> Document:
    """The document of a version: its stored XML if made by this normalizer, else built now."""
    data = archive.stored_xml(version) if version.archived and script_config == "t2s" else None
    if data is None:
        doc = build(archive, version, script_config=script_config)
    else:
        doc = derived.parse(data)
        doc.meta.ref = version.ref
    if version.archived:  # the researcher's corrections travel with the document into every comparison
        doc.corrections = corrections.in_force(archive.root)
    return doc


def load(archive_dir: str, ref: str, *, script_config: str = "t2s") -> Document:
    """Resolve REF (SERIES@YEAR, id prefix, or a file path) and load its document."""
    archive = Archive(archive_dir)
    return load_version(archive, archive.resolve(ref), script_config=script_config)


def series_documents(archive_dir: str, series: str) -> list[Document]:
    """Every version of a series, in version order."""
    archive = Archive(archive_dir)
    return [load_version(archive, v) for v in archive.log(series)]
