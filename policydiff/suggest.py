"""Suggestions for not-found errors: the nearest REF, series or command, and how to list them.

The archive raises plain `UsageProblem`s ("unknown series: gd", "no version id starts with 2019");
the CLI and the Python API pass them through `annotate`, which appends what the reader most likely
meant (difflib over the archive's series and REFs) and where to see every choice. Suggestions are a
courtesy: if the archive cannot be read, the message is left as it was.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass

from policydiff.errors import ArchiveNotFound, NotFound, PolicydiffError


@dataclass(frozen=True)
class Wording:
    """How to tell the reader where to look: the CLI names commands, the API names methods."""

    list_refs: str
    list_series: str
    log: str  # with {series}
    archive_missing: str  # with {root}
    add: str


CLI = Wording(
    list_refs="`policydiff archive list` lists them",
    list_series="`policydiff archive list` lists the series",
    log="`policydiff archive log {series}` lists its versions",
    archive_missing="give --archive DIR (before or after the command) or set POLICYDIFF_ARCHIVE, "
                    "or create an archive with `policydiff --archive {root} archive add FILE --series NAME`",
    add="add documents with `policydiff archive add FILE --series NAME`",
)
API = Wording(
    list_refs="archive.versions() lists them",
    list_series="archive.versions() lists the series",
    log="archive.versions({series!r}) lists its versions",
    archive_missing="pass the folder of an existing archive to policydiff.open_archive() "
                    "(or create one with `policydiff archive add FILE --series NAME`)",
    add="add documents with `policydiff archive add FILE --series NAME`",
)

_UNKNOWN_SERIES = re.compile(r"unknown series: (?P<series>.+?)(?: \((?:known: .*|the archive is empty)\))?$")
_NO_VERSION = re.compile(r"no version (?P<ref>(?P<series>[^@#\s]+)@(?P<year>\d+)(?:#(?P<n>\d+))?) in the archive")
_NO_PREFIX = re.compile(r"no version id starts with (?P<prefix>\S+)$")
_UNKNOWN_REF = re.compile(r"unknown REF (?P<ref>'.*'|\".*\"):")
_NO_FILE = re.compile(r"no such file: (?P<path>.+)$")
_ARCHIVE_MISSING = re.compile(r"archive not found: (?P<root>.+)$")
_AMBIGUOUS = re.compile(r"ambiguous id prefix (?P<prefix>\S+):")
_HINTED = " — "  # an annotated message carries this once


def annotate(exc: PolicydiffError, archive_dir: str | os.PathLike[str] | None, wording: Wording = CLI) -> PolicydiffError:
    """The error with a suggestion appended (a NotFound/ArchiveNotFound when it is one); `exc` itself
    when there is nothing to add."""
    message = str(exc)
    if _HINTED in message:
        return exc
    try:
        found = _hint(message, archive_dir, wording)
    except PolicydiffError:  # the archive cannot even be listed: say what we know
        found = None
    if found is None:
        return exc
    kind, hint = found
    new = kind(f"{message}{_HINTED}{hint}") if kind is not None else type(exc)(f"{message}{_HINTED}{hint}")
    new.__cause__ = exc.__cause__
    return new


def close(word: str, choices: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The nearest choices (case-insensitive), best first; only those about as near as the best."""
    lowered = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=cutoff)
    if not found:  # a shortened name (jieyang → jieyang-digital-gov)
        return [c for low, c in lowered.items() if len(word) >= 3 and word.lower() in low][:n]
    ratio = {m: difflib.SequenceMatcher(None, word.lower(), m).ratio() for m in found}
    best = max(ratio.values())
    return [lowered[m] for m in found if ratio[m] >= best - 0.05]


def did_you_mean(options: list[str]) -> str:
    if not options:
        return ""
    if len(options) == 1:
        return f"did you mean {options[0]}?"
    return f"did you mean {', '.join(options[:-1])} or {options[-1]}?"


def command_hint(name: str, commands: list[str], command_path: str) -> str:
    """"did you mean compare? (`policydiff --help` lists the commands)"."""
    mean = did_you_mean(close(name, commands, cutoff=0.6))
    where = f"`{command_path} --help` lists the commands: {', '.join(commands)}"
    return f"{mean} ({where})" if mean else where


def _versions(archive_dir: str | os.PathLike[str] | None) -> list:
    if archive_dir is None or not os.path.isdir(archive_dir):
        return []
    from policydiff.store.archive import Archive

    return Archive(archive_dir).list()


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _hint(message: str, archive_dir, w: Wording) -> tuple[type[PolicydiffError] | None, str] | None:
    if m := _ARCHIVE_MISSING.search(message):
        return ArchiveNotFound, w.archive_missing.format(root=m["root"])
    if m := _UNKNOWN_SERIES.search(message):
        versions = _versions(archive_dir)
        if not versions:
            return NotFound, w.add
        names = sorted({v.series for v in versions})
        return NotFound, _join(did_you_mean(close(m["series"], names)), w.list_series)
    if m := _NO_VERSION.search(message):
        versions = [v for v in _versions(archive_dir) if v.series == m["series"]]
        if not versions:
            return NotFound, w.log.format(series=m["series"])
        year = int(m["year"])
        if m["n"] is not None and any(v.year == year for v in versions):
            numbers = [v for v in versions if v.year == year]
            mean = f"{m['series']}@{year} has version{'s' if len(numbers) > 1 else ''} " + ", ".join(
                f"#{v.version}" for v in numbers)
        else:
            years = sorted({v.year for v in versions})
            nearest = min(years, key=lambda y: (abs(y - year), y))
            mean = f"{m['series']} has {', '.join(map(str, years))}: did you mean {m['series']}@{nearest}?"
        return NotFound, _join(mean, w.log.format(series=m["series"]))
    if m := _NO_PREFIX.search(message):
        prefix = m["prefix"]
        versions = _versions(archive_dir)
        if re.fullmatch(r"\d{4}", prefix):
            refs = sorted({f"{v.series}@{v.year}" for v in versions if str(v.year) == prefix})
            shape = "a REF is SERIES@YEAR, SERIES@YEAR#N or an id prefix"
            if refs:
                return NotFound, _join(shape, did_you_mean(refs), w.list_refs)
            return NotFound, _join(shape, w.list_refs)
        ids = close(prefix, [v.short_id for v in versions], cutoff=0.4)
        return NotFound, _join(did_you_mean(ids), w.list_refs)
    if m := _AMBIGUOUS.search(message):
        ids = [v.short_id for v in _versions(archive_dir) if v.id.startswith(m["prefix"].lower())]
        return None, _join(f"candidates: {', '.join(ids)}" if ids else "", w.list_refs)
    if m := _UNKNOWN_REF.search(message):
        ref = m["ref"][1:-1]
        versions = _versions(archive_dir)
        refs = sorted({f"{v.series}@{v.year}" for v in versions})
        mean = did_you_mean(close(ref, refs, cutoff=0.4) or close(ref, sorted({v.series for v in versions}), cutoff=0.4))
        if not versions:
            return NotFound, "a REF is SERIES@YEAR, SERIES@YEAR#N, an id prefix or a file"
        return NotFound, _join(mean, w.list_refs)
    if m := _NO_FILE.search(message):
        path = m["path"]
        folder = os.path.dirname(path) or "."
        try:
            names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
        except OSError:
            names = []
        near = [os.path.join(os.path.dirname(path), n) for n in close(os.path.basename(path), names)]
        return NotFound, did_you_mean(near) or f"no file like it in {folder}"
    return None
