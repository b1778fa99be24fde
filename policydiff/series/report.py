"""The series report as data: every version loaded, consecutive versions compared, lineages and
target trajectories chained. Renderers turn it into files; `store.files.write_folder` puts them in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from policydiff.errors import PolicydiffError
from policydiff.model.changes import Comparison
from policydiff.model.document import news_labels
from policydiff.model.series import SeriesLineage, SeriesReport, Trajectory
from policydiff.store import series_meta
from policydiff.store.loader import series_documents


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
    from policydiff.series import departments
    from policydiff.series.targets import target_table

    progress("load")
    docs = series_documents(archive_dir, series)
    if len(docs) < 1:
        raise PolicydiffError(f"series {series!r} has no versions")
    progress("compare")
    cache: dict = {}
    lin = lineage.build(series, docs, cache=cache)
    progress("trajectories")
    trajs = trajectory.trajectories(docs, lin.comparisons, cache=cache)
    # lineage.build names news paragraphs with news_labels in lin.numbers already
    news = {lb.label: news_labels(d) for lb, d in zip(lin.versions, docs, strict=True) if d.meta.kind == "news"}
    clauses = {(lb.label, c.eid): c for lb, d in zip(lin.versions, docs, strict=True) for c in d.clauses()}
    for m in lin.mentions:
        n_label, n_eid = m["news"].split(":", 1)
        p_label, p_eid = m["plan"].split(":", 1)
        plan = clauses.get((p_label, p_eid))
        m["news_label"] = news.get(n_label, {}).get(n_eid, n_eid)
        m["plan_num"] = lin.numbers.get(p_label, {}).get(p_eid, "")
        m["plan_heading"] = (plan.heading or plan.text[:30]) if plan else ""
    for cmp in [*lin.comparisons, *(c for _k, _j, c in lin.plan_comparisons)]:
        _hold(cmp, clauses, lin.versions)
    lin.comparisons = [_against_news(cmp, lin.versions[k].label in news, lin.versions[k + 1].label in news)
                       for k, cmp in enumerate(lin.comparisons)]
    progress("departments")
    report = SeriesReport(series, lin, trajs, departments.build(docs, lin))
    report.target_table = target_table(series, [v.label for v in lin.versions], trajs)
    report.parent = series_meta.parent(archive_dir, series)
    if report.parent:
        from policydiff.series.coverage import series_coverage

        progress("coverage")
        report.coverage = series_coverage(docs, series_documents(archive_dir, report.parent))
    return report


def _hold(cmp: Comparison, clauses: dict, versions: list) -> None:
    """Each match's evidence names the departments leading and supporting its clauses (both sides),
    for the redline's department filter."""
    by_ref = {v.ref: v.label for v in versions}
    old, new = by_ref.get(cmp.old.ref), by_ref.get(cmp.new.ref)
    for m in cmp.matches:
        cs = [clauses.get((old, e)) for e in m.old] + [clauses.get((new, e)) for e in m.new]
        held = {role: list(dict.fromkeys(n for c in cs if c for n in getattr(c, role))) for role in ("lead", "support")}
        if any(held.values()) and "departments_held" not in m.evidence:
            m.evidence = {**m.evidence, "departments_held": held}


def _against_news(cmp: Comparison, old_is_news: bool, new_is_news: bool) -> Comparison:
    """A comparison with a news summary on one side, as the report shows it (compare itself names
    news paragraphs by `news_labels` and computes no responsibility changes against news:
    `match.compare.states_responsibility`): a news paragraph is no task, so one the plan before
    does not hold is not a new task, nor one the plan after does not repeat a dropped task."""
    if not (old_is_news or new_is_news):
        return cmp
    summary = dict(cmp.summary or {})
    if new_is_news:
        summary["new_tasks"] = []
    if old_is_news:
        summary["dropped_tasks"] = []
    return replace(cmp, summary=summary)


def summary_json(report: SeriesReport) -> dict:
    lin = report.lineage
    labels = [v.label for v in lin.versions]
    return {
        "series": report.series,
        "versions": [v.__dict__ for v in lin.versions],
        "pairs": [{"old": labels[k], "new": labels[k + 1], "summary": cmp.summary}
                  for k, cmp in enumerate(lin.comparisons)],
        "plan_pairs": [{"old": labels[k], "new": labels[j], "summary": cmp.summary}
                       for k, j, cmp in lin.plan_comparisons],
        "news_mentions": lin.mentions,
        "trajectories": [t.to_dict() for t in report.trajectories],
        "lineages": [lin.lineage_dict(ln) for ln in lin.lineages],
        "target_table": report.target_table.to_dict() if report.target_table else None,
        "parent": report.parent or None,
        "coverage": [_coverage_summary(cov) for cov in report.coverage],
    }


def _coverage_summary(cov) -> dict:
    """The counts of one plan's coverage of the parent (the links themselves are in its page)."""
    relations: dict[str, int] = {}
    for t in cov.targets:
        relations[t.relation] = relations.get(t.relation, 0) + 1
    return {"higher": cov.higher_ref, "lower": cov.lower_ref, "links": len(cov.links),
            "higher_tasks": len(cov.higher_clauses), "not_taken_up": len(cov.not_taken_up),
            "local_only": len(cov.local_only), "targets": relations,
            "years": sorted({a.year for answers in cov.years.values() for a in answers if a.year is not None})}
