"""Quantity rules: find every number once, read it exactly, attach its unit, join ranges, drop names.

- `numbers`: Arabic numbers with 万/亿/千 (Decimal: 1.1亿 = 110000000), 1,800万, 百分之1.5.
- `numerals`: Chinese numerals (两百家, 二十万人次, 百分之九十, 千余条, 上百项, 半个工作日) as
  tentative quantities; `chinese` (a later rule) keeps only those a comparator or their form
  makes quantities (一件事, 三个层级, 五级 are names).
- `specials`: 减少一半 (reduce_by 50 %), 翻一番 / 翻两番 (increase_by 100 / 300 %).
- `units`: 多/余 markers, the unit (个工作日 → 工作日, 天 → 日, 千米 → 公里, 个百分点 → pp).
- `ranges`: 80%—90%, 5到7个工作日, 二至三个工作日, 20万至30万人次 → one `range` quantity.
- `names`: years, 文号, hotlines, 5G, “1+1+9”, 7×24小时, versions, ordinals are not targets.
A malformed number (百分之1.2.3, a digit lost to mojibake) is dropped with a warning.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from policydiff import lexicon
from policydiff.read import cjknum
from policydiff.read.metadata import DOC_NO
from policydiff.read.targets.core import Quantity, State, exact

#: units after the number (and its 万/亿), longest first; value is the canonical unit
UNITS: list[tuple[str, str]] = sorted(lexicon.table("units"), key=lambda x: -len(x[0]))
_NOT_UNITS = lexicon.words("not_units")
_HOTLINES = frozenset(Decimal(h) for h in lexicon.words("hotlines") if h.isdigit())
_MARKERS = {p: c for p, c, where in lexicon.table("comparators") if where == "marker"}
_SCALE = {"万": 10_000, "亿": 100_000_000, "千万": 10_000_000, "百万": 1_000_000, "万亿": 10**12, "千": 1000}

_NUM = re.compile(r"(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:\.\d+)?)(?P<more>(?:\.\d+)+)?"
                  r"(?P<mult>万亿|千万|百万|万|亿|千(?![米克瓦伏兆]))?")
_DIGIT = re.compile(r"\d")  # the \d of _NUM (any Unicode decimal digit)
_CN_RUN = re.compile(rf"(?<!翻)(?P<pre>百分之|上|近)?(?P<num>[{cjknum.CHARS}]+(?:点[{cjknum.DIGITS}]+)?|半(?=个))"
                     r"(?![半番])")
_HALF = re.compile(r"(?P<verb>再?(?:减少|降低|压缩|压减|缩短|下降|缩减|减|降))一半|(?P<verb2>减半)")
_DOUBLE = re.compile(r"翻(?P<n>[一两二三四五]?)番")
_RANGE_JOIN = frozenset({"—", "–", "-", "－", "~", "～", "〜", "至", "到", "——"})
_DASHES = "—–-－"

#: spans that hold digits but no commitment: dates, year spans, times, phone numbers, standards
_NOT_QUANTITIES = re.compile(
    r"(?:19|20)\d{2}\s*[—–\-~～至到]\s*(?:19|20)\d{2}年?"
    r"|(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}日)?)?"
    r"|\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|末|初|份|中旬|上旬|下旬|前|起)"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    r"|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d)"
    r"|(?<![A-Za-z])[A-Z]{1,4}(?:/[A-Z]{1,2})?\s?\d+(?:\.\d+)*(?:\s?[—–\-]\s?\d{4})?"
)


def masked(text: str) -> str:
    """Dates, year spans, times, phone numbers, standards and 文号 blanked (same length, so
    offsets hold): the rules never read a number inside them."""
    for rx in (_NOT_QUANTITIES, DOC_NO):
        text = rx.sub(lambda m: "\x00" * len(m.group(0)), text)
    return text


def _mojibake_next_to(s: str, a: int, b: int) -> bool:
    return (a > 0 and s[a - 1] in "?\ufffd") or (b < len(s) and s[b] in "?\ufffd")


def numbers(state: State) -> int:
    """Arabic numbers, with their 万/亿 and thousands separators; 百分之N is a percentage."""
    s, n = state.masked, 0
    if not _DIGIT.search(s, state.a, state.b):
        return 0  # no digit, no number (one scan for a digit instead of a look-behind at every character)
    for m in _NUM.finditer(s, state.a, state.b):
        if m["more"]:
            state.warn(f"malformed number {m.group(0)}", m.start())
            continue
        if _mojibake_next_to(s, m.start(), m.end("num")):
            state.warn("a digit next to a damaged character", m.start())
            continue
        try:
            scale = _SCALE.get(m["mult"] or "", 1)
            value = exact(Decimal(m["num"].replace(",", "")) * scale)
        except (InvalidOperation, ValueError):
            state.warn(f"unreadable number {m.group(0)}", m.start())
            continue
        q = Quantity(m.start(), m.end(), value, scale=scale)
        if s.endswith("百分之", state.a, m.start()):
            q.kind, q.unit, q.start = "percent", "%", m.start() - 3
        state.quantities.append(q)
        n += 1
    return n


def numerals(state: State) -> int:
    """Chinese numerals, tentatively (the `chinese` rule decides which are quantities)."""
    s, n = state.masked, 0
    for m in _CN_RUN.finditer(s, state.a, state.b):
        start = m.start("num")
        if start > state.a and (s[start - 1].isdigit() or s[start - 1] == "."):
            continue  # the 千 of 5千 belongs to an Arabic number
        pre = m["pre"] or ""
        if pre == "百分之":
            value = cjknum.percent(m["num"])
            if value is None:
                state.warn(f"malformed percentage 百分之{m['num']}", m.start())
                continue
            q = Quantity(m.start(), m.end(), exact(value), kind="percent", unit="%")
        else:
            value = cjknum.to_decimal(m["num"])
            if value is None:
                continue  # 十四五, 二〇一九: a name or a year, not a quantity
            if pre == "上" and m["num"][0] not in "百千万":
                pre = ""  # 上 before 三个 is not 上百
            q = Quantity(start, m.end(), exact(value), kind="cn")
            if pre:  # 上百项, 近千个: approximate
                q.before, q.before_start, q.comparator = pre, m.start(), "approx"
        state.quantities.append(q)
        n += 1
    return n


def specials(state: State) -> int:
    """Quantities written as words: 减少一半 / 减半 (reduce_by 50 %), 翻一番 (increase_by 100 %)."""
    s, n = state.masked, 0
    for m in _HALF.finditer(s, state.a, state.b):
        verb = m["verb"] or m["verb2"]
        state.quantities.append(Quantity(m.start(), m.end(), Decimal(50), kind="special", unit="%",
                                         comparator="reduce_by", before=verb, before_start=m.start()))
        n += 1
    for m in _DOUBLE.finditer(s, state.a, state.b):
        times = cjknum.to_int(m["n"]) if m["n"] else 1
        value = Decimal(2 ** (times or 1) - 1) * 100
        state.quantities.append(Quantity(m.start(), m.end(), value, kind="special", unit="%",
                                         comparator="increase_by", before=m.group(0), before_start=m.start()))
        n += 1
    state.quantities.sort(key=lambda q: q.start)
    return n


_UNIT_RX = re.compile("|".join(re.escape(raw) for raw, _unit in UNITS))
_UNIT_OF = dict(UNITS)


def unit_at(s: str, pos: int) -> tuple[str, int]:
    """(canonical unit, end) of the unit written at pos (the longest); ("", pos) when there is none."""
    m = _UNIT_RX.match(s, pos)
    return (_UNIT_OF[m.group(0)], m.end()) if m else ("", pos)


def units(state: State) -> int:
    """The 多/余 marker and the unit after each number; a dangling dash (1—个工作日) is skipped."""
    s, n = state.masked, 0
    for q in state.alive():
        if q.kind in ("percent", "special"):
            q.unit_end = q.end
            while q.kind == "percent" and s.startswith(("%", "％"), q.unit_end):
                q.unit_end += 1
            continue
        pos = q.end
        if pos < state.b and s[pos] in _MARKERS:
            q.marker, pos = s[pos], pos + 1
        if pos + 1 < state.b and s[pos] in _DASHES and unit_at(s, pos + 1)[0] and not s[pos + 1].isdigit():
            state.warn("a range dash without its upper end", pos)
            pos += 1
        unit, pos = unit_at(s, pos)
        while unit == "%" and s.startswith(("%", "％"), pos):
            pos += 1  # 60％％: a doubled sign is one
        q.unit, q.unit_end = unit, pos
        n += bool(unit)
    return n


def ranges(state: State) -> int:
    """Two numbers joined by a range mark, with one unit: one target with value and value_high."""
    s, n = state.masked, 0
    alive = state.alive()
    for q1, q2 in zip(alive, alive[1:], strict=False):
        if q1.dropped or q2.dropped or q1.kind == "special" or q2.kind == "special":
            continue
        if s[q1.unit_end:q2.start] not in _RANGE_JOIN or not q2.unit or q1.unit not in ("", q2.unit):
            continue
        low = q1.value
        if q1.scale == 1 and q2.scale > 1 and not q1.unit and low * q2.scale < q2.value:
            low = exact(low * q2.scale)  # 2至3万人: both ends in 万
        if low >= q2.value:
            continue
        q1.value, q1.value_high, q1.unit, q1.unit_end = low, q2.value, q2.unit, q2.unit_end
        q1.marker = q1.marker or q2.marker
        q1.comparator = "range"
        q2.dropped = "the upper end of a range"
        n += 1
    return n


def _quoted_name(s: str, q: Quantity) -> bool:
    """“15分钟政务服务圈”: a number that opens a quoted name, which goes on after the unit."""
    if q.start == 0 or s[q.start - 1] != "“":
        return False
    close = s.find("”", q.start, q.start + 20)
    return close > q.unit_end


def names(state: State) -> int:
    """Numbers that name things: 5G, “1+1+9”, 7×24小时, IPv6, 第25位, 3.0版, 40周年, hotlines."""
    s, n = state.masked, 0
    for q in state.alive():
        if q.kind != "arabic":
            continue
        before = s[q.start - 1] if q.start > 0 else ""
        after = s[q.end] if q.end < len(s) else ""
        reason = ""
        if before and ((before.isascii() and before.isalpha()) or before in "+×*xX＋/#第届" or before in _DASHES):
            reason = "a name or code with digits"
        elif after and (after in "+×*＋" or (after.isascii() and after.isalpha() and not q.unit)):
            reason = "a name or code with digits"
        elif q.value in _HOTLINES and not q.unit and q.scale == 1:
            reason = "a hotline"
        elif s.startswith(_NOT_UNITS, q.end) or (q.marker and s.startswith(_NOT_UNITS, q.end + 1)):
            reason = "a year, date, ordinal or version"
        elif _quoted_name(s, q):
            reason = "a quoted name"
        elif q.unit == "小时" and q.value == 24 and (before in "×x" or s.startswith(("“不打烊", "不打烊"), q.unit_end)):
            reason = "round-the-clock service (24小时不打烊)"
        if reason:
            q.dropped = reason
            n += 1
    return n


#: a Chinese numeral that is a quantity on its own: it has a digit and a unit char (两百, 二十万)
def _strong(text: str) -> bool:
    return len(text) >= 2 and any(ch in cjknum.DIGITS for ch in text) and any(ch in cjknum.UNITS for ch in text)


def chinese(state: State) -> int:
    """Keep a Chinese numeral only where it is a quantity: after a comparator (不少于两台), before
    内/以上 (三个工作日内), in a range (二至三个), with 余/多/上/近 (千余条), or a numeral of two
    places or more (两百家, 二十万人次). 一件事, 三个层级, 四个走在全国前列, 第三批 are names."""
    s, n = state.masked, 0
    for q in state.alive():
        if q.kind != "cn":
            continue
        written = s[q.start:q.end]
        before = s[q.start - 1] if q.start > state.a else ""
        if before in "第数几首每周届" or not q.unit:
            q.dropped = "a Chinese numeral that names or orders" if q.unit else "a Chinese numeral without a unit"
        elif not (_strong(written) or written == "半" or q.comparator in ("range", "approx") or q.marker
                  or (q.before and not q.shared) or q.after):
            q.dropped = "a Chinese numeral in a name (一件事, 三个层级)"
        n += bool(q.dropped)
    return n
