"""The series report as files: a redline per consecutive pair and per pair of consecutive plans
(2019 → 2021 across a news summary), the index page, the departments page, the target table
(target_table.csv, and target_table.xlsx for Excel), summary.md and summary.json; for a series with a
parent series, a coverage page per plan (coverage-2019.html and .md)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from policydiff.model.series import SeriesReport
from renderers import registry
from renderers.departments import departments_md, render_departments
from renderers.markdown import cell, escape
from renderers.series import pair_name, render_index
from renderers.series_coverage import coverage_md, coverage_names

#: the files written for each consecutive pair, by format name (see renderers.registry)
PAIR_FORMATS = ("html", "md")
#: the format of each pair's section in summary.md
SUMMARY_FORMAT = "summary"


def files(report: SeriesReport, summary: dict, progress: Callable[[str], None] = lambda s: None,
          ) -> Iterator[tuple[str, str | bytes]]:
    """(file name, text) for every file of the report folder, in writing order (bytes for the
    workbook); `summary` is the series summary as data (`policydiff.series.report.summary_json`)."""
    lin = report.lineage
    labels = [v.label for v in lin.versions]
    for k, cmp in enumerate(lin.comparisons):
        progress(f"redline {labels[k]} → {labels[k + 1]}")
        name = pair_name(labels[k], labels[k + 1])
        for fmt in PAIR_FORMATS:
            entry = registry.get(fmt)
            yield f"{name}.{entry.suffix}", entry.render(cmp)
    for k, j, cmp in lin.plan_comparisons:
        if j == k + 1:
            continue  # already written above
        progress(f"redline {labels[k]} → {labels[j]} (plans)")
        name = pair_name(labels[k], labels[j])
        for fmt in PAIR_FORMATS:
            entry = registry.get(fmt)
            yield f"{name}.{entry.suffix}", entry.render(cmp)
    if report.coverage:
        from renderers.coverage import render_html, render_markdown

        for name, cov in zip(coverage_names(report), report.coverage, strict=True):
            progress(f"coverage {cov.higher_ref} → {cov.lower_ref}")
            yield f"{name}.html", render_html(cov)
            yield f"{name}.md", render_markdown(cov)
    progress("index")
    yield "index.html", render_index(report)
    yield "departments.html", render_departments(report)
    yield "target_table.csv", target_table_csv(report)
    if report.target_table is not None:
        from renderers.xlsx import render_target_table

        yield "target_table.xlsx", render_target_table(report.target_table)
    yield "summary.md", summary_md(report)
    yield "summary.json", json.dumps(summary, ensure_ascii=False, indent=2)


def target_table_csv(report: SeriesReport) -> str:
    """One row per target identity, one column per version and the change between columns."""
    from policydiff.model.formats import to_csv

    table = report.target_table
    return to_csv(table.header(), table.records()) if table else ""


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
    kinds = {v.label: v.kind for v in lin.versions}
    plan_pairs = [(k, j, cmp) for k, j, cmp in lin.plan_comparisons if j != k + 1]
    for k, j, cmp in [(k, k + 1, cmp) for k, cmp in enumerate(lin.comparisons)] + plan_pairs:
        a, b = labels[k], labels[j]
        note = " (新闻稿 news: a partial source)" if "news" in (kinds[a], kinds[b]) else (
            " (plans, news skipped)" if j != k + 1 else "")
        parts += [f"## {a} → {b}{note}", "", _nested(registry.render(SUMMARY_FORMAT, cmp)), ""]
    parts += _mentions_md(report)
    parts += coverage_md(report)
    parts += departments_md(report)
    return "\n".join(parts).rstrip("\n") + "\n"


def _nested(text: str) -> str:
    """A pair's summary under its H2: its own H1 title left out, its headings one level down."""
    lines = text.rstrip("\n").split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    return "\n".join(re.sub(r"^(#{1,5}) ", r"#\1 ", ln) for ln in lines)


def _mentions_md(report: SeriesReport) -> list[str]:
    """Which plan tasks each news paragraph mentions, with the score of the evidence."""
    mentions = report.lineage.mentions
    if not mentions:
        return []
    out = ["## 新闻稿提及的任务 Plan tasks the news mentions", "",
           "| news | paragraph | plan task | heading | score |", "|---|---|---|---|---:|"]
    for m in mentions:
        n_label = m["news"].split(":", 1)[0]
        p_label = m["plan"].split(":", 1)[0]
        out.append(f"| {cell(n_label)} | {cell(m.get('news_label') or m['news'])} | "
                   f"{cell(p_label + ' ' + (m.get('plan_num') or m['plan'].split(':', 1)[1]))} | "
                   f"{cell(m.get('plan_heading'))} | {m['score']:.2f} |")
    return out + [""]
