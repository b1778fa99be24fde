"""Sidecars checked field by field, and what `verify --rebuild` takes for a field that lies.

A sidecar is metadata someone may have edited; the object is bytes whose hash is their name. So a
rebuild trusts the object (its size is the object's size) and repairs any other field that is not
valid from the surviving catalog row, else from the document's own text (year, kind), else an
empty value; only a version whose series cannot be known is left out. Every repair is reported
with the file that lied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from policydiff.store.catalog import FIELDS, KINDS, SERIES_RE, YEAR_MAX, YEAR_MIN, Version, key_parts, now

#: the largest integer the catalog (SQLite) can hold
_INT_MAX = 2**63 - 1
#: longer text in a metadata field is not metadata (a whole plan pasted into `title`)
_MAX_TEXT = 10_000


def read_fields(path: Path) -> dict[str, object] | None:
    """The JSON object of a sidecar, or None when the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _bad_value(name: str, value: object, key: str) -> str | None:
    """Why `value` is not a valid `name` of the version with this sidecar key (None: it is)."""
    vid, named = key_parts(key)
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if name == "id":
        return None if value == vid else f"expected the object id {vid[:12]}…"
    if name == "series":
        if not isinstance(value, str) or not SERIES_RE.fullmatch(value):
            return "not a series name"
        return None if named is None or value == named else f"the file name says {named}"
    if name == "year":
        return None if is_int and YEAR_MIN <= value <= YEAR_MAX else f"expected {YEAR_MIN}-{YEAR_MAX}"
    if name == "kind":
        return None if value in KINDS else f"expected one of {', '.join(KINDS)}"
    if name in ("version", "size"):
        low = 1 if name == "version" else 0
        return None if is_int and low <= value <= _INT_MAX else f"expected a whole number of at least {low}"
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        return "expected text"
    return None


def bad_fields(data: dict[str, object], key: str) -> dict[str, str]:
    """Each invalid or missing field of a sidecar, with what is wrong with it ("year 9223… (expected …)")."""
    bad = {}
    for name in FIELDS:
        if name not in data:
            bad[name] = f"{name} missing"
        elif (why := _bad_value(name, data[name], key)) is not None:
            bad[name] = f"{name} {_shown(data[name])} ({why})"
    return bad


def _from_text(name: str, detect: Callable[[], object]) -> object:
    """A field as the document's text gives it, or None."""
    if name not in ("year", "kind"):
        return None
    try:
        meta = detect()
    except Exception:  # noqa: BLE001 - an undecodable object simply gives no value
        return None
    if name == "year":
        year = getattr(meta, "year", None)
        return year if isinstance(year, int) and YEAR_MIN <= year <= YEAR_MAX else None
    return "news" if getattr(meta, "kind", None) == "news" else "plan"


def _replacement(name: str, key: str, row: Version | None, detect: Callable[[], object]) -> tuple[object, str]:
    """The value a rebuild takes for an invalid field, and where it came from (value None: nothing)."""
    vid, named = key_parts(key)
    if name == "id":
        return vid, "the object's id"
    if name == "series" and named is not None:
        return named, "the file name"
    if row is not None and _bad_value(name, getattr(row, name), key) is None:
        return getattr(row, name), "the catalog row"
    if name == "series":
        return None, ""
    value = _from_text(name, detect)
    if value is not None:
        return value, "the document's text"
    if name == "year":
        return None, ""
    defaults = {"version": (None, "renumbered"), "added_at": (now(), "now")}
    return defaults.get(name, ("", "left empty"))


def repaired(key: str, data: dict[str, object], row: Version | None, object_size: int,
             detect: Callable[[], object]) -> tuple[Version | None, list[str]]:
    """The version a sidecar describes, its invalid fields repaired, and one message per repair.

    None (with the reason) when a field that cannot be guessed (series, year) has no valid value
    anywhere. `row` is the catalog row of the same version, if one survived; `detect` gives the
    metadata detected from the document's text (called only when needed)."""
    fields: dict[str, object] = {}
    notes: list[str] = []
    bad = bad_fields(data, key)
    for name in FIELDS:
        if name not in bad:
            fields[name] = data[name]
            continue
        value, source = (object_size, "the object") if name == "size" else _replacement(name, key, row, detect)
        if value is None and name == "series":
            return None, [f"sidecar names an invalid series: {bad[name]}, and no catalog row gives it: left out"]
        if value is None and name == "year":
            return None, [f"sidecar names an invalid year: {bad[name]}, and neither the catalog nor the text "
                          "gives it: left out (re-add the file with --year)"]
        fields[name] = value
        notes.append(f"{bad[name]}: repaired from {source}" + (f" ({value})" if name in ("year", "kind") else ""))
    if fields["size"] != object_size:
        if "size" not in bad:  # the object's bytes hash to its name: it, not the sidecar, knows its size
            notes.append(f"size {fields['size']} but the object holds {object_size} bytes (its hash matches its "
                         "name): repaired from the object")
        fields["size"] = object_size
    return Version(**fields), notes  # type: ignore[arg-type]
