"""search and track read a query as the Simplified text holds it: Traditional, full-width Latin
letters and mirror pinyin find what the plain query finds (one text normalizer: read/text.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policydiff.match.trajectory import split_query
from policydiff.store.search import search

ARCHIVE = str(Path(__file__).resolve().parents[2] / "docs_archive")


def _hits(query):
    return [(h.series, h.year, h.clause) for h in search(ARCHIVE, query)]


@pytest.mark.parametrize(("variant", "plain"), [("不動產登記", "不动产登记"), ("ＢＩＭ", "BIM"),
                                                 ("關(guān)於數據", "关于数据")])
def test_variants_of_a_query_find_the_same_clauses(variant, plain):
    assert _hits(variant) == _hits(plain)


def test_track_queries_are_normalized():
    assert split_query("粵省事　實名") == ["粤省事", "实名"]
