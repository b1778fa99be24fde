"""The series report's coverage section: each plan of a series against its parent series
(`archive add --parent`), as a section of index.html and summary.md linking a page per plan
(`renderers.coverage`)."""

from __future__ import annotations

from html import escape

from policydiff.model.coverage import Coverage
from renderers.markdown import cell

RELATIONS = ("stricter", "same", "looser", "none")


def _e(x: object) -> str:
    return escape("" if x is None else str(x), quote=True)


def coverage_names(report) -> list[str]:
    """File stem of each coverage page, in report order: coverage-2019 (coverage-2019-2 for a second
    plan of the same year)."""
    out: list[str] = []
    for cov in report.coverage:
        stem = f"coverage-{cov.lower_meta.year or 'plan'}"
        n, name = 1, stem
        while name in out:
            n += 1
            name = f"{stem}-{n}"
        out.append(name)
    return out


def _counts(cov: Coverage) -> tuple[int, int, str, str]:
    taken = len(cov.higher_clauses) - len(cov.not_taken_up)
    rel = {r: sum(1 for t in cov.targets if t.relation == r) for r in RELATIONS}
    targets = ", ".join(f"{r} {n}" for r, n in rel.items() if n) or "—"
    years = sorted({a.year for answers in cov.years.values() for a in answers if a.year is not None})
    return taken, len(cov.higher_clauses), targets, ", ".join(map(str, years)) or str(cov.higher_meta.year or "")


def coverage_section(report) -> list[str]:
    """<section id='coverage'> of index.html ([] without a parent series)."""
    if not report.coverage:
        return []
    out = [f"<section id='coverage'><h2>上级任务的落实 Coverage of the parent series {_e(report.parent)}</h2>"
           "<p>How each plan of this series takes up the parent's plans of the years it covers: the parent's "
           "tasks taken up, those not taken up, the plan's own additions, and matched targets level "
           "against level.</p><table><thead><tr><th>plan</th><th>parent plan</th><th>years answered</th>"
           "<th>tasks taken up</th><th>links</th><th>own additions</th><th>targets</th></tr></thead><tbody>"]
    for name, cov in zip(coverage_names(report), report.coverage, strict=True):
        taken, total, targets, years = _counts(cov)
        out.append(f"<tr><td><a href='{_e(name)}.html'>{_e(cov.lower_ref)}</a></td><td>{_e(cov.higher_ref)}</td>"
                   f"<td>{_e(years)}</td><td>{taken} / {total}</td><td>{len(cov.links)}</td>"
                   f"<td>{len(cov.local_only)}</td><td>{_e(targets)}</td></tr>")
    out.append("</tbody></table></section>")
    return out


def coverage_md(report) -> list[str]:
    """The same section for summary.md ([] without a parent series)."""
    if not report.coverage:
        return []
    out = [f"## 上级任务的落实 Coverage of the parent series {cell(report.parent)}", "",
           "| plan | parent plan | years answered | tasks taken up | links | own additions | targets | page |",
           "|---|---|---|---:|---:|---:|---|---|"]
    for name, cov in zip(coverage_names(report), report.coverage, strict=True):
        taken, total, targets, years = _counts(cov)
        out.append(f"| {cell(cov.lower_ref)} | {cell(cov.higher_ref)} | {cell(years)} | {taken} / {total} | "
                   f"{len(cov.links)} | {len(cov.local_only)} | {cell(targets)} | {name}.html |")
    return out + [""]
