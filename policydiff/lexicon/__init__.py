"""Lexicons: the words policydiff knows, as plain data files under `data/`, loaded once.

Every programme name, administrative level, place, page-furniture marker, responsibility verb,
comparator phrase, unit and phrase table lives here, not in code: a new province or a new
phrase is a data change. Files are UTF-8; `#` starts a comment; blank lines are ignored.

- `*.txt`: one entry a line.
- `*.tsv`: tab-separated columns, one entry a line.

`digest()` hashes every file, so stored XML made with other lexicons is seen as stale. Files the
matcher alone reads (`data/match/*.txt`, e.g. `words("match/systems")`) change no XML and are
not part of the digest.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache
from importlib import resources


def _lines(name: str) -> list[str]:
    data = resources.files("policydiff.lexicon").joinpath("data", name).read_text(encoding="utf-8")
    out = []
    for raw in data.splitlines():
        line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.strip():
            out.append(line)
    return out


@cache
def words(name: str) -> tuple[str, ...]:
    """The entries of `data/NAME.txt`, in file order."""
    return tuple(line.strip() for line in _lines(f"{name}.txt"))


@cache
def table(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of `data/NAME.tsv` (tab-separated), in file order."""
    return tuple(tuple(col.strip() for col in line.split("\t")) for line in _lines(f"{name}.tsv"))


@cache
def mapping(name: str) -> dict[str, str]:
    """The first two columns of `data/NAME.tsv` as a dict."""
    return {row[0]: row[1] for row in table(name) if len(row) >= 2}


@cache
def alternation(name: str) -> str:
    """The entries of `data/NAME.txt` as a regex alternation, longest first (so 市县级 beats 市级)."""
    return "|".join(re.escape(w) for w in sorted(set(words(name)), key=lambda w: (-len(w), w)))


@cache
def pattern(name: str) -> re.Pattern[str]:
    """A compiled alternation of `data/NAME.txt`."""
    return re.compile(alternation(name))


@lru_cache(maxsize=1)
def digest() -> str:
    """A short hash of every lexicon file the normalizer reads (not `data/match/`): part of the
    normalizer version."""
    h = hashlib.sha256()
    folder = resources.files("policydiff.lexicon").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith((".txt", ".tsv")):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return h.hexdigest()[:12]
