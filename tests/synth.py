"""Synthetic versions of a plan with known answers: renumber, reorder, split, merge, drop, add, edit.

`mutate` rebuilds a numbered plan from the clauses of a seed and returns the new text together
with the expected correspondence, so that the matcher can be scored on edits whose truth we know.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

_CN = "一二三四五六七八九十"


def cn(n: int) -> str:
    """1 → 一, 12 → 十二, 32 → 三十二, 105 → 一百零五."""
    if n <= 10:
        return _CN[n - 1] if n else "零"
    if n < 20:
        return "十" + (_CN[n - 11] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _CN[tens - 1] + "十" + (_CN[ones - 1] if ones else "")
    hundreds, rest = divmod(n, 100)
    tail = "" if rest == 0 else ("零" + cn(rest) if rest < 10 else ("一" + cn(rest) if rest < 20 else cn(rest)))
    return _CN[hundreds - 1] + "百" + tail


@dataclass
class Task:
    """A task of the plan being built: where it came from and its text (without number)."""

    origin: list[str]  # old eIds it carries on ([] for an added task)
    text: str
    kind: str = "match"  # match | split | merged | added


@dataclass
class Mutated:
    text: str
    pairs: set[tuple[str, str]] = field(default_factory=set)  # (old eId, new eId)
    dropped: set[str] = field(default_factory=set)
    added: set[str] = field(default_factory=set)
    moved_sections: bool = False


_SYNONYMS = [("推进", "推动"), ("加快", "加速"), ("提升", "提高"), ("完善", "健全"), ("建设", "打造"), ("全面", "全力")]


def _sections(doc) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section heading, [(task eId, task text without number incl. responsibility)])]."""
    out = []
    for c in doc.clauses():
        if c.tag == "section":
            out.append((c.heading, []))
        elif c.tag == "para" and c.is_leaf and out:
            out[-1][1].append((c.eid, c.full_text))
    return out


def _reword(text: str, rng: random.Random) -> str:
    for a, b in _SYNONYMS:
        if rng.random() < 0.5:
            text = text.replace(a, b, 1)
    return text


def _edit_numbers(text: str, rng: random.Random) -> str:
    def bump(m: re.Match[str]) -> str:
        return str(int(m.group(0)) * rng.choice([2, 3])) if rng.random() < 0.7 else m.group(0)

    return re.sub(r"(?<![\d年月])\d{2,5}(?![\d年月日号])", bump, text)


def mutate(doc, *, seed: int = 0, reorder: bool = True, drop: int = 2, add: int = 2, split: int = 1,
           merge: int = 1, reword: bool = True, numbers: bool = True, extra_tasks: list[str] | None = None) -> Mutated:
    """A new version of `doc` (a numbered plan with tasks （N） under sections 一、) and its true mapping."""
    rng = random.Random(seed)
    sections = _sections(doc)
    plan: list[tuple[str, list[Task]]] = [(h, [Task([eid], text) for eid, text in tasks]) for h, tasks in sections]
    all_tasks = [t for _, ts in plan for t in ts]
    dropped: set[str] = set()
    for t in rng.sample(all_tasks, min(drop, len(all_tasks))):
        dropped |= set(t.origin)
        for _, ts in plan:
            if t in ts:
                ts.remove(t)
    # split: a task with several sentences becomes two tasks
    long = [t for _, ts in plan for t in ts if t.text.count("。") >= 4 and t.kind == "match"]
    for t in rng.sample(long, min(split, len(long))):
        sentences = re.findall(r"[^。]*。|[^。]+$", t.text)
        half = len(sentences) // 2 + 1
        first, second = "".join(sentences[:half]), "".join(sentences[half:])
        for _, ts in plan:
            if t in ts:
                i = ts.index(t)
                ts[i:i + 1] = [Task(t.origin, first, "split"), Task(t.origin, second, "split")]
    # merge: two neighbours in one section become one task
    for _ in range(merge):
        candidates = [(h, ts, i) for h, ts in plan for i in range(len(ts) - 1)
                      if ts[i].kind == "match" and ts[i + 1].kind == "match"]
        if not candidates:
            break
        _h, ts, i = rng.choice(candidates)
        a, b = ts[i], ts[i + 1]
        ts[i:i + 2] = [Task(a.origin + b.origin, a.text + b.text, "merged")]
    extra = list(extra_tasks or [])
    rng.shuffle(extra)
    for k in range(min(add, len(extra))):
        _h, ts = rng.choice(plan)
        ts.insert(rng.randrange(len(ts) + 1), Task([], extra[k], "added"))
    if reorder:
        order = list(range(len(plan)))
        while order == sorted(order) and len(plan) > 1:
            rng.shuffle(order)
        plan = [plan[i] for i in order]
    # write the new plan, numbering tasks across sections as provincial plans do
    lines = [doc.meta.title or "工作要点"]
    result = Mutated("", dropped=dropped, moved_sections=reorder)
    n = 0
    for s_i, (heading, ts) in enumerate(plan, 1):
        lines.append(f"{cn(s_i)}、{heading}")
        for t in ts:
            n += 1
            text = t.text
            if reword and t.kind != "added":
                text = _reword(text, rng)
            if numbers and t.kind != "added":
                text = _edit_numbers(text, rng)
            lines.append(f"（{cn(n)}）{text}")
            eid = f"sec_{s_i}__para_{n}"
            if not t.origin:
                result.added.add(eid)
            for o in t.origin:
                result.pairs.add((o, eid))
    result.text = "\n".join(lines)
    return result


def scores(comparison, truth: Mutated) -> tuple[float, float]:
    """Precision and recall of the (old, new) pairs a comparison reports."""
    got = {(o, n) for m in comparison.matches for o in m.old for n in m.new}
    tp = len(got & truth.pairs)
    return (tp / len(got) if got else 1.0), (tp / len(truth.pairs) if truth.pairs else 1.0)


def sentence_pool(docs) -> list[str]:
    """Every sentence of the leaf clauses of some documents (the material for big plans)."""
    pool: list[str] = []
    for doc in docs:
        for c in doc.clauses():
            if c.is_leaf:
                pool.extend(s for s in re.findall(r"[^。]+。", c.text) if 8 <= len(s) <= 160)
    return sorted(set(pool))


def big_plan(pool: list[str], n_tasks: int, *, seed: int = 0, per_section: int = 25) -> list[tuple[str, list[str]]]:
    """A synthetic plan of n_tasks distinct tasks, each three sentences drawn from the pool."""
    rng = random.Random(seed)
    sections = []
    for s in range(0, n_tasks, per_section):
        tasks = ["".join(rng.sample(pool, 3)) for _ in range(min(per_section, n_tasks - s))]
        sections.append((f"第{s // per_section + 1}部分任务", tasks))
    return sections


def evolve(sections, *, seed: int = 0, edit: float = 0.1, drop: float = 0.05, add: float = 0.05, pool=None):
    """Next year's version: sections reordered, some tasks edited, dropped or added."""
    rng = random.Random(seed)
    out = []
    for heading, tasks in sections:
        new_tasks = []
        for t in tasks:
            r = rng.random()
            if r < drop:
                continue
            if r < drop + edit:
                t = _edit_numbers(_reword(t, rng), rng)
            new_tasks.append(t)
            if pool and rng.random() < add:
                new_tasks.append("".join(rng.sample(pool, 3)))
        out.append((heading, new_tasks))
    rng.shuffle(out)
    return out


def render_plan(title: str, sections) -> str:
    """Write sections as a numbered plan (numbering restarts in each section, as city plans do)."""
    lines = [title]
    for s_i, (heading, tasks) in enumerate(sections, 1):
        lines.append(f"{cn(s_i)}、{heading}")
        for n, t in enumerate(tasks, 1):
            lines.append(f"（{cn(n)}）{t}")
    return "\n".join(lines)
