"""Full-text search over every archived clause (SQLite FTS5, trigram tokenizer).

The index holds normalized (Simplified) clause text, so a Simplified query finds a Traditional
source. Trigrams need three characters: one- and two-character keywords fall back to substring
matching (LIKE, which FTS5's trigram index also serves). The index lives in the archive's
derived/ folder and is kept up to date version by version (`search_index`).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.store.archive import Archive
from policydiff.store.search_index import index_finding, open_index

__all__ = ["DEFAULT_LIMIT", "Hit", "index_finding", "open_index", "search", "search_limited"]


@dataclass
class Hit:
    series: str
    year: int | None
    ref: str
    clause: str
    heading: str
    snippet: str

    def to_dict(self) -> dict:
        return asdict(self)


def _keywords(query: str) -> list[str]:
    """Keywords as the Simplified text holds them (Traditional, full-width and pinyin-damaged
    queries find the same clauses)."""
    from policydiff.read.text import normalize_query

    words = [w for w in re.split(r"\s+", query.strip()) if w]
    if not words:
        raise UsageProblem("empty search query")
    if any(len(w) > 200 for w in words):
        raise UsageProblem("search keyword longer than 200 characters")
    return [k for w in words for k in normalize_query(w).split()]


def _snippet(text: str, words: list[str], width: int = 24) -> str:
    flat = " ".join(text.split())
    first = min((i for i in (flat.find(w) for w in words) if i >= 0), default=0)
    a, b = max(0, first - width), min(len(flat), first + width * 2)
    piece = flat[a:b]
    for w in sorted(set(words), key=len, reverse=True):
        piece = piece.replace(w, f"【{w}】")
    return ("…" if a else "") + piece + ("…" if b < len(flat) else "")


#: hits `search` returns unless told otherwise
DEFAULT_LIMIT = 200


def search(archive_dir: str, query: str, series: str | None = None, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """Clauses containing every keyword of `query` (Simplified or Traditional), at most `limit`."""
    return search_limited(archive_dir, query, series, limit)[0]


def search_limited(archive_dir: str, query: str, series: str | None = None,
                   limit: int = DEFAULT_LIMIT) -> tuple[list[Hit], bool]:
    """`search`, and whether more clauses matched than the `limit` returned (the results were cut)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise UsageProblem(f"bad search limit {limit!r}: expected a whole number of at least 1")
    archive = Archive(archive_dir)
    if series is not None:
        archive.log(series)  # unknown series → UsageProblem
    words = _keywords(query)
    try:
        conn = open_index(archive)
    except sqlite3.Error as exc:
        raise PolicydiffError(f"search index unavailable: {exc}") from None
    where, params = [], []
    long_words = [w for w in words if len(w) >= 3]
    if long_words:
        where.append("clauses MATCH ?")
        params.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_words))
    for w in words:
        if len(w) < 3:
            where.append("text LIKE ? ESCAPE '\\'")
            params.append("%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if series:
        where.append("series = ?")
        params.append(series)
    sql = (f"SELECT text, heading, series, year, ref, clause FROM clauses WHERE {' AND '.join(where)} "
           "ORDER BY series, year, ref, rowid LIMIT ?")
    try:
        rows = conn.execute(sql, (*params, limit + 1)).fetchall()  # one more: were there more?
    except sqlite3.Error as exc:
        raise PolicydiffError(f"search failed: {exc}") from None
    finally:
        conn.close()
    cut = len(rows) > limit
    return [Hit(series=s, year=int(y) if y is not None else None, ref=r, clause=c, heading=h,
                snippet=_snippet(t, words)) for t, h, s, y, r, c in rows[:limit]], cut

