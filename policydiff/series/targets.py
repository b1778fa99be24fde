"""The target table across a series: one row per target identity, one column per version, the
change between columns. Built from the trajectories (`policydiff.match.trajectory`), never
recomputed by renderers: the report's index.html, target_table.csv and `targets SERIES --table`
all read this."""

from __future__ import annotations

from policydiff.errors import PolicydiffError
from policydiff.model.document import Document
from policydiff.model.series import TargetRow, TargetTable, Trajectory


def version_labels(docs: list[Document]) -> list[str]:
    """2019, 2020, 2021 (a second version of one year is 2021#2), as the lineage labels them."""
    seen: dict[str, int] = {}
    out = []
    for d in docs:
        base = str(d.meta.year or "?")
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return out


def target_table(series: str, versions: list[str], trajectories: list[Trajectory], *,
                 single: bool = True) -> TargetTable:
    """Rows in trajectory order (the longest first); `single=False` leaves out targets stated in
    one version only."""
    rows = []
    for t in trajectories:
        if not single and len(t.points) < 2:
            continue
        cells = [None] * len(versions)
        changes = [""] * len(versions)
        reasons = [""] * len(versions)
        for p in t.points:
            cells[p.version] = p
        for step, p in zip(t.changes, t.points[1:], strict=False):
            changes[p.version] = step["change"]
            reasons[p.version] = step["reason"]
        rows.append(TargetRow(t.subject, t.metric, cells, changes, reasons))
    return TargetTable(series, list(versions), rows)


def for_series(archive_dir: str, series: str) -> TargetTable:
    """Load every version of a series and chain its targets (no lineage needed)."""
    from policydiff.match.trajectory import trajectories
    from policydiff.store.loader import series_documents

    docs = series_documents(archive_dir, series)
    if not docs:
        raise PolicydiffError(f"series {series!r} has no versions")
    return target_table(series, version_labels(docs), trajectories(docs))
