"""Departments through a series: for each department, the tasks it leads and supports in each plan,
and the tasks it gained and lost from one plan to the next.

Read from the plans' responsibility lines (牵头/配合) and the series' lineages (a task is a lineage,
so a renumbered or reworded task is not counted as lost and gained). News summaries state no
responsibilities and are left out.
"""

from __future__ import annotations

from policydiff.model.document import Document
from policydiff.model.series import SeriesLineage

ROLES = ("lead", "support")


def build(docs: list[Document], lin: SeriesLineage) -> list[dict]:
    """One record per department, most tasks first:
    {"department", "years": {label: {"lead": [task], "support": [task]}},
     "changes": [{"from", "to", "gained": [task], "lost": [task]}]}
    where a task is {"clause", "num", "heading", "lineage", "role"}."""
    labels = [v.label for v in lin.versions]
    plans = [k for k, d in enumerate(docs) if d.meta.kind != "news"]
    lineage_of = {(label, eid): ln.id for ln in lin.lineages for label, eids in ln.cells.items() for eid in eids}
    #: department → version label → role → tasks
    held: dict[str, dict[str, dict[str, list[dict]]]] = {}
    for k in plans:
        label = labels[k]
        for c in docs[k].clauses():
            if not c.is_leaf:
                continue
            for role, names in (("lead", c.lead), ("support", c.support)):
                for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
                    task = {"clause": c.eid, "num": c.label or c.num, "heading": (c.heading or c.text[:30]).strip(),
                            "lineage": lineage_of.get((label, c.eid), ""), "role": role}
                    held.setdefault(name, {}).setdefault(label, {r: [] for r in ROLES})[role].append(task)
    out = []
    for name, years in held.items():
        changes = []
        for a, b in zip(plans, plans[1:], strict=False):
            la, lb = labels[a], labels[b]
            before = _by_lineage(years.get(la))
            after = _by_lineage(years.get(lb))
            gained = [t for key, t in after.items() if key not in before]
            lost = [t for key, t in before.items() if key not in after]
            if gained or lost:
                changes.append({"from": la, "to": lb, "gained": gained, "lost": lost})
        ordered = {label: years[label] for label in labels if label in years}
        out.append({"department": name, "years": ordered, "changes": changes})
    out.sort(key=lambda d: (-sum(len(t) for y in d["years"].values() for t in y.values()), d["department"]))
    return out


def _by_lineage(year: dict[str, list[dict]] | None) -> dict[tuple[str, str], dict]:
    """(lineage or clause, role) → task: what a department holds in one plan."""
    out: dict[tuple[str, str], dict] = {}
    for role in ROLES:
        for t in (year or {}).get(role, []):
            out.setdefault((t["lineage"] or t["clause"], role), t)
    return out


def compute(archive_dir: str, series: str) -> list[dict]:
    """The departments of an archived series."""
    from policydiff.errors import PolicydiffError
    from policydiff.match import lineage
    from policydiff.store.loader import series_documents

    docs = series_documents(archive_dir, series)
    if not docs:
        raise PolicydiffError(f"series {series!r} has no versions")
    return build(docs, lineage.build(series, docs))
