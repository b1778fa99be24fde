"""The aligner's coverage mode: how a lower-level plan (a city's) takes up a higher one (a province's).

A city plan is not a successor of the provincial plan but an implementation of it, so the 1:1
constraint of `align` is dropped: one city clause may take up several provincial tasks and one
provincial task may be spread over several city clauses. The score is asymmetric: how much of the
higher task's IDF-weighted wording (`containment_matrix`, forward) the lower clause carries, plus
departments mapped across levels by function (省公安厅 ↔ 市公安局, from the lexicon
`department_levels.tsv`); align's symmetric score, the backward containment and align's parts are
kept as evidence. As in `align`, a score is never judged on its own: a link must stand out of its
background (`align._relative`) — here the lower clause's column, "which of the higher plan's tasks
does this clause answer?" — unless it is strong on its own: a copy, a cut-out piece or a merge
(containment either way), align's S_STRONG, or a lower clause naming the programme a higher task
is named after (拓展“粤省事”基层应用范围 ← “粤省事”揭阳版), or naming a shared platform or system
the task is about (`match/systems.txt`: 政务云, 政务外网, 电子证照…; a long task on 政务云 and
政务外网 is spread over short city clauses that each carry only one of its halves, so its words
never stand out of the background in any one of them). And a link that rests on the background
alone must carry the task's words from more than one of its clauses: a phrase shared in a list
(互联网企业、基础电信运营商 as partners; a platform a task merely publishes on) is a passing
mention, not a take-up.

Descriptive parts of the lower plan (现状, 存在问题, 指导思想: `descriptive_headings.txt`) commit to
nothing: their clauses are neither links nor local additions, but they stay in the background.

Targets of linked clauses are compared level against level (`relation`): stricter, same, looser,
or none when the lower plan sets no target on the measure; pairs that cannot be ranked are left out.
Besides the share of wording, `coverage_rules` reads the task's heading restated, a target on the
same measure and a cross-reference between lower clauses, and cuts out the wording every task uses
(`generic_phrases.txt`) before comparing.

Measured on the labels of tests/data/coverage/ (38 links found): on the blind labels precision
1.00 (0.92 counting only sure and probable links as right), recall 0.83 (35/42); on the
adjudicated union precision 1.00 (strict 0.87), recall 0.83 (33/40); the sure links all found.
Before the `coverage_rules` evidence: precision 0.94, recall 0.74 (blind) and 0.78 (adjudicated).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache

from policydiff import lexicon
from policydiff.match.align import S_STRONG, _key, _relative, anchors, score_matrix
from policydiff.match.coverage_departments import (
    clause_departments,
    counterparts,
    department_function,
    department_pairs,
    functions_of,
)
from policydiff.match.coverage_rules import heading_share, references, shared_measures, words
from policydiff.match.coverage_targets import compare_targets, relation
from policydiff.model.coverage import ClauseRef, Coverage, CoverageLink, YearAnswer
from policydiff.model.document import Clause, Document

__all__ = ["answers_by_year", "clause_departments", "compare_targets", "containment_matrix", "counterparts",
           "coverage", "coverage_scores", "department_function", "relation"]

#: weights of the coverage score: forward containment (how much of the higher task's IDF-weighted
#: wording the lower clause takes up) and departments mapped by function. Measured on the Jieyang
#: labels: align's symmetric score, backward containment and sentence-level containment added
#: nothing or cost precision, so they are reported as evidence but weigh nothing.
W_FORWARD, W_BACKWARD, W_ALIGN, W_DEPT = 1.0, 0.0, 0.0, 0.05
#: a link stands this many background deviations above the other higher tasks of its lower clause
#: (which of the higher plan's tasks does this clause answer?) …
Z_LINK = 2.75
#: … and reaches this coverage score
S_MIN = 0.04
#: a containment that is a link on its own, either way round (a copied, narrowed or merged task):
#: on the real plans no unrelated pair reaches 0.5
S_CONTAINED = 0.6
#: a lower clause naming a shared system a higher task is about takes it up when the pair stands
#: at least this far above the clause's background (the system is not a word in passing)
Z_SYSTEM = 1.0
#: a link on the background alone carries the words of at least this many of the higher task's
#: clauses (effective number: one clause carrying all the weight counts 1)
MIN_SPREAD = 1.5
#: a higher task names a system in its heading or at least this many times in its text
SYSTEM_MENTIONS = 2
#: a lower clause carrying this share of a task's heading (IDF-weighted) restates its aim …
HEADING_SHARE = 0.4
#: … and takes it up when it stands this far above the clause's background
Z_HEADING = 2.0


_PLUS = re.compile(r"[+＋]")


# --------------------------------------------------------------------------- scores


def _idf_sets(higher: list[Clause], lower: list[Clause]):
    sets_h = [set(words(c.text)) for c in higher]
    sets_l = [set(words(c.text)) for c in lower]
    df: Counter[str] = Counter()
    for s in sets_h + sets_l:
        df.update(s)
    n = len(sets_h) + len(sets_l)
    idf = {g: math.log((n + 1) / (v + 1)) for g, v in df.items()}
    return sets_h, sets_l, idf


def containment_matrix(higher: list[Clause], lower: list[Clause]):
    """(forward, backward): the IDF-weighted share of the higher clause's shingles found in the lower
    one, and of the lower clause's found in the higher one."""
    import numpy as np

    sets_h, sets_l, idf = _idf_sets(higher, lower)
    w_h = [sum(idf[g] for g in s) or 1.0 for s in sets_h]
    w_l = [sum(idf[g] for g in s) or 1.0 for s in sets_l]
    fwd = np.zeros((len(higher), len(lower)))
    bwd = np.zeros_like(fwd)
    for i, a in enumerate(sets_h):
        for j, b in enumerate(sets_l):
            common = a & b
            if common:
                inter = sum(idf[g] for g in sorted(common))
                fwd[i, j] = inter / w_h[i]
                bwd[i, j] = inter / w_l[j]
    return fwd, bwd


def _named_in_heading(higher: list[Clause], lower: list[Clause]):
    """Pairs where the lower clause names the programme a higher task is named after: a task whose
    heading quotes a programme (拓展“粤省事”基层应用范围, 大力推广“信用+”应用) is about it, and a
    lower clause naming it, quoted or not (“粤省事”揭阳版, 信用信息), takes it up. A name found in
    many clauses of either plan (“数字政府”, 监管 of “互联网+监管”) names no one task."""
    import numpy as np

    out = np.zeros((len(higher), len(lower)), dtype=bool)
    rare_h, rare_l = max(2, len(higher) // 10), max(2, len(lower) // 20)
    for i, c in enumerate(higher):
        for a in anchors(c.heading):
            core = _PLUS.sub("", a)
            if len(core) < 2 or sum(core in h.text for h in higher) > rare_h:
                continue
            hits = [j for j, lo in enumerate(lower) if core in lo.text]
            if len(hits) <= rare_l:
                out[i, hits] = True
    return out


def _shared_systems(higher: list[Clause], lower: list[Clause]) -> dict[tuple[int, int], list[str]]:
    """Pairs where the lower clause names a shared platform or system (`match/systems.txt`) that the
    higher task is about: named in its heading or at least SYSTEM_MENTIONS times. A system that many
    higher tasks are about (数据共享 of every task) names no one task. The lower side is many-to-many:
    a 政务云 task is taken up by every clause moving systems onto the cloud."""
    out: dict[tuple[int, int], list[str]] = {}
    rare_h = max(2, len(higher) // 10)
    for name in _systems():
        about = [i for i, c in enumerate(higher) if name in c.heading or c.text.count(name) >= SYSTEM_MENTIONS]
        if not about or len(about) > rare_h:
            continue
        for j, lo in enumerate(lower):
            if name in lo.text:
                for i in about:
                    out.setdefault((i, j), []).append(name)
    return out


@cache
def _systems() -> tuple[str, ...]:
    return lexicon.words("match/systems")


_CLAUSE_SPLIT = re.compile(r"[，。；：！？,;:!?\n]")


def _spread(higher_text: str, lower_text: str, idf: dict[str, float]) -> float:
    """Over how many of the higher task's clauses (comma to comma) the wording that the lower clause
    carries is spread: (Σw)² / Σw² of each clause's IDF weight found in the lower clause."""
    found = set(words(lower_text))
    weights = [sum(idf.get(g, 0.0) for g in sorted(set(words(part)) & found)) for part in _CLAUSE_SPLIT.split(higher_text)]
    total, square = sum(weights), sum(w * w for w in weights)
    return total * total / square if square else 0.0


def _dept_matrix(higher: list[Clause], lower: list[Clause]):
    """IDF-weighted overlap of department functions (the lead of half the plan weighs nothing)."""
    import numpy as np

    fh = [functions_of(c, "province") for c in higher]
    fl = [functions_of(c, "city") for c in lower]
    df: Counter[str] = Counter()
    for s in fh + fl:
        df.update(s)
    n = len(fh) + len(fl)
    idf = {k: math.log((n + 1) / (v + 1)) for k, v in df.items()}
    out = np.zeros((len(higher), len(lower)))
    for i, a in enumerate(fh):
        for j, b in enumerate(fl):
            common = a & b
            if common:
                out[i, j] = sum(idf[k] for k in sorted(common)) / (sum(idf[k] for k in sorted(a | b)) or 1.0)
    return out, fh, fl


def coverage_scores(higher: list[Clause], lower: list[Clause]):
    """The coverage score of every higher/lower pair and its parts (numpy arrays)."""
    fwd, bwd = containment_matrix(higher, lower)
    total, parts = score_matrix(higher, lower)
    dept, _, _ = _dept_matrix(higher, lower)
    score = W_FORWARD * fwd + W_BACKWARD * bwd + W_ALIGN * total + W_DEPT * dept
    return score, {"forward": fwd, "backward": bwd, "align": total, "department_functions": dept, **parts}


# --------------------------------------------------------------------------- clauses in scope


def _descriptive(doc: Document) -> set[str]:
    words = lexicon.words("descriptive_headings")
    by_id = {c.eid: c for c in doc.clauses()}
    out = set()

    def bare(h: str) -> str:
        return h.strip().rstrip("。：:；; ")

    for c in by_id.values():
        if bare(c.heading) in words:
            out.add(c.eid)
            continue
        p = by_id.get(c.parent)
        while p is not None:
            if bare(p.heading) in words or p.eid in out:
                out.add(c.eid)
                break
            p = by_id.get(p.parent)
    return out


def _ref(c: Clause, level: str) -> ClauseRef:
    names = clause_departments(c, level)
    other = "city" if level == "province" else "province"
    return ClauseRef(eid=c.eid, label=c.label or c.num, heading=c.heading.strip(), text=c.text.strip(),
                     departments=names, counterparts=[(n, counterparts(n, other)) for n in names])


# --------------------------------------------------------------------------- the matcher


def coverage(higher_doc: Document, lower_doc: Document, *, higher_ref: str = "", lower_ref: str = "") -> Coverage:
    """Which lower clauses take up which higher tasks; what is not taken up; what is the lower's own."""
    skip_h, skip_l = _descriptive(higher_doc), _descriptive(lower_doc)
    higher = [c for c in higher_doc.clauses() if c.is_leaf and c.eid not in skip_h]
    every_lower = [c for c in lower_doc.clauses() if c.is_leaf]
    lower = [c for c in every_lower if c.eid not in skip_l]
    in_scope = [c.eid not in skip_l for c in every_lower]
    pairs = _copied(higher, every_lower, in_scope)
    links: list[CoverageLink] = []
    nearest: dict[str, CoverageLink] = {}
    if higher and lower:
        # the background is every leaf of the lower plan, descriptive ones too (they are the
        # plan's own vocabulary); links are kept only to clauses that commit to something
        score, parts = coverage_scores(higher, every_lower)
        _rel, z_row, z_col = _relative(score)
        _, _, idf = _idf_sets(higher, every_lower)
        marks = {"named": _named_in_heading(higher, every_lower), "systems": _shared_systems(higher, every_lower),
                 "heading": heading_share(higher, every_lower, idf), "measures": shared_measures(higher, every_lower),
                 "spread": {}, "refers_to": {}}
        pairs |= _scored(higher, every_lower, in_scope, score, parts, z_col, marks)
        pairs |= _referred(every_lower, in_scope, pairs, marks)
        links = _links(higher, every_lower, sorted(pairs), score, parts, (z_row, z_col), marks)
        nearest = _nearest(higher, every_lower, in_scope, {k.higher for k in links}, score, (z_row, z_col))
    order_h = {c.eid: k for k, c in enumerate(higher)}
    order_l = {c.eid: k for k, c in enumerate(every_lower)}
    links.sort(key=lambda k: (order_h[k.higher], order_l[k.lower]))
    linked_h, linked_l = {k.higher for k in links}, {k.lower for k in links}
    by_h, by_l = {c.eid: c for c in higher}, {c.eid: c for c in lower}
    return Coverage(
        higher_ref=higher_ref or higher_doc.meta.ref, lower_ref=lower_ref or lower_doc.meta.ref,
        higher_meta=higher_doc.meta, lower_meta=lower_doc.meta, links=links,
        not_taken_up=[c.eid for c in higher if c.eid not in linked_h],
        local_only=[c.eid for c in lower if c.eid not in linked_l],
        targets=_target_pairs(higher, links, by_l, higher_doc.meta.year),
        higher_clauses={c.eid: _ref(c, "province") for c in higher},
        lower_clauses={c.eid: _ref(c, "city") for c in lower},
        departments=department_pairs(higher, lower, links, by_h, by_l),
        descriptive=[c.eid for c in lower_doc.clauses() if c.eid in skip_l and c.is_leaf],
        nearest=nearest,
    )


def _copied(higher: list[Clause], every_lower: list[Clause], in_scope: list[bool]) -> set[tuple[int, int]]:
    """Identical clauses (a copied task) are links whatever the background, every copy of them
    (many-to-many: indexes into `every_lower`)."""
    keys_l: dict[str, list[int]] = {}
    for j, c in enumerate(every_lower):
        if in_scope[j] and _key(c):
            keys_l.setdefault(_key(c), []).append(j)
    return {(i, j) for i, c in enumerate(higher) for j in keys_l.get(_key(c), [])}


def _scored(higher: list[Clause], every_lower: list[Clause], in_scope: list[bool], score, parts, z_col,
            marks) -> set[tuple[int, int]]:
    """Pairs that hold the task's words (either way round), name its programme or a system it is
    about, or stand out of the lower plan's background with the words of more than one of its
    clauses (`_spread`, kept in marks["spread"] as evidence).

    align's own "a match on its own" (S_STRONG) covers plans too short to have a background, where
    every shingle is in every clause and the IDF-weighted containment is zero.
    """
    import numpy as np

    scope = np.array(in_scope, dtype=bool)[None, :]
    ok = ((parts["forward"] >= S_CONTAINED) | (parts["backward"] >= S_CONTAINED) | (parts["align"] >= S_STRONG)
          | marks["named"]) & scope
    out = {(int(i), int(j)) for i, j in zip(*np.nonzero(ok), strict=True)}
    out |= {(i, j) for (i, j) in marks["systems"] if in_scope[j] and z_col[i, j] >= Z_SYSTEM}
    out |= {(i, j) for (i, j) in marks["measures"] if in_scope[j] and z_col[i, j] >= Z_SYSTEM}
    heading = (marks["heading"] >= HEADING_SHARE) & (z_col >= Z_HEADING) & scope
    out |= {(int(i), int(j)) for i, j in zip(*np.nonzero(heading), strict=True)}
    _, _, idf = _idf_sets(higher, every_lower)
    return out | _background(higher, every_lower, (z_col >= Z_LINK) & (score >= S_MIN) & scope, marks, idf)


def _background(higher: list[Clause], every_lower: list[Clause], candidates, marks, idf) -> set[tuple[int, int]]:
    """Candidates standing out of the background that carry the words of more than one of the
    task's clauses (`_spread`, kept in marks["spread"] as evidence)."""
    import numpy as np

    out = set()
    for i, j in zip(*np.nonzero(candidates), strict=True):
        pair = (int(i), int(j))
        marks["spread"][pair] = spread = _spread(higher[pair[0]].text, every_lower[pair[1]].text, idf)
        if spread >= MIN_SPREAD:
            out.add(pair)
    return out


def _referred(every_lower: list[Clause], in_scope: list[bool], pairs, marks) -> set[tuple[int, int]]:
    """A lower clause naming another by its heading takes up what that one takes up."""
    out = set()
    for j, ks in references(every_lower, in_scope).items():
        for i, k in pairs:
            if k in ks and (i, j) not in pairs:
                out.add((i, j))
                marks["refers_to"][i, j] = every_lower[k].eid
    return out


def _links(higher: list[Clause], every_lower: list[Clause], pairs: list[tuple[int, int]], score, parts,
           zs, marks) -> list[CoverageLink]:
    """Each pair as a link with its score and evidence."""
    z_row, z_col = zs
    fh = [functions_of(c, "province") for c in higher]
    fl = [functions_of(c, "city") for c in every_lower]
    out: list[CoverageLink] = []
    for i, j in pairs:
        h, lo = higher[i], every_lower[j]
        identical = _key(h) == _key(lo)
        ev = {name: round(float(m[i, j]), 4) for name, m in parts.items()}
        ev["z"] = round(float(z_col[i, j]), 2)
        ev["z_higher"] = round(float(z_row[i, j]), 2)
        if identical:
            ev["identical"] = True
        if marks["named"][i, j]:
            ev["names_the_task_programme"] = True
        if (i, j) in marks["systems"]:
            ev["names_a_system_of_the_task"] = marks["systems"][i, j]
        if (i, j) in marks["spread"]:
            ev["spread"] = round(marks["spread"][i, j], 2)
        _rule_evidence(ev, marks, i, j)
        shared = sorted(set(anchors(h.text)) & set(anchors(lo.text)))
        if shared:
            ev["shared_anchors"] = shared
        functions = sorted(fh[i] & fl[j])
        if functions:
            ev["shared_functions"] = functions
        out.append(CoverageLink(h.eid, lo.eid, 1.0 if identical else round(float(score[i, j]), 4), ev))
    return out


def _rule_evidence(ev: dict, marks, i: int, j: int) -> None:
    """The evidence of `coverage_rules`: heading share, shared measures, a cross-reference."""
    share = float(marks["heading"][i, j])
    if share >= HEADING_SHARE:
        ev["restates_the_task_heading"] = round(share, 2)
    if (i, j) in marks["measures"]:
        ev["same_measure"] = marks["measures"][i, j]
    if (i, j) in marks["refers_to"]:
        ev["refers_to"] = marks["refers_to"][i, j]


def _nearest(higher: list[Clause], every_lower: list[Clause], in_scope: list[bool], linked: set[str], score,
             zs) -> dict[str, CoverageLink]:
    """For each task not taken up, the closest lower clause (shown, never counted as a link)."""
    z_row, z_col = zs
    out: dict[str, CoverageLink] = {}
    cands = [j for j in range(len(every_lower)) if in_scope[j]]
    for i, h in enumerate(higher):
        if h.eid in linked or not cands:
            continue
        j = max(cands, key=lambda j: score[i, j])
        out[h.eid] = CoverageLink(h.eid, every_lower[j].eid, round(float(score[i, j]), 4),
                                  {"z": round(float(z_col[i, j]), 2), "z_higher": round(float(z_row[i, j]), 2)})
    return out


def _target_pairs(higher: list[Clause], links: list[CoverageLink], by_l: dict[str, Clause], year) -> list:
    out = []
    for c in higher:
        partners = [by_l[k.lower] for k in links if k.higher == c.eid]
        if partners:
            out += compare_targets(c.targets, [t for p in partners for t in p.targets], plan_year=year)
    return out


def answers_by_year(highers: list[Document], lower_doc: Document) -> dict[str, list[YearAnswer]]:
    """Several versions of a higher series (2019 points, 2020 news, 2021 points) against one lower
    plan that spans them: for each lower clause, the years whose tasks it takes up (in the order
    given), each with the higher tasks and the best score. Clauses answering no year are absent."""
    out: dict[str, list[YearAnswer]] = {}
    for doc in highers:
        cov = coverage(doc, lower_doc)
        per_lower: dict[str, list[CoverageLink]] = {}
        for k in cov.links:
            per_lower.setdefault(k.lower, []).append(k)
        for eid, ks in per_lower.items():
            out.setdefault(eid, []).append(YearAnswer(eid, doc.meta.year, doc.meta.ref, [k.higher for k in ks],
                                                      max(k.score for k in ks)))
    order = {c.eid: n for n, c in enumerate(lower_doc.clauses())}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))
