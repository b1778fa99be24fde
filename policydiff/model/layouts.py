"""The layout registry: each numbering level and each kind of document is one entry of data.

A level (一、, （一）, 1., 第一条 …) names its element, its Akoma Ntoso eId prefix, its rank and its
numeral system; the patterns live in the lexicon (`numbering.tsv`), so a new numbering style is a
data change. A layout says which levels a kind of document uses, whether numbering restarts in
each section, and whether it covers a plan only partly (a news summary). The XML schema's block
elements and the document model's block tables derive from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policydiff import lexicon


@dataclass(frozen=True)
class Level:
    """One numbering level: 一、 is tag section, eId prefix sec, rank 2, Chinese numerals."""

    tag: str
    prefix: str
    rank: int
    numeral: str  # cn | arabic | circled
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Layout:
    """A kind of document as the structure parser reads it."""

    name: str
    levels: tuple[str, ...]  # the level tags it uses, outermost first
    partial: bool = False  # covers a plan only in part (absence is not evidence of a drop)
    numbered: bool = True
    description: str = ""


@lru_cache(maxsize=1)
def levels() -> tuple[Level, ...]:
    """Every numbering level, in rank order (outermost first)."""
    out = [Level(tag, prefix, int(rank), numeral, re.compile(pattern))
           for tag, prefix, rank, numeral, pattern in lexicon.table("numbering")]
    return tuple(sorted(out, key=lambda lv: lv.rank))


LAYOUTS: dict[str, Layout] = {
    "numbered": Layout("numbered", ("section", "para", "point", "subpoint", "item"),
                       description="work points and plans: 一、 → （一） → 1. → （1） → ①"),
    "chapters": Layout("chapters", ("chapter", "subchapter", "section", "para", "point", "subpoint", "item"),
                       description="规划 with 第一章 / 第一节 above the plan levels"),
    "articles": Layout("articles", ("chapter", "article", "para", "point", "subpoint", "item"),
                       description="regulations and 办法: 第一章 → 第一条 → （一）"),
    "news": Layout("news", (), partial=True, numbered=False,
                   description="a news summary: subheadings and paragraphs, part of a plan only"),
}

#: every element that is a clause (carries an eId and text of its own), outermost first
BLOCKS: tuple[str, ...] = tuple(lv.tag for lv in levels())
#: eId prefixes by element
EID_PREFIX: dict[str, str] = {lv.tag: lv.prefix for lv in levels()}


def layout_of(tags: set[str], numbered: bool) -> Layout:
    """The layout a parsed document follows, from the level tags it uses."""
    if not numbered:
        return LAYOUTS["news"]
    if "article" in tags:
        return LAYOUTS["articles"]
    if tags & {"chapter", "subchapter"}:
        return LAYOUTS["chapters"]
    return LAYOUTS["numbered"]


def is_partial(layout: str) -> bool:
    """Whether a document of this layout covers its plan only in part."""
    entry = LAYOUTS.get(layout)
    return bool(entry and entry.partial)
