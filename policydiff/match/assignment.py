"""The 1:1 pairs of one global assignment: the set of acceptable pairs of greatest total weight.

Only acceptable pairs carry weight, so the problem falls apart into the connected components of
the graph of acceptable pairs: no pair outside a component can change what is best inside it.
On yearly plans the components are small (the largest of the bundled series holds 14 clauses),
so each is solved exactly here, by shortest augmenting paths with potentials (the Hungarian
method in the Jonker–Volgenant form), vectorized over columns. A component larger than
`LOCAL_MAX` (a plan of near-identical template clauses) goes to scipy's compiled solver of the
same problem, imported only then, since importing it costs more than a whole comparison.

Each component is padded with a zero-weight partner for every clause, so a clause may stay
unpaired rather than take a pair of negative weight: as in the full rectangular problem, where
a clause always has unrelated clauses of zero weight to fall back on.
"""

from __future__ import annotations

import numpy as np

#: components up to this many rows + columns are solved in numpy (O(k³) time, k² memory)
LOCAL_MAX = 400


def _components(ok: np.ndarray) -> list[tuple[list[int], list[int]]]:
    """(rows, columns) of each connected component with at least one acceptable pair."""
    n, m = ok.shape
    parent = list(range(n + m))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, c in zip(*np.nonzero(ok), strict=True):
        a, b = root(int(r)), root(n + int(c))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, tuple[set[int], set[int]]] = {}
    for r, c in zip(*np.nonzero(ok), strict=True):
        rows, cols = groups.setdefault(root(int(r)), (set(), set()))
        rows.add(int(r))
        cols.add(int(c))
    return [(sorted(rs), sorted(cs)) for rs, cs in groups.values()]


def _min_cost(cost: np.ndarray) -> np.ndarray:
    """For a cost matrix with no more rows than columns, the column of each row in the cheapest
    assignment of every row (shortest augmenting paths; u, v are the dual potentials)."""
    n, m = cost.shape
    u, v = np.zeros(n + 1), np.zeros(m + 1)
    owner = np.zeros(m + 1, dtype=np.int64)  # owner[j]: the row (1-based) holding column j, 0 none
    way = np.zeros(m + 1, dtype=np.int64)
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        dist = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = owner[j0]
            free = ~used
            free[0] = False
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            better = free[1:] & (reduced < dist[1:])
            dist[1:][better] = reduced[better]
            way[1:][better] = j0
            j1 = int(np.argmin(np.where(free, dist, np.inf)))
            delta = dist[j1]
            u[owner[used]] += delta
            v[used] -= delta
            dist[free] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:  # flip the augmenting path
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    col_of = np.zeros(n, dtype=np.int64)
    for j in range(1, m + 1):
        if owner[j]:
            col_of[owner[j] - 1] = j - 1
    return col_of


def _solve(weight: np.ndarray) -> list[tuple[int, int]]:
    """Greatest-weight pairs of one component's weight matrix (zero-weight partners added)."""
    n, m = weight.shape
    padded = np.zeros((n, m + n))
    padded[:, :m] = -weight
    if n + m > LOCAL_MAX:
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(padded)
        return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if c < m]
    cols = _min_cost(padded)
    return [(r, int(c)) for r, c in enumerate(cols) if c < m]


def assign(weight: np.ndarray, ok: np.ndarray) -> list[tuple[int, int]]:
    """The acceptable (row, column) pairs of greatest total weight, one partner each, row order."""
    out: list[tuple[int, int]] = []
    for rows, cols in _components(ok):
        sub = np.where(ok[np.ix_(rows, cols)], weight[np.ix_(rows, cols)], 0.0)
        if len(rows) > len(cols):
            pairs = [(rows[r], cols[c]) for c, r in _solve(sub.T)]
        else:
            pairs = [(rows[r], cols[c]) for r, c in _solve(sub)]
        out += [(r, c) for r, c in pairs if ok[r, c]]
    return sorted(out)


def assign_pairs(rows: np.ndarray, cols: np.ndarray, weight: np.ndarray) -> list[tuple[int, int]]:
    """`assign` for a large comparison given as its acceptable pairs alone (no dense matrix).

    The same components; a small one is solved here as in `assign`, a large one by scipy's sparse
    solver over its pairs, each row given a zero-weight partner of its own so it may stay unpaired.
    """
    weight_of = {(int(r), int(c)): float(w) for r, c, w in zip(rows, cols, weight, strict=True)}
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, c in weight_of:
        a, b = root(("r", r)), root(("c", c))
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for r, c in weight_of:
        groups.setdefault(root(("r", r)), []).append((r, c))
    out: list[tuple[int, int]] = []
    for edges in groups.values():
        rs = sorted({r for r, _ in edges})
        cs = sorted({c for _, c in edges})
        if len(rs) + len(cs) <= LOCAL_MAX:
            sub = np.zeros((len(rs), len(cs)))
            ok = np.zeros((len(rs), len(cs)), dtype=bool)
            ri, ci = {r: i for i, r in enumerate(rs)}, {c: j for j, c in enumerate(cs)}
            for r, c in edges:
                sub[ri[r], ci[c]], ok[ri[r], ci[c]] = weight_of[(r, c)], True
            out += [(rs[r], cs[c]) for r, c in assign(sub, ok)]
        else:
            out += _solve_sparse(rs, cs, edges, weight_of)
    return sorted(out)


def _solve_sparse(rs: list[int], cs: list[int], edges, weight_of) -> list[tuple[int, int]]:
    """Greatest-weight pairs of one large component, by scipy's sparse minimum-cost matching.

    Costs are shifted to stay positive (an explicit zero would be no edge): a real pair costs
    top − w + 1 and a row's own dummy partner top + 1, so the cheapest full matching of the rows
    is the heaviest set of real pairs.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    ri, ci = {r: i for i, r in enumerate(rs)}, {c: j for j, c in enumerate(cs)}
    top = max(0.0, max(weight_of[e] for e in edges))
    n, m = len(rs), len(cs)
    row_idx = [ri[r] for r, _ in edges] + list(range(n))
    col_idx = [ci[c] for _, c in edges] + [m + i for i in range(n)]
    cost = [top - weight_of[e] + 1.0 for e in edges] + [top + 1.0] * n
    graph = csr_matrix((cost, (row_idx, col_idx)), shape=(n, m + n))
    _rows, cols = min_weight_full_bipartite_matching(graph)
    return [(rs[i], cs[int(j)]) for i, j in enumerate(cols) if j < m and weight_of[(rs[i], cs[int(j)])] > 0]
