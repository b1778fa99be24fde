"""Deadline rule: the date by which a target is due, as an ISO date.

| written | deadline |
|---|---|
| 2022年底前, 到2025年, 2023年实现…, 2022年内 | that year's 12-31 |
| 2023年6月底前, 2023年6月30日前 | that day |
| 6月底前, 11月30日前 (no year) | that day of the plan year |
| 年底前, 年内, 上半年, 一季度末 … (lexicon `deadlines.tsv`) | that day of the plan year |
| 到“十四五”末 (lexicon `plan_periods.tsv`) | 2025-12-31 |

A deadline governs every number after it in its sentence, until the next one (2017年底前…70%；
2020年底前…80%). A base year is not a deadline (较2020年, 在2021年基础上, 截至2022年底: lexicon
`deadline_context.tsv`). An impossible date (2021年13月, 2月30日) is a deadline of null, said as a
warning: it is never guessed and never raises.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from bisect import bisect_left

from policydiff import lexicon
from policydiff.read import cjknum
from policydiff.read.targets.core import State

_CN_DIGIT = "〇零一二三四五六七八九"
_YEAR = rf"(?P<y>(?:19|20)\d{{2}}|[{_CN_DIGIT}]{{4}})"
_MONTH = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_WHEN = r"(?P<w>底以前|底前|底|末前|末|以前|之前|前|内)"
_DATED = re.compile(rf"{_YEAR}年(?:{_MONTH}月(?:{_DAY}日)?)?{_WHEN}?")
_MONTHLY = re.compile(rf"(?<![\d年{_CN_DIGIT}]){_MONTH}月(?:{_DAY}日)?(?P<w>底前|底|末前|末|以前|之前|前)")
_PERIOD = re.compile(r"“?(?P<p>十[一二三四五六七八九]五)”?(?:规划)?(?:时期|期)?(?:末|期末)")

_RELATIVE = sorted(lexicon.table("deadlines"), key=lambda row: -len(row[0]))
_RELATIVE_RX = re.compile("|".join(re.escape(p) for p, _md in _RELATIVE))
_RELATIVE_DAY = {p: md for p, md in _RELATIVE}
_PERIODS = {p: int(y) for p, y in lexicon.table("plan_periods")}
_BLOCKS = tuple(sorted((w for w, rule in lexicon.table("deadline_context") if rule == "blocks"), key=len, reverse=True))
_FOLLOWS = tuple(w for w, rule in lexicon.table("deadline_context") if rule == "follows")
_TO = ("到", "至", "于")
#: a character every deadline holds (年 of _DATED, 月 of _MONTHLY, 末 of _PERIOD, a 年 or 月 or else
#: the last character of each relative phrase): a range without one has no deadline, and its four
#: scans are skipped
_HINTS = {"年", "月", "末"} | {next((c for c in p if c in "年月"), p[-1]) for p, _md in _RELATIVE}
_HINT = re.compile("[" + "".join(re.escape(c) for c in sorted(_HINTS)) + "]")


def _iso(state: State, y: int | None, m: int | None, d: int | None, pos: int) -> str | None:
    """The ISO date, or None (with a warning) when it does not exist: 2021年13月, 2月30日."""
    try:
        if y is None or m is None:
            raise ValueError
        day = d if d is not None else calendar.monthrange(y, m)[1]
        return _dt.date(y, m, day).isoformat()
    except (ValueError, OverflowError):
        written = f"{y}-{m}-{d}" if d is not None else f"{y}-{m}"
        state.warn(f"impossible deadline {written}", pos)
        return None


def _num(s: str | None) -> int | None:
    return cjknum.to_int(s) if s else None


def _dated(state: State, m: re.Match[str]) -> tuple[int, str | None] | None:
    text, start = state.text, m.start()
    if any(text.endswith(w, state.a, start) for w in _BLOCKS):
        return None  # 较2020年, 截至2022年底, 在2021年基础上
    y, month, day, when = _num(m["y"]), _num(m["m"]), _num(m["d"]), m["w"] or ""
    if y is None:
        return None
    if month is None:
        follows = text.startswith(_FOLLOWS, m.end())
        to = any(text.endswith(w, state.a, start) for w in _TO)
        if when == "内" and text.startswith("内容", m.end() - 1):
            when = ""
        if not (when or to or follows):
            return None  # 2019年工作要点, 2023年是…: a year, not a deadline
        return start, _iso(state, y, 12, 31, start)
    return start, _iso(state, y, month, day, start)


def _found(state: State) -> list[tuple[int, str | None]]:
    """Every deadline in the state's range: (position, ISO date or None when impossible)."""
    text, a, b = state.text, state.a, state.b
    if not _HINT.search(text, a, b):
        return []
    out: list[tuple[int, str | None]] = []
    taken: list[tuple[int, int]] = []
    for m in _DATED.finditer(text, a, b):
        got = _dated(state, m)
        taken.append(m.span())
        if got:
            out.append(got)
    plan_year = state.plan_year
    for m in _MONTHLY.finditer(text, a, b):
        if plan_year and not any(x <= m.start() < y for x, y in taken):
            out.append((m.start(), _iso(state, plan_year, _num(m["m"]), _num(m["d"]), m.start())))
    for m in _RELATIVE_RX.finditer(text, a, b):
        before = text[m.start() - 1] if m.start() > a else ""
        if plan_year and not before.isdigit() and not (before and before in _CN_DIGIT + "全当每") \
                and not any(x <= m.start() < y for x, y in taken):
            month, day = (int(x) for x in _RELATIVE_DAY[m.group(0)].split("-"))
            out.append((m.start(), _iso(state, plan_year, month, day, m.start())))
    for m in _PERIOD.finditer(text, a, b):
        year = _PERIODS.get(m["p"])
        if year:
            out.append((m.start(), f"{year:04d}-12-31"))
    return sorted(out, key=lambda x: x[0])


def deadlines(state: State) -> int:
    """Each target takes the last deadline before it in its sentence (an impossible one: none)."""
    found = _found(state)
    positions = [pos for pos, _iso in found]
    n = 0
    for q in state.alive():
        s_a, _ = state.sentence(q.start)
        k = bisect_left(positions, q.start) - 1  # the last deadline before the number
        q.deadline = (found[k][1] or "") if k >= 0 and positions[k] >= s_a else ""
        n += bool(q.deadline)
    return n
