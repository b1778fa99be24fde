"""The change model: plain data that renderers read and never recompute (cf. xmldiff's actions.py).

`policydiff.match.compare` computes a `Comparison`; `renderers/` and the CLI only read it (or its
JSON, `Comparison.to_dict()`, whose shape and wording are the documented contract).

Everything a renderer needs is decided here or by compare, as typed fields:
- a clause match has a `Status`, its clauses' numbers as lists aligned with its eIds
  (`old_nums`/`new_nums`), whether its text changed (`modified`), and the two sides of its
  redline (`old_side`/`new_side`);
- a target change has a `TargetChangeKind` and a structured `Reason(kind, old, new)`, which the
  model words (`Reason.text`) for the JSON contract;
- a comparison has its counts per status and per target change (`counts`, `target_counts`).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from policydiff.model.document import Target


class Status(StrEnum):
    """What happened to a clause (or a group of clauses) between the two versions."""

    UNCHANGED = "unchanged"
    MODIFIED = "modified"
    MOVED = "moved"
    SPLIT = "split"
    MERGED = "merged"
    ADDED = "added"
    DROPPED = "dropped"
    NOT_MENTIONED = "not_mentioned"  # a clause a news summary does not cover (never "dropped")


class TargetChangeKind(StrEnum):
    """How a quantitative commitment moved."""

    TIGHTENED = "tightened"
    LOOSENED = "loosened"
    UNCHANGED = "unchanged"
    ADDED = "added"
    DROPPED = "dropped"
    INCOMPARABLE = "incomparable"
    DEADLINE_EARLIER = "deadline_earlier"  # older JSON only: a deadline alone moving is tightened/loosened now
    DEADLINE_LATER = "deadline_later"  # older JSON only
    MIXED = "mixed"  # value and deadline moved apart: raised but later, or lowered but earlier
    CHANGED = "changed"  # changed in a way that is neither tighter nor looser (a deadline dropped)


#: statuses of clause matches, in the order summaries list them
STATUSES: tuple[Status, ...] = tuple(Status)
#: classes of target changes, in the order summaries list them
TARGET_CHANGES: tuple[TargetChangeKind, ...] = tuple(TargetChangeKind)


class ReasonKind(StrEnum):
    """Why a pair of targets was classified as it was."""

    NONE = "none"  # nothing to say: the same commitment, or one side missing
    UNIT = "unit"  # the unit changed (old/new: the units): incomparable
    METRIC = "metric"  # the metric changed (old/new: the metrics): incomparable
    COMPARATOR = "comparator"  # floor ↔ ceiling ↔ cut ↔ approximate (old/new: comparators): incomparable
    APPROXIMATE = "approximate"  # approximate values that differ: incomparable
    APPROXIMATE_SAME = "approximate_same"  # the same approximate value: unchanged
    VALUE = "value"  # the value moved (old/new: the values as a reader writes them)
    STRICTNESS = "strictness"  # ge ↔ gt or le ↔ lt at the same value (old/new: comparators)
    DEADLINE = "deadline"  # the deadline moved (old/new: the deadlines)
    DEADLINE_SET = "deadline_set"  # a deadline where there was none (new: the deadline)
    DEADLINE_DROPPED = "deadline_dropped"  # the deadline is gone (old: the deadline)
    MIXED = "mixed"  # the value and the deadline moved apart (old/new: "value by deadline")
    RANGE = "range"  # a range widened or narrowed on both ends (old/new: the ranges): incomparable
    BASELINE = "baseline"  # a relative change from another baseline (old/new: the baselines): incomparable


#: the English wording of each reason, as the JSON contract states it
_WORDING: dict[ReasonKind, str] = {
    ReasonKind.NONE: "",
    ReasonKind.UNIT: "unit changed: {old} → {new}",
    ReasonKind.METRIC: "metric changed: {old} → {new}",
    ReasonKind.COMPARATOR: "comparator changed: {old} → {new}",
    ReasonKind.APPROXIMATE: "approximate values",
    ReasonKind.APPROXIMATE_SAME: "same approximate value",
    ReasonKind.VALUE: "{old} → {new}",
    ReasonKind.STRICTNESS: "{old} → {new} at the same value",
    ReasonKind.DEADLINE: "{old} → {new}",
    ReasonKind.DEADLINE_SET: "deadline set: {new}",
    ReasonKind.DEADLINE_DROPPED: "deadline dropped: {old}",
    ReasonKind.MIXED: "{old} → {new}: value and deadline moved apart",
    ReasonKind.RANGE: "range changed: {old} → {new}",
    ReasonKind.BASELINE: "baseline changed: {old} → {new}",
}
#: what `across_clauses` adds to the wording
ACROSS_CLAUSES = " (across clauses)"


@dataclass(frozen=True)
class Reason:
    """Why a target change is what it is: a kind and the two values it is about.

    `across_clauses` marks a pair found across the document (the target moved to another clause),
    whatever its kind.
    """

    kind: ReasonKind = ReasonKind.NONE
    old: str = ""
    new: str = ""
    across_clauses: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ReasonKind(self.kind))

    @property
    def text(self) -> str:
        """The reason in words, exactly as the JSON contract states it ("" when there is none)."""
        old, new = self.old, self.new
        if self.kind is ReasonKind.UNIT:  # a missing unit is shown as a dash
            old, new = old or "—", new or "—"
        text = _WORDING[self.kind].format(old=old, new=new)
        return text + ACROSS_CLAUSES if self.across_clauses else text

    @property
    def given(self) -> bool:
        """Whether there is anything to say (`text` is not empty)."""
        return self.kind is not ReasonKind.NONE or self.across_clauses

    def across(self) -> Reason:
        """The same reason for a pair found across clauses."""
        return Reason(self.kind, self.old, self.new, across_clauses=True)


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
    unit is one token. `old_nums`/`new_nums` are the printed numbers of the old/new clauses, one per
    eId of `old`/`new` ("" for an unnumbered clause).
    """

    old: list[str]
    new: list[str]
    status: Status
    score: float
    evidence: dict
    diff: list[list[str]] = field(default_factory=list)
    old_nums: list[str] = field(default_factory=list)
    new_nums: list[str] = field(default_factory=list)
    old_heading: str = ""
    new_heading: str = ""
    old_text: str = ""
    new_text: str = ""
    section: str = ""
    section_heading: str = ""
    departments: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def old_num(self) -> str:
        """The old clauses' numbers joined by spaces (the JSON form)."""
        return " ".join(self.old_nums)

    @property
    def new_num(self) -> str:
        """The new clauses' numbers joined by spaces (the JSON form)."""
        return " ".join(self.new_nums)

    def old_numbered(self) -> list[tuple[str, str]]:
        """(number, eId) of each old clause."""
        return _numbered(self.old_nums, self.old)

    def new_numbered(self) -> list[tuple[str, str]]:
        """(number, eId) of each new clause."""
        return _numbered(self.new_nums, self.new)

    @property
    def modified(self) -> bool:
        """Whether the clause text changed (both sides exist and their texts differ)."""
        return bool(self.old and self.new) and self.old_text != self.new_text

    @property
    def renumbered(self) -> str:
        """"（九） → （二）" when a 1:1 match changed its number, else ""."""
        ren = self.evidence.get("renumbered") if isinstance(self.evidence, dict) else None
        return str(ren) if ren else ""

    @property
    def old_side(self) -> list[tuple[str, str]]:
        """The old side of the redline as [(op, text)], op "=" or "-"; the plain old text if the
        redline does not rebuild it (or there is none)."""
        side = [(op, text) for op, text in self.diff if op in ("=", "-")]
        return _side(side, self.diff, self.old_text)

    @property
    def new_side(self) -> list[tuple[str, str]]:
        """The new side of the redline as [(op, text)], op "=" or "+"; the plain new text if the
        redline does not rebuild it (or there is none)."""
        side = [(op, text) for op, text in self.diff if op in ("=", "+")]
        return _side(side, self.diff, self.new_text)

    @property
    def changed_share(self) -> float:
        """How much of the redline is deleted or inserted text (0 = identical, 1 = rewritten)."""
        total = sum(len(t) for _, t in self.diff)
        if not total:
            return 0.0
        return sum(len(t) for op, t in self.diff if op != "=") / total

    def to_dict(self) -> dict:
        """The JSON form: exactly the documented keys, in their documented order."""
        return {
            "old": list(self.old), "new": list(self.new), "status": self.status.value, "score": self.score,
            "evidence": copy.deepcopy(self.evidence), "diff": copy.deepcopy(self.diff),
            "old_num": self.old_num, "new_num": self.new_num,
            "old_heading": self.old_heading, "new_heading": self.new_heading,
            "old_text": self.old_text, "new_text": self.new_text,
            "section": self.section, "section_heading": self.section_heading,
            "departments": copy.deepcopy(self.departments),
        }


def _numbered(nums: list[str], eids: list[str]) -> list[tuple[str, str]]:
    """(number, eId) pairs; numbers that do not line up with the eIds (a hand-built change) all go
    with the first eId."""
    if len(nums) != len(eids):
        nums = [" ".join(nums).strip()] + [""] * (len(eids) - 1) if eids else []
    return list(zip(nums, eids, strict=True))


def _side(side: list[tuple[str, str]], diff: list[list[str]], text: str) -> list[tuple[str, str]]:
    if not diff:
        return [("=", text)] if text else []
    if "".join(t for _, t in side) != text:
        return [("=", text)]
    return side


@dataclass
class TargetChange:
    """A pair of targets (either side may be missing) and how the commitment moved.

    `old_clause`/`new_clause` are the clauses the pair was found in (those of the targets unless
    given). `score` and `evidence` say why the two targets were taken for one commitment (the
    lexicon identity, the metric, the clause alignment, the shared head noun, subject and unit;
    `policydiff.match.target_changes.identity_evidence`); empty for an added or dropped target.
    """

    old: Target | None
    new: Target | None
    change: TargetChangeKind
    reason: Reason = field(default_factory=Reason)
    old_clause: str = ""
    new_clause: str = ""
    score: float = 0.0
    evidence: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.change = TargetChangeKind(self.change)
        if not self.old_clause and self.old is not None:
            self.old_clause = self.old.clause
        if not self.new_clause and self.new is not None:
            self.new_clause = self.new.clause

    def to_dict(self) -> dict:
        return {"old": self.old.to_dict() if self.old else None, "new": self.new.to_dict() if self.new else None,
                "change": self.change.value, "reason": self.reason.text, "score": self.score,
                "evidence": copy.deepcopy(self.evidence)}


@dataclass
class Comparison:
    """Everything `compare` found between two versions."""

    old: DocInfo
    new: DocInfo
    matches: list[ClauseChange]
    containers: list[ClauseChange]
    targets: list[TargetChange]
    summary: dict

    @property
    def counts(self) -> dict[Status, int]:
        """Clause matches per status, as the summary states them (every status, in STATUSES order)."""
        given = (self.summary or {}).get("counts") or {}
        return {s: int(given.get(s, 0)) for s in STATUSES}

    @property
    def target_counts(self) -> dict[TargetChangeKind, int]:
        """Target changes per kind, as the summary states them (every kind, in TARGET_CHANGES order)."""
        given = (self.summary or {}).get("target_changes") or {}
        return {c: int(given.get(c, 0)) for c in TARGET_CHANGES}

    def clause_numbers(self) -> tuple[dict[str, str], dict[str, str]]:
        """eId → printed clause number, for the old and the new document (clauses of the matches)."""
        old: dict[str, str] = {}
        new: dict[str, str] = {}
        for m in self.matches:
            old.update((e, n) for n, e in m.old_numbered())
            new.update((e, n) for n, e in m.new_numbered())
        return old, new

    def to_frame(self):
        """One row per clause match (pandas DataFrame; columns: `policydiff.model.frames.CLAUSE_COLUMNS`)."""
        from policydiff.model.frames import clause_frame

        return clause_frame(self)

    def targets_frame(self):
        """One row per target change (pandas DataFrame; columns: `policydiff.model.frames.TARGET_COLUMNS`)."""
        from policydiff.model.frames import target_frame

        return target_frame(self)

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
