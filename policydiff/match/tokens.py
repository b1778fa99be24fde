"""Tokens for comparing Chinese plan text.

Two views of a clause's words:
- `diff_tokens`: what a redline replaces. A number with its multiplier and unit (1500万, 1.1亿,
  90%, 3个工作日), a date (2021年底前) or a Latin word is ONE token, so 1500万 → 1.1亿 is one
  replacement and 80% → 90% never shows as 8 → 9. Han characters and punctuation are single tokens.
- `shingles`: character 2-/3-grams with numbers masked, for similarity that survives a target
  change (“达1500万” and “突破1.1亿” still share their words).
"""

from __future__ import annotations

import re

_UNIT = (r"(?:个工作日|工作日|个百分点|个月|小时|分钟|核vCPU|人次|万元|亿元|[%％‰]|[秒天日项个家台条种类名栋款枚户件宗所座套张份批位人倍元次])")
_NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:万亿|千万|百万|万|亿|千)?{_UNIT}?(?:以上|以下|以内|之内)?"
_DATE = r"(?:(?:19|20)\d{2}\s*[—–\-~]\s*)?(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:底前|底|末前|末|前)?|\d{1,2}月(?:\d{1,2}日|底前|底)"
_TOKEN = re.compile(rf"{_DATE}|{_NUMBER}|[A-Za-z][A-Za-z0-9+\-.]*|\s+|.", re.S)


def diff_tokens(text: str) -> list[str]:
    """Split text into redline tokens; "".join(tokens) == text."""
    return _TOKEN.findall(text)


_DIGITS = re.compile(r"\d+(?:[.,]\d+)*(?:万亿|千万|百万|万|亿|千)?")
_PUNCT = re.compile(r"[，。、；：？！“”‘’（）《》〈〉【】〔〕—…·\s,.;:?!()\[\]\"']+")


def mask_numbers(text: str) -> str:
    """Every number (with its 万/亿) becomes #: a changed target does not change the shingles."""
    return _DIGITS.sub("#", text)


def shingles(text: str, sizes: tuple[int, ...] = (2, 3)) -> list[str]:
    """Character n-grams of the masked text, within runs between punctuation."""
    out: list[str] = []
    for run in _PUNCT.split(mask_numbers(text)):
        for n in sizes:
            out.extend(run[i:i + n] for i in range(len(run) - n + 1))
    return out
