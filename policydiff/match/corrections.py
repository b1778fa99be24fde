"""Replaying a researcher's corrections on an alignment.

`link OLD NEW` makes OLD and NEW one match whatever the scores said (each leaves the match it was
in); `unlink OLD NEW` takes NEW out of OLD's match (OLD dropped and NEW added if nothing else holds
them). The matches a correction made or broke carry evidence {"corrected": true, "correction":
why, "correction_id": id}, so every output can say "corrected by hand".
"""

from __future__ import annotations

from policydiff.errors import UsageProblem
from policydiff.model.corrections import Correction, between
from policydiff.model.document import Clause, Document

Group = tuple[list[int], list[int], float, dict]


def version_of(doc: Document) -> str:
    """SERIES@YEAR of a document, as corrections name it."""
    return f"{doc.meta.series}@{doc.meta.year}"


def resolve(clauses: list[Clause], clause: str) -> int | None:
    """The index of a leaf clause named by its eId or by the number a reader cites (（十二）7.)."""
    for by in ("eid", "label", "num"):
        hits = [i for i, c in enumerate(clauses) if getattr(c, by) == clause]
        if len(hits) == 1:
            return hits[0]
    return None


def check_names(doc: Document, clause: str) -> str:
    """The eId a correction's clause names in `doc`, or a UsageProblem saying it does not exist."""
    leaves = [c for c in doc.clauses() if c.is_leaf]
    i = resolve(leaves, clause)
    if i is None:
        raise UsageProblem(f"no task {clause!r} in {version_of(doc)} (give an eId from `policydiff normalize`, "
                           f"or the number as the report cites it, e.g. {leaves[0].label or leaves[0].eid!r})"
                           if leaves else f"{version_of(doc)} has no tasks")
    return leaves[i].eid


def for_pair(old_doc: Document, new_doc: Document) -> list[Correction]:
    """The corrections in force that name this old version and this new one."""
    return between(old_doc.corrections, version_of(old_doc), version_of(new_doc))


def apply(groups: list[Group], old: list[Clause], new: list[Clause],
          fixes: list[Correction]) -> tuple[list[Group], list[tuple[int, int, Correction]]]:
    """Groups with the corrections replayed, in log order; and the (old, new) pairs unlinked."""
    groups = [(list(o), list(n), s, dict(e)) for o, n, s, e in groups]
    unlinked: list[tuple[int, int, Correction]] = []
    for fix in fixes:
        i, j = resolve(old, fix.old_ref.clause), resolve(new, fix.new_ref.clause)
        if i is None or j is None:
            continue  # the clause is not a leaf of this version (a later normalizer split it): skipped
        if fix.op == "link":
            groups = _link(groups, i, j, fix)
        else:
            groups = _unlink(groups, i, j)
            unlinked.append((i, j, fix))
    return groups, unlinked


def _link(groups: list[Group], i: int, j: int, fix: Correction) -> list[Group]:
    """OLD i continues in NEW j: it joins NEW's match (a merge), or NEW joins OLD's (a split), or
    the two make a match of their own. A wrong match is mended by an unlink, then a link."""
    at_new = next((k for k, g in enumerate(groups) if j in g[1]), None)
    at_old = next((k for k, g in enumerate(groups) if i in g[0]), None)
    if at_new is not None and at_new == at_old:
        _mark(groups[at_new][3], fix)
        return groups
    if at_new is not None:
        if at_old is not None:  # OLD leaves the match it was wrongly in
            o, n, s, e = groups[at_old]
            groups[at_old] = (_without(o, i), n, s, e)
        o, n, s, e = groups[at_new]
        groups[at_new] = (sorted([*o, i]), n, s, _mark(e, fix))
    elif at_old is not None:
        o, n, s, e = groups[at_old]
        groups[at_old] = (o, sorted([*n, j]), s, _mark(e, fix))
    else:
        groups.append(([i], [j], 1.0, _mark({}, fix)))
    return [g for g in groups if g[0] and g[1]]


def _without(items: list[int], x: int) -> list[int]:
    return [y for y in items if y != x]


def _unlink(groups: list[Group], i: int, j: int) -> list[Group]:
    out: list[Group] = []
    for o, n, s, e in groups:
        if i in o and j in n:
            o2, n2 = (o, _without(n, j)) if len(n) > 1 else (_without(o, i), n)
            if o2 and n2:
                out.append((o2, n2, s, e))
            continue
        out.append((o, n, s, e))
    return out


def _mark(evidence: dict, fix: Correction) -> dict:
    evidence.update({"corrected": True, "correction": fix.why or f"{fix.op} by hand", "correction_id": fix.id})
    return evidence


def mark_unlinked(matches: list, old: list[Clause], new: list[Clause],
                  unlinked: list[tuple[int, int, Correction]]) -> None:
    """The dropped and added matches an unlink left carry the correction too."""
    for i, j, fix in unlinked:
        for m in matches:
            if m.old == [old[i].eid] and not m.new or m.new == [new[j].eid] and not m.old:
                _mark(m.evidence, fix)
