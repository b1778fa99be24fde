"""Plain-text forms of model data: JSON, CSV that spreadsheets cannot execute, aligned tables, and
names made safe for a terminal. Pure functions of values (no files): the CLI, the renderers and
corpus mode's tables all write through these."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

#: a CSV written to a file starts with it, so Excel on Windows reads the Chinese
CSV_BOM = "\ufeff"


def to_json(data: object) -> str:
    """UTF-8 JSON (Chinese stays readable); `</` is escaped so JSON embedded in HTML stays inert."""
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ would start a formula (CSV injection)."""
    s = "" if value is None else str(value)
    if s.startswith(_FORMULA) and not _is_number(s):
        return "'" + s
    return s


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def to_csv(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


#: what a terminal must never receive from a document or a file name: C0 controls (ESC starts escape
#: sequences, CR/LF forge lines), DEL, C1 controls (U+009B is a one-byte CSI), line and paragraph
#: separators, and the bidirectional controls that reorder what is shown (U+202E)
_UNSAFE = [*range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029,
           *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _UNSAFE}


def printable(text: object) -> str:
    """`text` as one terminal-safe line: every control, separator and bidi override is shown as a
    visible escape (ESC as \\x1b, U+202E as \\u202e, a newline as \\x0a); Chinese text, the
    ideographic space and everything else printable are kept. Every name or text the CLI prints
    goes through here (tables, result lines, errors)."""
    return str(text).translate(_ESCAPES)


def printable_lines(text: str) -> str:
    """`printable` line by line: newlines are kept, everything else unsafe is escaped."""
    return "\n".join(printable(line) for line in text.split("\n"))


def display_width(s: str) -> int:
    """Columns a terminal gives the text: wide (CJK) characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


_width = display_width


def table(header: list[str], rows: list[list[object]], max_width: int = 40) -> str:
    """A plain aligned table (wide characters count double)."""
    cells = [[_clip(str(v if v is not None else ""), max_width) for v in r] for r in [header, *rows]]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(r)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _clip(s: str, n: int) -> str:
    s = printable(" ".join(s.split()))
    out, w = "", 0
    for c in s:
        w += _width(c)
        if w > n:
            return out + "…"
        out += c
    return out
