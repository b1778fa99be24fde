"""A series' plans against its parent series (`archive add --parent`): how a city plan takes up the
provincial plans of the years it covers.

A plan covers the years its title spans (实施方案(2019—2021年) covers 2019, 2020 and 2021), else
its own year up to the year before the series' next plan. It is compared (`match.coverage`) with
the parent's plan of its first year (the parent's first version in the span when that year has no
plan), and the parent's other versions in the span say which year's tasks each clause answers.
"""

from __future__ import annotations

import re

from policydiff.model.coverage import Coverage
from policydiff.model.document import Document

#: a year range in a title: (2019—2021年), 2019-2021年, 2019至2021年
_SPAN = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[—–\-~～至到]+\s*((?:19|20)\d{2})")


def span(doc: Document, next_plan: Document | None = None) -> tuple[int, int] | None:
    """(first, last) year a plan covers, or None without a year."""
    m = _SPAN.search(doc.meta.title or "")
    if m and int(m.group(1)) <= int(m.group(2)):
        return int(m.group(1)), int(m.group(2))
    if doc.meta.year is None:
        return None
    last = doc.meta.year
    if next_plan is not None and next_plan.meta.year is not None and next_plan.meta.year > last:
        last = next_plan.meta.year - 1
    return doc.meta.year, last


def series_coverage(docs: list[Document], parents: list[Document]) -> list[Coverage]:
    """Each plan (not news) of `docs` against the versions of `parents` in the years it covers."""
    from policydiff.match.coverage import answers_by_year, coverage

    plans = [d for d in docs if d.meta.kind != "news"]
    out: list[Coverage] = []
    for k, doc in enumerate(plans):
        years = span(doc, plans[k + 1] if k + 1 < len(plans) else None)
        if years is None:
            continue
        covered = [p for p in parents if p.meta.year is not None and years[0] <= p.meta.year <= years[1]]
        if not covered:
            continue
        higher = _primary(covered, years[0])
        cov = coverage(higher, doc, higher_ref=higher.meta.ref, lower_ref=doc.meta.ref)
        if len(covered) > 1:
            cov.years = answers_by_year([higher, *(p for p in covered if p is not higher)], doc)
        out.append(cov)
    return out


def _primary(covered: list[Document], first: int) -> Document:
    """The parent's plan of the first year covered, else its first plan in the span, else its first version."""
    plans = [p for p in covered if p.meta.kind != "news"]
    same_year = [p for p in plans if p.meta.year == first]
    return (same_year or plans or covered)[-1 if same_year else 0]
