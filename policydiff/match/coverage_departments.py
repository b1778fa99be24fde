"""Departments across levels for `coverage`: 省公安厅 ↔ 市公安局 by function, from the lexicon
`department_levels.tsv` (function key, level, name); a city plan with no responsibility
parentheticals names its bodies in the text (公安部门, 市财政…)."""

from __future__ import annotations

import re
from functools import cache

from policydiff import lexicon
from policydiff.model.coverage import DepartmentPair
from policydiff.model.document import Clause

#: department names shorter than this are sector words (民政, 教育), not names to look for in text
MIN_NAME = 4

@cache
def _departments() -> tuple[dict[str, str], dict[tuple[str, str], tuple[str, ...]]]:
    """name → function key; (function key, level) → names, from `department_levels.tsv`."""
    key_of: dict[str, str] = {}
    names: dict[tuple[str, str], list[str]] = {}
    for row in lexicon.table("department_levels"):
        if len(row) < 3:
            continue
        key, level, name = row[0], row[1], row[2]
        key_of.setdefault(name, key)
        names.setdefault((key, level), []).append(name)
    return key_of, {k: tuple(v) for k, v in names.items()}


_LEVEL_PREFIX = re.compile(r"^(?:广东省|广东|[\u4e00-\u9fff]{2}市(?=[\u4e00-\u9fff]{3})|省|市|县)")
_SUFFIX = re.compile(r"(?:厅|局|委员会|委|办公室|办|室|部门)$")


def _core(name: str) -> str:
    """省公安厅 and 市公安局 share the core 公安; 揭阳市卫生健康局 and 省卫生健康委 share 卫生健康."""
    return _SUFFIX.sub("", _LEVEL_PREFIX.sub("", name.strip()))


@cache
def _by_core() -> dict[str, str]:
    key_of, _ = _departments()
    out: dict[str, str] = {}
    for name, key in key_of.items():
        core = _core(name)
        if len(core) >= 2:
            out.setdefault(core, key)
    return out


def department_function(name: str) -> str:
    """The function key of a department name at any level ('' when the lexicon does not know it)."""
    key_of, _ = _departments()
    name = name.strip()
    if name in key_of:
        return key_of[name]
    return _by_core().get(_core(name), "")


def counterparts(name: str, level: str) -> list[str]:
    """The names at `level` ('province' or 'city') of the department with `name`'s function."""
    _, names = _departments()
    key = department_function(name)
    return list(names.get((key, level), ())) if key else []


@cache
def _mention_pattern(level: str) -> re.Pattern[str] | None:
    _, names = _departments()
    found = sorted({n for (_, lv), ns in names.items() if lv == level for n in ns if len(n) >= MIN_NAME},
                   key=lambda n: (-len(n), n))
    return re.compile("|".join(re.escape(n) for n in found)) if found else None


def clause_departments(c: Clause, level: str = "") -> list[str]:
    """Departments of a clause: its responsibility parenthetical, and the bodies of `level`
    ('province' or 'city') its text names (a city plan has no parentheticals: 公安部门, 市财政…)."""
    named = list(dict.fromkeys(c.lead + c.support))
    pat = _mention_pattern(level) if level else None
    if pat is not None:
        named += [m.group(0) for m in pat.finditer(c.text) if m.group(0) not in named]
    return list(dict.fromkeys(named))


def functions_of(c: Clause, level: str = "") -> set[str]:
    return {k for k in (department_function(n) for n in clause_departments(c, level)) if k}


def department_pairs(higher, lower, links, by_h, by_l) -> list[DepartmentPair]:
    """Departments of both plans grouped by function, higher-plan order first."""
    order: list[str] = []
    h_names: dict[str, list[str]] = {}
    l_names: dict[str, list[str]] = {}
    for side, clauses, level in ((h_names, higher, "province"), (l_names, lower, "city")):
        for c in clauses:
            for n in clause_departments(c, level):
                key = department_function(n)
                if not key:
                    continue
                if key not in order:
                    order.append(key)
                if n not in side.setdefault(key, []):
                    side[key].append(n)
    return [DepartmentPair(k, h_names.get(k, []), l_names.get(k, [])) for k in order]
