"""Chains of linked items across versions (a disjoint-set forest), shared by lineages and trajectories."""

from __future__ import annotations

from collections.abc import Hashable, Iterable


class Chains:
    """Items joined by links; each chain is named by its smallest item, so results are deterministic."""

    def __init__(self, items: Iterable[Hashable]):
        self._parent = {x: x for x in items}

    def root(self, x: Hashable) -> Hashable:
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving keeps later look-ups short
            x = parent[x]
        return x

    def link(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)
