"""The series report as files: a redline per consecutive pair, the index page, the target table
(target_table.csv), summary.md and summary.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from policydiff.model.series import SeriesReport
from renderers import registry
from renderers.markdown import cell, escape
from renderers.series import pair_name, render_index

#: the files written for each consecutive pair, by format name (see renderers.registry)
PAIR_FORMATS = ("html", "md")
#: the format of each pair's section in summary.md
SUMMARY_FORMAT = "summary"


def files(report: SeriesReport, summary: dict, progress: Callable[[str], None] = lambda s: None,
          ) -> Iterator[tuple[str, str]]:
    """(file name, text) for every file of the report folder, in writing order; `summary` is the
    series summary as data (`policydiff.series.report.summary_json`)."""
    lin = report.lineage
    labels = [v.label for v in lin.versions]
    for k, cmp in enumerate(lin.comparisons):
        progress(f"redline {labels[k]} → {labels[k + 1]}")
        name = pair_name(labels[k], labels[k + 1])
        for fmt in PAIR_FORMATS:
            entry = registry.get(fmt)
            yield f"{name}.{entry.suffix}", entry.render(cmp)
    progress("index")
    yield "index.html", render_index(report)
    yield "target_table.csv", target_table_csv(report)
    yield "summary.md", summary_md(report)
    yield "summary.json", json.dumps(summary, ensure_ascii=False, indent=2)


def target_table_csv(report: SeriesReport) -> str:
    """One row per target identity, one column per version and the change between columns."""
    from policydiff.series.targets import from_report
    from policydiff.store.files import to_csv

    table = from_report(report)
    return to_csv(table.header(), table.records())


def summary_md(report: SeriesReport) -> str:
    lin = report.lineage
    labels = [v.label for v in lin.versions]
    parts = [f"# {escape(report.series)}: series summary", ""]
    multi = [t for t in report.trajectories if len(t.points) > 1]
    if multi:
        parts += ["## Target trajectories", "", "| subject | metric | trajectory | changes |", "|---|---|---|---|"]
        for t in multi:
            path = " → ".join(f"{p.year} {p.display}" for p in t.points)
            ch = ", ".join(c["change"] for c in t.changes)
            parts.append(f"| {cell(t.subject or '—')} | {cell(t.metric)} | {cell(path)} | {ch} |")
        parts.append("")
    for k, cmp in enumerate(lin.comparisons):
        parts += [f"## {labels[k]} → {labels[k + 1]}", "", registry.render(SUMMARY_FORMAT, cmp), ""]
    return "\n".join(parts)
