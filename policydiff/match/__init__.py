"""Matching: pure functions of `Document`s (align, compare, lineage, trajectories)."""
