"""The model as pandas DataFrames: `Comparison.to_frame()`, `Comparison.targets_frame()`,
`SeriesLineage.to_frame()`.

pandas is an optional extra (`pip install 'policydiff[pandas]'`) and is imported only when a frame
is asked for. Columns are fixed (the lists below are the documented contract) and every cell is a
plain Python value: text, int, float, bool or None (numbers exact where they are integers).
"""

from __future__ import annotations

from typing import Any

from policydiff.errors import MissingDependency
from policydiff.model.document import Target, json_number

#: the model classes call these functions (Comparison.to_frame …), never the other way round: the
#: names below are for reading only (importing them would make a cycle)
Comparison = Any
SeriesLineage = Any

#: Comparison.to_frame(): one row per clause match, in the new document's order
CLAUSE_COLUMNS: tuple[str, ...] = (
    "status", "old_clause", "new_clause", "old_num", "new_num", "old_heading", "new_heading", "score",
    "modified", "changed_share", "section", "section_heading", "old_text", "new_text",
)  # fmt: skip
#: Comparison.targets_frame(): one row per target change
TARGET_COLUMNS: tuple[str, ...] = (
    "change", "reason", "subject", "metric", "old_clause", "new_clause",
    "old_comparator", "old_value", "old_unit", "old_deadline", "old_text",
    "new_comparator", "new_value", "new_unit", "new_deadline", "new_text",
)  # fmt: skip
#: SeriesLineage.to_frame(): one row per clause of a lineage in a version (long form)
LINEAGE_COLUMNS: tuple[str, ...] = ("lineage", "heading", "version", "year", "ref", "clause", "number")


def pandas() -> Any:
    """The pandas module, or MissingDependency saying how to install it."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependency("pandas is needed for DataFrames: pip install 'policydiff[pandas]'") from None
    return pd


def clause_frame(cmp: Comparison) -> Any:
    rows = [{
        "status": m.status.value, "old_clause": " ".join(m.old), "new_clause": " ".join(m.new),
        "old_num": m.old_num, "new_num": m.new_num, "old_heading": m.old_heading, "new_heading": m.new_heading,
        "score": float(m.score), "modified": m.modified, "changed_share": m.changed_share,
        "section": m.section, "section_heading": m.section_heading, "old_text": m.old_text, "new_text": m.new_text,
    } for m in cmp.matches]
    return pandas().DataFrame(rows, columns=list(CLAUSE_COLUMNS))


def _side(prefix: str, t: Target | None) -> dict[str, object]:
    if t is None:
        return {f"{prefix}_comparator": None, f"{prefix}_value": None, f"{prefix}_unit": None,
                f"{prefix}_deadline": None, f"{prefix}_text": None}
    return {f"{prefix}_comparator": t.comparator, f"{prefix}_value": json_number(t.value), f"{prefix}_unit": t.unit,
            f"{prefix}_deadline": t.deadline or None, f"{prefix}_text": t.text}


def target_frame(cmp: Comparison) -> Any:
    rows = []
    for tc in cmp.targets:
        named = tc.new or tc.old
        rows.append({"change": tc.change.value, "reason": tc.reason.text,
                     "subject": named.subject if named else "", "metric": named.metric if named else "",
                     "old_clause": tc.old_clause, "new_clause": tc.new_clause,
                     **_side("old", tc.old), **_side("new", tc.new)})
    return pandas().DataFrame(rows, columns=list(TARGET_COLUMNS))


def lineage_frame(lin: SeriesLineage) -> Any:
    versions = {v.label: v for v in lin.versions}
    rows = []
    for ln in lin.lineages:
        for label, v in versions.items():
            for eid in ln.cells.get(label, []):
                rows.append({"lineage": ln.id, "heading": ln.heading, "version": label, "year": v.year,
                             "ref": v.ref, "clause": eid, "number": lin.numbers.get(label, {}).get(eid, "")})
    return pandas().DataFrame(rows, columns=list(LINEAGE_COLUMNS))
