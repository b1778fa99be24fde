"""Targets of a higher and a lower plan compared level against level: stricter, same, looser, or
none when the lower plan sets no target on the measure."""

from __future__ import annotations

from policydiff import lexicon
from policydiff.match.tokens import shingles
from policydiff.model.coverage import TargetPair
from policydiff.model.document import Target

_FLOOR, _CEIL = {"ge", "gt"}, {"le", "lt"}
#: share of the shorter metric's bigrams the other must hold for two targets to measure one thing
METRIC_SHARE = 0.5


def _direction(t: Target) -> str:
    if t.comparator in _FLOOR:
        return "floor"
    if t.comparator in _CEIL:
        return "ceiling"
    return "exact" if t.comparator == "eq" else ""


def _same_measure(a: Target, b: Target) -> bool:
    """Same unit, the same administrative level when both name one (市县级 is not 省级), and metrics
    sharing most of their words (企业开办全流程 ~ 企业开办时间). Other subjects (programmes: 证照分离,
    多证合一) are how a plan frames a target, not what it measures."""
    if a.unit != b.unit or not a.metric or not b.metric:
        return False
    levels = set(lexicon.words("levels"))
    if a.subject in levels and b.subject in levels and a.subject != b.subject:
        return False
    ga, gb = set(shingles(a.metric, (2,))), set(shingles(b.metric, (2,)))
    if not ga or not gb:
        return a.metric == b.metric
    return len(ga & gb) / min(len(ga), len(gb)) >= METRIC_SHARE


def _deadline(t: Target, plan_year: int | None) -> str:
    if t.deadline:
        return t.deadline
    return f"{plan_year}-12-31" if plan_year else ""


def relation(higher: Target, lower: Target, *, plan_year: int | None = None) -> str:
    """How the lower target compares with the higher: stricter, same, looser, or '' (not rankable).

    Equal values on the same subject and metric are the same commitment whatever the drafting
    (超过70% against 不低于70%: the product owner's rule); a bare value (不动产一般登记5个工作日)
    reads in the other target's direction. Value and deadline are two dimensions:
    when they point opposite ways the pair cannot be ranked. A lower target without a deadline is
    judged on its value alone.
    """
    d_h, d_l = _direction(higher), _direction(lower)
    # a bare value (5个工作日, 100%) commits to that value: it reads in the other side's direction
    if d_l == "exact":
        d_l = d_h
    if d_h == "exact":
        d_h = d_l
    if d_h == d_l == "exact":
        return "same" if higher.value == lower.value and higher.deadline == lower.deadline else ""
    if not d_h or d_h != d_l or higher.value_high is not None or lower.value_high is not None:
        return ""
    if lower.value == higher.value:
        value = 0
    elif (lower.value > higher.value) == (d_h == "floor"):
        value = 1
    else:
        value = -1
    deadline = 0
    if lower.deadline:
        dh = _deadline(higher, plan_year)
        if dh and lower.deadline != dh:
            deadline = 1 if lower.deadline < dh else -1
    if value and deadline and value != deadline:
        return ""
    step = value or deadline
    return "stricter" if step > 0 else "looser" if step < 0 else "same"


def compare_targets(higher: list[Target], lower: list[Target], *, plan_year: int | None = None) -> list[TargetPair]:
    """Each higher target against the lower targets on the same measure: stricter/same/looser, or
    none when the lower level sets no target on it. Pairs that cannot be ranked are left out."""
    out: list[TargetPair] = []
    for h in higher:
        same_measure = [lt for lt in lower if _same_measure(h, lt)]
        if not same_measure:
            out.append(TargetPair(h, None, "none"))
            continue
        for lt in same_measure:
            rel = relation(h, lt, plan_year=plan_year)
            if rel:
                out.append(TargetPair(h, lt, rel))
    return out
