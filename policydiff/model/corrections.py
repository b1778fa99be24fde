"""Corrections a researcher made by hand: this old clause continues in that new one (link), or
it does not (unlink). Plain data; the archive keeps them in an append-only log and the matcher
replays them whenever it compares the two versions they name."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from policydiff.errors import UsageProblem

_CLAUSE_REF = re.compile(r"(?P<series>[^@:\s]+)@(?P<year>\d{4})(?:#(?P<n>\d+))?:(?P<clause>.+)")
OPS = ("link", "unlink", "undo")


@dataclass(frozen=True)
class ClauseRef:
    """SERIES@YEAR:CLAUSE, CLAUSE an eId (sec_4__para_18) or the number as cited (（十二）7.)."""

    series: str
    year: int
    clause: str

    @classmethod
    def parse(cls, text: str) -> ClauseRef:
        m = _CLAUSE_REF.fullmatch(text.strip())
        if not m:
            raise UsageProblem(f"bad clause reference {text!r}: expected SERIES@YEAR:CLAUSE, e.g. "
                               "gd-digital-gov@2019:sec_4__para_18 or gd-digital-gov@2021:（十二）7.")
        return cls(m["series"], int(m["year"]), m["clause"].strip())

    @property
    def version(self) -> str:
        return f"{self.series}@{self.year}"

    def __str__(self) -> str:
        return f"{self.version}:{self.clause}"


@dataclass(frozen=True)
class Correction:
    """One line of the correction log."""

    id: int
    op: str  # link | unlink | undo
    old: str = ""  # ClauseRef as text (link, unlink)
    new: str = ""
    why: str = ""
    author: str = ""
    at: str = ""  # ISO time, UTC
    undoes: int | None = None  # for undo: the id it takes back

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def old_ref(self) -> ClauseRef:
        return ClauseRef.parse(self.old)

    @property
    def new_ref(self) -> ClauseRef:
        return ClauseRef.parse(self.new)


def active(log: list[Correction]) -> list[Correction]:
    """The links and unlinks in force: each undo takes back the line it names."""
    undone = {c.undoes for c in log if c.op == "undo"}
    return [c for c in log if c.op in ("link", "unlink") and c.id not in undone]


def between(log: Iterable[Correction], old_version: str, new_version: str) -> list[Correction]:
    """The corrections that name this old version and this new one (SERIES@YEAR each)."""
    return [c for c in log if c.op != "undo" and c.old_ref.version == old_version and c.new_ref.version == new_version]


def digest(fixes: Iterable[Correction]) -> str:
    """A short hash of corrections, every field in log order ("" for none): part of what a stored
    result was computed from, so that a new correction (or an undo) makes it stale."""
    lines = [json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True) for c in fixes]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16] if lines else ""
