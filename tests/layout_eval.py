"""Scores the reading of the hand-labelled layout corpus (tests/data/layouts): kind, tasks,
responsibilities and metadata against answers.json. Used by tests/read/test_layouts.py and runnable
as `python tests/layout_eval.py` for a per-document report."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
_NOISE = re.compile(r"[\s“”\"'‘’《》「」（）()]")


def _norm(s: str) -> str:
    return _NOISE.sub("", s)


@dataclass
class Score:
    """Counts over the corpus; each list holds (file, detail) of what went wrong."""

    docs: int = 0
    kind_ok: int = 0
    tasks: int = 0
    found: int = 0
    split: int = 0
    leaves: int = 0
    matched_leaves: int = 0
    resp: int = 0
    resp_ok: int = 0
    meta: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in
                                                                ("doc_no", "date", "title", "issuer", "year")})
    misses: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        m = {k: f"{v[0]}/{v[1]}" for k, v in self.meta.items()}
        return (f"kind {self.kind_ok}/{self.docs}; tasks found {self.found}/{self.tasks}, split {self.split}, "
                f"leaf precision {self.matched_leaves}/{self.leaves}; responsibilities {self.resp_ok}/{self.resp}; "
                f"meta {m}")


def answers() -> list[dict]:
    return json.loads((LAYOUTS / "answers.json").read_text(encoding="utf-8"))


def read(entry: dict):
    from policydiff.model.document import DocMeta
    from policydiff.read.pipeline import process

    text = (LAYOUTS / entry["file"]).read_text(encoding="utf-8")
    return process(text, DocMeta())


def score(entries: list[dict] | None = None) -> Score:
    s = Score()
    for entry in entries or answers():
        _score_doc(entry, read(entry), s)
    return s


def _score_doc(entry: dict, doc, s: Score) -> None:
    name = entry["file"]
    s.docs += 1
    plan_like = entry["kind"] != "news"
    if plan_like == (doc.meta.kind != "news"):
        s.kind_ok += 1
    else:
        s.misses.append((name, f"kind {doc.meta.kind}"))
    leaves = [c for c in doc.clauses() if c.is_leaf and c.tag != "p"] if plan_like else []
    texts = [(c, _norm(c.text)) for c in leaves]
    used: set[str] = set()
    for task in entry.get("tasks", []) if plan_like else []:
        s.tasks += 1
        head = _norm(task["heading"])
        hits = [c for c, t in texts if head and t.startswith(head)]
        if len(hits) != 1:
            s.misses.append((name, f"task {task['label']} {task['heading']}: {len(hits)} clauses"))
            continue
        c = hits[0]
        s.found += 1
        used.add(c.eid)
        if task["lead"] or task["support"]:
            s.resp += 1
            if sorted(c.lead) == sorted(task["lead"]) and sorted(c.support) == sorted(task["support"]):
                s.resp_ok += 1
            else:
                s.misses.append((name, f"resp {task['label']}: {c.lead}/{c.support} ≠ {task['lead']}/{task['support']}"))
    for c, t in texts:
        s.leaves += 1
        if c.eid in used:
            s.matched_leaves += 1
        elif any(t and _norm(task["heading"]).startswith(t[:6]) for task in entry.get("tasks", [])):
            s.split += 1
    for key in s.meta:
        want = entry.get(key) or ("" if key != "year" else None)
        got = getattr(doc.meta, key) or ("" if key != "year" else None)
        if want in ("", None) and key in ("doc_no",):
            want = ""
        s.meta[key][1] += 1
        if want == got:
            s.meta[key][0] += 1
        else:
            s.misses.append((name, f"{key} {got!r} ≠ {want!r}"))


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    result = score()
    for f, what in result.misses:
        print(f"{f}: {what}")
    print(result.line())
