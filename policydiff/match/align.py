"""Align the clauses of two versions of a plan: 1:1, split, merged, moved, added, dropped.

Yearly plans rewrite tasks heavily: a task and its true counterpart often share only a few rare
character n-grams (TF-IDF cosine 0.04–0.30), while unrelated pairs sit near 0.01. So a score is
never judged on its own: each candidate pair is measured against the background of its own row
and column (how far it stands above what that clause scores with everything else), and a global
assignment (Hungarian, `assignment.py`) picks the 1:1 pairs, so one strong clause
cannot take two partners and order alone never decides. Splits and merges are then found as
second partners that beat the background almost as clearly as the first. Moves are the matched
pairs outside the longest run that keeps its relative order.

Evidence combines content shingles (numbers masked, so a changed target does not hide a match),
headings, quoted programme names (“粤省事”, “互联网+河长”), lead departments weighted by rarity,
and targets. Identical clauses are paired first, so two copies of one text align exactly and
fast however long they are.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from policydiff.match import align_large, assignment, corrections, tfidf
from policydiff.match.tokens import shingles
from policydiff.model.document import Clause, Document

#: weights of the evidence in the combined score
W_CONTENT, W_HEADING, W_ANCHOR, W_DEPT, W_TARGET = 0.55, 0.2, 0.15, 0.05, 0.05
#: a pair must stand this many background deviations above both its row and its column
Z_ACCEPT = 2.5
#: … and reach at least this combined score
S_MIN = 0.045
#: a combined score that is a match on its own (unrelated clauses of these plans score ~0.01–0.06)
S_STRONG = 0.4
#: a second partner (split/merge) must reach this share of the first partner's score …
SPLIT_SHARE = 9.0  # off: on the real plans a near-equal second score was a neighbour, not a piece
#: … or have this share of its shingles inside the partner (a piece cut out of it)
CONTAINED = 0.5


@dataclass
class Match:
    """One correspondence: old clause ids → new clause ids, with a status and why."""

    old: list[str]
    new: list[str]
    status: str  # unchanged|modified|moved|split|merged|added|dropped|not_mentioned (set later)
    score: float
    evidence: dict = field(default_factory=dict)


@dataclass
class Alignment:
    """Leaf matches and container matches of two documents."""

    matches: list[Match]
    containers: list[Match]
    #: every clause of each side, as `Document.clauses()` gave them to the aligner
    old_clauses: list[Clause] = field(default_factory=list)
    new_clauses: list[Clause] = field(default_factory=list)


def _key(c: Clause) -> str:
    return re.sub(r"\s+", "", c.text)


_QUOTED = re.compile(r"“([^”]{2,16})”|《([^》]{2,30})》")
# a programme keeps its core across renamings (“互联网+河长” → “广东智慧河长”): drop the wrappers
_ANCHOR_STRIP = re.compile(r"^(?:广东省?|省|全省|互联网\+|数字|智慧)+|(?:平台|系统|工程|建设|应用|服务)$")
# slogans quoted in every kind of task (“一网通办”, “一张图”, “全省一盘棋”, “最多跑一次”) name no programme
_SLOGAN = re.compile(r"^(?:全省)?[一两三四五六七八九十]|一(?:网|窗|张|盘|件|次|号|码|门|站)|最多跑|放管服|不见面|指尖")


def anchors(text: str) -> list[str]:
    """Named programmes and documents in quotation marks: strong evidence across years."""
    out = []
    for m in _QUOTED.finditer(text):
        raw = m.group(1) or m.group(2) or ""
        if _SLOGAN.search(raw):
            continue
        a = _ANCHOR_STRIP.sub("", raw)
        if len(a) >= 2:
            out.append(a)
    return out


@lru_cache(maxsize=2048)
def _bigrams(text: str) -> frozenset[str]:
    return frozenset(shingles(text, (2,)))


def containment(part: str, whole: str) -> float:
    """Share of `part`'s bigrams found in `whole`: high when part was cut out of whole."""
    a, b = _bigrams(part), _bigrams(whole)
    return len(a & b) / len(a) if a else 0.0


def _weighted_overlap(old: list[set[str]], new: list[set[str]]):
    """IDF-weighted Jaccard of sets (departments, target subjects): common members weigh little."""
    import numpy as np

    idf, _df = align_large.member_idf(old, new)
    out = np.zeros((len(old), len(new)))
    for i, a in enumerate(old):
        if not a:
            continue
        for j, b in enumerate(new):
            if not b:
                continue
            inter = sum(idf[x] for x in sorted(a & b))
            if inter:
                out[i, j] = inter / (sum(idf[x] for x in sorted(a | b)) or 1.0)
    return out


def _target_keys(c: Clause) -> set[str]:
    return {f"{t.subject}|{t.unit}" for t in c.targets if t.subject} | {t.subject for t in c.targets if t.subject}


class _Shingled:
    """The shingles of some clauses, made one clause at a time when read: a large plan's shingles
    held as lists of strings take some 50 times the memory of its text."""

    def __init__(self, clauses: list[Clause], grams: Callable[[Clause], list[str]]) -> None:
        self.clauses, self.grams = clauses, grams

    def __len__(self) -> int:
        return len(self.clauses)

    def __iter__(self) -> Iterator[list[str]]:
        return (self.grams(c) for c in self.clauses)


def _features(old: list[Clause], new: list[Clause]) -> list[tuple]:
    """The evidence of a pair, each as (name, weight, old side, new side, how it is measured)."""
    def content(c: Clause) -> list[str]:
        return shingles(c.text)

    def heading(c: Clause) -> list[str]:
        return shingles(c.heading or c.text[:40])

    def quoted(c: Clause) -> list[str]:
        return [g for a in anchors(c.text) for g in shingles(a, (2,))]

    return [("content", W_CONTENT, _Shingled(old, content), _Shingled(new, content), "cosine"),
            ("heading", W_HEADING, _Shingled(old, heading), _Shingled(new, heading), "cosine"),
            ("anchors", W_ANCHOR, _Shingled(old, quoted), _Shingled(new, quoted), "cosine"),
            ("departments", W_DEPT, [set(c.lead) for c in old], [set(c.lead) for c in new], "overlap"),
            ("targets", W_TARGET, [_target_keys(c) for c in old], [_target_keys(c) for c in new], "overlap")]


def score_matrix(old: list[Clause], new: list[Clause]):
    """Combined similarity of every old/new pair and its parts (numpy arrays)."""
    features = _features(old, new)
    parts = {name: tfidf.cosine(a, b) if kind == "cosine" else _weighted_overlap(a, b)
             for name, _w, a, b, kind in features}
    total = sum(w * parts[name] for name, w, *_ in features)
    return total, parts


def _relative(total):
    """How many background deviations each pair stands above its row and its column.

    Returns (the smaller of the two, row z, column z).
    """
    import numpy as np

    def z(axis: int):
        mu = total.mean(axis=axis, keepdims=True)
        sd = total.std(axis=axis, keepdims=True)
        n = total.shape[axis]
        sd = np.maximum(sd, align_large.sd_floor(n))
        return (total - mu) / sd

    if total.size == 0:
        return total, total, total
    z_row, z_col = z(1), z(0)
    return np.minimum(z_row, z_col), z_row, z_col


def _lis(seq: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence (patience sorting, O(n log n))."""
    import bisect

    tails: list[int] = []
    tails_idx: list[int] = []
    prev = [-1] * len(seq)
    for i, x in enumerate(seq):
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
            tails_idx.append(i)
        else:
            tails[k] = x
            tails_idx[k] = i
        prev[i] = tails_idx[k - 1] if k else -1
    out: set[int] = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        out.add(i)
        i = prev[i]
    return out


def align(old_doc: Document, new_doc: Document) -> Alignment:
    """Align leaf clauses, then containers; statuses are structural (changes.py adds unchanged/modified)."""
    old_all, new_all = old_doc.clauses(), new_doc.clauses()
    old = [c for c in old_all if c.is_leaf]
    new = [c for c in new_all if c.is_leaf]
    news_side = {"old": old_doc.meta.kind == "news", "new": new_doc.meta.kind == "news"}
    groups = _align_leaves(old, new, many_to_one=news_side["new"], one_to_many=news_side["old"])
    fixes = corrections.for_pair(old_doc, new_doc)
    groups, unlinked = corrections.apply(groups, old, new, fixes) if fixes else (groups, [])
    matches = _statuses(groups, old, new, news_side)
    corrections.mark_unlinked(matches, old, new, unlinked)
    containers = _align_containers(old_all, new_all, matches)
    return Alignment(matches, containers, old_all, new_all)


Group = tuple[list[int], list[int], float, dict]


def _align_leaves(old: list[Clause], new: list[Clause], *, many_to_one: bool, one_to_many: bool) -> list[Group]:
    """Groups (old idx list, new idx list, score, evidence)."""
    import numpy as np

    # 1. identical clauses pair first (renumbering ignored): exact, and linear in size
    groups, rest_old, rest_new = _identical(old, new)
    if not (rest_old and rest_new):
        return groups
    if len(rest_old) * len(rest_new) > align_large.DENSE_MAX:
        return groups + _large_groups(old, new, rest_old, rest_new, many_to_one=many_to_one, one_to_many=one_to_many)
    total, parts = score_matrix([old[i] for i in rest_old], [new[j] for j in rest_new])
    rel, z_row, z_col = _relative(total)
    first_new, first_old = _first_partners(total, rel)
    # 2. second partners: a split (1 → n) or a merge (n → 1) beats the background almost as well
    old_texts = [old[i].text for i in rest_old]
    new_texts = [new[j].text for j in rest_new]
    extra_new: dict[int, list[int]] = {}
    extra_old: dict[int, list[int]] = {}
    for k in range(len(rest_new)):
        if k in first_old:
            continue
        r = _second(total[:, k], rel[:, k], z_col[:, k], list(first_new), lambda p: total[p, first_new[p]],
                    lambda p, k=k: containment(new_texts[k], old_texts[p]), loose=one_to_many)
        if r is not None:
            extra_new.setdefault(r, []).append(k)
    for r in range(len(rest_old)):
        if r in first_new:
            continue
        k = _second(total[r, :], rel[r, :], z_row[r, :], list(first_old), lambda p: total[first_old[p], p],
                    lambda p, r=r: containment(old_texts[r], new_texts[p]), loose=many_to_one)
        if k is not None and not extra_new.get(first_old[k]):  # split or merged, not both
            extra_old.setdefault(k, []).append(r)
    for r, k in first_new.items():
        olds = [r] + extra_old.get(k, [])
        news = [k] + extra_new.get(r, [])
        ev = _evidence(total, rel, parts, r, k, olds, news, old, new, rest_old, rest_new)
        groups.append(([rest_old[x] for x in sorted(olds)], [rest_new[y] for y in sorted(news)],
                       round(float(np.mean([total[a, b] for a in olds for b in news])), 4), ev))
    _bigrams.cache_clear()  # the texts of this pair only: hold no memory after it
    return groups


def _large_groups(old: list[Clause], new: list[Clause], rest_old: list[int], rest_new: list[int], *,
                  many_to_one: bool, one_to_many: bool) -> list[Group]:
    """The groups of a residual too large for n × m matrices, judged over candidate pairs."""
    a, b = [old[i] for i in rest_old], [new[j] for j in rest_new]
    p = align_large.score_pairs(a, b, _features(a, b), S_MIN)
    first_new, first_old = align_large.first_partners(p, Z_ACCEPT, S_MIN, S_STRONG)

    def contained(r: int, k: int, piece: str) -> float:
        return containment(b[k].text, a[r].text) if piece == "new" else containment(a[r].text, b[k].text)

    limits = align_large.Limits(S_MIN, Z_ACCEPT, SPLIT_SHARE, CONTAINED)
    extra_new, extra_old = align_large.seconds(p, first_new, first_old, contained, limits,
                                               one_to_many=one_to_many, many_to_one=many_to_one)
    groups: list[Group] = []
    for r, k in first_new.items():
        olds, news = [r] + extra_old.get(k, []), [k] + extra_new.get(r, [])
        ev = _shared(a[r], b[k], align_large.evidence(p, r, k))
        score = sum(p.value(x, y) for x in olds for y in news) / (len(olds) * len(news))
        groups.append(([rest_old[x] for x in sorted(olds)], [rest_new[y] for y in sorted(news)], round(score, 4), ev))
    _bigrams.cache_clear()
    return groups


def _identical(old: list[Clause], new: list[Clause]) -> tuple[list[Group], list[int], list[int]]:
    """Pairs of identical clauses (in order), and the indexes left on each side."""
    groups: list[Group] = []
    by_key: dict[str, list[int]] = {}
    for j, c in enumerate(new):
        by_key.setdefault(_key(c), []).append(j)
    used_old, used_new = set(), set()
    for i, c in enumerate(old):
        js = by_key.get(_key(c))
        if js and _key(c):
            j = js.pop(0)
            used_old.add(i)
            used_new.add(j)
            groups.append(([i], [j], 1.0, {"identical": True}))
    rest_old = [i for i in range(len(old)) if i not in used_old]
    rest_new = [j for j in range(len(new)) if j not in used_new]
    return groups, rest_old, rest_new


def _first_partners(total, rel) -> tuple[dict[int, int], dict[int, int]]:
    """The 1:1 pairs of one global assignment: old row → new column, and new column → old row."""
    # a pair this similar needs no background to judge it (and a short plan has none: with
    # two or three candidates a z-score cannot reach Z_ACCEPT)
    ok = ((rel >= Z_ACCEPT) & (total >= S_MIN)) | (total >= S_STRONG)
    first_new: dict[int, int] = {}
    first_old: dict[int, int] = {}
    for r, k in assignment.assign(rel * total, ok):
        first_new[r] = k
        first_old[k] = r
    return first_new, first_old


def _second(score_line, rel_line, piece_z, partners: list[int], own_first, contained, *, loose: bool) -> int | None:
    """The already-matched partner a clause without one joins (as a split or merge piece), if any.

    The best partner is accepted when it stands out of the background and either scores near the
    partner's first match (always, when `loose`) or holds this clause's words (a cut piece).
    """
    best = max(partners, key=lambda p: score_line[p], default=None)
    if best is None:
        return None
    if score_line[best] >= S_MIN and rel_line[best] >= Z_ACCEPT and (
            loose or score_line[best] >= SPLIT_SHARE * own_first(best)):
        return best
    # a short piece cut out of a clause scores low on TF-IDF but sits inside it (judged by how it
    # stands out for the piece: the partner's own line is dominated by its first match)
    near = [p for p in partners if score_line[p] >= S_MIN and piece_z[p] >= Z_ACCEPT / 2]
    inside = max(near, key=contained, default=None)
    if inside is not None and contained(inside) >= CONTAINED:
        return inside
    return None


def _evidence(total, rel, parts, r, k, olds, news, old, new, rest_old, rest_new) -> dict:
    import numpy as np

    row = np.sort(total[r, :])[::-1]
    a, b = old[rest_old[r]], new[rest_new[k]]
    ev = {name: round(float(m[r, k]), 4) for name, m in parts.items()}
    ev["z"] = round(float(rel[r, k]), 2)
    ev["rank"] = int((total[r, :] > total[r, k]).sum()) + 1
    ev["margin"] = round(float(total[r, k] - (row[1] if len(row) > 1 else 0.0)), 4)
    return _shared(a, b, ev)


def _shared(a: Clause, b: Clause, ev: dict) -> dict:
    """The programmes and lead departments a pair shares, added to its evidence."""
    shared = sorted(set(anchors(a.text)) & set(anchors(b.text)))
    if shared:
        ev["shared_anchors"] = shared
    common_lead = sorted(set(a.lead) & set(b.lead))
    if common_lead:
        ev["shared_lead"] = common_lead
    return ev


def _statuses(groups, old: list[Clause], new: list[Clause], news_side: dict) -> list[Match]:
    """Turn groups into matches: split/merged/moved, then added/dropped/not_mentioned."""
    out: list[Match] = []
    # moves: pairs outside the longest run that keeps relative order
    ordered = sorted(groups, key=lambda g: (min(g[0]), min(g[1])))
    keep = _lis([min(g[1]) for g in ordered])
    for idx, (olds, news, score, ev) in enumerate(ordered):
        ev = dict(ev)
        if len(olds) > 1 and len(news) == 1:
            status = "merged"
        elif len(news) > 1 and len(olds) == 1:
            status = "split"
        else:
            status = "matched"
        if idx not in keep:
            ev["moved"] = True
            if status == "matched":
                status = "moved"
        o_ids, n_ids = [old[i].eid for i in olds], [new[j].eid for j in news]
        if len(olds) == 1 and len(news) == 1 and old[olds[0]].label != new[news[0]].label:
            ev["renumbered"] = f"{old[olds[0]].label} → {new[news[0]].label}"
        out.append(Match(o_ids, n_ids, status, score, ev))
    matched_old = {i for g in groups for i in g[0]}
    matched_new = {j for g in groups for j in g[1]}
    for i, c in enumerate(old):
        if i not in matched_old:
            status = "not_mentioned" if news_side["new"] else "dropped"
            out.append(Match([c.eid], [], status, 0.0, {}))
    for j, c in enumerate(new):
        if j not in matched_new:
            status = "not_mentioned" if news_side["old"] else "added"
            out.append(Match([], [c.eid], status, 0.0, {}))
    return out


def _align_containers(old_all: list[Clause], new_all: list[Clause], matches: list[Match]) -> list[Match]:
    """Sections and grouping tasks: by heading similarity and by where their leaves went."""
    import numpy as np

    old_c = [c for c in old_all if not c.is_leaf]
    new_c = [c for c in new_all if not c.is_leaf]
    if not old_c or not new_c:
        return []
    flow = _leaf_flow(old_all, new_all, old_c, new_c, matches)
    old_h, new_h = [shingles(c.heading) for c in old_c], [shingles(c.heading) for c in new_c]
    if len(old_c) * len(new_c) > align_large.DENSE_MAX:
        rows, cols, vals = tfidf.pair_cosine(old_h, new_h)
        heading = dict(zip(zip(rows.tolist(), cols.tolist(), strict=True), vals.tolist(), strict=True))
        scored = {rk: (heading.get(rk, 0.0), flow.get(rk, 0.0)) for rk in set(heading) | set(flow)}
        ok = [(rk, 0.5 * h + 0.5 * f) for rk, (h, f) in sorted(scored.items())
              if (0.5 * h + 0.5 * f >= 0.2 and old_c[rk[0]].tag == new_c[rk[1]].tag) or 0.5 * h + 0.5 * f >= 0.35]
        pairs = assignment.assign_pairs(np.array([rk[0] for rk, _ in ok], dtype=np.int64),
                                        np.array([rk[1] for rk, _ in ok], dtype=np.int64), np.array([t for _, t in ok]))
        parts = {rk: (t, *scored[rk]) for rk, t in ok}
    else:
        dense_h = tfidf.cosine(old_h, new_h)
        dense_f = np.zeros_like(dense_h)
        for (i, j), v in flow.items():
            dense_f[i, j] = v
        total = 0.5 * dense_h + 0.5 * dense_f
        same_tag = np.array([[o.tag == n.tag for n in new_c] for o in old_c])
        pairs = assignment.assign(total, (total >= 0.2) & same_tag | (total >= 0.35))
        parts = {(r, k): (total[r, k], dense_h[r, k], dense_f[r, k]) for r, k in pairs}
    out = []
    for r, k in pairs:
        t, h, f = parts[(r, k)]
        out.append(Match([old_c[r].eid], [new_c[k].eid], "matched", round(float(t), 4),
                         {"heading": round(float(h), 4), "leaves": round(float(f), 4)}))
    return out


def _leaf_flow(old_all: list[Clause], new_all: list[Clause], old_c: list[Clause], new_c: list[Clause],
               matches: list[Match]) -> dict[tuple[int, int], float]:
    """For each (old container, new container) that share leaves: how many of the old one's
    leaves went into the new one, over the geometric mean of their leaf counts. Linear: each
    matched leaf is followed up its own ancestors only."""
    def ancestors(eid: str) -> list[str]:
        # ids are paths (sec_3__para_12__point_7): every leaf counts for each of its ancestors
        parts = eid.split("__")
        return ["__".join(parts[:k]) for k in range(1, len(parts))]

    def leaf_counts(all_: list[Clause]) -> Counter[str]:
        return Counter(a for x in all_ if x.is_leaf for a in ancestors(x.eid))

    old_n, new_n = leaf_counts(old_all), leaf_counts(new_all)
    old_at = {c.eid: i for i, c in enumerate(old_c)}
    new_at = {c.eid: j for j, c in enumerate(new_c)}
    leaf_to_new = {o: m.new for m in matches for o in m.old if m.new}
    hits: Counter[tuple[int, int]] = Counter()
    for leaf in (x for x in old_all if x.is_leaf):
        went = leaf_to_new.get(leaf.eid, [])
        for oa in ancestors(leaf.eid):
            if oa not in old_at:
                continue
            for n in went:
                for na in ancestors(n):
                    if na in new_at:
                        hits[(old_at[oa], new_at[na])] += 1
    return {(i, j): v / math.sqrt(old_n[old_c[i].eid] * new_n[new_c[j].eid]) for (i, j), v in hits.items()}
