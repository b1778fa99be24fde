"""The aligner on candidate pairs (large plans): the dense judgement, in linear work and memory.

Large plans are judged over candidate pairs once the residual passes `DENSE_MAX`; here the
threshold is forced to 0 so the seeds and mid-size synthetic plans go that way too and can be
held against the dense aligner's answers (and against the known truth of mutated plans).
"""

from __future__ import annotations

import pytest
from seedlib import seed_doc
from synth import big_plan, evolve, mutate, render_plan, scores, sentence_pool

from policydiff.match import align, align_large, tfidf
from policydiff.match.compare import compare
from policydiff.read.pipeline import process

PAIRS = [("2016", "2019"), ("2019", "2020"), ("2020", "2021"), ("2019", "2021"), ("2019", "jieyang"),
         ("2021", "jieyang")]


def _both(old, new, monkeypatch):
    dense = align.align(old, new)
    monkeypatch.setattr(align_large, "DENSE_MAX", 0)
    large = align.align(old, new)
    monkeypatch.undo()
    return dense, large


def _links(al) -> set[tuple[str, str]]:
    return {(o, n) for m in al.matches for o in m.old for n in m.new}


@pytest.mark.parametrize(("old", "new"), PAIRS[:5])
def test_series_pairs_give_the_dense_links_statuses_and_containers(old, new, monkeypatch):
    dense, large = _both(seed_doc(old), seed_doc(new), monkeypatch)
    assert _links(large) == _links(dense)
    assert sorted((m.old, m.new, m.status) for m in large.matches) == sorted((m.old, m.new, m.status) for m in dense.matches)
    assert [(m.old, m.new, m.score) for m in large.containers] == [(m.old, m.new, m.score) for m in dense.containers]


def test_levels_pair_differs_by_at_most_one_link(monkeypatch):
    """2021 against the Jieyang plan: one weak dense link (sec_4__para_17 → sec_2__para_5__point_5) is not
    made, its score carried partly by common grams the candidate pairs leave out; every other
    link is the dense one."""
    dense, large = _both(seed_doc("2021"), seed_doc("jieyang"), monkeypatch)
    assert len(_links(dense) ^ _links(large)) <= 1
    assert _links(large) <= _links(dense)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_plans_with_known_answers(seed, monkeypatch):
    """The same bar as the dense aligner's synthetic suite: precision and recall >= 0.95."""
    base = seed_doc("2019")
    truth = mutate(base, seed=seed, drop=3, add=0, split=2, merge=2)
    monkeypatch.setattr(align_large, "DENSE_MAX", 0)
    precision, recall = scores(compare(base, process(truth.text)), truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


@pytest.fixture(scope="module")
def mid_size():
    """A 600-task plan drawn from the seeds' sentences and a version with half its tasks reworded."""
    pool = sentence_pool([seed_doc(k) for k in ("2016", "2019", "2021", "jieyang")])
    plan = big_plan(pool, 600, seed=7)
    return process(render_plan("甲", plan)), process(render_plan("乙", evolve(plan, seed=7, pool=pool, edit=0.5)))


def test_mid_size_plan_agrees_with_the_dense_aligner(mid_size, monkeypatch):
    dense, large = _both(*mid_size, monkeypatch)
    d, g = _links(dense), _links(large)
    assert len(d & g) / len(g) >= 0.99 and len(d & g) / len(d) >= 0.99, (len(d), len(g), len(d & g))


def test_candidates_are_bounded_and_weak_pairs_kept_out(mid_size):
    """Pairs: at most DF_MAX partners per uncommon gram; those below S_MIN are dropped once the
    background is counted; each row's runner-up is kept for its margin."""
    old = [c for c in mid_size[0].clauses() if c.is_leaf]
    new = [c for c in mid_size[1].clauses() if c.is_leaf]
    pairs = align_large.score_pairs(old, new, align._features(old, new), align.S_MIN)
    assert len(pairs.total) and (pairs.total >= align.S_MIN).all()
    grams = sum(len(set(align.shingles(c.text))) for c in old)
    assert len(pairs.total) <= grams * tfidf.DF_MAX
    assert (pairs.runner_up <= max(pairs.total)).all()
    r = int(pairs.rows[0])
    ev = align_large.evidence(pairs, r, int(pairs.cols[pairs.row(r)][0]))
    assert {"content", "heading", "anchors", "departments", "targets", "z", "rank", "margin"} <= set(ev)
