"""The Python API: the library the CLI calls, for scripts and notebooks.

    import policydiff
    arch = policydiff.open_archive("docs_archive")
    cmp = policydiff.compare(arch.load("gd-digital-gov@2019"), arch.load("gd-digital-gov@2021"))
    cmp.to_frame()          # one row per clause match (pandas)
    cmp.targets_frame()     # one row per target change
    cmp                     # in Jupyter: the redline

Entry points (stable): `open_archive(path)` → `Archive` (`.versions(series=None)`, `.load(ref)`,
`.lineage(series)`, `.search(query)`, `.track(*keywords)`), `load(path)`, `compare(old, new)`,
`targets(doc)`. They return the model's types (`Document`, `Comparison`, `SeriesLineage`,
`Target`, `Trajectory`, the catalog's `Version`, the index's `Hit`) and raise
`policydiff.PolicydiffError` subclasses — `NotFound` (with the nearest REF or series in the message),
`ArchiveNotFound`, `UsageProblem`, `MissingDependency` — never exit. Heavy modules are imported
on first use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from policydiff.errors import PolicydiffError

if TYPE_CHECKING:
    from policydiff.model.changes import Comparison
    from policydiff.model.document import Document, Target
    from policydiff.model.series import SeriesLineage, Trajectory
    from policydiff.store.catalog import Version
    from policydiff.store.search import Hit

__all__ = ["Archive", "Tracked", "compare", "load", "open_archive", "targets"]

#: a path that is never an archive: files loaded with `load()` are not looked up in any archive
_NO_ARCHIVE = os.devnull


@contextlib.contextmanager
def _hinted(archive_dir: str | os.PathLike[str] | None) -> Iterator[None]:
    """Not-found errors get the nearest REF or series, in the API's words."""
    try:
        yield
    except PolicydiffError as exc:
        from policydiff import suggest

        better = suggest.annotate(exc, archive_dir, suggest.API)
        if better is exc:
            raise
        raise better from exc.__cause__


class Tracked(NamedTuple):
    """One target trajectory found by `Archive.track`, with the series it belongs to."""

    series: str
    trajectory: Trajectory


class Archive:
    """An archive folder opened for reading (`open_archive`)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from policydiff.store.archive import Archive as Store

        self.path = Path(path)
        self.store = Store(self.path)

    def __repr__(self) -> str:
        return f"policydiff.open_archive({str(self.path)!r})"

    def versions(self, series: str | None = None) -> list[Version]:
        """Every archived version (of one series), ordered by series, year, version number."""
        with _hinted(self.path):
            return self.store.list(series)

    def series(self) -> list[str]:
        """The series names, sorted."""
        return sorted({v.series for v in self.versions()})

    def load(self, ref: str) -> Document:
        """The normalized document of REF: SERIES@YEAR, SERIES@YEAR#N, an id prefix or a file path."""
        from policydiff.store import loader

        with _hinted(self.path):
            return loader.load_version(self.store, self.store.resolve(str(ref)))

    def lineage(self, series: str) -> SeriesLineage:
        """The clause lineages of every version of a series (`.to_frame()` for a DataFrame)."""
        from policydiff.series.report import series_lineage

        with _hinted(self.path):
            return series_lineage(str(self.path), series)

    def search(self, query: str, series: str | None = None) -> list[Hit]:
        """Full-text search over every archived clause (Simplified finds Traditional)."""
        from policydiff.store import search as srch

        with _hinted(self.path):
            return srch.search(str(self.path), query, series=series)

    def track(self, *keywords: str, series: str | None = None) -> list[Tracked]:
        """The target trajectories whose context holds every keyword, as (series, trajectory) pairs."""
        from policydiff.match import trajectory
        from policydiff.series.report import track as track_targets

        words = [w for k in keywords for w in trajectory.split_query(k)]
        if not words:
            from policydiff.errors import UsageProblem

            raise UsageProblem("track needs at least one keyword")
        with _hinted(self.path):
            return [Tracked(s, t) for s, t in track_targets(str(self.path), words, series)]


def open_archive(path: str | os.PathLike[str] = "docs_archive") -> Archive:
    """Open an archive folder (ArchiveNotFound if it does not exist)."""
    if not Path(path).is_dir():
        from policydiff.errors import ArchiveNotFound

        with _hinted(path):
            raise ArchiveNotFound(f"archive not found: {path}")
    return Archive(path)


def load(path: str | os.PathLike[str]) -> Document:
    """The normalized document of a file (text, HTML, PDF, DOCX, OFD, DOC/WPS)."""
    from policydiff.errors import NotFound
    from policydiff.store import loader
    from policydiff.store.archive import Archive as Store

    path = Path(path)
    if not path.exists():
        with _hinted(None):
            raise NotFound(f"no such file: {path}")
    store = Store(_NO_ARCHIVE)
    with _hinted(None):
        return loader.load_version(store, store.resolve(str(path)))


def _document(doc: Document | str | os.PathLike[str]) -> Document:
    from policydiff.model.document import Document

    if isinstance(doc, Document):
        return doc
    if isinstance(doc, str | os.PathLike):
        return load(doc)
    raise TypeError(f"expected a Document or a file path, not {type(doc).__name__}")


def compare(old: Document | str | os.PathLike[str], new: Document | str | os.PathLike[str]) -> Comparison:
    """Compare two documents (or files) clause by clause."""
    from policydiff.match.compare import compare as run

    with _hinted(None):
        return run(_document(old), _document(new))


def targets(doc: Document | str | os.PathLike[str]) -> list[Target]:
    """Every quantitative target of a document (or file), in document order."""
    return _document(doc).targets()


# ------------------------------------------------------------------ notebook display
def _comparison_html(self: Comparison) -> str:
    """The HTML redline in a sandboxed frame (its CSS, script and CSP stay inside), with a line of
    counts above it. Every piece of document text is escaped by the HTML renderer, and the page is
    escaped again as the frame's srcdoc."""
    import html

    from renderers import html as html_renderer

    page = html_renderer.render(self)
    counts = ", ".join(f"{s.value} {n}" for s, n in self.counts.items() if n)
    title = f"{self.old.title or self.old.ref} → {self.new.title or self.new.ref}"
    return (f'<div class="policydiff-comparison"><p><b>{html.escape(title)}</b><br>'
            f'{html.escape(counts)}</p>'
            f'<iframe sandbox="allow-scripts" srcdoc="{html.escape(page, quote=True)}" '
            f'style="width:100%;height:640px;border:1px solid #ccc"></iframe></div>')


def _attach() -> None:
    from policydiff.model.changes import Comparison

    Comparison._repr_html_ = _comparison_html  # the model stays free of renderers


_attach()
