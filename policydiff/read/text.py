"""One text normalizer for documents, metadata and queries: script, pinyin, widths, character classes.

Everything that turns Traditional into Simplified, strips mirror-site pinyin or asks "is this a
Chinese character?" goes through here, so a query typed in Traditional or full-width finds what
the Simplified text of a document holds, and the metadata detector reads the same text the
structure parser does. OpenCC is set up once per configuration.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from policydiff import lexicon
from policydiff.errors import UsageProblem

CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》〈〉【】〔〕—…·「」『』")


def is_cjk(ch: str) -> bool:
    """A Han character: basic block, extensions A to G, compatibility ideographs."""
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3134F)


def is_wide(ch: str) -> bool:
    """A Han character or Chinese punctuation."""
    return is_cjk(ch) or ch in CJK_PUNCT


#: the OpenCC configurations normalize accepts: Traditional → Simplified, and s2t for Traditional output
SCRIPT_CONFIGS = ("t2s", "tw2s", "hk2s", "tw2sp", "s2t")


def check_script_config(config: str) -> None:
    """Refuse a configuration OpenCC or the pipeline does not support, in one line."""
    if config not in SCRIPT_CONFIGS:
        raise UsageProblem(f"unsupported script config {config!r} (supported: {', '.join(SCRIPT_CONFIGS)})")


@lru_cache(maxsize=4)
def converter(config: str = "t2s"):
    """The OpenCC converter of a configuration (t2s, tw2s, hk2s, tw2sp, s2t), made once."""
    import opencc  # lazy: the CLI must start instantly

    return opencc.OpenCC(config)


def t2s(text: str, config: str = "t2s") -> str:
    """Traditional → Simplified, then the phrase table of what OpenCC leaves behind (著力 → 着力)."""
    if all(ord(ch) < 0x3400 for ch in text):
        return text  # nothing Chinese: skip loading OpenCC
    return fix_t2s_leftovers(converter(config).convert(text))


@lru_cache(maxsize=1)
def _leftovers() -> tuple[re.Pattern[str], dict[str, str]]:
    table = lexicon.mapping("t2s_fixes")
    return re.compile("|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))), table


def fix_t2s_leftovers(text: str) -> str:
    """Phrases OpenCC t2s leaves in their Traditional-looking form (lexicon t2s_fixes)."""
    if "著" not in text:
        return text
    rx, table = _leftovers()
    return rx.sub(lambda m: table[m.group(0)], text)


# --------------------------------------------------------------------------- pinyin annotations

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
#: letters with a tone mark: inside a mojibake span they continue the damage
TONE_MARKS = frozenset(_TONED)
_SYL = rf"[a-zü{_TONED}A-Z]{{1,7}}"
#: a Han character followed by one or more pinyin annotations as mirror converters print them:
#: 關(guān), 會(huì ), 化(huà)(huà), 的(de), 東(dong)
PINYIN_ANNOTATION = re.compile(rf"(?P<han>[\u3400-\u9fff\uf900-\ufaff])(?P<ann>(?:\( ?{_SYL} ?\))+)")
_ONE = re.compile(rf"\( ?({_SYL}) ?\)")


def _bare(s: str) -> str:
    """A syllable without tone marks, ü and v spelled u: lǜ, lv, lü and lu all read lu."""
    out = "".join(c for c in unicodedata.normalize("NFD", s.lower()) if not unicodedata.combining(c))
    return out.replace("ü", "u").replace("v", "u")


@lru_cache(maxsize=16384)
def readings(han: str) -> frozenset[str]:
    """Every pinyin reading of a character (with heteronyms), toned and bare."""
    from pypinyin import Style, pinyin

    out: set[str] = set()
    for group in pinyin(han, style=Style.TONE, heteronym=True, errors="ignore"):
        out.update(s.lower() for s in group)
    return frozenset(out | {_bare(r) for r in out})


def is_reading(han: str, syllable: str, alt: str | None = None) -> bool:
    """True when `syllable` is a pinyin reading of `han` (or of its converted form `alt`), toned,
    toneless or neutral. Upper-case syllables never are: (BIM), (CDO) are real parentheses."""
    if not syllable.islower() and not any(c in _TONED for c in syllable):
        return False
    known = readings(han) | (readings(alt) if alt and alt != han else frozenset())
    return syllable.lower() in known or _bare(syllable) in known


@lru_cache(maxsize=65536)
def _annotates(han: str, syllable: str) -> bool:
    """`is_reading` of the character or of its Simplified form, once per pair: a mirror copy
    repeats the same few hundred (關(guān), 會(huì )), and OpenCC costs a call per character."""
    return is_reading(han, syllable, converter("t2s").convert(han))


def strip_pinyin(text: str) -> tuple[str, int, int]:
    """Remove every annotation that is a reading of the character before it: (text, removed, kept)."""
    if "(" not in text:
        return text, 0, 0
    removed = kept = 0

    def repl(m: re.Match[str]) -> str:
        # annotations are removed from the left while they are readings of the character: in
        # 网(wǎng)(EUHT) the first goes, the real parenthesis after it stays
        nonlocal removed, kept
        han, ann = m.group("han"), m.group("ann")
        pos = 0
        for one in _ONE.finditer(ann):
            if one.start() != pos or not _annotates(han, one.group(1)):
                break
            pos = one.end()
            removed += 1
        if pos < len(ann):
            kept += 1
        return han + ann[pos:]

    return PINYIN_ANNOTATION.sub(repl, text), removed, kept


# --------------------------------------------------------------------------- page furniture

_URL_LINE = re.compile(r"^(?:https?://\S+|www\.\S+)$")


@lru_cache(maxsize=1)
def _furniture() -> re.Pattern[str]:
    return re.compile(lexicon.alternation("furniture"))


def is_furniture(line: str) -> bool:
    """A web-page line that is not part of the document: URLs, 来源/作者/发布时间 bars, buttons, footers."""
    return len(line) < 200 and bool(_URL_LINE.match(line) or _furniture().search(line))


# --------------------------------------------------------------------------- queries

#: full-width digits, Latin letters and % (Chinese punctuation stays: （十二） is how the text writes it)
_WIDE_ASCII = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF05]}


def normalize_query(query: str) -> str:
    """A search or track query as the Simplified text holds it: full-width ASCII to ASCII,
    Traditional to Simplified, pinyin annotations removed, spaces folded."""
    q = unicodedata.normalize("NFC", query).translate(_WIDE_ASCII).replace("\u3000", " ")
    q, _, _ = strip_pinyin(q)
    return " ".join(t2s(q).split())
