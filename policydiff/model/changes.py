"""The change model: plain data that renderers read and never recompute (cf. xmldiff's actions.py).

`compare.py` computes a `Comparison`; `renderers/` and the CLI only read it (or its JSON).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from policydiff.model.document import Target

#: statuses of clause matches, in the order summaries list them
STATUSES = ("unchanged", "modified", "moved", "split", "merged", "added", "dropped", "not_mentioned")
#: classes of target changes
TARGET_CHANGES = ("tightened", "loosened", "unchanged", "added", "dropped", "incomparable",
                  "deadline_earlier", "deadline_later")


@dataclass
class DocInfo:
    """Which document a side of the comparison is."""

    ref: str
    series: str
    year: int | None
    kind: str
    doc_no: str
    title: str
    date: str = ""
    issuer: str = ""


@dataclass
class ClauseChange:
    """One clause match with its redline.

    `diff` is a list of [op, text] with op "=", "-" or "+", over tokens in which a number with its
    unit is one token.
    """

    old: list[str]
    new: list[str]
    status: str
    score: float
    evidence: dict
    diff: list[list[str]] = field(default_factory=list)
    old_num: str = ""
    new_num: str = ""
    old_heading: str = ""
    new_heading: str = ""
    old_text: str = ""
    new_text: str = ""
    section: str = ""
    section_heading: str = ""
    departments: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TargetChange:
    """A pair of targets (either side may be missing) and how the commitment moved."""

    old: Target | None
    new: Target | None
    change: str
    reason: str = ""
    old_clause: str = ""
    new_clause: str = ""

    def to_dict(self) -> dict:
        return {"old": self.old.to_dict() if self.old else None, "new": self.new.to_dict() if self.new else None,
                "change": self.change, "reason": self.reason}


@dataclass
class Comparison:
    """Everything `compare` found between two versions."""

    old: DocInfo
    new: DocInfo
    matches: list[ClauseChange]
    containers: list[ClauseChange]
    targets: list[TargetChange]
    summary: dict

    def to_dict(self) -> dict:
        """The documented JSON contract."""
        return {
            "old": asdict(self.old),
            "new": asdict(self.new),
            "matches": [m.to_dict() for m in self.matches],
            "containers": [m.to_dict() for m in self.containers],
            "targets": [t.to_dict() for t in self.targets],
            "summary": self.summary,
        }
