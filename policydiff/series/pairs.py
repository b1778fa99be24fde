"""The pairs of a batch: which versions to compare (consecutive ones, and consecutive plans across
news summaries, as the series report does), the pure comparison of one pair,
and the pair files (canonical JSON) it produces.

`compare_pair` is a pure function of two clause-XML documents and the researcher's corrections in
force for the pair: it calls `policydiff.match.compare.compare` (the same function behind `compare`
and `report`, which replays the corrections) and returns a JSON record. Because it takes XML bytes
and the corrections as log lines, a worker needs nothing but the policydiff package: no archive, no
shared file system. `run_chunk` is what the engines (engines.py) run on a worker.

A record names what it was computed from (`record_key`: both ids, both normalizer versions and a
digest of the corrections), so a new correction, or an undo, makes a rerun recompute that pair.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policydiff.errors import PolicydiffError
from policydiff.model.corrections import Correction, between, digest
from policydiff.release import __version__
from policydiff.store.archive import Archive
from policydiff.store.catalog import Version, check_series
from policydiff.store.files import replace_file

#: version of the pair record layout; a change makes reruns recompute every pair
#: (2: news paragraphs are cited by their labels in old_num/new_num)
PAIR_FORMAT = 2
PAIRS_DIR = "pairs"

#: old_xml, new_xml, old_ref, new_ref and the corrections in force for the pair (log lines as dicts)
PairItem = tuple[bytes, bytes, str, str, tuple[dict, ...]]


# =============================================================================== planning
@dataclass(frozen=True)
class PairJob:
    """One pair of a series (consecutive versions, or consecutive plans across a news summary:
    `series_pairs`) and the corrections in force that name its two versions (replayed when it is
    compared). Its file is named by both versions (2019-1__2021-1.json), so the pairs of a
    series never share a file, and its key (`job_key`) by both ids."""

    series: str
    old: Version
    new: Version
    corrections: tuple[Correction, ...] = ()

    @property
    def rel_path(self) -> str:
        return f"{PAIRS_DIR}/{self.series}/{_label(self.old)}__{_label(self.new)}.json"

    @property
    def title(self) -> str:
        return f"{self.old.ref} → {self.new.ref}"


def _label(v: Version) -> str:
    return f"{v.year}-{v.version}"


def pair_path(out: Path, job: PairJob) -> Path:
    """Where the pair file of `job` goes: always inside `out`. The series and numbers come from the
    archive, which may be foreign or edited: a series such as ../../x is refused, never followed."""
    try:
        check_series(job.series)
    except PolicydiffError:
        raise PolicydiffError(f"refusing series {job.series[:40]!r} from the archive: not a valid series name") from None
    path = out / job.rel_path
    if not Path(os.path.abspath(path)).is_relative_to(os.path.abspath(out)) or ".." in Path(job.rel_path).parts:
        raise PolicydiffError(f"refusing to write {job.rel_path!r}: outside {out}")
    return path


def series_pairs(versions: Sequence[Version]) -> list[tuple[Version, Version]]:
    """The pairs of one series' versions (in log order) that a batch compares, as the series report
    does: each version with the next, and each plan with the next plan across news summaries
    (2019 → 2021 across the 2020 news), by old then new position. A pair is listed once."""
    idx = range(len(versions))
    plans = [k for k in idx if versions[k].kind != "news"]
    pairs = set(zip(idx, idx[1:], strict=False)) | set(zip(plans, plans[1:], strict=False))
    return [(versions[k], versions[j]) for k, j in sorted(pairs)]


def plan_pairs(archive: Archive, series: Sequence[str] | None = None) -> list[PairJob]:
    """Every pair of the given series (default: all) that a batch compares (`series_pairs`), by
    series then log order, each with the archive's corrections in force for it."""
    from policydiff.store import corrections

    if series:
        logs = {s: archive.log(s) for s in sorted(set(series))}  # UsageProblem for unknown series
    else:
        logs = {}
        for v in archive.list():
            logs.setdefault(v.series, []).append(v)
    fixes = corrections.in_force(archive.root)
    return [PairJob(s, a, b, tuple(between(fixes, f"{a.series}@{a.year}", f"{b.series}@{b.year}")))
            for s, versions in sorted(logs.items()) for a, b in series_pairs(versions)]


def pair_item(job: PairJob, old_xml: bytes, new_xml: bytes) -> PairItem:
    """What a worker gets for a job: both documents' XML, their refs and the corrections."""
    return old_xml, new_xml, job.old.ref, job.new.ref, tuple(c.to_dict() for c in job.corrections)


# ========================================================================== the pure pair
def compare_pair(old_xml: bytes, new_xml: bytes, old_ref: str, new_ref: str,
                 corrections: Sequence[dict] = ()) -> dict[str, Any]:
    """The result record of one pair: the Comparison JSON of old → new, with the corrections
    (log lines as dicts) replayed, plus the ids and the corrections digest it belongs to."""
    from policydiff.match.compare import compare
    from policydiff.model import planxml

    old_doc, new_doc = planxml.from_bytes(old_xml), planxml.from_bytes(new_xml)
    # like loader.load_version: the ref is catalog data, the XML may have been derived before it
    old_doc.meta.ref, new_doc.meta.ref = old_ref, new_ref
    fixes = [Correction(**c) for c in corrections]
    old_doc.corrections = new_doc.corrections = fixes  # as the loader attaches them for `compare`
    return {
        "format": PAIR_FORMAT,
        "policydiff": __version__,
        "normalizer": [old_doc.meta.normalizer, new_doc.meta.normalizer],
        "series": new_doc.meta.series,
        "old_ref": old_ref,
        "new_ref": new_ref,
        "old_id": old_doc.meta.sha256,
        "new_id": new_doc.meta.sha256,
        "corrections": digest(fixes),
        "comparison": compare(old_doc, new_doc).to_dict(),
    }


def pair_bytes(record: dict[str, Any]) -> bytes:
    """Canonical bytes of a record: sorted keys, compact, UTF-8, one trailing newline."""
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def run_chunk(items: Sequence[PairItem]) -> list[tuple[str, str, bytes]]:
    """Worker entry point: ("ok", record key, bytes) or ("error", "", message) per pair.

    Serializing here keeps the parent (which also writes files) out of the hot path, and catching
    per pair keeps one bad document from failing its chunk-mates.
    """
    out: list[tuple[str, str, bytes]] = []
    for old_xml, new_xml, old_ref, new_ref, *fixes in items:  # a 4-tuple: no corrections
        try:
            rec = compare_pair(old_xml, new_xml, old_ref, new_ref, fixes[0] if fixes else ())
            out.append(("ok", record_key(rec), pair_bytes(rec)))
        except Exception as exc:  # noqa: BLE001 - reported per pair by the parent
            msg = str(exc) if isinstance(exc, PolicydiffError) else f"{type(exc).__name__}: {exc}"
            out.append(("error", "", " ".join(msg.split()).encode("utf-8")))
    return out


# ============================================================================= pair files
def is_complete(path: Path, job: PairJob) -> bool:
    """A pair file this run would write again: valid JSON for the same versions, format and code."""
    try:
        rec = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return record_matches(rec, job)


def record_matches(rec: object, job: PairJob) -> bool:
    """Whether a pair record is the current result of this job."""
    return (
        isinstance(rec, dict)
        and rec.get("format") == PAIR_FORMAT
        and rec.get("policydiff") == __version__
        and rec.get("old_ref") == job.old.ref
        and rec.get("new_ref") == job.new.ref
        and isinstance(rec.get("comparison"), dict)
        and record_key(rec) == job_key(job)
    )


def record_key(rec: dict[str, Any]) -> str:
    """What a record was computed from: both ids, both normalizer versions and the digest of the
    corrections replayed ("" for none)."""
    norm = rec.get("normalizer")
    if not isinstance(norm, list) or len(norm) != 2:
        return ""
    return f"{rec.get('old_id')} {rec.get('new_id')} {norm[0]} {norm[1]} {rec.get('corrections', '')}"


def job_key(job: PairJob) -> str:
    """The record key a job's result must have (`record_key`) with the current normalizer and the
    corrections in force for the pair."""
    from policydiff.read.version import NORMALIZER_VERSION

    return f"{job.old.id} {job.new.id} {NORMALIZER_VERSION} {NORMALIZER_VERSION} {digest(job.corrections)}"




def load_xml(archive: Archive, version: Version) -> bytes:
    """The clause XML of a version for a worker, built and stored if missing, stale or not vouched for.

    Unlike Archive.xml this does not validate stored XML here: the worker validates it anyway
    (planxml.from_bytes), and the record it returns names the ids and normalizer it saw, which
    the parent checks. The digest stored with the XML (a hash: no parsing) is enough to pick the
    stored file, and keeps the parent (one process feeding all workers) off the CPU.
    """
    data = archive.digested_xml(version)
    return data if data is not None else archive.xml(version)


def write_pair(path: Path, data: bytes) -> None:
    """Atomic (temp file + rename) but not fsynced: a pair file lost or torn by a crash fails the
    completeness check of the next run and is recomputed, so thousands of fsyncs buy nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        replace_file(path, data, prefix=f".{path.name}.", fsync=False)
    except OSError as exc:
        raise PolicydiffError(f"cannot write {path}: {exc.strerror or exc}") from None
