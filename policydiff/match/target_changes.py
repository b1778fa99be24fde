"""Target changes: pair the targets of two versions and classify how each commitment moved.

`classify` returns a `TargetChangeKind` and a structured `Reason`; the words are the model's
(`Reason.text`), never this module's.
"""

from __future__ import annotations

from policydiff.model.changes import ClauseChange, Reason, ReasonKind, Status, TargetChange, TargetChangeKind
from policydiff.model.document import Clause, Target
from policydiff.model.quantity import display_value
from policydiff.read.targets import compatible_subjects, metric_key, same_metric

_TIME_UNITS = {"工作日", "日", "小时", "分钟", "秒", "个月"}
#: the strict comparator of each inclusive one
_STRICT = {"gt": "ge", "lt": "le"}


def _direction(t: Target) -> str:
    if t.comparator in ("ge", "gt"):
        return "floor"
    if t.comparator in ("le", "lt"):
        return "ceiling"
    if t.comparator == "reduce_by":
        return "cut"
    if t.comparator == "eq":  # a stated scope: more is more ambitious, except for time taken
        return "ceiling" if t.unit in _TIME_UNITS else "floor"
    return "approx"


def classify(old: Target, new: Target) -> tuple[TargetChangeKind, Reason]:
    """tightened / loosened / unchanged / incomparable / deadline_earlier / deadline_later, and why."""
    K, R = TargetChangeKind, ReasonKind
    if old.unit != new.unit:
        return K.INCOMPARABLE, Reason(R.UNIT, old.unit, new.unit)
    if not same_metric(old.metric, new.metric):
        return K.INCOMPARABLE, Reason(R.METRIC, old.metric, new.metric)
    d_old, d_new = _direction(old), _direction(new)
    if d_old != d_new:
        return K.INCOMPARABLE, Reason(R.COMPARATOR, old.comparator, new.comparator)
    if "approx" in (d_old, d_new):
        if old.value == new.value:
            return K.UNCHANGED, Reason(R.APPROXIMATE_SAME)
        return K.INCOMPARABLE, Reason(R.APPROXIMATE)
    if old.value != new.value:
        higher = new.value > old.value
        tighter = higher if d_old in ("floor", "cut") else not higher
        return (K.TIGHTENED if tighter else K.LOOSENED), Reason(
            R.VALUE, display_value(old.value, old.unit), display_value(new.value, new.unit))
    if old.comparator != new.comparator:
        if _STRICT.get(new.comparator) == old.comparator:
            return K.TIGHTENED, Reason(R.STRICTNESS, old.comparator, new.comparator)
        if _STRICT.get(old.comparator) == new.comparator:
            return K.LOOSENED, Reason(R.STRICTNESS, old.comparator, new.comparator)
    if old.deadline and new.deadline and old.deadline != new.deadline:
        earlier = new.deadline < old.deadline
        return (K.DEADLINE_EARLIER if earlier else K.DEADLINE_LATER), Reason(R.DEADLINE, old.deadline, new.deadline)
    return K.UNCHANGED, Reason()


def _pair_score(a: Target, b: Target) -> float:
    s = 0.0
    if a.unit == b.unit:
        s += 1.0
    if a.subject and a.subject == b.subject:
        s += 1.0
    if same_metric(a.metric, b.metric):
        s += 2.0
    return s


Pairs = list[tuple[Target, Target]]


def _exact_pairs(old: list[Target], new: list[Target]) -> tuple[Pairs, set[int], set[int]]:
    """Identical targets, paired in order (linear, and all of a copied clause)."""
    pairs: Pairs = []
    used_o: set[int] = set()
    used_n: set[int] = set()
    exact: dict[tuple, list[int]] = {}
    for j, b in enumerate(new):
        exact.setdefault((b.text, b.metric, b.subject, b.unit, b.value, b.comparator), []).append(j)
    for i, a in enumerate(old):
        js = exact.get((a.text, a.metric, a.subject, a.unit, a.value, a.comparator))
        if js:
            j = js.pop(0)
            used_o.add(i)
            used_n.add(j)
            pairs.append((a, new[j]))
    return pairs, used_o, used_n


def _pair_targets(old: list[Target], new: list[Target], *, loose: bool) -> tuple[Pairs, list[Target], list[Target]]:
    """Greedy pairing by score; `loose` also pairs same subject+unit with another metric (incomparable).

    Identical targets pair first; the rest are scored only within one unit, since a pair always
    shares its unit.
    """
    pairs, used_o, used_n = _exact_pairs(old, new)
    by_unit: dict[str, list[int]] = {}
    for j, b in enumerate(new):
        if j not in used_n:
            by_unit.setdefault(b.unit, []).append(j)
    cands = []
    for i, a in enumerate(old):
        if i in used_o:
            continue
        for j in by_unit.get(a.unit, []):
            b = new[j]
            if not compatible_subjects(a.subject, b.subject):
                continue  # 粤省事's count is never 粤商通's, whatever the metric says
            good = same_metric(a.metric, b.metric)
            if good or (loose and a.subject and a.subject == b.subject):
                cands.append((_pair_score(a, b), -abs(i - j), i, j))
    cands.sort(reverse=True)
    for _s, _d, i, j in cands:
        if i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((old[i], new[j]))
    return pairs, [t for i, t in enumerate(old) if i not in used_o], [t for j, t in enumerate(new) if j not in used_n]


def _changes(pairs: Pairs, *, across: bool = False) -> list[TargetChange]:
    out = []
    for a, b in pairs:
        change, why = classify(a, b)
        out.append(TargetChange(a, b, change, why.across() if across else why, a.clause, b.clause))
    return out


def _within_matches(matches: list[ClauseChange], old_c: dict[str, Clause], new_c: dict[str, Clause],
                    ) -> tuple[list[TargetChange], list[Target], list[Target]]:
    """Target changes inside matched clauses, and the targets left unpaired on each side."""
    out: list[TargetChange] = []
    left_old: list[Target] = []
    left_new: list[Target] = []
    for m in matches:
        ot = [t for e in m.old for t in old_c[e].targets]
        nt = [t for e in m.new for t in new_c[e].targets]
        if m.old and m.new:
            pairs, lo, ln = _pair_targets(ot, nt, loose=False)
            out += _changes(pairs)
            # another metric for the same subject and unit: say so, never call it a loosening
            pairs2, lo, ln = _pair_targets(lo, ln, loose=True)
            out += _changes(pairs2)
            left_old += lo
            left_new += ln
        elif m.old and m.status != Status.NOT_MENTIONED:
            left_old += ot
        elif m.new and m.status != Status.NOT_MENTIONED:
            left_new += nt
    return out, left_old, left_new


def compare_targets(matches: list[ClauseChange], old_c: dict[str, Clause], new_c: dict[str, Clause],
                    *, old_is_news: bool, new_is_news: bool) -> list[TargetChange]:
    """Pair targets of matched clauses, then across the document by subject and metric."""
    out, left_old, left_new = _within_matches(matches, old_c, new_c)
    # across the document: the same subject and metric, wherever the clause went
    strict_old = [t for t in left_old if len(metric_key(t.metric)) >= 3]
    strict_new = [t for t in left_new if len(metric_key(t.metric)) >= 3]
    pairs, _lo, _ln = _pair_targets(strict_old, strict_new, loose=False)
    paired = {id(a) for a, _ in pairs} | {id(b) for _, b in pairs}
    across = []
    for a, b in pairs:
        if not compatible_subjects(a.subject, b.subject):
            paired -= {id(a), id(b)}
            continue
        across.append((a, b))
    out += _changes(across, across=True)
    for t in left_old:
        if id(t) not in paired and not new_is_news:
            out.append(TargetChange(t, None, TargetChangeKind.DROPPED, Reason(), t.clause, ""))
    for t in left_new:
        if id(t) not in paired and not old_is_news:
            out.append(TargetChange(None, t, TargetChangeKind.ADDED, Reason(), "", t.clause))
    return out
