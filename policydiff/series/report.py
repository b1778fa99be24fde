"""The series report as data: every version loaded, consecutive versions compared, lineages and
target trajectories chained. Renderers turn it into files; `store.files.write_folder` puts them in place."""

from __future__ import annotations

from collections.abc import Callable

from policydiff.errors import PolicydiffError
from policydiff.model.document import Document
from policydiff.model.series import SeriesLineage, SeriesReport, Trajectory


def series_documents(archive_dir: str, series: str) -> list[Document]:
    """Every version of a series, in version order."""
    from policydiff.store import loader
    from policydiff.store.archive import Archive

    archive = Archive(archive_dir)
    return [loader.load_version(archive, v) for v in archive.log(series)]


def series_lineage(archive_dir: str, series: str) -> SeriesLineage:
    """The clause lineages of every version of a series."""
    from policydiff.match import lineage

    return lineage.build(series, series_documents(archive_dir, series))


def track(archive_dir: str, words: list[str], series: str | None = None) -> list[tuple[str, Trajectory]]:
    """(series, trajectory) for every trajectory whose points match all keywords, in every series
    of the archive or one."""
    from policydiff.match import trajectory
    from policydiff.store.archive import Archive

    names = [series] if series is not None else sorted({v.series for v in Archive(archive_dir).list()})
    return [(name, t) for name in names
            for t in trajectory.trajectories(series_documents(archive_dir, name), query=words)]

def compute(archive_dir: str, series: str, progress: Callable[[str], None] = lambda s: None) -> SeriesReport:
    """Load every version, compare consecutive ones, chain lineages and target trajectories."""
    from policydiff.match import lineage, trajectory

    progress("load")
    docs = series_documents(archive_dir, series)
    if len(docs) < 1:
        raise PolicydiffError(f"series {series!r} has no versions")
    progress("compare")
    cache: dict = {}
    lin = lineage.build(series, docs, cache=cache)
    progress("trajectories")
    trajs = trajectory.trajectories(docs, lin.comparisons, cache=cache)
    return SeriesReport(series, lin, trajs)


def summary_json(report: SeriesReport) -> dict:
    from policydiff.series.targets import from_report

    lin = report.lineage
    labels = [v.label for v in lin.versions]
    return {
        "series": report.series,
        "versions": [v.__dict__ for v in lin.versions],
        "pairs": [{"old": labels[k], "new": labels[k + 1], "summary": cmp.summary}
                  for k, cmp in enumerate(lin.comparisons)],
        "trajectories": [t.to_dict() for t in report.trajectories],
        "lineages": [ln.to_dict() for ln in lin.lineages],
        "target_table": from_report(report).to_dict(),
    }
