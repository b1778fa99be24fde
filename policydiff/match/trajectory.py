"""Target trajectories: how one commitment moved through the versions of a series.

Points are chained through the matcher's target pairing (same subject and metric, in matched
clauses or across the document), never by keyword alone: 粤省事's and 粤商通's user counts in one
sentence stay apart, and a renamed metric continues while another metric (日访问量 → 日均活跃用户)
starts a new trajectory instead of reading as a loosening.
"""

from __future__ import annotations

import re

from policydiff.match.chains import Chains
from policydiff.match.compare import compare, compare_cached
from policydiff.match.target_changes import classify
from policydiff.model.changes import Comparison
from policydiff.model.document import Document, Target
from policydiff.model.series import Point, Trajectory
from policydiff.read.targets import compatible_subjects, same_metric

#: how many versions ahead an unpaired point looks for its continuation
MAX_GAP = 3


def context(doc: Document, t: Target, heading: str) -> str:
    """What a query is matched against: subject, metric, the target's own comma-clause and heading."""
    a = t.start
    while a > max(0, t.start - 300) and doc.text[a - 1] not in "，、；。！？\n":
        a -= 1
    return f"{t.subject} {t.metric} {doc.text[a:t.end]} {heading}"


def _point(doc: Document, k: int, t: Target) -> Point:
    return Point(doc.meta.year, t.value, t.unit, t.comparator, t.text, doc.meta.ref, t.clause, t.subject,
                 t.metric, t.deadline, k)


def _key(k: int, t: Target) -> tuple[int, str, int]:
    return (k, t.clause, t.start)


def trajectories(docs: list[Document], comparisons: list[Comparison] | None = None,
                 query: list[str] | None = None, cache: dict | None = None) -> list[Trajectory]:
    """Every trajectory through `docs` (in version order), optionally only the points that match
    all keywords of `query`."""
    if comparisons is None:
        comparisons = [compare(docs[k], docs[k + 1]) for k in range(len(docs) - 1)]
    headings = [{c.eid: c.heading for c in d.clauses()} for d in docs]
    points: dict[tuple[int, str, int], tuple[Target, Point]] = {}
    for k, doc in enumerate(docs):
        for t in doc.targets():
            if query and not all(q in context(doc, t, headings[k].get(t.clause, "")) for q in query):
                continue
            points[_key(k, t)] = (t, _point(doc, k, t))
    chains = Chains(points)

    forward: set = set()
    backward: set = set()

    def link(k: int, j: int, a: Target, b: Target) -> None:
        ka, kb = _key(k, a), _key(j, b)
        if ka not in points or kb not in points or ka in forward or kb in backward:
            return
        if not same_metric(a.metric, b.metric) or not compatible_subjects(a.subject, b.subject):
            return  # another metric or programme: a new trajectory, never a loosening
        forward.add(ka)
        backward.add(kb)
        chains.link(ka, kb)

    # a figure stated twice in one version (a news headline and its paragraph) is one point
    by_version: dict[int, list[tuple[int, str, int]]] = {}
    for key in points:
        by_version.setdefault(key[0], []).append(key)
    for keys in by_version.values():
        for i, ka in enumerate(keys):
            for kb in keys[i + 1:]:
                a, b = points[ka][0], points[kb][0]
                if (a.value, a.unit, a.subject) == (b.value, b.unit, b.subject) and same_metric(a.metric, b.metric):
                    chains.link(ka, kb)
    for k, cmp in enumerate(comparisons):
        for tc in cmp.targets:
            if tc.old and tc.new:
                link(k, k + 1, tc.old, tc.new)
    # points with no continuation in the next version (a news summary between two plans)
    for k in range(len(docs)):
        for j in range(k + 2, min(len(docs), k + 1 + MAX_GAP)):
            if not any(p[0] == k and p not in forward for p in points) or not any(
                    p[0] == j and p not in backward for p in points):
                continue
            for tc in compare_cached(docs[k], docs[j], cache).targets:
                if tc.old and tc.new:
                    link(k, j, tc.old, tc.new)
    groups: dict = {}
    for p in points:
        groups.setdefault(chains.root(p), []).append(points[p][1])
    out = []
    for members in groups.values():
        # one point per version: a news headline repeats its paragraph's figure; keep the paragraph
        members.sort(key=lambda p: (p.version, -p.clause.count("__"), p.clause))
        seen: dict[int, Point] = {}
        for p in members:
            seen.setdefault(p.version, p)
        pts = [seen[v] for v in sorted(seen)]
        last = pts[-1]
        traj = Trajectory(last.subject, last.metric, pts)
        for a, b in zip(pts, pts[1:], strict=False):
            change, why = classify(_as_target(a), _as_target(b))
            # the JSON shape of a step: the change as its string, the reason in the model's words
            traj.changes.append({"from": a.year, "to": b.year, "change": change.value, "reason": why.text})
        out.append(traj)
    out.sort(key=lambda t: (-len(t.points), t.points[0].version, t.subject, t.metric))
    return out


def _as_target(p: Point) -> Target:
    return Target(p.clause, p.subject, p.metric, p.comparator, p.value, p.unit, p.deadline, "", p.text)


def split_query(query: str) -> list[str]:
    return [q for q in re.split(r"\s+", query.strip()) if q]
