"""The result of `coverage`: how a lower-level plan takes up a higher-level one (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from policydiff.model.document import DocMeta, Target


@dataclass
class ClauseRef:
    """A clause as a coverage report cites it: id, printed number, heading and text."""

    eid: str
    label: str
    heading: str
    text: str
    departments: list[str] = field(default_factory=list)
    #: each department with its counterparts at the other level, by function (省公安厅 → 市公安局)
    counterparts: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class CoverageLink:
    """A lower clause taking up (part of) a higher task, with its score and why."""

    higher: str
    lower: str
    score: float
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"higher": self.higher, "lower": self.lower, "score": self.score, "evidence": self.evidence}


@dataclass
class TargetPair:
    """A higher target and the lower target on the same subject and metric (None: the lower sets none)."""

    higher: Target
    lower: Target | None
    relation: str  # stricter | same | looser | none

    def to_dict(self) -> dict:
        return {"higher": self.higher.to_dict(), "lower": self.lower.to_dict() if self.lower else None,
                "relation": self.relation}


@dataclass
class DepartmentPair:
    """Departments of two levels with one function (省公安厅 ↔ 市公安局)."""

    function: str
    higher: list[str]
    lower: list[str]


@dataclass
class YearAnswer:
    """A lower clause answering tasks of one version of a higher series (a 2019–2021 city plan
    answers the provincial points of 2019, 2020 and 2021)."""

    lower: str
    year: int | None
    higher_ref: str
    higher: list[str]
    score: float


@dataclass
class Coverage:
    """Links (many-to-many), the higher tasks not taken up, the lower plan's own clauses, target pairs."""

    higher_ref: str
    lower_ref: str
    higher_meta: DocMeta
    lower_meta: DocMeta
    links: list[CoverageLink]
    not_taken_up: list[str]
    local_only: list[str]
    targets: list[TargetPair]
    higher_clauses: dict[str, ClauseRef] = field(default_factory=dict)
    lower_clauses: dict[str, ClauseRef] = field(default_factory=dict)
    departments: list[DepartmentPair] = field(default_factory=list)
    descriptive: list[str] = field(default_factory=list)
    #: for a higher task not taken up, the lower clause that came closest (below the thresholds):
    #: where a reader would look first to dispute the call; not part of the JSON contract
    nearest: dict[str, CoverageLink] = field(default_factory=dict)
    #: with other versions of the higher series (`coverage --also`): for each lower clause, the
    #: years whose tasks it answers; not part of the JSON contract
    years: dict[str, list[YearAnswer]] = field(default_factory=dict)

    def links_of(self, higher: str) -> list[CoverageLink]:
        return [k for k in self.links if k.higher == higher]

    def to_dict(self) -> dict:
        """The JSON contract: exactly these keys."""
        return {"higher": self.higher_ref, "lower": self.lower_ref,
                "links": [k.to_dict() for k in self.links],
                "not_taken_up": list(self.not_taken_up), "local_only": list(self.local_only),
                "targets": [t.to_dict() for t in self.targets]}

