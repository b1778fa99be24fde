"""Whole-series results as plain data: versions, clause lineages, target trajectories, the series report."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from policydiff.model.changes import Comparison
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

    def to_frame(self):
        """One row per clause of a lineage in a version (pandas DataFrame; columns:
        `policydiff.model.frames.LINEAGE_COLUMNS`)."""
        from policydiff.model.frames import lineage_frame

        return lineage_frame(self)

    def to_dict(self) -> dict:
        return {"series": self.series, "versions": [v.__dict__ for v in self.versions],
                "lineages": [ln.to_dict() for ln in self.lineages]}


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


@dataclass
class SeriesReport:
    series: str
    lineage: SeriesLineage
    trajectories: list[Trajectory]
