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
from policydiff.match.target_changes import classify, identity_evidence, sentence_of
from policydiff.model.changes import Comparison
from policydiff.model.document import Document, Target
from policydiff.model.series import Point, Trajectory
from policydiff.read.targets.metric import same_measure

#: how many versions ahead an unpaired point looks for its continuation
MAX_GAP = 3

Key = tuple[int, str, int]


def context(doc: Document, t: Target, heading: str) -> str:
    """What a query is matched against: subject, metric, the target's own comma-clause and heading."""
    a = t.start
    while a > max(0, t.start - 300) and doc.text[a - 1] not in "，、；。！？\n":
        a -= 1
    return f"{t.subject} {t.metric} {doc.text[a:t.end]} {heading}"


def _point(doc: Document, k: int, t: Target) -> Point:
    return Point(doc.meta.year, t.value, t.unit, t.comparator, t.text, doc.meta.ref, t.clause, t.subject,
                 t.metric, t.deadline, k, t.value_high, t.baseline, t.implicit)


def _key(k: int, t: Target) -> Key:
    return (k, t.clause, t.start)


def _sentence(doc: Document, t: Target) -> str:
    """The target's sentence in the document (what a lexicon alias may ask for)."""
    if t.end > t.start:
        a = max(doc.text.rfind(ch, 0, t.start) for ch in "。；！？\n") + 1
        ends = [j for j in (doc.text.find(ch, t.end) for ch in "。；！？\n") if j >= 0]
        return doc.text[a:min(ends) if ends else len(doc.text)]
    return sentence_of(doc.text, t)


def _collect(docs: list[Document], query: list[str] | None,
             ) -> tuple[dict[Key, tuple[Target, Point]], set[Key]]:
    """Every target of every version (preamble ones too), and those matching all keywords."""
    points: dict[Key, tuple[Target, Point]] = {}
    hits: set[Key] = set()
    for k, doc in enumerate(docs):
        headings = {c.eid: c.heading for c in doc.clauses()}
        for t in doc.targets():
            key = _key(k, t)
            points[key] = (t, _point(doc, k, t))
            if not query or all(q in context(doc, t, headings.get(t.clause, "")) for q in query):
                hits.add(key)
    return points, hits


class _Linker:
    """Links points into chains, each point at most once forward and once backward, and only as
    one commitment (a lexicon alias or the same measure): another metric or programme starts a new
    trajectory, never a loosening."""

    def __init__(self, points: dict[Key, tuple[Target, Point]]):
        self.points = points
        self.chains = Chains(points)
        self.forward: set[Key] = set()
        self.backward: set[Key] = set()

    def open_ends(self, k: int) -> tuple[bool, bool]:
        """Whether version k has a point with no continuation / with no predecessor."""
        return (any(p[0] == k and p not in self.forward for p in self.points),
                any(p[0] == k and p not in self.backward for p in self.points))

    def link(self, k: int, j: int, a: Target, b: Target, evidence: dict) -> bool:
        ka, kb = _key(k, a), _key(j, b)
        if ka not in self.points or kb not in self.points or ka in self.forward or kb in self.backward:
            return False
        if not evidence.get("identity"):
            return False
        self.forward.add(ka)
        self.backward.add(kb)
        self.chains.link(ka, kb)
        return True


def _link_repeats(linker: _Linker) -> None:
    """A figure stated twice in one version (a news headline and its paragraph) is one point."""
    by_version: dict[int, list[Key]] = {}
    for key in linker.points:
        by_version.setdefault(key[0], []).append(key)
    for keys in by_version.values():
        for i, ka in enumerate(keys):
            for kb in keys[i + 1:]:
                a, b = linker.points[ka][0], linker.points[kb][0]
                if (a.value, a.unit, a.subject) == (b.value, b.unit, b.subject) and same_measure(a.metric, b.metric):
                    linker.chains.link(ka, kb)


def _link_compared(linker: _Linker, docs: list[Document], comparisons: list[Comparison], cache: dict | None) -> None:
    """The matcher's pairs of consecutive versions, then of versions further apart for points with
    no continuation (a news summary between two plans)."""
    for k, cmp in enumerate(comparisons):
        for tc in cmp.targets:
            if tc.old and tc.new:
                linker.link(k, k + 1, tc.old, tc.new, tc.evidence)
    for k in range(len(docs)):
        for j in range(k + 2, min(len(docs), k + 1 + MAX_GAP)):
            if not linker.open_ends(k)[0] or not linker.open_ends(j)[1]:
                continue
            for tc in compare_cached(docs[k], docs[j], cache).targets:
                if tc.old and tc.new:
                    linker.link(k, j, tc.old, tc.new, tc.evidence)


def _link_lexicon(linker: _Linker, docs: list[Document]) -> None:
    """Points the matcher never pairs (a preamble's targets are in no clause) continue by the rule
    of a pair across the document: a lexicon alias, or the same measure of the same subject."""
    ends = [(k, t) for (k, _c, _s), (t, _p) in linker.points.items() if (k, _c, _s) not in linker.forward]
    starts = [(j, t) for (j, _c, _s), (t, _p) in linker.points.items() if (j, _c, _s) not in linker.backward]
    for k, a in sorted(ends, key=lambda x: (x[0], x[1].start)):
        for j in range(k + 1, min(len(docs), k + 1 + MAX_GAP)):
            done = False
            for jj, b in starts:
                if jj != j:
                    continue
                got = identity_evidence(a, b, aligned=False, context_a=_sentence(docs[k], a),
                                        context_b=_sentence(docs[j], b))
                if got is None or not got[1]["identity"]:
                    continue
                ev = got[1]
                if "alias" in ev or ev.get("subject") == "same":
                    done = linker.link(k, j, a, b, ev)
                    if done:
                        break
            if done or _key(k, a) in linker.forward:
                break


def _trajectory(members: list[Point]) -> Trajectory:
    """One point per version (a news headline repeats its paragraph's figure: keep the paragraph),
    and the change of each step."""
    members.sort(key=lambda p: (p.version, -p.clause.count("__"), p.clause))
    seen: dict[int, Point] = {}
    for p in members:
        seen.setdefault(p.version, p)
    pts = [seen[v] for v in sorted(seen)]
    last = pts[-1]
    subject = next((p.subject for p in reversed(pts) if p.subject), "")  # 抵押登记 2020 names none
    traj = Trajectory(subject, last.metric, pts)
    for a, b in zip(pts, pts[1:], strict=False):
        change, why = classify(_as_target(a), _as_target(b), identified=True, years=(a.year, b.year))
        # the JSON shape of a step: the change as its string, the reason in the model's words
        traj.changes.append({"from": a.year, "to": b.year, "change": change.value, "reason": why.text})
    return traj


def trajectories(docs: list[Document], comparisons: list[Comparison] | None = None,
                 query: list[str] | None = None, cache: dict | None = None) -> list[Trajectory]:
    """Every trajectory through `docs` (in version order); with `query`, the trajectories with a
    point that matches all keywords, whole (`track 一件事` finds 2020's 高频服务 too, named only in
    the sentence before)."""
    if comparisons is None:
        comparisons = [compare(docs[k], docs[k + 1]) for k in range(len(docs) - 1)]
    points, hits = _collect(docs, query)
    linker = _Linker(points)
    _link_repeats(linker)
    _link_compared(linker, docs, comparisons, cache)
    _link_lexicon(linker, docs)
    groups: dict = {}
    for p in linker.points:
        groups.setdefault(linker.chains.root(p), []).append(p)
    out = [_trajectory([points[p][1] for p in members]) for members in groups.values()
           if any(p in hits for p in members)]
    out.sort(key=lambda t: (-len(t.points), t.points[0].version, t.subject, t.metric))
    return out


def _as_target(p: Point) -> Target:
    return Target(p.clause, p.subject, p.metric, p.comparator, p.value, p.unit, p.deadline, "", p.text,
                  value_high=p.value_high, baseline=p.baseline, implicit=p.implicit)


def split_query(query: str) -> list[str]:
    """Keywords of a track query as the Simplified text holds them (Traditional and full-width
    input find the same targets)."""
    from policydiff.read.text import normalize_query

    return [q for q in re.split(r"\s+", normalize_query(query)) if q]
