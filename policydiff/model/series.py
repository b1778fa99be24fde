"""Whole-series results as plain data: versions, clause lineages, target trajectories, the series report."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from policydiff.model.changes import Comparison
from policydiff.model.coverage import Coverage
from policydiff.model.document import json_number
from policydiff.model.quantity import display_value


@dataclass
class VersionInfo:
    label: str
    ref: str
    year: int | None
    kind: str
    title: str
    doc_no: str
    date: str


@dataclass
class Lineage:
    """One task through the versions: version label → clause ids (several after a split)."""

    id: str
    cells: dict[str, list[str]]
    heading: str
    links: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "heading": self.heading, "cells": self.cells, "links": self.links}


@dataclass
class SeriesLineage:
    series: str
    versions: list[VersionInfo]
    lineages: list[Lineage]
    comparisons: list[Comparison] = field(default_factory=list)
    #: version label → clause id → printed number path, e.g. sec_3__para_12__point_7 → （十二）7.
    numbers: dict[str, dict[str, str]] = field(default_factory=dict)
    #: consecutive plans (news summaries skipped): (old index, new index, their comparison)
    plan_comparisons: list[tuple[int, int, Comparison]] = field(default_factory=list)
    #: the plan clauses each news paragraph mentions: {"news": "2020:sec_3__p_5", "plan":
    #: "2019:sec_6__para_27", "status", "score"} (the news–plan matches of the comparisons)
    mentions: list[dict] = field(default_factory=list)

    def to_frame(self):
        """One row per clause of a lineage in a version (pandas DataFrame; columns:
        `policydiff.model.frames.LINEAGE_COLUMNS`)."""
        from policydiff.model.frames import lineage_frame

        return lineage_frame(self)

    def label(self, version: str, eid: str) -> str:
        """How a reader names a clause of a version: its printed number ((十二)7.), a news
        paragraph's heading and place (「用大数据抗疫」第2段), else its eId."""
        return self.numbers.get(version, {}).get(eid) or eid

    def lineage_dict(self, ln: Lineage) -> dict:
        """A lineage as JSON: its cells name eIds, `labels` the same clauses as a reader cites them."""
        return ln.to_dict() | {"labels": {v: [self.label(v, e) for e in ids] for v, ids in ln.cells.items()}}

    def to_dict(self) -> dict:
        return {"series": self.series, "versions": [v.__dict__ for v in self.versions],
                "lineages": [self.lineage_dict(ln) for ln in self.lineages]}


@dataclass
class Point:
    year: int | None
    value: Decimal
    unit: str
    comparator: str
    text: str
    ref: str
    clause: str
    subject: str
    metric: str
    deadline: str
    version: int  # index of the version in the series
    value_high: Decimal | None = None  # the upper end of a range
    baseline: Decimal | None = None  # a stated from-value
    implicit: bool = False  # no comparator written (a bare commitment read as a floor)

    def to_dict(self) -> dict:
        return {"year": self.year, "value": json_number(self.value), "unit": self.unit, "comparator": self.comparator,
                "text": self.text, "ref": self.ref, "clause": self.clause}

    @property
    def display(self) -> str:
        return display_value(self.value, self.unit)


@dataclass
class Trajectory:
    subject: str
    metric: str
    points: list[Point]
    changes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"subject": self.subject, "metric": self.metric, "points": [p.to_dict() for p in self.points],
                "changes": self.changes}


#: how a cell of the target table writes each comparator before the value
COMPARATOR_MARKS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "=", "approx": "≈", "reduce_by": "−",
                    "increase_by": "+", "range": ""}


def cell_text(p: Point) -> str:
    """A point as a table cell: ≥1500万, >1.1亿, ≤3工作日, 80%–90%, −50%."""
    if p.comparator == "range" and p.value_high is not None:
        return f"{p.display}–{display_value(p.value_high, p.unit)}"
    return COMPARATOR_MARKS.get(p.comparator, p.comparator) + p.display


@dataclass
class TargetRow:
    """One target identity through the series: a point per version (None where it is not stated)
    and, per version, the change of the step that arrives there ("" for none)."""

    subject: str
    metric: str
    cells: list[Point | None]
    changes: list[str]
    reasons: list[str] = field(default_factory=list)

    def to_dict(self, versions: list[str]) -> dict:
        return {"subject": self.subject, "metric": self.metric,
                "cells": {v: (cell_text(p) if p else None) for v, p in zip(versions, self.cells, strict=True)},
                "changes": [{"to": v, "change": c, "reason": r}
                            for v, c, r in zip(versions, self.changes, self.reasons or [""] * len(versions),
                                               strict=True) if c]}


@dataclass
class TargetTable:
    """The targets across a series: one row per target identity (a trajectory), one column per
    version, the change between columns (`policydiff.series.targets.target_table`)."""

    series: str
    versions: list[str]
    rows: list[TargetRow]

    def header(self) -> list[str]:
        """subject, metric, then each version and, before every version after the first, the change
        into it: 2019, 2019→2020, 2020 …"""
        out = ["subject", "metric"]
        for k, v in enumerate(self.versions):
            if k:
                out.append(f"{self.versions[k - 1]}→{v}")
            out.append(v)
        return out

    def records(self) -> list[list[str]]:
        """The rows as plain strings, in `header()` order (the CSV)."""
        out = []
        for row in self.rows:
            line = [row.subject, row.metric]
            for k, p in enumerate(row.cells):
                if k:
                    line.append(row.changes[k])
                line.append(cell_text(p) if p else "")
            out.append(line)
        return out

    def to_dict(self) -> dict:
        return {"series": self.series, "versions": list(self.versions),
                "rows": [r.to_dict(self.versions) for r in self.rows]}


@dataclass
class SeriesReport:
    series: str
    lineage: SeriesLineage
    trajectories: list[Trajectory]
    #: each department's tasks per plan and what it gained and lost (`policydiff.series.departments`)
    departments: list[dict] = field(default_factory=list)
    #: the targets across the series (`policydiff.series.targets`), computed with the report
    target_table: TargetTable | None = None
    #: the series this one takes up (`archive add --parent`: a city plan's provincial series)
    parent: str = ""
    #: each plan of this series against the parent's plan of its first year, with the parent's
    #: other versions of the years it covers in `years` (`policydiff.series.coverage`)
    coverage: list[Coverage] = field(default_factory=list)
