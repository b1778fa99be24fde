"""Chinese numerals, in one place: heading numbers, digit-by-digit years and quantities.

Every reader of Chinese numerals goes through here (structure's heading numbers, metadata's
dates, the target grammar's quantities), on top of cn2an:

- `to_int`: a whole number of any length: 一百一十一 → 111, 两百 → 200, 一千 → 1000, 十二 → 12, and
  digit-by-digit readings, as years and 文号 write them: 二〇一九 → 2019, 二○二一 → 2021.
- `to_decimal`: a quantity, exactly (Decimal, never float): 一点五 → 1.5, 九十点五 → 90.5,
  三千万 → 30000000, 半 → 0.5, 千 → 1000 (千余条), 百 → 100 (上百项).
- `percent`: what follows 百分之: 百分之九十 → 90, 百分之1.5 → 1.5; 百分之1.2.3 → None.
- `cn_int` (heading numbers: the same as `to_int`) and `circled_int` (① → 1, ㊿ → 50).

Nothing here raises on a malformed numeral: the answer is None (or 0 where a caller needs an int),
and the caller decides whether that is a warning.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

#: the characters of a Chinese numeral (digits, units, 两, 〇 and its look-alikes)
DIGITS = "零〇○Ｏ一二两三四五六七八九"
UNITS = "十百千万亿"
CHARS = DIGITS + UNITS
#: one run of Chinese numeral characters, with an optional 点 fraction
RUN = re.compile(rf"[{CHARS}]+(?:点[{DIGITS}]+)?")

_DIGIT_VALUE = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                "六": 6, "七": 7, "八": 8, "九": 9}
_WIDE = str.maketrans("０１２３４５６７８９．", "0123456789.")
_ZEROS = str.maketrans({"○": "〇", "Ｏ": "〇", "O": "〇"})


_CN_DIGIT = "〇一二三四五六七八九"
_PLACE = (("万", 10000), ("千", 1000), ("百", 100), ("十", 10), ("", 1))
_TWO_BEFORE_UNIT = re.compile("两(?=[千百万])")


def _written(v: int) -> str:
    """The plain way of writing 1 <= v < 100,000: 一万零五百, 一百一十, 一十二 (with its leading 一)."""
    out, zero, started = [], False, False
    for unit, size in _PLACE:
        d = v // size % 10
        if d:
            out += ["零"] * (zero and started) + [_CN_DIGIT[d] + unit]
            started, zero = True, False
        elif started:
            zero = True
    return "".join(out)


def _plain(s: str) -> int | None:
    """A numeral below 100,000 written the plain way (十二, 一百零五, 两千, 三万零五百), read without
    cn2an, whose import costs ~0.15 s; None for every other form (cn2an reads those). On every
    string this accepts, cn2an's normal mode gives the same number (checked for all of them once:
    1 … 99,999 with each 两 and the leading 一 of 一十 written or not, 零 and 两 alone)."""
    if s in ("零", "两"):
        return 0 if s == "零" else 2
    s = _TWO_BEFORE_UNIT.sub("二", s)
    if s.startswith("十"):
        s = "一" + s
    total, digit = 0, 0
    for ch in s:
        if ch in _CN_DIGIT and ch != "〇":
            digit = _CN_DIGIT.index(ch)
        elif ch in "万千百十":
            total, digit = total + digit * dict(_PLACE)[ch], 0
        elif ch != "零":
            return None
    total += digit
    return total if 0 < total < 100_000 and _written(total) == s else None


def _cn2an(s: str) -> Decimal | None:
    """cn2an's reading of an integer numeral (normal mode: 两, 〇 and 两万五 are accepted)."""
    plain = _plain(s)
    if plain is not None:
        return Decimal(plain)
    try:
        import cn2an

        value = cn2an.cn2an(s, "normal")
    except Exception:  # cn2an raises ValueError, KeyError, IndexError … on what it cannot read
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@lru_cache(maxsize=4096)
def to_int(s: str) -> int | None:
    """A whole number written in Chinese (or Arabic, also full-width) digits; None if unreadable."""
    s = (s or "").strip().translate(_WIDE).translate(_ZEROS)
    if not s:
        return None
    if s.isascii():
        return int(s) if s.isdigit() else None
    if len(s) >= 2 and all(ch in _DIGIT_VALUE for ch in s):
        # no 十/百/千: digit by digit, as years and numbers are spelled (二〇一九 → 2019)
        return int("".join(str(_DIGIT_VALUE[ch]) for ch in s))
    value = _cn2an(s)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


@lru_cache(maxsize=4096)
def to_decimal(s: str) -> Decimal | None:
    """A quantity written in Chinese numerals (一点五, 两百, 二十万, 半, 千); None if unreadable."""
    s = (s or "").strip().translate(_WIDE).translate(_ZEROS)
    if not s:
        return None
    if s == "半":
        return Decimal("0.5")
    if s in ("十", "百", "千", "万", "亿"):
        return Decimal(10) ** {"十": 1, "百": 2, "千": 3, "万": 4, "亿": 8}[s]
    whole, dot, frac = s.partition("点")
    if dot and (not frac or not all(ch in _DIGIT_VALUE for ch in frac)):
        return None
    if all(ch in _DIGIT_VALUE for ch in whole) and len(whole) >= 2:
        return None  # 二〇一九 is a year or a code, not a quantity
    value = _cn2an(whole) if whole else Decimal(0)
    if value is None:
        return None
    if frac:
        value += Decimal("0." + "".join(str(_DIGIT_VALUE[ch]) for ch in frac))
    return value


def percent(s: str) -> Decimal | None:
    """The number after 百分之: Chinese (九十, 九十点五) or Arabic (1.5); None if malformed."""
    s = (s or "").strip().translate(_WIDE)
    if not s:
        return None
    if s[0].isdigit():
        if not re.fullmatch(r"\d+(?:\.\d+)?", s):
            return None  # 百分之1.2.3
        return Decimal(s)
    return to_decimal(s)


def cn_int(s: str) -> int | None:
    """A heading's Chinese numeral (一, 十二, 一百一十一, 两百) → int; None when it is none."""
    return to_int(s)


#: circled numbers ①–⑳, ㉑–㉟, ㊱–㊿ in order
_CIRCLED = "".join(map(chr, range(0x2460, 0x2474))) + "".join(map(chr, range(0x3251, 0x3260))) + \
    "".join(map(chr, range(0x32B1, 0x32C0)))


def circled_int(s: str) -> int | None:
    """A circled number (① … ㊿) → int; None for anything else."""
    s = (s or "").strip()
    return _CIRCLED.index(s) + 1 if len(s) == 1 and s in _CIRCLED else None
