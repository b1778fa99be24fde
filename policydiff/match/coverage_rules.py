"""Evidence the coverage matcher takes besides the share of wording (`coverage.py`).

Each rule is a generic reading of how a lower plan takes up a higher one, its words in lexicon
files under `lexicon/data/match/`:

- **generic wording** (`generic_phrases.txt`): the parties and means every task names
  (互联网企业、基础电信运营商; 通过系统整合、数据共享) are cut out before texts are compared, so a
  clause sharing only them is not like the task;
- **the task's heading restated**: a heading says what the task is for (提升社会治理智慧化水平), and a
  lower clause carrying most of it (提升社会治理智能化水平) pursues the same aim;
- **the same measure**: a lower target on a measure of the task's targets (企业开办全流程 ≤ 3 工作日
  ← 企业开办时间再减一半) is a commitment on the same thing, whatever else the clauses say; the
  object classes every plan counts (服务事项) are no measure (`generic_measures.txt`);
- **a cross-reference**: a lower clause naming another lower clause by its heading (推进市场监管应用
  ← 三、（二）3. 市场监管应用) takes up what that clause takes up.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache

from policydiff import lexicon
from policydiff.match.tokens import shingles
from policydiff.model.document import Clause

#: a measure is the same when the metrics share at least this many characters (generic words out)
MEASURE_CORE = 3
#: a cross-reference names a heading of at least this many characters
REFERENCE_HEADING = 4


@cache
def _generic_pattern() -> re.Pattern | None:
    phrases = sorted(set(lexicon.words("match/generic_phrases")), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, phrases))) if phrases else None


def words(text: str) -> list[str]:
    """The shingles of a text with the generic wording cut out (a cut ends a run, as punctuation
    does: no shingle spans it)."""
    pattern = _generic_pattern()
    return shingles(pattern.sub("，", text) if pattern else text)


def heading_share(higher: list[Clause], lower: list[Clause], idf: dict[str, float]):
    """The IDF-weighted share of each higher task's heading that each lower clause carries."""
    import numpy as np

    out = np.zeros((len(higher), len(lower)))
    sets_l = [set(words(c.text)) for c in lower]
    for i, c in enumerate(higher):
        head = set(words(c.heading))
        total = sum(idf.get(g, 0.0) for g in head)
        if not total:
            continue
        for j, s in enumerate(sets_l):
            common = head & s
            if common:
                out[i, j] = sum(idf.get(g, 0.0) for g in sorted(common)) / total
    return out


@cache
def _generic_measures() -> tuple[str, ...]:
    return tuple(sorted(set(lexicon.words("match/generic_measures")), key=len, reverse=True))


def _measure_core(metric: str) -> str:
    for w in _generic_measures():
        metric = metric.replace(w, "\u3000")
    return metric


def same_measure(a: str, b: str) -> str:
    """The core two target metrics share ("" when they measure different things)."""
    x, y = _measure_core(a), _measure_core(b)
    m = SequenceMatcher(None, x, y, autojunk=False).find_longest_match(0, len(x), 0, len(y))
    core = x[m.a:m.a + m.size].strip("\u3000 ")
    return core if len(core) >= MEASURE_CORE and "\u3000" not in core else ""


def shared_measures(higher: list[Clause], lower: list[Clause]) -> dict[tuple[int, int], list[str]]:
    """Pairs where a lower target is on a measure of a higher task's target, with the shared cores."""
    out: dict[tuple[int, int], list[str]] = {}
    for i, h in enumerate(higher):
        for j, lo in enumerate(lower):
            cores = {same_measure(a.metric, b.metric) for a in h.targets for b in lo.targets} - {""}
            if cores:
                out[i, j] = sorted(cores)
    return out


def _bare(heading: str) -> str:
    return heading.strip().rstrip("。：:；; ")


def references(lower: list[Clause], in_scope: list[bool]) -> dict[int, list[int]]:
    """Lower clauses naming another in-scope lower clause by its heading: referring → referred."""
    out: dict[int, list[int]] = {}
    for k, target in enumerate(lower):
        head = _bare(target.heading)
        if not in_scope[k] or len(head) < REFERENCE_HEADING:
            continue
        for j, c in enumerate(lower):
            if j != k and in_scope[j] and head in c.text:
                out.setdefault(j, []).append(k)
    return out
