"""Targets: find quantitative commitments in clause text and give them comparator semantics.

A target is a number with its unit and the phrase that sets its direction (不少于 → ge, 以内 → le,
降低X% → reduce_by …), the deadline that governs it, and the subject and metric it belongs to.
Years, dates, 文号, heading numbers, hotlines and names with digits (5G, “1+1+9”) are never targets.
Chinese numerals are read only inside spans already recognised as quantities (after a comparator
phrase, or as 百分之…), never by rewriting whole sentences.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from policydiff import lexicon
from policydiff.model.tree import Node
from policydiff.read.metadata import DOC_NO

# --------------------------------------------------------------------------- vocabulary

#: comparator phrases before the number, longest first; and after it (以上, 以内, 左右 …)
_BEFORE: list[tuple[str, str]] = sorted(((p, c) for p, c, where in lexicon.table("comparators") if where == "before"),
                                        key=lambda x: -len(x[0]))
_AFTER: list[tuple[str, str]] = [(p, c) for p, c, where in lexicon.table("comparators") if where == "after"]
#: units after the number (and its 万/亿), longest first; value is the canonical unit
_UNITS: list[tuple[str, str]] = sorted(lexicon.table("units"), key=lambda x: -len(x[0]))
#: units that make a number a name or a date, not a commitment
_NOT_UNITS = lexicon.words("not_units")
_MULT = {"万": 10_000, "亿": 100_000_000, "千万": 10_000_000, "百万": 1_000_000, "万亿": 10**12, "千": 1000}
_HOTLINES = frozenset(lexicon.words("hotlines"))

_NUM = re.compile(r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<mult>万亿|千万|百万|万|亿|千)?")
_CN_NUM = re.compile(r"(?P<num>[零〇一二两三四五六七八九十百千万亿]+(?:点[零〇一二三四五六七八九]+)?)")
_PERCENT_CN = re.compile(r"百分之(?P<num>[\d.]+|[零〇一二两三四五六七八九十百]+)")

_DATE_SPANS = re.compile(
    r"(?:19|20)\d{2}\s*[—–\-~至到]\s*(?:19|20)\d{2}年"
    r"|(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}日)?)?"
    r"|\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|末|初|份|中旬|上旬|下旬|前|起)"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
)
_DEADLINE = re.compile(
    r"(?:到|至|于)?(?P<y>(?:19|20)\d{2})年(?:(?P<m>\d{1,2})月)?(?P<w>底前|底|末前|末|前|内)"
    r"|(?P<m2>\d{1,2})月(?:底前|底|末前|末)"
    r"|到(?P<y2>(?:19|20)\d{2})年"
)
_SEPARATORS = "，；。：！？\n"
_SENTENCE_END = "。；！？\n"

#: programmes and levels a target may belong to
_PROGRAMME = lexicon.pattern("programmes")
_LEVEL = re.compile(rf"(?<![省市县])(?:{lexicon.alternation('levels')})")
_QUOTED = re.compile(r"“([^”]{2,14})”")
_FILLER = re.compile(rf"^(?:{lexicon.alternation('metric_filler')})+")


@dataclass
class Found:
    """A target found in a text range, before it becomes an XML element."""

    start: int
    end: int
    comparator: str
    value: float
    unit: str
    phrase: str
    deadline: str
    subject: str
    metric: str

    def attrs(self) -> dict[str, str]:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return {"comparator": self.comparator, "value": str(value), "unit": self.unit, "phrase": self.phrase,
                "metric": self.metric, "subject": self.subject, "deadline": self.deadline}


def cn_number(s: str) -> float | None:
    """A Chinese numeral that is already known to be a quantity (一百五十, 两千, 一点五) → number."""
    try:
        import cn2an

        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError, ImportError, AttributeError):
        return None


_METRIC_NOISE = set("的数量总累计个次项之和及与等")


def metric_key(metric: str) -> set[str]:
    """The characters that say what is measured: 实名用户总数 and 实名注册用户 share 实名用户."""
    return {c for c in metric if c not in _METRIC_NOISE and not c.isspace()}


@lru_cache(maxsize=65536)
def same_metric(a: str, b: str) -> bool:
    """Two metric names measure the same thing (a renamed metric, not another one)."""
    ka, kb = metric_key(a), metric_key(b)
    if not ka or not kb:
        return not ka and not kb
    inter = len(ka & kb)
    return inter >= 2 and inter / min(len(ka), len(kb)) >= 0.75


def compatible_subjects(a: str, b: str) -> bool:
    """Two subjects may be the same programme: equal, or not two different named programmes/levels."""
    if a == b or not a or not b:
        return True
    strong = [bool(_PROGRAMME.fullmatch(x) or _LEVEL.fullmatch(x)) for x in (a, b)]
    return not all(strong)


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _masked(text: str) -> str:
    """Years, dates, times and 文号 replaced by placeholders of the same length (so offsets hold)."""
    for rx in (_DATE_SPANS, DOC_NO):
        text = rx.sub(lambda m: "\x00" * len(m.group(0)), text)
    return text


def _comparator_before(text: str, pos: int) -> tuple[str, str, int]:
    for phrase, comp in _BEFORE:
        if text.endswith(phrase, 0, pos):
            # 超 inside 超过 etc. is handled by the length order; a lone 减/砍 needs 再/一 context
            if phrase in ("减", "砍") and not text.endswith("再" + phrase, 0, pos):
                continue
            if phrase == "超" and text.endswith("不超", 0, pos):
                continue
            return phrase, comp, pos - len(phrase)
    return "", "", pos


def _comparator_after(text: str, pos: int) -> tuple[str, str, int]:
    for phrase, comp in _AFTER:
        if text.startswith(phrase, pos):
            if phrase == "内" and text.startswith(("内容", "内存", "内部", "内网", "内外", "内地", "内涵"), pos):
                continue
            if phrase in ("多", "余") and text.startswith(("多种", "多个", "多元", "多项", "余额"), pos):
                continue
            return phrase, comp, pos + len(phrase)
    return "", "", pos


def _shared_comparator(text: str, start: int, found: list[Found], floor: int) -> tuple[str, str, int]:
    """A comparator that governs this number from further back in the same comma-clause.

    达到24万核vCPU、642TB内存、20PB存储: one 达到 over a list; 均不少于应替代目标总量80%: the phrase and
    the number are separated by what is measured.
    """
    seg_a = start
    floor = max(floor, start - _MAX_SENTENCE)
    while seg_a > floor and text[seg_a - 1] not in "，；。：！？\n":
        seg_a -= 1
    if found and found[-1].end >= seg_a and found[-1].end <= start:
        between = text[found[-1].end:start]
        if "、" in between and len(between) <= 12 and found[-1].comparator != "eq":
            return found[-1].phrase.split("…")[0], found[-1].comparator, start
    window = text[max(seg_a, start - 15):start]
    if any(ch.isdigit() for ch in window):
        return "", "", start
    best: tuple[int, int, str, str] | None = None  # (end, length, phrase, comparator): 不少于 beats 少于
    for phrase, comp in _BEFORE:
        if comp in ("reduce_by", "approx") or len(phrase) < 2:
            continue
        i = window.rfind(phrase)
        if i >= 0:
            key = (i + len(phrase), len(phrase), phrase, comp)
            if best is None or key[:2] > best[:2]:
                best = key
    return (best[2], best[3], start) if best else ("", "", start)


def _unit_at(text: str, pos: int) -> tuple[str, str, int]:
    for raw, unit in _UNITS:
        if text.startswith(raw, pos):
            return raw, unit, pos + len(raw)
    return "", "", pos


def _is_name_or_code(text: str, start: int, end: int, num: str) -> bool:
    """5G, “1+1+9”, 7×24, D3, 第25, 44次 (meeting), hotlines: digits that name things."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before and (before.isascii() and before.isalpha() or before in "+×*xX＋-—/#第届"):
        return True
    if after and (after in "+×*＋" or (after.isascii() and after.isalpha() and not text.startswith(("TB", "PB", "GB"), end))):
        return True
    if num in _HOTLINES and not text.startswith(("个", "项", "家", "台", "条", "%"), end):
        return True
    if text.startswith(_NOT_UNITS, end):
        return True
    return False


def _deadlines(text: str, a: int, b: int, plan_year: int | None) -> list[tuple[int, str]]:
    out = []
    for m in _DEADLINE.finditer(text, a, b):
        if m["y"]:
            y = int(m["y"])
            iso = _month_end(y, int(m["m"])) if m["m"] else f"{y:04d}-12-31"
            if not m["m"] and m["w"] == "内":
                continue
        elif m["m2"] and plan_year:
            iso = _month_end(plan_year, int(m["m2"]))
        elif m["y2"]:
            iso = f"{int(m['y2']):04d}-12-31"
        else:
            continue
        out.append((m.start(), iso))
    return out


#: no "sentence" a target reads its context from is longer than this (a 5 MB line has none)
_MAX_SENTENCE = 300


class _Bounds:
    """Sentence and clause boundaries of one text range, found by bisection over separator
    positions computed once (a target asks for several, and a long line has thousands of targets)."""

    def __init__(self, text: str, a: int, b: int):
        self.text, self.a, self.b = text, a, b
        self._positions: dict[str, list[int]] = {}

    def __call__(self, pos: int, seps: str) -> tuple[int, int]:
        from bisect import bisect_left

        where = self._positions.get(seps)
        if where is None:
            where = [i for i in range(self.a, self.b) if self.text[i] in seps]
            self._positions[seps] = where
        k = bisect_left(where, pos)
        start = where[k - 1] + 1 if k else self.a
        end = where[k] if k < len(where) else self.b
        return max(start, pos - _MAX_SENTENCE, self.a), min(end, pos + _MAX_SENTENCE, self.b)


def _subject_in(s: str) -> str:
    for rx in (_PROGRAMME, _LEVEL):
        m = rx.search(s)
        if m:
            return m.group(0)
    q = _QUOTED.search(s)
    return q.group(1) if q else ""


def _clean_metric(s: str, subject: str) -> str:
    # a programme or level is the subject, not part of what is measured; a quoted term
    # (“一件事”) is what is counted and stays
    if subject and (_PROGRAMME.fullmatch(subject) or _LEVEL.fullmatch(subject)):
        s = s.replace("“" + subject + "”", "").replace(subject, "")
    s = _LEVEL.sub("", s) if _LEVEL.fullmatch(subject or "-") else s
    s = _FILLER.sub("", s.strip(" 、的"))
    s = re.sub(r"(?:达到|达|实现|提升至|提高到|压缩至|控制在|超过|突破|不少于|不低于|至少)$", "", s)
    s = s.strip(" 、的")[:40]
    if s.count("“") > s.count("”"):
        s += "”"  # a quoted term cut by the clause boundary stays readable
    return s.strip("”") if s.count("”") > s.count("“") else s


def find_targets(text: str, a: int, b: int, *, plan_year: int | None = None,
                 context_subject: str = "", masked: str | None = None) -> list[Found]:
    """Targets inside text[a:b] (one clause's own words), in order.

    `masked` is `text` with dates and 文号 blanked; pass it when calling for many ranges of one text.
    """
    masked = masked if masked is not None else _masked(text)
    found: list[Found] = []
    candidates: list[tuple[int, int, float, str]] = []  # (num_start, num_end, value, raw)
    for m in _NUM.finditer(masked, a, b):
        raw = m.group("num").replace(",", "")
        try:  # Decimal: 1.1亿 is 110000000 exactly, not 110000000.00000001
            value = float(Decimal(raw) * _MULT.get(m.group("mult") or "", 1))
        except (ValueError, ArithmeticError):
            continue
        candidates.append((m.start(), m.end(), value, raw))
    for m in _PERCENT_CN.finditer(masked, a, b):
        raw = m.group("num")
        value = float(raw) if raw[0].isdigit() else cn_number(raw)
        if value is not None:
            candidates.append((m.start(), m.end(), value, "%cn"))
    for m in _CN_NUM.finditer(masked, a, b):
        # Chinese numerals only right after a comparator phrase: 不少于十个 (never 三少一快, 五级)
        phrase, _comp, _ = _comparator_before(masked, m.start())
        if not phrase or phrase in ("减", "砍", "超"):
            continue
        unit_raw, _u, _ = _unit_at(masked, m.end())
        if not unit_raw:
            continue
        value = cn_number(m.group("num"))
        if value is not None and value > 0:
            candidates.append((m.start(), m.end(), value, "cn"))
    candidates.sort()
    deadlines = _deadlines(text, a, b, plan_year)
    bounds = _Bounds(text, a, b)
    prev_metric: dict[int, str] = {}
    prev_subject: dict[int, str] = {}
    for start, end, value, raw in candidates:
        if raw == "%cn":
            unit_raw, unit, pos = "", "%", end
        else:
            if raw != "cn" and _is_name_or_code(masked, start, end, raw):
                continue
            unit_raw, unit, pos = _unit_at(masked, end)
        if unit == "小时" and value == 24 and (masked[start - 1:start] in "×x" or masked.startswith("“不打烊", pos)
                                                 or masked.startswith("不打烊", pos)):
            continue  # 24小时 “不打烊”: round-the-clock service, a set phrase
        before, comp_b, phrase_start = _comparator_before(masked, start)
        after, comp_a, after_end = _comparator_after(masked, pos)
        if not before and not after:
            before, comp_b, phrase_start = _shared_comparator(masked, start, found, a)
            if before:
                phrase_start = start  # the phrase stands further back: keep the span on the number
        if comp_b == "reduce_by":
            comparator = "reduce_by" if unit in ("%", "个百分点", "倍") or "至" not in before else comp_b
        else:
            comparator = comp_b or comp_a or "eq"
        if not unit and comparator == "eq":
            continue  # a bare number with neither unit nor comparator is not a commitment
        if not unit and comp_b == "reduce_by":
            continue
        phrase = before + ("…" if before and after else "") + after
        span_a = phrase_start if before and phrase_start < start else start
        span_b = after_end if after else pos
        # deadline: the last one before the target in the same sentence
        s_a, s_b = bounds(start, _SENTENCE_END)
        deadline = ""
        for d_pos, iso in deadlines:
            if s_a <= d_pos < start:
                deadline = iso
        # subject and metric from the comma-clause that holds the target, else the sentence
        c_a, _c_b = bounds(span_a, _SEPARATORS + "、")
        while text.count("）", c_a, span_a) > text.count("（", c_a, span_a) and c_a > a:
            # a separator inside brackets (每个县（市、区）) does not end the clause
            c_a = bounds(text.rfind("（", a, c_a) if "（" in text[a:c_a] else a, _SEPARATORS + "、")[0]
        seg = text[c_a:span_a]
        clause_rest = text[span_b:bounds(span_b, _SEPARATORS)[1]]
        programme = _PROGRAMME.search(seg) or _PROGRAMME.search(clause_rest)
        subject = programme.group(0) if programme else _subject_in(seg)
        sentence_before = text[s_a:span_a]
        if not subject:
            subject = prev_subject.get(s_a, "") or _subject_in(sentence_before) or context_subject
        metric = _clean_metric(seg, subject)
        follow_noun = re.split(r"[的，。；、（]", text[span_b:bounds(span_b, _SEPARATORS)[1]],
                               maxsplit=1)[0]
        if 2 <= len(metric) <= 4 and 2 <= len(follow_noun) <= 8 and unit not in ("%",):
            metric += follow_noun  # 开放 + 100个 + 数据集: what is counted follows the number
        if len(metric) < 2:
            # what follows the number names what is counted: 不少于10个镇（街道）
            tail = text[span_b:bounds(span_b, _SEPARATORS)[1]]
            follow = re.split(r"[的，。；、]", tail, maxsplit=1)[0][:16]
            metric = prev_metric.get(s_a, "") if not follow or (unit == "%" and prev_metric.get(s_a)) else follow
            if len(metric) < 2:
                metric = _clean_metric(text[s_a:span_a], subject) or follow
        prev_metric[s_a] = metric
        prev_subject[s_a] = subject
        found.append(Found(span_a, span_b, comparator, value, unit, phrase, deadline, subject, metric))
    # overlapping spans (a phrase shared by two numbers) keep the first
    out: list[Found] = []
    for f in found:
        if out and f.start < out[-1].end:
            f.start = out[-1].end
            if f.start >= f.end:
                continue
        out.append(f)
    return out


def _text_ranges(block: Node) -> list[Node]:
    """The parts of a clause that hold its own words: heading and content (or the whole p)."""
    if block.tag == "p":
        return [block]
    return [c for c in block.children if c.tag in ("heading", "content")]


def annotate(root: Node, text: str, *, plan_year: int | None = None) -> int:
    """Find the targets of every clause and insert them as <target> spans; returns the count."""
    from policydiff.model.tree import insert_span

    n = 0
    masked = _masked(text)
    blocks = [nd for nd in root.iter() if "eId" in nd.attrs and nd.tag in ("section", "para", "point", "subpoint",
                                                                           "item", "p")]
    for block in blocks:
        heading = block.find("heading")
        context = _subject_in(text[heading.start:heading.end]) if heading is not None else ""
        for part in _text_ranges(block):
            for f in find_targets(text, part.start, part.end, plan_year=plan_year, context_subject=context,
                                  masked=masked):
                insert_span(part, Node("target", f.start, f.end, f.attrs()))
                n += 1
    return n
