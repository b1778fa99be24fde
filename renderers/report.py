"""The series report as files: a redline per consecutive pair, the index page, summary.md and summary.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from policydiff.model.series import SeriesReport
from renderers import html as html_renderer
from renderers import markdown as md_renderer
from renderers import summary as summary_renderer
from renderers.markdown import cell, escape
from renderers.series import pair_name, render_index


def files(report: SeriesReport, summary: dict, progress: Callable[[str], None] = lambda s: None,
          ) -> Iterator[tuple[str, str]]:
    """(file name, text) for every file of the report folder, in writing order; `summary` is the
    series summary as data (`policydiff.series.report.summary_json`)."""
    lin = report.lineage
    labels = [v.label for v in lin.versions]
    for k, cmp in enumerate(lin.comparisons):
        progress(f"redline {labels[k]} → {labels[k + 1]}")
        name = pair_name(labels[k], labels[k + 1])
        yield f"{name}.html", html_renderer.render(cmp)
        yield f"{name}.md", md_renderer.render(cmp)
    progress("index")
    yield "index.html", render_index(report)
    yield "summary.md", summary_md(report)
    yield "summary.json", json.dumps(summary, ensure_ascii=False, indent=2)


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
        parts += [f"## {labels[k]} → {labels[k + 1]}", "", summary_renderer.render(cmp), ""]
    return "\n".join(parts)
