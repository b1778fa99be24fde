"""Compute the change model of two versions: align clauses, diff inside pairs, pair targets.

This is the one pure per-pair function shared by `compare`, `report`, `lineage` and `batch`.
"""

from __future__ import annotations

from collections import Counter

from policydiff.match.align import Alignment, Match, align
from policydiff.match.redline import token_diff
from policydiff.match.target_changes import classify, compare_targets
from policydiff.model.changes import (
    STATUSES,
    TARGET_CHANGES,
    ClauseChange,
    Comparison,
    DocInfo,
    Status,
    TargetChange,
    TargetChangeKind,
)
from policydiff.model.document import Clause, Document, news_labels
from policydiff.model.layouts import is_partial
from policydiff.model.quantity import display_value

#: the redline and the target classification live in their own modules; importable from here too
__all__ = ["classify", "compare", "compare_cached", "compare_targets", "doc_info", "states_responsibility",
           "summarize", "token_diff"]


def doc_info(doc: Document) -> DocInfo:
    m = doc.meta
    return DocInfo(ref=m.ref or m.sha256[:12], series=m.series, year=m.year, kind=m.kind, doc_no=m.doc_no,
                   title=m.title, date=m.date, issuer=m.issuer)


# --------------------------------------------------------------------------- clauses


def _departments(olds: list[Clause], news: list[Clause]) -> dict:
    ol, nl = {x for c in olds for x in c.lead}, {x for c in news for x in c.lead}
    os_, ns = {x for c in olds for x in c.support}, {x for c in news for x in c.support}
    d = {"lead_added": sorted(nl - ol), "lead_removed": sorted(ol - nl),
         "support_added": sorted(ns - os_), "support_removed": sorted(os_ - ns)}
    return {k: v for k, v in d.items() if v}


def states_responsibility(doc: Document) -> bool:
    """Whether a document states who leads and supports its tasks: a news summary (kind news, or
    the news layout) does not, so a responsibility change computed against it would be an artefact
    (every department read as removed or added)."""
    return doc.meta.kind != "news" and not is_partial(doc.layout)


def _clause_change(m: Match, old_c: dict[str, Clause], new_c: dict[str, Clause],
                   sections: tuple[dict[str, str], dict[str, str]], departments: bool = True,
                   names: tuple[dict[str, str], dict[str, str]] = ({}, {})) -> ClauseChange:
    """sections: (old section headings, new section headings); a dropped clause keeps its old one.
    departments: whether responsibility changes are computed (not against a news summary).
    names: (old, new) eId → the label of an unnumbered news paragraph (`news_labels`), its number."""
    olds = [old_c[e] for e in m.old]
    news = [new_c[e] for e in m.new]
    old_text = "\n".join(c.full_text for c in olds)
    new_text = "\n".join(c.full_text for c in news)
    status, ev = m.status, dict(m.evidence)
    if status in ("matched", "moved"):
        identical = old_text == new_text
        if status == "matched":
            status = Status.UNCHANGED if identical else Status.MODIFIED
        else:
            ev["modified"] = not identical
    diff = token_diff(old_text, new_text) if olds and news else []
    anchor = news[0] if news else olds[0]
    sec = anchor.section
    section_heading = sections[1 if news else 0].get(sec, "")
    return ClauseChange(
        old=m.old, new=m.new, status=status, score=m.score, evidence=ev, diff=diff,
        old_nums=[c.label or c.num or names[0].get(c.eid, "") for c in olds],
        new_nums=[c.label or c.num or names[1].get(c.eid, "") for c in news],
        old_heading=" ".join(c.heading for c in olds), new_heading=" ".join(c.heading for c in news),
        old_text=old_text, new_text=new_text, section=sec, section_heading=section_heading,
        departments=_departments(olds, news) if departments and olds and news else {},
    )


def _new_order(changes: list[ClauseChange], old_c: dict[str, Clause], new_c: dict[str, Clause]) -> list[ClauseChange]:
    """The new document's order, each dropped clause placed after where its predecessor went."""
    pos_of_old: dict[str, float] = {}
    for ch in changes:
        if ch.new:
            p = min(new_c[e].order for e in ch.new)
            for e in ch.old:
                pos_of_old[e] = p
    # for each old clause, the furthest new position reached by the old clauses before it
    reached: dict[str, float] = {}
    best = -1.0
    for c in sorted(old_c.values(), key=lambda c: c.order):
        reached[c.eid] = best
        if c.eid in pos_of_old:
            best = max(best, pos_of_old[c.eid])
    keyed = []
    for ch in changes:
        if ch.new:
            keyed.append(((min(new_c[e].order for e in ch.new), 0, 0), ch))
        else:
            o = old_c[ch.old[0]]
            keyed.append(((reached[o.eid], 1, o.order), ch))
    keyed.sort(key=lambda x: x[0])
    return [ch for _, ch in keyed]


def summarize(matches: list[ClauseChange], targets: list[TargetChange]) -> dict:
    """Counts and the lists a researcher reads first."""
    counts = Counter(m.status for m in matches)
    tcounts = Counter(t.change for t in targets)

    def tline(t: TargetChange) -> dict:
        o, n = t.old, t.new
        ref = n or o
        assert ref is not None
        return {"subject": ref.subject, "metric": ref.metric,
                "old": display_value(o.value, o.unit) if o else None,
                "new": display_value(n.value, n.unit) if n else None,
                "old_text": o.text if o else None, "new_text": n.text if n else None,
                "old_clause": t.old_clause, "new_clause": t.new_clause, "change": t.change.value,
                "reason": t.reason.text}

    return {
        "counts": {s.value: counts.get(s, 0) for s in STATUSES},
        "target_changes": {c.value: tcounts.get(c, 0) for c in TARGET_CHANGES},
        "new_tasks": [{"clause": m.new[0], "num": m.new_num, "heading": m.new_heading}
                      for m in matches if m.status == Status.ADDED],
        "dropped_tasks": [{"clause": m.old[0], "num": m.old_num, "heading": m.old_heading}
                          for m in matches if m.status == Status.DROPPED],
        "tightened": [tline(t) for t in targets if t.change == TargetChangeKind.TIGHTENED],
        "loosened": [tline(t) for t in targets if t.change == TargetChangeKind.LOOSENED],
        "responsibilities": [{"old": m.old, "new": m.new, "heading": m.new_heading or m.old_heading, **m.departments}
                             for m in matches if m.departments and m.old and m.new],
    }


def compare(old_doc: Document, new_doc: Document, alignment: Alignment | None = None) -> Comparison:
    """The change model of old → new."""
    al = alignment or align(old_doc, new_doc)
    old_all, new_all = al.old_clauses or old_doc.clauses(), al.new_clauses or new_doc.clauses()
    old_c = {c.eid: c for c in old_all}
    new_c = {c.eid: c for c in new_all}
    sections = ({c.eid: c.heading for c in old_all if c.tag == "section"},
                {c.eid: c.heading for c in new_all if c.tag == "section"})
    depts = states_responsibility(old_doc) and states_responsibility(new_doc)
    names = (_cited(old_doc), _cited(new_doc))
    changes = [_clause_change(m, old_c, new_c, sections, depts, names) for m in al.matches]
    changes = _new_order(changes, old_c, new_c)
    containers = [_clause_change(m, old_c, new_c, sections, depts, names) for m in al.containers]
    targets = compare_targets(changes, old_c, new_c, old_is_news=old_doc.meta.kind == "news",
                              new_is_news=new_doc.meta.kind == "news",
                              years=(old_doc.meta.year, new_doc.meta.year))
    return Comparison(doc_info(old_doc), doc_info(new_doc), changes, containers, targets,
                      summarize(changes, targets))


def _cited(doc: Document) -> dict[str, str]:
    """How a reader cites the unnumbered paragraphs of a news summary: 「用大数据抗疫」第2段, the name
    lineage and the report give them (a plan's clauses are cited by their printed numbers)."""
    return news_labels(doc) if doc.meta.kind == "news" else {}


def compare_cached(old_doc: Document, new_doc: Document, cache: dict | None) -> Comparison:
    """compare(), remembered in `cache` for the documents of one run (lineage and trajectories
    re-check the same non-adjacent pairs)."""
    if cache is None:
        return compare(old_doc, new_doc)
    key = (id(old_doc), id(new_doc))
    if key not in cache:
        cache[key] = compare(old_doc, new_doc)
    return cache[key]
