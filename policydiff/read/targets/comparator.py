"""Comparator rules: what a number commits to (floor, ceiling, range, approximation, change).

- `comparators`: the phrase right before the number and right after its unit (lexicon
  `comparators.tsv`, longest first; `comparator_context.tsv` says when a phrase is not one).
- `shared`: one phrase over a list (达到24万核vCPU、642TB内存、20PB存储), or standing further back in
  the comma-clause (均不少于应替代目标总量的80%).
- `relative`: 增长1倍 is increase_by 100 %.
- `baselines`: 由60%提高到80% is ge 80 with baseline 60; the from-value is no target of its own.
- `bare`: a commitment with no comparator (培育50家…) is a floor, ge with implicit=true (a bare
  duration, 3个工作日办结, is a ceiling); a bare number without a unit is no target.
- `reports`: 目前已整合…45条, 截至…已建成: a report of the present state sets no target.

Precedence: a written range wins over the phrase before it (达到80%—90%); 左右/约/多/余 make a
value approximate; a relative phrase stays relative although 以上 follows (减少50%以上).
"""

from __future__ import annotations

import re

from policydiff import lexicon
from policydiff.read.targets.core import TIME_UNITS, Quantity, State, exact

_BEFORE: list[tuple[str, str]] = sorted(((p, c) for p, c, where in lexicon.table("comparators") if where == "before"),
                                        key=lambda x: -len(x[0]))
_AFTER: list[tuple[str, str]] = sorted(((p, c) for p, c, where in lexicon.table("comparators") if where == "after"),
                                       key=lambda x: -len(x[0]))
BEFORE = _BEFORE
_CONTEXT: dict[str, tuple[str, tuple[str, ...]]] = {row[0]: (row[1], tuple(row[2].split())) for row in
                                                    lexicon.table("comparator_context") if len(row) >= 3}
_BASELINE = tuple(sorted(lexicon.words("baseline_markers"), key=len, reverse=True))
_REPORT = lexicon.pattern("report_markers")
#: a level phrase ends with to/at (提高到, 压缩至, 整合为, 控制在): a from-value may come before it
_TO_PHRASE = re.compile(r"(?:到|至|为|在)$")
_RELATIVE = ("reduce_by", "increase_by")


def _context_ok(s: str, phrase: str, start: int, a: int) -> bool:
    rule = _CONTEXT.get(phrase)
    if not rule:
        return True
    kind, words = rule
    if kind == "needs-before":
        return any(s.endswith(w, a, start) for w in words)
    if kind == "not-before":
        return not any(s.endswith(w, a, start) for w in words)
    if kind == "not-followed":
        return not s.startswith(words, start)
    return True


_BEFORE_OF = dict(_BEFORE)
_BEFORE_LENGTHS = sorted({len(p) for p, _c in _BEFORE}, reverse=True)
_BEFORE_RX = re.compile("|".join(re.escape(p) for p, c in _BEFORE if c not in ("-", "approx", "reduce_by",
                                                                              "increase_by") and len(p) >= 2))


def phrase_before(s: str, pos: int, a: int) -> tuple[str, str, int]:
    """(phrase, comparator, start) of the comparator ending at pos (the longest); ("", "", pos) if
    none. A phrase marked "-" (提前) is not a comparator and hides the shorter ones inside it."""
    for length in _BEFORE_LENGTHS:
        start = pos - length
        if start < a:
            continue
        phrase = s[start:pos]
        comp = _BEFORE_OF.get(phrase)
        if comp and _context_ok(s, phrase, start, a):
            return ("", "", pos) if comp == "-" else (phrase, comp, start)
    return "", "", pos


def phrase_after(s: str, pos: int, b: int) -> tuple[str, str, int]:
    for phrase, comp in _AFTER:
        if pos + len(phrase) <= b and s.startswith(phrase, pos) and _context_ok(s, phrase, pos, 0):
            return phrase, comp, pos + len(phrase)
    return "", "", pos


def _combine(q: Quantity, comp_b: str, comp_a: str) -> str:
    if q.comparator == "range":
        return "range"
    if "approx" in (comp_b, comp_a) or q.marker or q.comparator == "approx":
        return "approx"
    if comp_b in _RELATIVE:
        return comp_b
    return comp_b or comp_a


def comparators(state: State) -> int:
    """The phrase right before the number and right after its unit."""
    s, n = state.masked, 0
    for q in state.alive():
        if q.kind == "special":
            continue
        if not q.before:
            q.before, comp_b, q.before_start = phrase_before(s, q.start, state.a)
        else:
            comp_b = q.comparator
        q.after, comp_a, q.after_end = phrase_after(s, q.unit_end, state.b)
        q.comparator = _combine(q, comp_b, comp_a)
        n += bool(q.comparator)
    return n


def _list_gap(gap: str) -> bool:
    """What stands between two items of one list: a noun and 、/和/及, no number, no clause end."""
    return len(gap) <= 12 and any(c in gap for c in "、和及") and not any(c.isdigit() for c in gap)


def _look_back(state: State, q: Quantity, clause_a: int) -> tuple[str, str, int]:
    """A comparator phrase further back in the comma-clause, with no number between."""
    s = state.masked
    window_a = max(clause_a, q.start - 15)
    window = s[window_a:q.start]
    if any(ch.isdigit() for ch in window):
        return "", "", q.start
    best: tuple[int, int, str, str, int] | None = None  # (end, length, phrase, comp, start): 不少于 beats 少于
    for i in range(len(window)):
        m = _BEFORE_RX.match(window, i)
        if m and _context_ok(s, m.group(0), window_a + i, state.a):
            phrase = m.group(0)
            key = (i + len(phrase), len(phrase), phrase, _BEFORE_OF[phrase], window_a + i)
            if best is None or key[:2] > best[:2]:
                best = key
    return (best[2], best[3], best[4]) if best else ("", "", q.start)


def shared(state: State) -> int:
    """One comparator over a list, or a phrase further back in the clause, for a number with none.

    A list takes the comparator of its first item only (达到24万核vCPU、642TB…); when a bare number
    comes first, a later comparator governs its own number alone (用户覆盖5366个…、超过20万…和166个…).
    """
    s, n = state.masked, 0
    last: dict[int, Quantity] = {}  # comma-clause → the number seen last in it
    bare_seen: set[int] = set()  # comma-clauses where a number without a comparator came first
    for q in state.alive():
        clause_a, _ = state.clause(q.start)
        prev = last.get(clause_a)
        last[clause_a] = q
        if not q.comparator and q.kind != "special":
            if prev and prev.comparator and prev.comparator not in (*_RELATIVE, "range") and not prev.implicit \
                    and (prev.shared or clause_a not in bare_seen) and _list_gap(s[prev.span[1]:q.start]):
                q.before, q.comparator, q.before_start, q.shared = prev.before, prev.comparator, prev.before_start, True
                n += 1
            else:
                phrase, comp, start = _look_back(state, q, clause_a)
                if phrase:
                    q.before, q.comparator, q.before_start, q.shared = phrase, comp, start, True
                    n += 1
        if not q.comparator:
            bare_seen.add(clause_a)
    return n


def relative(state: State) -> int:
    """增长1倍 → increase_by 100 %; a relative change with no unit (减少20) is no target."""
    n = 0
    for q in state.alive():
        if q.comparator not in _RELATIVE:
            continue
        if q.unit == "倍" and q.comparator == "increase_by":
            q.value, q.unit = exact(q.value * 100), "%"
            n += 1
        elif not q.unit:
            q.dropped = "a relative change without a unit"
            n += 1
    return n


def baselines(state: State) -> int:
    """由60%提高到80%, 从3个工作日压缩到1个工作日, 原有26个…整合为8个: the from-value is a baseline."""
    s, n = state.masked, 0
    alive = state.alive()
    for i, q in enumerate(alive):
        if not q.before or q.shared or q.comparator in (*_RELATIVE, "range", "approx", "") \
                or not _TO_PHRASE.search(q.before):
            continue
        clause_a, _ = state.clause(q.start)
        q0 = alive[i - 1] if i else None  # only the number right before can be the from-value
        if q0 is None or q0.start < clause_a or q0.dropped or q0.comparator or q0.unit not in ("", q.unit) \
                or any(ch.isdigit() for ch in s[q0.unit_end:q.before_start]):
            continue
        marker = next((m for m in _BASELINE if s.endswith(m, clause_a, q0.start)), "")
        if marker:
            q.baseline, q.baseline_start = q0.value, q0.start - len(marker)
            q0.dropped = "the baseline of a later target"
            n += 1
    return n


def bare(state: State) -> int:
    """No comparator: a floor (ge, implicit), a ceiling for a duration; no unit → no target."""
    n = 0
    for q in state.alive():
        if q.comparator:
            continue
        if not q.unit:
            q.dropped = "a bare number without a unit"
            continue
        q.comparator = "le" if q.unit in TIME_UNITS else "ge"
        q.implicit = True
        n += 1
    return n


def reports(state: State) -> int:
    """目前全市已整合…45条, 截至2022年底…已建成: numbers reporting the present are no targets."""
    n = 0
    for q in state.alive():
        s_a, _ = state.sentence(q.start)
        if _REPORT.search(state.text, s_a, q.start):
            q.dropped = "a report of the present state"
            n += 1
    return n
