"""TF-IDF cosine of every old/new pair of clauses, over character shingles, in numpy alone.

The IDF is that of the two documents being compared (their own background). The product of the
two sparse weight matrices is computed through the grams they share: for each gram, every old
clause holding it meets every new clause holding it. That is the work a sparse matrix product
does (the sum over grams of old × new postings), done here in bounded blocks so memory stays
near `BLOCK` products whatever the plans' size, and without importing scipy.sparse, which costs
more at start-up than comparing two yearly plans.
"""

from __future__ import annotations

import numpy as np

#: pairwise products accumulated per block (≈ 24 bytes each while a block is built)
BLOCK = 1 << 20


def _ids(docs: list[list[str]], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row, gram id) of every shingle occurrence; new grams get the next id (first-seen order,
    so ids and every sum over them are the same whatever the hash seed)."""
    ids = [vocab.setdefault(g, len(vocab)) for d in docs for g in d]
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), [len(d) for d in docs])
    return rows, np.array(ids, dtype=np.int64)


def _weights(rows: np.ndarray, ids: np.ndarray, idf: np.ndarray, size: int) -> tuple:
    """(row, gram, weight) of each clause's L2-normalized sublinear TF-IDF, sorted by gram."""
    cells, tf = np.unique(rows * size + ids, return_counts=True)
    row, col = cells // size, cells % size
    w = (1 + np.log(tf)) * idf[col]
    norm = np.sqrt(np.bincount(row, weights=w * w))
    norm[norm == 0] = 1.0
    order = np.argsort(col, kind="stable")
    return row[order], col[order], (w / norm[row])[order]


def cosine(old: list[list[str]], new: list[list[str]]) -> np.ndarray:
    """len(old) × len(new) cosine similarities of the clauses' shingle lists."""
    out = np.zeros((len(old), len(new)))
    if not old or not new:
        return out
    vocab: dict[str, int] = {}
    old_rows, old_ids = _ids(old, vocab)
    new_rows, new_ids = _ids(new, vocab)
    size = max(len(vocab), 1)
    # document frequency: in how many clauses of either side each gram occurs
    df = (np.bincount(np.unique(old_rows * size + old_ids) % size, minlength=size)
          + np.bincount(np.unique(new_rows * size + new_ids) % size, minlength=size))
    idf = np.log((len(old) + len(new) + 1) / (df + 1)) + 1.0
    o_row, o_col, o_val = _weights(old_rows, old_ids, idf, size)
    n_row, n_col, n_val = _weights(new_rows, new_ids, idf, size)
    n_count = np.bincount(n_col, minlength=size)
    n_start = np.concatenate(([0], np.cumsum(n_count)[:-1]))
    pairs = n_count[o_col]  # how many new entries each old entry meets
    flat = out.reshape(-1)
    ends = np.cumsum(pairs)
    lo = 0
    while lo < len(o_col):
        # the old entries whose products fit in one block (always at least one entry)
        hi = max(int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + BLOCK, side="right")), lo + 1)
        _accumulate(flat, len(new), o_row[lo:hi], o_col[lo:hi], o_val[lo:hi], pairs[lo:hi],
                    n_start, n_row, n_val)
        lo = hi
    return out


def _accumulate(flat, width, o_row, o_col, o_val, pairs, n_start, n_row, n_val) -> None:
    """Add the products of these old entries with every new entry of the same gram into `flat`."""
    total = int(pairs.sum())
    if not total:
        return
    which = np.repeat(np.arange(len(o_col)), pairs)
    offset = np.arange(total) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    partner = n_start[o_col[which]] + offset
    cells = o_row[which] * width + n_row[partner]
    flat += np.bincount(cells, weights=o_val[which] * n_val[partner], minlength=flat.size)
