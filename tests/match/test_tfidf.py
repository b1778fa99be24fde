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
