"""TF-IDF cosine in numpy: equal to the textbook formula, and the same in small blocks."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from policydiff.match import tfidf
from policydiff.match.tokens import shingles

OLD = ["推进政务服务一网通办", "建设粤省事移动政务服务平台", "", "完善省市县三级政务服务体系"]
NEW = ["建设粤省事平台，注册用户超过5000万", "推进政务服务一网通办，提升网上可办率", "加强数据安全"]


def _reference(old: list[list[str]], new: list[list[str]]) -> np.ndarray:
    docs = old + new
    df = Counter(g for d in docs for g in set(d))
    idf = {g: math.log((len(docs) + 1) / (v + 1)) + 1 for g, v in df.items()}

    def vec(d):
        w = {g: (1 + math.log(c)) * idf[g] for g, c in Counter(d).items()}
        norm = math.sqrt(sum(x * x for x in w.values())) or 1.0
        return {g: x / norm for g, x in w.items()}

    vo, vn = [vec(d) for d in old], [vec(d) for d in new]
    return np.array([[sum(a[g] * b.get(g, 0.0) for g in a) for b in vn] for a in vo])


def test_equals_the_textbook_formula():
    old, new = [shingles(t) for t in OLD], [shingles(t) for t in NEW]
    got = tfidf.cosine(old, new)
    assert got.shape == (4, 3)
    assert np.allclose(got, _reference(old, new))
    assert got[0, 1] > got[0, 0] and got[1, 0] > got[1, 2]  # the right partners stand out
    assert not got[2].any()  # a clause without words scores nothing


def test_blocks_change_nothing(monkeypatch):
    old, new = [shingles(t) for t in OLD * 5], [shingles(t) for t in NEW * 5]
    whole = tfidf.cosine(old, new)
    monkeypatch.setattr(tfidf, "BLOCK", 7)
    assert np.allclose(tfidf.cosine(old, new), whole)


@pytest.mark.parametrize(("old", "new"), [([], [["a"]]), ([["a"]], []), ([[]], [[]])])
def test_empty_sides(old, new):
    assert tfidf.cosine(old, new).shape == (len(old), len(new))


def test_pair_cosine_is_the_dense_cosine_when_nothing_is_common():
    """With no gram left out, the pairs are exactly the non-zero cells of `cosine`."""
    old, new = [shingles(t) for t in OLD], [shingles(t) for t in NEW]
    dense = tfidf.cosine(old, new)
    rows, cols, vals = tfidf.pair_cosine(old, new, df_max=10**9)
    sparse = np.zeros_like(dense)
    sparse[rows, cols] = vals
    assert np.allclose(sparse, dense, atol=1e-12)
    assert len(vals) == int((dense > 0).sum())


def test_pair_cosine_leaves_out_common_grams_only():
    """A gram held by more than df_max clauses of a side makes no pair; the pairs that remain keep
    the weights and norms of the full cosine, so they are the part their rarer grams carry."""
    common = [["政务", "服务", f"事项{i}"] for i in range(6)]
    new = [["政务", "服务", "事项3"], ["政务", "服务"]]
    rows, cols, vals = tfidf.pair_cosine(common, new, df_max=2)
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == [(3, 0)]  # only the rare gram pairs
    dense = tfidf.cosine(common, new)
    assert 0 < vals[0] < dense[3, 0]


def test_pair_cosine_work_is_bounded_by_df_max():
    """However alike the plans, the pairs stay within df_max partners per uncommon gram occurrence."""
    old = [["政务", "服务", f"甲{i % 50}", f"乙{i % 7}"] for i in range(400)]
    new = [["政务", "服务", f"甲{i % 50}"] for i in range(400)]
    rows, cols, vals = tfidf.pair_cosine(old, new)
    grams_kept = sum(1 for d in old for g in d if g.startswith("甲"))  # 甲k: 8 clauses a side
    assert len(vals) <= grams_kept * tfidf.DF_MAX
    assert len(vals) == 400 * 8  # each old clause meets the 8 new clauses of its 甲k
