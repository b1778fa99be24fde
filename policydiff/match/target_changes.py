"""Target changes: pair the targets of two versions and classify how each commitment moved.

`classify` returns a `TargetChangeKind` and a structured `Reason`; the words are the model's
(`Reason.text`), never this module's.
"""

from __future__ import annotations

from dataclasses import replace

from policydiff.model.changes import ClauseChange, Reason, ReasonKind, Status, TargetChange, TargetChangeKind
from policydiff.model.document import Clause, Target
from policydiff.model.quantity import display_value
from policydiff.read.targets.metric import (
    compatible_subjects,
    compatible_units,
    identity,
    metric_key,
    metric_norm,
    same_measure,
)

_TIME_UNITS = {"工作日", "日", "小时", "分钟", "秒", "毫秒", "个月"}
#: the strict comparator of each inclusive one
_STRICT = {"gt": "ge", "lt": "le"}
#: what a pair needs to be one commitment across the document (not in aligned clauses)
ACROSS_MIN_KEY = 3
K, R = TargetChangeKind, ReasonKind


def _direction(t: Target) -> str:
    """floor / ceiling / cut / growth / range / approx: which way a value is more ambitious."""
    if t.comparator in ("ge", "gt"):
        return "floor"
    if t.comparator in ("le", "lt"):
        return "ceiling"
    if t.comparator == "reduce_by":
        return "cut"
    if t.comparator == "increase_by":
        return "growth"  # 增长10% → 增长20%: a larger increase is more ambitious
    if t.comparator == "range":
        return "range" if t.value_high is not None else _level_direction(t)
    if t.comparator == "eq":  # a stated scope: more is more ambitious, except for time taken
        return _level_direction(t)
    return "approx"


def _level_direction(t: Target) -> str:
    return "ceiling" if t.unit in _TIME_UNITS else "floor"


def _show(t: Target) -> str:
    if t.comparator == "range" and t.value_high is not None:
        return f"{display_value(t.value, t.unit)}–{display_value(t.value_high, t.unit)}"
    return display_value(t.value, t.unit)


def _range_as(t: Target, direction: str) -> Target:
    """A range read as the level the other side states: its low end as a floor, its high end as a
    ceiling (达到80%—90% against 不低于85%; 5到7个工作日 against 10个工作日内)."""
    if direction == "floor":
        return replace(t, comparator="ge", value_high=None)
    return replace(t, comparator="le", value=t.value_high, value_high=None)


def _range_step(old: Target, new: Target, d_old: str, d_new: str) -> tuple[int | None, Reason]:
    if d_old == d_new == "range":
        assert old.value_high is not None and new.value_high is not None
        lo, hi = (new.value > old.value) - (new.value < old.value), (new.value_high > old.value_high) - (
            new.value_high < old.value_high)
        if lo == hi == 0:
            return 0, Reason()
        if lo * hi < 0:  # widened or narrowed: neither more nor less ambitious
            return None, Reason(R.RANGE, _show(old), _show(new))
        higher = (lo or hi) > 0
        tighter = higher if _level_direction(old) == "floor" else not higher
        return (1 if tighter else -1), Reason(R.VALUE, _show(old), _show(new))
    other = d_new if d_old == "range" else d_old
    if other not in ("floor", "ceiling"):
        return None, Reason(R.COMPARATOR, old.comparator, new.comparator)
    a = _range_as(old, other) if d_old == "range" else old
    b = _range_as(new, other) if d_new == "range" else new
    step, why = _value_step(a, b)
    if why.kind is R.VALUE:
        why = Reason(R.VALUE, _show(old), _show(new))
    return step, why


def _value_step(old: Target, new: Target) -> tuple[int | None, Reason]:
    """+1 more ambitious, -1 less, 0 the same, None incomparable; and why."""
    d_old, d_new = _direction(old), _direction(new)
    if "range" in (d_old, d_new):
        return _range_step(old, new, d_old, d_new)
    if d_old != d_new:
        return None, Reason(R.COMPARATOR, old.comparator, new.comparator)
    if d_old == "approx":
        return (0, Reason(R.APPROXIMATE_SAME)) if old.value == new.value else (None, Reason(R.APPROXIMATE))
    if d_old in ("cut", "growth") and None not in (old.baseline, new.baseline) and old.baseline != new.baseline:
        # 由60%提高10个百分点 vs 由70%提高10个百分点: another starting point, not a bigger step
        return None, Reason(R.BASELINE, display_value(old.baseline, old.unit), display_value(new.baseline, new.unit))
    if old.value != new.value:
        higher = new.value > old.value
        tighter = higher if d_old in ("floor", "cut", "growth") else not higher
        return (1 if tighter else -1), Reason(R.VALUE, display_value(old.value, old.unit),
                                               display_value(new.value, new.unit))
    if old.comparator != new.comparator:
        if _STRICT.get(new.comparator) == old.comparator:
            return 1, Reason(R.STRICTNESS, old.comparator, new.comparator)
        if _STRICT.get(old.comparator) == new.comparator:
            return -1, Reason(R.STRICTNESS, old.comparator, new.comparator)
    return 0, Reason()


Years = tuple[int | None, int | None]


def _own_year_end(t: Target, year: int | None) -> bool:
    """The deadline is only the plan's own horizon: none written, or the end of the plan year
    (年底前 in an annual plan). Consecutive annual plans move that horizon with them."""
    return not t.deadline or (year is not None and t.deadline == f"{year}-12-31")


def _deadline_step(old: Target, new: Target, years: Years = (None, None)) -> tuple[int | str, Reason]:
    """+1 earlier (or set where there was none), -1 later, 0 the same, "dropped".

    With the plan years known, the plans' own year ends are the same horizon (2019 年底前 →
    2020 年底前 is no deadline change), a deadline left unwritten is the plan year's end, and two
    deadlines each inside its own plan year compare by month and day (年底前 → 6月底前 is earlier)."""
    a, b = old.deadline or "", new.deadline or ""
    if years[0] is not None and years[1] is not None:
        if _own_year_end(old, years[0]) and _own_year_end(new, years[1]):
            return 0, Reason()
        if a and not b:
            return "dropped", Reason(R.DEADLINE_DROPPED, a, "")
        a, b = a or f"{years[0]}-12-31", b or f"{years[1]}-12-31"
        if a[:4] == str(years[0]) and b[:4] == str(years[1]):  # each within its plan year: 年底前 vs 6月底前
            when = (b[5:] < a[5:]) - (b[5:] > a[5:])
            return when, (Reason(R.DEADLINE, a, b) if when else Reason())
    if a == b:
        return 0, Reason()
    if a and not b:
        return "dropped", Reason(R.DEADLINE_DROPPED, a, "")
    if b and not a:
        return 1, Reason(R.DEADLINE_SET, "", b)
    return (1 if b < a else -1), Reason(R.DEADLINE, a, b)


def classify(old: Target, new: Target, *, identified: bool = False,
             years: Years = (None, None)) -> tuple[TargetChangeKind, Reason]:
    """tightened / loosened / unchanged / incomparable / mixed / changed, and why.

    `identified`: the caller has taken the two for one commitment (a lexicon alias, a chained
    trajectory), so another metric name is a rename; otherwise the names must be the same measure.
    The value decides first; the deadline joins it: a value raised with a deadline pushed back is
    `mixed`, the same value with an earlier deadline `tightened`, a deadline dropped `changed`.
    `years`: the plan years of the two versions, when known (see `_deadline_step`).
    """
    if not compatible_units(old.unit, new.unit):
        return K.INCOMPARABLE, Reason(R.UNIT, old.unit, new.unit)
    same = identified or same_measure(old.metric, new.metric) or (
        bool(identity(old.metric, old.subject, old.unit))
        and identity(old.metric, old.subject, old.unit) == identity(new.metric, new.subject, new.unit))
    if not same:
        return K.INCOMPARABLE, Reason(R.METRIC, old.metric, new.metric)
    value, why = _value_step(old, new)
    if value is None:
        return K.INCOMPARABLE, why
    when, why_d = _deadline_step(old, new, years)
    if when == "dropped":
        return K.CHANGED, why_d
    if value == 0:
        if when == 0:
            return K.UNCHANGED, why
        return (K.TIGHTENED if when > 0 else K.LOOSENED), why_d
    if when in (0, value):
        return (K.TIGHTENED if value > 0 else K.LOOSENED), why
    return K.MIXED, Reason(R.MIXED, f"{_show(old)} by {old.deadline or '—'}", f"{_show(new)} by {new.deadline or '—'}")


# --------------------------------------------------------------------------- identity


def sentence_of(text: str, t: Target) -> str:
    """The sentence of `text` that holds the target's span (all of `text` if the span is not in it)."""
    i = text.find(t.text) if t.text else -1
    if i < 0:
        return text
    a = max(text.rfind(ch, 0, i) for ch in "。；！？\n") + 1
    ends = [j for j in (text.find(ch, i + len(t.text)) for ch in "。；！？\n") if j >= 0]
    return text[a:min(ends) if ends else len(text)]


def _head(a: str, b: str) -> str:
    """The head noun two metric names end with (实名注册用户 / 市场主体注册用户 → 注册用户)."""
    na, nb = metric_norm(a), metric_norm(b)
    n = 0
    while n < min(len(na), len(nb)) and na[-1 - n] == nb[-1 - n]:
        n += 1
    return na[len(na) - n:] if n >= 2 else ""


#: the shorter name of a contained pair must say this much on its own (数据集 does not)
CONTAINED_MIN = 4


def _contained(a: str, b: str) -> bool:
    na, nb = metric_norm(a), metric_norm(b)
    short, long_ = sorted((na, nb), key=len)
    return len(short) >= CONTAINED_MIN and short in long_


def identity_evidence(a: Target, b: Target, *, aligned: bool, context_a: str = "",
                      context_b: str = "") -> tuple[float, dict] | None:
    """How strongly two targets are one commitment, and the evidence; None when they cannot be
    (two named programmes, units that do not go together, two different lexicon measures).

    `evidence["identity"]` is true for a lexicon alias (`metric_aliases`), the same measure name, or
    in aligned clauses and for the same named subject one name inside the other (at least
    `CONTAINED_MIN` characters: 政府数据集 / 数据集 stays two scopes); the rest adds to the score: the clauses aligned (+1), the same subject (+1), a shared head noun
    (+0.5), the same unit (+0.5). A pair without identity is at most "another metric" (incomparable).
    """
    if not compatible_subjects(a.subject, b.subject) or not compatible_units(a.unit, b.unit):
        return None
    ev: dict = {}
    ia = identity(a.metric, a.subject, a.unit, context_a)
    ib = identity(b.metric, b.subject, b.unit, context_b)
    if ia and ib and ia != ib:
        return None
    if ia and ia == ib:
        score, ev["alias"] = 3.0, ia
    elif same_measure(a.metric, b.metric):
        score, ev["metric"] = 2.0, "same"
    elif aligned and a.subject and a.subject == b.subject and _contained(a.metric, b.metric):
        score, ev["metric"] = 1.5, "contained"  # 网上可办率 / 政务服务事项网上可办率 of 省级, in one task
    else:
        score, ev["metric"] = 0.0, "different"
    ev["identity"] = score > 0
    ev["clause"] = "aligned" if aligned else "across"
    score += 1.0 if aligned else 0.0
    head = _head(a.metric, b.metric)
    if head:
        ev["head"] = head
        score += 0.5
    if a.subject and a.subject == b.subject:
        ev["subject"] = "same"
        score += 1.0
    elif a.subject or b.subject:
        ev["subject"] = "one side"
    ev["unit"] = "same" if a.unit == b.unit else "compatible"
    score += 0.5 if a.unit == b.unit and a.unit else 0.0
    return score, ev


Pairs = list[tuple[Target, Target, float, dict]]
Contexts = dict[int, str]


def _exact_pairs(old: list[Target], new: list[Target], ctx: Contexts, *, aligned: bool,
                 ) -> tuple[Pairs, set[int], set[int]]:
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
            got = identity_evidence(a, new[js[0]], aligned=aligned, context_a=ctx.get(id(a), ""),
                                    context_b=ctx.get(id(new[js[0]]), ""))
            if got is None:
                continue
            j = js.pop(0)
            used_o.add(i)
            used_n.add(j)
            pairs.append((a, new[j], got[0], {**got[1], "identity": True, "exact": True}))
    return pairs, used_o, used_n


def _pair_targets(old: list[Target], new: list[Target], ctx: Contexts, *, aligned: bool, loose: bool,
                  ) -> tuple[Pairs, list[Target], list[Target]]:
    """Greedy pairing by identity score (one commitment: a lexicon alias or the same measure).

    `loose` pairs instead the same named subject with another metric in compatible units (an
    incomparable pair: 日访问量 → 日均活跃用户 is never a loosening). Across the document (not
    `aligned`) a pair needs its identity and the same subject, or a lexicon alias.
    """
    pairs, used_o, used_n = ([], set(), set()) if loose else _exact_pairs(old, new, ctx, aligned=aligned)
    within = _across_candidates(old, new, ctx) if not (aligned or loose) else None
    cands = []
    for i, a in enumerate(old):
        if i in used_o:
            continue
        for j in (within.get(i, ()) if within is not None else range(len(new))):
            b = new[j]
            if j in used_n:
                continue
            got = identity_evidence(a, b, aligned=aligned, context_a=ctx.get(id(a), ""),
                                    context_b=ctx.get(id(b), ""))
            if got is None:
                continue  # 粤省事's count is never 粤商通's, whatever the metric says
            score, ev = got
            if loose:
                ok = not ev["identity"] and bool(a.subject) and a.subject == b.subject
            elif aligned:
                ok = ev["identity"]
            else:
                ok = ev["identity"] and ("alias" in ev or (
                    ev.get("subject") == "same" and len(metric_key(a.metric)) >= ACROSS_MIN_KEY))
            if ok:
                cands.append((score, -abs(i - j), i, j, ev))
    cands.sort(key=lambda c: c[:4], reverse=True)
    for score, _d, i, j, ev in cands:
        if i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((old[i], new[j], score, ev))
    return pairs, [t for i, t in enumerate(old) if i not in used_o], [t for j, t in enumerate(new) if j not in used_n]


def _across_candidates(old: list[Target], new: list[Target], ctx: Contexts) -> dict[int, list[int]]:
    """For each old target, the new targets a pair across the document can take: the same lexicon
    alias, or the same named subject and the same measure (the only ways such a pair is
    accepted). Near-linear in the targets, where trying every old × new pair was quadratic
    (thousands of targets in a large plan reworded throughout)."""
    by_alias: dict[str, list[int]] = {}
    by_measure: dict[tuple[str, str], list[int]] = {}
    for j, b in enumerate(new):
        alias = identity(b.metric, b.subject, b.unit, ctx.get(id(b), ""))
        if alias:
            by_alias.setdefault(alias, []).append(j)
        if b.subject and metric_norm(b.metric):
            by_measure.setdefault((b.subject, metric_norm(b.metric)), []).append(j)
    out: dict[int, list[int]] = {}
    for i, a in enumerate(old):
        alias = identity(a.metric, a.subject, a.unit, ctx.get(id(a), ""))
        js = set(by_alias.get(alias, [])) if alias else set()
        js.update(by_measure.get((a.subject, metric_norm(a.metric)), []) if a.subject else [])
        if js:
            out[i] = sorted(js)
    return out


def _changes(pairs: Pairs, years: Years, *, across: bool = False) -> list[TargetChange]:
    out = []
    for a, b, score, ev in pairs:
        change, why = classify(a, b, identified=bool(ev.get("identity")), years=years)
        out.append(TargetChange(a, b, change, why.across() if across else why, a.clause, b.clause, score, ev))
    return out


def _contexts(clauses: dict[str, Clause]) -> Contexts:
    """Each target's sentence (what a lexicon alias may ask for: 高频服务 under “办成一件事”…)."""
    out: Contexts = {}
    for c in clauses.values():
        text = c.full_text
        for t in c.targets:
            out[id(t)] = sentence_of(text, t)
    return out


def _within_matches(matches: list[ClauseChange], old_c: dict[str, Clause], new_c: dict[str, Clause],
                    ctx: Contexts, years: Years) -> tuple[list[TargetChange], list[Target], list[Target]]:
    """Target changes inside matched clauses, and the targets left unpaired on each side."""
    out: list[TargetChange] = []
    left_old: list[Target] = []
    left_new: list[Target] = []
    for m in matches:
        ot = [t for e in m.old for t in old_c[e].targets]
        nt = [t for e in m.new for t in new_c[e].targets]
        if m.old and m.new:
            pairs, lo, ln = _pair_targets(ot, nt, ctx, aligned=True, loose=False)
            out += _changes(pairs, years)
            # another metric for the same subject and unit: say so, never call it a loosening
            pairs2, lo, ln = _pair_targets(lo, ln, ctx, aligned=True, loose=True)
            out += _changes(pairs2, years)
            left_old += lo
            left_new += ln
        elif m.old and m.status != Status.NOT_MENTIONED:
            left_old += ot
        elif m.new and m.status != Status.NOT_MENTIONED:
            left_new += nt
    return out, left_old, left_new


def compare_targets(matches: list[ClauseChange], old_c: dict[str, Clause], new_c: dict[str, Clause],
                    *, old_is_news: bool, new_is_news: bool, years: Years = (None, None)) -> list[TargetChange]:
    """Pair targets of matched clauses, then across the document by identity and subject; `years`
    are the plan years (a deadline at a plan's own year end is its horizon, not a change)."""
    ctx = {**_contexts(old_c), **_contexts(new_c)}
    out, left_old, left_new = _within_matches(matches, old_c, new_c, ctx, years)
    # across the document: the same commitment, wherever the clause went
    pairs, _lo, _ln = _pair_targets(left_old, left_new, ctx, aligned=False, loose=False)
    paired = {id(a) for a, *_ in pairs} | {id(b) for _, b, *_ in pairs}
    out += _changes(pairs, years, across=True)
    for t in left_old:
        if id(t) not in paired and not new_is_news:
            out.append(TargetChange(t, None, TargetChangeKind.DROPPED, Reason(), t.clause, ""))
    for t in left_new:
        if id(t) not in paired and not old_is_news:
            out.append(TargetChange(None, t, TargetChangeKind.ADDED, Reason(), "", t.clause))
    return out
