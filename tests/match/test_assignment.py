"""The global 1:1 assignment: exact on every small case, components solved apart, large ones too."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from policydiff.match import assignment


def _best(weight: np.ndarray, ok: np.ndarray) -> float:
    """Brute force: the greatest total weight of acceptable pairs, one partner each (any may stay
    unpaired)."""
    n, m = weight.shape
    best = 0.0
    for k in range(min(n, m) + 1):
        for rows in itertools.combinations(range(n), k):
            for cols in itertools.permutations(range(m), k):
                if all(ok[r, c] for r, c in zip(rows, cols, strict=True)):
                    best = max(best, sum(weight[r, c] for r, c in zip(rows, cols, strict=True)))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_optimal_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = (int(x) for x in rng.integers(1, 6, size=2))
    weight = rng.normal(0.5, 0.6, size=(n, m))  # some acceptable pairs weigh less than nothing
    ok = rng.random((n, m)) < 0.6
    pairs = assignment.assign(weight, ok)
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert all(ok[r, c] for r, c in pairs)
    assert sum(weight[r, c] for r, c in pairs) == pytest.approx(_best(weight, ok))


def test_only_acceptable_pairs_and_components_apart():
    weight = np.array([[0.9, 0.8, 0.0], [0.85, 0.1, 0.0], [0.0, 0.0, 0.3]])
    ok = np.array([[True, True, False], [True, False, False], [False, False, True]])
    # greedy would give row 0 column 0 and leave row 1 without; the assignment gives 0→1, 1→0
    assert assignment.assign(weight, ok) == [(0, 1), (1, 0), (2, 2)]
    assert assignment.assign(weight, np.zeros_like(ok)) == []


def test_a_pair_of_negative_weight_is_left_unpaired():
    assert assignment.assign(np.array([[-0.2]]), np.array([[True]])) == []


def test_large_component_goes_to_the_compiled_solver(monkeypatch):
    rng = np.random.default_rng(7)
    weight = rng.random((30, 25))
    ok = np.ones_like(weight, dtype=bool)
    local = assignment.assign(weight, ok)
    monkeypatch.setattr(assignment, "LOCAL_MAX", 10)
    compiled = assignment.assign(weight, ok)
    total = lambda ps: sum(weight[r, c] for r, c in ps)  # noqa: E731
    assert len(local) == 25 and total(local) == pytest.approx(total(compiled))


@pytest.mark.parametrize("seed", range(30))
def test_pairs_form_gives_the_dense_answer(seed, monkeypatch):
    """assign_pairs (a large comparison's candidate pairs, no matrix) picks what assign picks, and
    its sparse solver for large components reaches the same optimum."""
    rng = np.random.default_rng(100 + seed)
    n, m = (int(x) for x in rng.integers(1, 6, size=2))
    weight = rng.normal(0.5, 0.6, size=(n, m))
    ok = rng.random((n, m)) < 0.6
    rows, cols = np.nonzero(ok)
    assert assignment.assign_pairs(rows, cols, weight[rows, cols]) == assignment.assign(weight, ok)
    monkeypatch.setattr(assignment, "LOCAL_MAX", 0)  # every component to scipy's sparse solver
    pairs = assignment.assign_pairs(rows, cols, weight[rows, cols])
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert all(ok[r, c] for r, c in pairs)
    assert sum(weight[r, c] for r, c in pairs) == pytest.approx(_best(weight, ok))


def test_pairs_form_with_nothing_acceptable():
    empty = np.zeros(0, dtype=np.int64)
    assert assignment.assign_pairs(empty, empty, np.zeros(0)) == []
