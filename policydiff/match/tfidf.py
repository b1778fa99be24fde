"""TF-IDF cosine of old/new pairs of clauses, over character shingles, in numpy alone.

The IDF is that of the two documents being compared (their own background). The product of the
two sparse weight matrices is computed through the grams they share: for each gram, every old
clause holding it meets every new clause holding it. That is the work a sparse matrix product
does (the sum over grams of old × new postings), done here in bounded blocks, and without
importing scipy.sparse, which costs more at start-up than comparing two yearly plans.

`cosine` fills the dense n × m matrix (plans of a few hundred clauses); `pair_cosine` returns
only the pairs that share an uncommon gram, for large plans, with work and memory bounded by
`DF_MAX` × the shingles of one side.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np

#: pairwise products accumulated per block of `cosine` (≈ 24 bytes each while a block is built)
BLOCK = 1 << 20
#: in a large plan, a gram held by more clauses than this on either side makes no candidate pair:
#: it is the plan's common wording (政务、服务、推进), of the lowest IDF, and pairing every clause
#: that holds it is what makes the full product quadratic
DF_MAX = 32
#: pairwise products per block of `pair_cosine` (≈ 40 bytes each while a block is built)
PAIR_BLOCK = 1 << 16


#: shingle occurrences read before they are counted into entries (bounds the reading's memory)
CHUNK = 1 << 18


def _entries(docs: Iterable[list[str]], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, gram, count) of each distinct gram of each clause, sorted by row then gram.

    New grams get the next id (first-seen order, so ids and every sum over them are the same
    whatever the hash seed). `docs` may make each clause's shingles as it goes: their ids are
    counted a chunk of whole clauses at a time, so no string or occurrence list of the whole
    plan is ever held.
    """
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    ids, lengths = array("q"), array("q")
    first = 0  # row of the chunk's first clause

    def flush() -> None:
        rows = np.repeat(np.arange(first, first + len(lengths), dtype=np.int64), np.frombuffer(lengths, dtype=np.int64))
        cells, tf = np.unique((rows << 32) | np.frombuffer(ids, dtype=np.int64), return_counts=True)
        parts.append(((cells >> 32).astype(np.int32), (cells & 0xFFFFFFFF).astype(np.int32), tf.astype(np.int32)))

    for d in docs:
        for g in dict.fromkeys(d):  # the clause's distinct grams, first seen first
            if g not in vocab:
                vocab[g] = len(vocab)
        ids.extend(map(vocab.__getitem__, d))
        lengths.append(len(d))
        if len(ids) >= CHUNK:
            flush()
            first += len(lengths)
            ids, lengths = array("q"), array("q")
    flush()
    return tuple(np.concatenate([x[k] for x in parts]) for k in range(3))  # type: ignore[return-value]


@dataclass
class _Side:
    """One side's L2-normalized sublinear TF-IDF entries, sorted by gram, and per gram its
    number of clauses (df) and where its entries start."""

    row: np.ndarray
    col: np.ndarray
    val: np.ndarray
    df: np.ndarray
    start: np.ndarray


def _sides(old: Collection[list[str]], new: Collection[list[str]], df_max: int | None = None) -> tuple[_Side, _Side]:
    """Both sides' entries; with `df_max`, only those of grams at most df_max clauses of each side
    hold (their weights and norms still those of every gram)."""
    vocab: dict[str, int] = {}
    raw = [_entries(old, vocab), _entries(new, vocab)]
    size = max(len(vocab), 1)
    dfs = [np.bincount(col, minlength=size) for _row, col, _tf in raw]
    # document frequency: in how many clauses of either side each gram occurs
    idf = np.log((len(old) + len(new) + 1) / (dfs[0] + dfs[1] + 1)) + 1.0
    kept = None if df_max is None else (dfs[0] <= df_max) & (dfs[1] <= df_max)
    out = []
    for (row, col, tf), df in zip(raw, dfs, strict=True):
        w = (1 + np.log(tf)) * idf[col]
        norm = np.sqrt(np.bincount(row, weights=w * w))
        norm[norm == 0] = 1.0
        val = w / norm[row]
        if kept is not None:
            sel = kept[col]
            row, col, val = row[sel], col[sel], val[sel]
            df = np.bincount(col, minlength=size)
        order = np.argsort(col, kind="stable")
        out.append(_Side(row[order], col[order], val[order], df, np.concatenate(([0], np.cumsum(df)[:-1]))))
    return out[0], out[1]


def blocks(pairs: np.ndarray, block: int):
    """Bounds [lo, hi) of consecutive entries whose products fit in one block (at least one)."""
    ends = np.cumsum(pairs)
    lo = 0
    while lo < len(pairs):
        hi = max(int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + block, side="right")), lo + 1)
        yield lo, hi
        lo = hi


def _products(o: _Side, n: _Side, idx: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(cell, product) of old entries `idx` with every new entry of the same gram."""
    pairs = n.df[o.col[idx]]
    total = int(pairs.sum())
    which = np.repeat(idx, pairs)
    offset = np.arange(total) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    partner = n.start[o.col[which]] + offset
    return o.row[which].astype(np.int64) * width + n.row[partner], o.val[which] * n.val[partner]


def cosine(old: Collection[list[str]], new: Collection[list[str]]) -> np.ndarray:
    """len(old) × len(new) cosine similarities of the clauses' shingle lists."""
    out = np.zeros((len(old), len(new)))
    if not old or not new:
        return out
    o, n = _sides(old, new)
    flat = out.reshape(-1)
    for lo, hi in blocks(n.df[o.col], BLOCK):
        cells, products = _products(o, n, np.arange(lo, hi), len(new))
        if len(cells):
            flat += np.bincount(cells, weights=products, minlength=flat.size)
    return out


class Pairing:
    """One evidence's candidate pairs of a large comparison, made for a range of old clauses at a
    time: the pairs sharing a gram that at most `df_max` clauses hold on each side, with their
    cosine summed over those grams.

    Weights and norms are those of `cosine` (every gram counts in the norm), so a pair's value is
    the part of its full cosine its uncommon grams carry. `cost[r]` is how many products old
    clause r makes, so a caller can cut the rows into ranges of bounded work and memory.
    """

    def __init__(self, old: Collection[list[str]], new: Collection[list[str]], df_max: int = DF_MAX) -> None:
        self.width = len(new)
        self.cost = np.zeros(len(old))
        self.sel = np.zeros(0, dtype=np.int64)
        self.starts = np.zeros(len(old) + 1, dtype=np.int64)
        if not old or not new:
            return
        self.o, self.n = _sides(old, new, df_max)  # the entries of uncommon grams only
        o, n = self.o, self.n
        self.sel = np.argsort(o.row, kind="stable")  # the old entries by clause
        self.starts = np.searchsorted(o.row[self.sel], np.arange(len(old) + 1))
        self.cost = np.bincount(o.row[self.sel], weights=n.df[o.col[self.sel]], minlength=len(old))

    def rows(self, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(old rows, new cols, values) of the pairs of old clauses r0 … r1 − 1, sorted."""
        empty = np.zeros(0, dtype=np.int64)
        sel = self.sel[self.starts[r0]:self.starts[r1]]
        cells_parts, vals_parts = [], []
        for lo, hi in blocks(self.n.df[self.o.col[sel]], PAIR_BLOCK) if len(sel) else ():
            cells, products = _products(self.o, self.n, sel[lo:hi], self.width)
            if len(cells):
                cells, inverse = np.unique(cells, return_inverse=True)
                cells_parts.append(cells)
                vals_parts.append(np.bincount(inverse, weights=products))
        if not cells_parts:
            return empty, empty, np.zeros(0)
        cells, inverse = np.unique(np.concatenate(cells_parts), return_inverse=True)
        vals = np.bincount(inverse, weights=np.concatenate(vals_parts))
        return cells // self.width, cells % self.width, vals


def pair_cosine(old: Collection[list[str]], new: Collection[list[str]], df_max: int = DF_MAX):
    """Every candidate pair of `Pairing` at once: (old rows, new cols, cosines)."""
    return Pairing(old, new, df_max).rows(0, len(old))
