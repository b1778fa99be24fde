"""The aligner's judgement on large plans, over candidate pairs instead of every pair.

`align` scores every old/new pair of the clauses left after identical pairing: n × m cells, which
is fine for yearly plans (a few hundred clauses) and quadratic beyond them (two 5 MB plans
reworded throughout are 10⁸ cells per evidence matrix). Past `DENSE_MAX` cells the same
evidence is computed only for candidate pairs: pairs that share an uncommon gram of content,
heading or quoted programme names, a lead department or a target subject (`tfidf.pair_cosine`;
what half the plan says is common wording and makes no pair). Everything else is judged as in
`align`, with the pairs that make no candidate counted as zero in each clause's background, so
a row's mean and spread are those of its candidates spread over all its columns. Work and
memory are linear in the plans' shingles (bounded by `tfidf.DF_MAX`), not in n × m.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from policydiff.match import assignment, tfidf

#: residual pairs beyond which the aligner works on candidate pairs (200 × 200 clauses: the dense
#: path holds some twenty n × m matrices at once, 300 bytes a pair; yearly plans stay below it)
DENSE_MAX = 40_000


@dataclass
class Pairs:
    """Candidate pairs of a large comparison, sorted by (row, column), with their evidence."""

    rows: np.ndarray
    cols: np.ndarray
    total: np.ndarray
    parts: dict[str, np.ndarray]
    shape: tuple[int, int]
    rel: np.ndarray | None = None
    z_row: np.ndarray | None = None
    z_col: np.ndarray | None = None
    #: each row's second-best score over all its candidates (its margin's reference)
    runner_up: np.ndarray | None = None

    @property
    def keys(self) -> np.ndarray:
        return self.rows * self.shape[1] + self.cols

    def at(self, r: int, k: int) -> int:
        """Index of pair (r, k), or -1 when it is no candidate."""
        key = r * self.shape[1] + k
        i = int(np.searchsorted(self._keys, key))
        return i if i < len(self._keys) and self._keys[i] == key else -1

    def value(self, r: int, k: int, what: str = "total") -> float:
        i = self.at(r, k)
        if i < 0:
            return 0.0
        arr = self.total if what == "total" else self.parts[what]
        return float(arr[i])

    def index(self) -> None:
        """Row and column slices, for the per-clause questions of `_second` and `_evidence`."""
        self._keys = self.keys
        n, m = self.shape
        self.row_start = np.searchsorted(self.rows, np.arange(n + 1))
        self.by_col = np.argsort(self.cols, kind="stable")
        self.col_start = np.searchsorted(self.cols[self.by_col], np.arange(m + 1))

    def row(self, r: int) -> np.ndarray:
        return np.arange(self.row_start[r], self.row_start[r + 1])

    def col(self, k: int) -> np.ndarray:
        return self.by_col[self.col_start[k]:self.col_start[k + 1]]


def member_idf(old: list[set[str]], new: list[set[str]]) -> tuple[dict[str, float], Counter[str]]:
    """IDF of set members (departments, target subjects) over both sides, and their clause counts.
    The commonest member (the lead department of half the plan) says nothing: it weighs zero."""
    df: Counter[str] = Counter()
    for s in old + new:
        df.update(s)
    n = len(old) + len(new)
    raw = {k: math.log((n + 1) / (v + 1)) for k, v in df.items()}
    floor = min(raw.values(), default=0.0)
    return {k: v - floor for k, v in raw.items()}, df


def _overlap(old: list[set[str]], new: list[set[str]]):
    """`align._weighted_overlap` over the pairs that share a member held by at most DF_MAX clauses."""
    idf, df = member_idf(old, new)
    holders: dict[str, list[int]] = {}
    for j, b in enumerate(new):
        for x in b:
            holders.setdefault(x, []).append(j)
    inter: Counter[tuple[int, int]] = Counter()
    for i, a in enumerate(old):
        for x in sorted(a):
            if idf[x] > 0 and df[x] <= 2 * tfidf.DF_MAX:
                for j in holders.get(x, ()):
                    inter[(i, j)] += idf[x]
    keys = sorted(inter)
    rows = np.array([i for i, _ in keys], dtype=np.int64)
    cols = np.array([j for _, j in keys], dtype=np.int64)
    vals = np.array([inter[(i, j)] / (sum(idf[x] for x in old[i] | new[j]) or 1.0) for i, j in keys])
    return rows, cols, vals


#: products scored per range of old clauses (≈ 100 bytes each while a range is scored)
RANGE_PRODUCTS = 1 << 19


class _Evidence:
    """One kind of evidence of the candidate pairs, served by ranges of old clauses."""

    def __init__(self, a, b, kind: str, n: int) -> None:
        if kind == "cosine":
            self.pairing: tfidf.Pairing | None = tfidf.Pairing(a, b)
            self.cost = self.pairing.cost
        else:
            self.pairing = None
            self.full = _overlap(a, b)
            self.starts = np.searchsorted(self.full[0], np.arange(n + 1))
            self.cost = np.bincount(self.full[0], minlength=n).astype(float)

    def rows(self, r0: int, r1: int):
        if self.pairing is not None:
            return self.pairing.rows(r0, r1)
        lo, hi = self.starts[r0], self.starts[r1]
        return tuple(x[lo:hi] for x in self.full)


def _combine(found, weights, m: int):
    """Union of the evidences' pairs: sorted keys (row × m + col), each evidence's values, total."""
    if not any(len(r) for _, r, _c, _v in found):
        return np.zeros(0, dtype=np.int64), {name: np.zeros(0) for name, *_ in found}, np.zeros(0)
    keys, inverse = np.unique(np.concatenate([r * m + c for _, r, c, _ in found]), return_inverse=True)
    parts: dict[str, np.ndarray] = {}
    at = 0
    for name, r, _c, v in found:
        arr = np.zeros(len(keys))
        arr[inverse[at:at + len(r)]] = v
        parts[name] = arr
        at += len(r)
    return keys, parts, sum(w * parts[name] for name, w in weights)


def score_pairs(old, new, features, s_min: float) -> Pairs:
    """Candidate pairs and their combined score; `features` is `align`'s (name, weight, old, new,
    kind). Old clauses are scored a range at a time, so memory holds one range's pairs and those
    reaching `s_min` (the only ones ever accepted), once every pair has counted in the background."""
    n, m = len(old), len(new)
    sources = [(name, _Evidence(a, b, kind, n)) for name, _w, a, b, kind in features]
    weights = [(name, w) for name, w, *_ in features]
    sums = {k: np.zeros(size) for k, size in (("row", n), ("row2", n), ("col", m), ("col2", m))}
    runner_up = np.zeros(n)
    kept = []
    for r0, r1 in tfidf.blocks(sum(e.cost for _, e in sources), RANGE_PRODUCTS):
        keys, parts, total = _combine([(name, *e.rows(r0, r1)) for name, e in sources], weights, m)
        rows, cols = keys // m, keys % m
        sums["row"] += np.bincount(rows, weights=total, minlength=n)
        sums["row2"] += np.bincount(rows, weights=total * total, minlength=n)
        sums["col"] += np.bincount(cols, weights=total, minlength=m)
        sums["col2"] += np.bincount(cols, weights=total * total, minlength=m)
        runner_up[r0:r1] = _runner_up(rows - r0, total, r1 - r0)
        keep = np.flatnonzero(total >= s_min)
        kept.append((rows[keep], cols[keep], total[keep], {name: arr[keep] for name, arr in parts.items()}))
    cat = (lambda i: np.concatenate([k[i] for k in kept])) if kept else (lambda i: np.zeros(0, dtype=np.int64))
    parts = {name: np.concatenate([k[3][name] for k in kept]) if kept else np.zeros(0) for name, _ in weights}
    pairs = Pairs(cat(0), cat(1), cat(2).astype(float), parts, (n, m), runner_up=runner_up)
    pairs.rel, pairs.z_row, pairs.z_col = _relative(pairs, sums)
    pairs.index()
    return pairs


def _runner_up(rows: np.ndarray, total: np.ndarray, n: int) -> np.ndarray:
    """Each row's second-highest candidate score (0 for a row with fewer than two)."""
    out = np.zeros(n)
    if not len(total):
        return out
    order = np.lexsort((-total, rows))
    rows = rows[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    second = starts + 1
    has = (second < len(rows)) & (rows[np.minimum(second, len(rows) - 1)] == rows[starts])
    out[rows[starts[has]]] = total[order[second[has]]]
    return out


def sd_floor(candidates: int) -> float:
    """The least background spread a z-score divides by: with few candidates the spread says
    little, so it never drops below this (shared by the dense and the candidate-pair aligner)."""
    return 0.02 if candidates >= 5 else 0.05


def _relative(p: Pairs, sums: dict[str, np.ndarray]):
    """`align._relative` with every non-candidate pair counted as zero in its row and column
    (`sums`: each row's and column's sum and sum of squares over all its candidates)."""

    def z(index: np.ndarray, s: np.ndarray, ss: np.ndarray, across: int) -> np.ndarray:
        mu = s / across
        sd = np.sqrt(np.maximum(ss / across - mu * mu, 0.0))
        sd = np.maximum(sd, sd_floor(across))
        return (p.total - mu[index]) / sd[index]

    n, m = p.shape
    z_row = z(p.rows, sums["row"], sums["row2"], m)
    z_col = z(p.cols, sums["col"], sums["col2"], n)
    return np.minimum(z_row, z_col), z_row, z_col


def first_partners(p: Pairs, z_accept: float, s_min: float, s_strong: float):
    """The 1:1 pairs of one global assignment over the acceptable candidates."""
    ok = ((p.rel >= z_accept) & (p.total >= s_min)) | (p.total >= s_strong)
    first_new: dict[int, int] = {}
    first_old: dict[int, int] = {}
    for r, k in assignment.assign_pairs(p.rows[ok], p.cols[ok], (p.rel * p.total)[ok]):
        first_new[r] = k
        first_old[k] = r
    return first_new, first_old


def evidence(p: Pairs, r: int, k: int) -> dict:
    """`align._evidence`'s numbers for pair (r, k): parts, z, rank and margin within its row."""
    i = p.at(r, k)  # a first partner: always a kept pair
    line = np.sort(p.total[p.row(r)])[::-1]
    here = float(p.total[i])
    ev = {name: round(float(arr[i]), 4) for name, arr in p.parts.items()}
    ev["z"] = round(float(p.rel[i]), 2)
    ev["rank"] = int((line > here).sum()) + 1  # every pair above it reaches s_min: all kept
    ev["margin"] = round(here - float(p.runner_up[r]), 4)
    return ev


@dataclass(frozen=True)
class Limits:
    """`align`'s thresholds, passed down so both paths judge alike."""

    s_min: float
    z_accept: float
    split_share: float
    contained: float


def seconds(p: Pairs, first_new: dict[int, int], first_old: dict[int, int], contained, limits: Limits,
            *, one_to_many: bool, many_to_one: bool):
    """Second partners (split pieces and merged clauses), as `align._align_leaves` finds them.

    `contained(r, k)` is the share of clause k's (new) or r's (old) words inside the other;
    candidates are tried in the order the dense path tries partners, so ties break alike.
    """
    row_order = {r: i for i, r in enumerate(first_new)}
    col_order = {k: i for i, k in enumerate(first_old)}
    extra_new: dict[int, list[int]] = {}
    extra_old: dict[int, list[int]] = {}
    for k in range(p.shape[1]):
        if k in first_old:
            continue
        idx = sorted((i for i in p.col(k) if int(p.rows[i]) in row_order), key=lambda i: row_order[int(p.rows[i])])
        r = _pick(p, idx, p.rows, p.z_col, lambda b: p.value(b, first_new[b]),
                  lambda b, k=k: contained(b, k, "new"), limits, loose=one_to_many)
        if r is not None:
            extra_new.setdefault(r, []).append(k)
    for r in range(p.shape[0]):
        if r in first_new:
            continue
        idx = sorted((i for i in p.row(r) if int(p.cols[i]) in col_order), key=lambda i: col_order[int(p.cols[i])])
        k = _pick(p, idx, p.cols, p.z_row, lambda b: p.value(first_old[b], b),
                  lambda b, r=r: contained(r, b, "old"), limits, loose=many_to_one)
        if k is not None and not extra_new.get(first_old[k]):  # split or merged, not both
            extra_old.setdefault(k, []).append(r)
    return extra_new, extra_old


def _pick(p: Pairs, idx: list[int], other: np.ndarray, piece_z: np.ndarray, own_first, contained,
          limits: Limits, *, loose: bool) -> int | None:
    """`align._second` over one clause's candidate pairs with already-matched partners."""
    if not idx:
        return None
    best = max(idx, key=lambda i: p.total[i])
    b = int(other[best])
    if p.total[best] >= limits.s_min and p.rel[best] >= limits.z_accept and (
            loose or p.total[best] >= limits.split_share * own_first(b)):
        return b
    near = [int(other[i]) for i in idx if p.total[i] >= limits.s_min and piece_z[i] >= limits.z_accept / 2]
    inside = max(near, key=contained, default=None)
    if inside is not None and contained(inside) >= limits.contained:
        return inside
    return None
