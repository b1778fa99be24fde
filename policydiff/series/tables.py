"""The tables of a batch: every target change of the corpus, from the pair files, as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from policydiff.errors import PolicydiffError
from policydiff.model.formats import CSV_BOM, csv_cell
from policydiff.series.pairs import PAIRS_DIR, pair_path, plan_pairs, record_matches
from policydiff.store.archive import Archive
from policydiff.store.files import writing

TABLE_COLUMNS = (
    "series", "old_ref", "new_ref", "subject", "metric",
    "old_value", "old_unit", "old_comparator", "old_deadline",
    "new_value", "new_unit", "new_comparator", "new_deadline",
    "change", "reason", "old_clause", "new_clause",
)  # fmt: skip
CSV_NAME = "target_changes.csv"
JSON_NAME = "target_changes.json"


def target_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The target changes of one pair record as table rows (TABLE_COLUMNS)."""
    rows = []
    for t in record["comparison"]["targets"]:
        old, new = t.get("old") or {}, t.get("new") or {}
        ref = new or old
        rows.append({
            "series": record["series"], "old_ref": record["old_ref"], "new_ref": record["new_ref"],
            "subject": ref.get("subject"), "metric": ref.get("metric"),
            "old_value": old.get("value"), "old_unit": old.get("unit"), "old_comparator": old.get("comparator"),
            "old_deadline": old.get("deadline"),
            "new_value": new.get("value"), "new_unit": new.get("unit"), "new_comparator": new.get("comparator"),
            "new_deadline": new.get("deadline"),
            "change": t.get("change"), "reason": t.get("reason"),
            "old_clause": old.get("clause"), "new_clause": new.get("clause"),
        })
    return rows


def write_tables(archive: Archive, out_dir: str | os.PathLike[str]) -> tuple[int, int, list[str]]:
    """Rebuild target_changes.csv/.json from every complete pair file of the whole archive.

    Returns (rows, pair files used, pair files ignored). An ignored file is incomplete or stale
    (it names no current pair, e.g. a version was added in between); it is left out
    of the tables, never deleted. Rows are streamed: memory does not grow with the corpus.
    The JSON is an array with one row object per line (easy to grep, quick to load).
    """
    out = Path(out_dir)
    used: set[str] = set()
    n = 0
    with _atomic_text(out / CSV_NAME) as csv_fh, _atomic_text(out / JSON_NAME) as json_fh:
        csv_fh.write(CSV_BOM)  # for Excel, which reads a CSV as UTF-8 only after it
        writer = csv.writer(csv_fh, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS)
        json_fh.write("[")
        for job in plan_pairs(archive):
            try:
                rec = json.loads(pair_path(out, job).read_bytes())
            except (OSError, ValueError):
                continue
            if not record_matches(rec, job):
                continue
            used.add(job.rel_path)
            for row in target_rows(rec):
                writer.writerow([csv_cell(row[c]) for c in TABLE_COLUMNS])  # csv_cell: no formulas
                json_fh.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False))
                n += 1
        json_fh.write("\n]\n")
    present = sorted(p.relative_to(out).as_posix() for p in (out / PAIRS_DIR).glob("*/*.json"))
    return n, len(used), [p for p in present if p not in used]


@contextmanager
def _atomic_text(path: Path) -> Iterator[io.TextIOWrapper]:
    """A text file written through the atomic writer: renamed into place only when complete.
    Its mode comes from the umask (like the pair files), or from the table it replaces."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with writing(path, prefix=f".{path.name}.") as raw:
            fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            yield fh
            fh.flush()
            fh.detach()  # `writing` fsyncs and closes the file itself
    except OSError as exc:
        raise PolicydiffError(f"cannot write {path}: {exc.strerror or exc}") from None
