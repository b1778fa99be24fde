"""The state the target rules share, and the ruler that runs them.

In the style of markdown-it's `Ruler`: a rule is a small named function over one `State`; the
ruler runs the enabled ones in order, and each returns how many quantities it touched, which the
state records (`State.log`). A rule is inserted, replaced, enabled or disabled by name.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from policydiff.read.ruler import Ruler as _Ruler

log = logging.getLogger("policydiff.read.targets")
log.addHandler(logging.NullHandler())  # a library says nothing unless the application listens

#: no "sentence" a target reads its context from is longer than this (a 5 MB line has none)
MAX_SENTENCE = 300
#: what ends a sentence, a comma-clause, and a list item
SENTENCE_END = "。；！？\n"
CLAUSE_END = "，；。：！？\n"
#: time units: a bare duration is a ceiling (3个工作日办结 = within 3 working days)
TIME_UNITS = frozenset({"工作日", "日", "小时", "分钟", "秒", "毫秒", "个月"})
#: units of a relative change
RELATIVE_UNITS = frozenset({"%", "pp", "倍"})


def plain(value: Decimal) -> str:
    """A Decimal as the model writes it: 110000000, 1.5, 0 (no exponent, no trailing zeros)."""
    s = format(value.normalize(), "f")
    return "0" if s in ("-0", "") else s


def exact(value: Decimal) -> Decimal:
    """The Decimal of `plain(value)`: Decimal('110000000'), never Decimal('1.1E+8')."""
    return Decimal(plain(value))


@dataclass
class Quantity:
    """One number the rules look at: where it is, what it says, and what the rules decided."""

    start: int  # the number as written (with its 万/亿)
    end: int
    value: Decimal
    kind: str = "arabic"  # arabic | cn | percent | special (一半, 翻一番)
    scale: int = 1  # the 万/亿 written after the number (2至3万 shares it)
    unit: str = ""
    unit_end: int = -1  # where the unit (or the number, without one) ends
    marker: str = ""  # 多 / 余 between the number and its unit
    value_high: Decimal | None = None
    comparator: str = ""
    before: str = ""  # comparator phrase before the number, as written
    before_start: int = -1
    after: str = ""  # comparator phrase after the unit
    after_end: int = -1
    implicit: bool = False
    shared: bool = False  # the comparator governs a list, or stands further back
    baseline: Decimal | None = None
    baseline_start: int = -1
    deadline: str = ""
    subject: str = ""
    metric: str = ""
    dropped: str = ""  # why this number is not a target (empty: it is one)

    def __post_init__(self) -> None:
        if self.unit_end < 0:
            self.unit_end = self.end

    @property
    def alive(self) -> bool:
        return not self.dropped

    @property
    def span(self) -> tuple[int, int]:
        """The text of the target: comparator phrase (or from-value), number, unit, phrase after."""
        a = min(x for x in (self.start, self.before_start if self.before and not self.shared else self.start,
                            self.baseline_start if self.baseline is not None else self.start) if x >= 0)
        b = self.after_end if self.after else self.unit_end
        return a, b

    @property
    def phrase(self) -> str:
        """The comparator words as written; a shared phrase (达到24万、642TB) is recorded too."""
        after = self.after or self.marker
        return self.before + ("…" if self.before and after else "") + after


@lru_cache(maxsize=16)
def _separators(seps: str) -> re.Pattern[str]:
    """One character of `seps` (a class, so the scan for them runs in the regex engine)."""
    return re.compile("[" + re.escape(seps) + "]")


class State:
    """One text range being read: the text, its masked twin, the quantities and what was done."""

    def __init__(self, text: str, a: int, b: int, masked: str, *, plan_year: int | None = None,
                 context_subject: str = ""):
        self.text, self.masked, self.a, self.b = text, masked, a, b
        self.plan_year = plan_year
        self.context_subject = context_subject
        self.quantities: list[Quantity] = []
        self.log: list[tuple[str, int]] = []
        self.warnings: list[str] = []
        self._positions: dict[str, list[int]] = {}

    def alive(self) -> list[Quantity]:
        return [q for q in self.quantities if q.alive]

    def warn(self, message: str, pos: int) -> None:
        """A malformed number or date: skipped, said once, never raised."""
        where = self.text[max(self.a, pos - 12):min(self.b, pos + 12)].replace("\n", " ")
        self.warnings.append(f"{message} (…{where}…)")
        log.warning("target skipped (%s) near %r", message, where)

    def bounds(self, pos: int, seps: str) -> tuple[int, int]:
        """The run of text around `pos` between two separators of `seps` (at most MAX_SENTENCE
        each way); separator positions are computed once per separator set."""
        where = self._positions.get(seps)
        if where is None:
            where = [m.start() for m in _separators(seps).finditer(self.text, self.a, self.b)]
            self._positions[seps] = where
        k = bisect_left(where, pos)
        start = where[k - 1] + 1 if k else self.a
        end = where[k] if k < len(where) else self.b
        return max(start, pos - MAX_SENTENCE, self.a), min(end, pos + MAX_SENTENCE, self.b)

    def sentence(self, pos: int) -> tuple[int, int]:
        return self.bounds(pos, SENTENCE_END)

    def clause(self, pos: int) -> tuple[int, int]:
        """The comma-clause around pos; a separator inside brackets (每个县（市、区）) does not end it."""
        start, end = self.bounds(pos, CLAUSE_END)
        while start > self.a and self.text.count("）", start, pos) > self.text.count("（", start, pos):
            opening = self.text.rfind("（", self.a, start)
            if opening < 0:
                break
            start = self.bounds(opening, CLAUSE_END)[0]
        return start, end


class Ruler(_Ruler):
    """The target rules: a `policydiff.read.ruler.Ruler` whose run logs each rule's count on the state."""

    def run(self, state: State) -> State:  # type: ignore[override]
        state.log.extend(super().run(state))
        return state
