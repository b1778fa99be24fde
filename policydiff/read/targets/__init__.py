"""Targets: find quantitative commitments in a text and give them comparator semantics.

A target is a number (Decimal, exactly as written: 1.1亿 = 110000000) with its unit, the
comparator its phrase sets (不少于 → ge, 以内 → le, 80%—90% → range, 约 → approx, 降低X% →
reduce_by, 增长X% → increase_by; a bare commitment is ge with implicit=true), an optional
from-value (baseline), the deadline that governs it, and the subject and metric it belongs to.
Years, dates, 文号, heading numbers, hotlines and names with digits (5G, “1+1+9”) are never targets.

The extractor is a list of small named rules over one `State` (`RULES`, in the style of
markdown-it's ruler), run in order; each records how many quantities it touched (`State.log`):

    numbers → numerals → specials → units → ranges → names            (quantity.py)
    comparators → shared → chinese → relative → baselines → bare → reports   (comparator.py)
    deadlines                                                          (deadline.py)
    subjects → metrics                                                 (metric.py)

Insert, replace or switch off a rule by name: `RULES.disable("reports")`. A malformed number or
date is skipped with a warning (`State.warnings`, and the `policydiff.read.targets` logger), never
an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from policydiff.model.tree import Node
from policydiff.read import cjknum
from policydiff.read.targets import comparator, deadline, metric, quantity
from policydiff.read.targets.core import Quantity, Ruler, State, plain
from policydiff.read.targets.metric import compatible_subjects, metric_key, same_metric, subject_in

__all__ = ["RULES", "Found", "State", "annotate", "cn_number", "compatible_subjects", "extract", "find_targets",
           "masked_text", "metric_key", "same_metric"]

RULES = Ruler()
for _name, _fn in [
    ("numbers", quantity.numbers), ("numerals", quantity.numerals), ("specials", quantity.specials),
    ("units", quantity.units), ("ranges", quantity.ranges), ("names", quantity.names),
    ("comparators", comparator.comparators), ("shared", comparator.shared), ("chinese", quantity.chinese),
    ("relative", comparator.relative), ("baselines", comparator.baselines), ("bare", comparator.bare),
    ("reports", comparator.reports), ("deadlines", deadline.deadlines), ("subjects", metric.subjects),
    ("metrics", metric.metrics),
]:
    RULES.push(_name, _fn)

masked_text = quantity.masked


@dataclass
class Found:
    """A target found in a text range, before it becomes an XML element."""

    start: int
    end: int
    comparator: str
    value: Decimal
    unit: str
    phrase: str
    deadline: str
    subject: str
    metric: str
    value_high: Decimal | None = None
    baseline: Decimal | None = None
    implicit: bool = False

    def attrs(self) -> dict[str, str]:
        """The attributes of its <target> element (valueHigh, baseline, implicit only when set)."""
        out = {"comparator": self.comparator, "value": plain(self.value), "unit": self.unit, "phrase": self.phrase,
               "metric": self.metric, "subject": self.subject, "deadline": self.deadline}
        if self.value_high is not None:
            out["valueHigh"] = plain(self.value_high)
        if self.baseline is not None:
            out["baseline"] = plain(self.baseline)
        if self.implicit:
            out["implicit"] = "true"
        return out


def cn_number(s: str) -> Decimal | None:
    """A Chinese numeral that is already known to be a quantity (一百五十, 两千, 一点五) → Decimal."""
    return cjknum.to_decimal(s)


def extract(text: str, a: int, b: int, *, plan_year: int | None = None, context_subject: str = "",
            masked: str | None = None, rules: Ruler | None = None) -> State:
    """Run the rules over text[a:b]; the state holds every quantity seen and why it was dropped."""
    state = State(text, a, b, masked if masked is not None else quantity.masked(text), plan_year=plan_year,
                  context_subject=context_subject)
    return (rules or RULES).run(state)


def _found(q: Quantity) -> Found:
    a, b = q.span
    return Found(a, b, q.comparator, q.value, q.unit, q.phrase, q.deadline, q.subject, q.metric,
                 value_high=q.value_high, baseline=q.baseline, implicit=q.implicit)


def _targets_of(state: State) -> list[Found]:
    out: list[Found] = []
    for f in (_found(q) for q in state.alive()):
        if out and f.start < out[-1].end:  # overlapping spans (a shared phrase): the later one shrinks
            f.start = out[-1].end
            if f.start >= f.end:
                continue
        out.append(f)
    return out


def find_targets(text: str, a: int, b: int, *, plan_year: int | None = None,
                 context_subject: str = "", masked: str | None = None) -> list[Found]:
    """Targets inside text[a:b] (one clause's own words), in order.

    `masked` is `masked_text(text)`; pass it when calling for many ranges of one text.
    """
    return _targets_of(extract(text, a, b, plan_year=plan_year, context_subject=context_subject, masked=masked))


def _text_ranges(block: Node) -> list[Node]:
    """The parts of a clause that hold its own words: heading and content (or the whole p)."""
    if block.tag == "p":
        return [block]
    return [c for c in block.children if c.tag in ("heading", "content")]


def annotate(root: Node, text: str, *, plan_year: int | None = None, warnings: list[str] | None = None) -> int:
    """Find the targets of every part of the document that has words of its own (the clauses'
    headings and contents, and every <p>: preamble, section intros, news paragraphs, closing)
    and insert them as <target> spans; returns the count. What was skipped as malformed (百分之1.2.3,
    2021年13月) is added to `warnings`."""
    from policydiff.model.document import BLOCKS
    from policydiff.model.tree import insert_span

    n = 0
    masked = quantity.masked(text)
    blocks = [nd for nd in root.iter() if "eId" in nd.attrs and nd.tag in (*BLOCKS, "p")]
    for block in blocks:
        heading = block.find("heading")
        context = subject_in(text[heading.start:heading.end]) if heading is not None else ""
        for part in _text_ranges(block):
            state = extract(text, part.start, part.end, plan_year=plan_year, context_subject=context, masked=masked)
            if warnings is not None:
                warnings.extend(state.warnings)
            for f in _targets_of(state):
                insert_span(part, Node("target", f.start, f.end, f.attrs()))
                n += 1
    return n
