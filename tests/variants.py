"""Mirror-damaged variants of a clean Simplified plan text, for tests.

Every function is pure: it takes a text (and, where randomness is involved, a seed) and returns a new
string; the same input and seed always give the same output. Nothing here imports pytest, so the
functions can be used from tests, benchmarks or an interactive shell alike::

    import sys; sys.path.insert(0, "tests")
    import variants
    damaged = variants.mirror(clean_text, seed=3)

The damage imitated is what was measured on real copies of Chinese government plans (see
the project's domain notes): mirror and aggregator sites that convert Simplified to Traditional,
insert pinyin after characters, double punctuation, splice spam brand names into words, scrapers that
lose the header or collapse lines, and HTML residue from careless extraction.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

__all__ = [
    "to_traditional",
    "add_toned_pinyin",
    "add_toneless_pinyin",
    "add_neutral_pinyin",
    "double_annotations",
    "double_punctuation",
    "splice_spam",
    "strip_header",
    "collapse_lines",
    "html_residue",
    "mirror",
    "is_han",
]

# --------------------------------------------------------------------------- helpers


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph (basic block or extension A): the only characters pinyin follows."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=8192)
def _reading(ch: str, toned: bool) -> str:
    """The first pypinyin reading of one character ('' when pypinyin has none)."""
    from pypinyin import Style, pinyin

    style = Style.TONE if toned else Style.NORMAL
    syllable = pinyin(ch, style=style, heteronym=False, errors="ignore")
    if not syllable or not syllable[0]:
        return ""
    reading = syllable[0][0]
    # pypinyin echoes characters it does not know; a reading is Latin letters only.
    if not reading or reading == ch or not re.fullmatch(r"[a-zü\u00e0-\u01dc\u0101-\u01da]+", reading):
        return ""
    return reading


def _annotate(text: str, seed: int, rate: float, toned: bool, space_rate: float) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    for ch in text:
        out.append(ch)
        if is_han(ch) and rng.random() < rate:
            reading = _reading(ch, toned)
            if reading:
                out.append(f"({reading} )" if rng.random() < space_rate else f"({reading})")
    return "".join(out)


# An inserted annotation: ASCII parentheses holding one Latin syllable (tone marks allowed), optionally
# with the stray space mirrors leave before ")".
_ANNOTATION = re.compile(r"\(([a-zü\u00e0-\u01dc\u0101-\u01da]{1,7}) ?\)")

# --------------------------------------------------------------------------- script


def to_traditional(text: str) -> str:
    """Simplified → Traditional, character by character, with OpenCC ``s2t``.

    Mirror sites republish mainland plans in Traditional script (the 2021 Guangdong seed reads
    廣東省數字政府改革建設…). ``s2t`` converts characters only, not vocabulary, which is what those sites
    do; OpenCC ``t2s`` maps the result back exactly on the seeds, so a normalizer can be tested for a
    round trip. Pinyin, digits, Latin letters and punctuation are left alone.
    """
    return _s2t().convert(text)


# --------------------------------------------------------------------------- pinyin


def add_toned_pinyin(text: str, seed: int = 0, rate: float = 0.2, space_rate: float = 0.15) -> str:
    """Insert a toned pinyin reading in ASCII parentheses after about every fifth Han character.

    Mirror sites add ruby text as inline annotations: 關(guān)于, 會(huì ) — note the occasional space
    before the closing parenthesis (``space_rate``). Readings come from pypinyin (the first, most
    common reading), so they are real readings of the character they follow, which is exactly what
    a cleaner must check before deleting a parenthesis: real parentheses such as (BIM), (CDO) or
    (粵安居) follow no syllable of the preceding character. Only Han characters are annotated; works
    on Simplified or Traditional text.
    """
    return _annotate(text, seed, rate, toned=True, space_rate=space_rate)


def add_toneless_pinyin(text: str, seed: int = 0, rate: float = 0.2) -> str:
    """Insert toneless pinyin after about every fifth Han character: 动(dong), 治(zhi).

    Some mirrors strip tone marks (or never had them), leaving plain ASCII syllables in parentheses.
    Toneless syllables are more ambiguous than toned ones (many characters read "zhi"), so a cleaner
    must still check that the syllable is a reading of the preceding character.
    """
    return _annotate(text, seed, rate, toned=False, space_rate=0.0)


# Common characters that mirrors annotate with their neutral-tone (or most frequent) syllable,
# whatever the reading in context is (目的 still gets 的(de)).
_NEUTRAL = {"的": "de", "了": "le", "和": "hé", "们": "men", "們": "men", "么": "me", "麼": "me", "着": "zhe", "著": "zhe"}


def add_neutral_pinyin(text: str, seed: int = 0, rate: float = 0.5) -> str:
    """Annotate common function characters with their neutral-tone syllable: 的(de), 了(le), 和(hé).

    pypinyin's default readings carry a tone (的 → dí/de depends on data); the mirror sites seen in
    the wild annotate these grammatical characters with the neutral-tone syllable instead, and 和 with
    hé. A cleaner that only accepts toned readings returned by pypinyin without heteronyms would leave
    these behind. About half (``rate``) of the occurrences are annotated.
    """
    rng = random.Random(seed)
    out: list[str] = []
    for ch in text:
        out.append(ch)
        if ch in _NEUTRAL and rng.random() < rate:
            out.append(f"({_NEUTRAL[ch]})")
    return "".join(out)


def double_annotations(text: str, seed: int = 0, rate: float = 0.5) -> str:
    """Repeat pinyin annotations: 化(huà)(huà).

    Pages that went through two annotating mirrors (or one that ran twice) carry the same syllable
    twice. Existing annotations are doubled with probability ``rate``; if the text carries none yet,
    toned pinyin is added first (seeded) so the function always produces the damage.
    """
    if not _ANNOTATION.search(text):
        text = add_toned_pinyin(text, seed=seed)
    rng = random.Random(seed + 1)

    def repl(m: re.Match[str]) -> str:
        return m.group(0) * 2 if rng.random() < rate else m.group(0)

    return _ANNOTATION.sub(repl, text)


# --------------------------------------------------------------------------- punctuation


def double_punctuation(text: str, seed: int = 0, rate: float = 0.15) -> str:
    """Turn full-width ，into half-width , and double some punctuation: ",,", ",、", ",。".

    The Traditional mirror copies use half-width commas throughout and, around the places where the
    original had a comma, produce doubled marks: ",," for one comma, ",、" and ",。" where a comma was
    glued to the next mark. Every ，becomes "," (about ``rate`` of them ",,"); about ``rate`` of the 、
    become ",、" and about a third as many 。 become ",。". Other punctuation is untouched.
    """
    rng = random.Random(seed)
    out: list[str] = []
    for ch in text:
        if ch == "，":
            out.append(",," if rng.random() < rate else ",")
        elif ch == "、":
            out.append(",、" if rng.random() < rate else "、")
        elif ch == "。":
            out.append(",。" if rng.random() < rate / 3 else "。")
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------- spam

_BRANDS = ("bet365", "AG88", "ky888", "BB8s", "vn2988", "HG0088")


def splice_spam(text: str, seed: int = 0, rate: float = 0.3, brands: tuple[str, ...] = _BRANDS) -> str:
    """Replace some occurrences of 政务服务 (or 政務服務) with a Latin-and-digit brand name.

    Gambling-spam mirrors rewrite keywords inside the copied text so that search engines index their
    brand: "推进bet365事项标准化" stands where "推进政务服务事项标准化" stood. The replaced word is
    gone: a reader (and a matcher) must treat the brand as an unknown token, not as a target (the
    digits in bet365 are no number) or as a programme name. About ``rate`` of the occurrences are
    replaced, at least one if there is any.
    """
    rng = random.Random(seed)
    hits = [m.start() for m in re.finditer("政务服务|政務服務", text)]
    if not hits:
        return text
    chosen = {h for h in hits if rng.random() < rate} or {hits[rng.randrange(len(hits))]}
    out: list[str] = []
    last = 0
    for h in hits:
        if h in chosen:
            out.append(text[last:h])
            out.append(brands[rng.randrange(len(brands))])
            last = h + 4
    out.append(text[last:])
    return "".join(out)


# --------------------------------------------------------------------------- layout

_RECIPIENTS = re.compile(r"^[ \t\u3000]*各[^\n]{1,80}[：:][ \t\u3000]*$", re.M)
_SECTION = re.compile(r"^[ \t\u3000]*[一二三四五六七八九十]{1,3}、", re.M)
_ITEM = re.compile(
    r"^[ \t\u3000]*(?:[（(][一二三四五六七八九十百零]{1,7}[）)]|[（(]\d{1,3}[）)]|\d{1,3}[.．﹒、]|\d{1,3}[）)]|[①-⑳])"
)


def strip_header(text: str, at: str = "recipients") -> str:
    """Drop the header: everything before the recipients line, or before the first 一、 section.

    Many copies of plans start mid-header because the scraper took only the article body: at the
    recipients line (各地级以上市人民政府…：) — the title and 文号 are gone — or at the first section
    heading, with the notice, issuer and date gone as well. ``at="recipients"`` cuts before the first
    line that starts with 各 and ends with a colon, falling back to the first section heading;
    ``at="section"`` cuts before the first line starting with 一、/二、…. Text without either is
    returned unchanged.
    """
    if at not in ("recipients", "section"):
        raise ValueError("at must be 'recipients' or 'section'")
    m = _RECIPIENTS.search(text) if at == "recipients" else None
    if m is None:
        m = _SECTION.search(text)
    if m is None:
        return text
    return text[m.start():].lstrip()


def collapse_lines(text: str, section: int | None = None) -> str:
    """Join the numbered item lines of a section onto one line, as careless scrapers do.

    Web pages that put each item in its own <p> sometimes come out of an extractor with the paragraph
    breaks lost inside a section: "1.加强…。2.推进…。3.完善…。" on one line. For each section
    (a line starting with 一、, 二、 …; ``section`` picks one by 0-based index, None = all of them),
    the lines after the heading, from the first numbered item line (（一）, 1., 1．, 1、, （1）, 1）, ①)
    to the end of the section, are concatenated without separators; unnumbered lines before the first
    item (a section's lead paragraph) stay on their own lines. The text outside the selected sections
    is unchanged.
    """
    lines = text.split("\n")
    out: list[str] = []
    sec_index = -1
    buffer: list[str] = []
    in_items = False

    def flush() -> None:
        nonlocal buffer
        if buffer:
            out.append("".join(s.strip() for s in buffer if s.strip()))
            buffer = []

    for line in lines:
        if _SECTION.match(line):
            flush()
            in_items = False
            sec_index += 1
            out.append(line)
            continue
        selected = sec_index >= 0 and (section is None or section == sec_index)
        if selected and (in_items or _ITEM.match(line)):
            in_items = True
            if line.strip():
                buffer.append(line)
            continue
        out.append(line)
    flush()
    return "\n".join(out)


def html_residue(text: str, seed: int = 0, rate: float = 0.3) -> str:
    """Leave HTML fragments in the text: </strong> after heading numbers, <br/> at line ends.

    Text copied out of CMS pages keeps pieces of markup that an extractor did not remove: a heading
    printed bold comes out as "（一）</strong>加强组织领导", a soft break as "<br/>" at the end of a
    paragraph, sometimes "<strong>" or "&nbsp;" at the start of a line. About ``rate`` of the lines get
    a fragment; the words themselves are untouched.
    """
    rng = random.Random(seed)
    number = re.compile(r"^([ \t\u3000]*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十百零]{1,7}[）)]|\d{1,3}[.．﹒、]))")
    out: list[str] = []
    for line in text.split("\n"):
        if line.strip() and rng.random() < rate:
            m = number.match(line)
            choice = rng.random()
            if m and choice < 0.5:
                line = m.group(1) + "</strong>" + line[m.end():]
            elif choice < 0.8:
                line = line + "<br/>"
            elif choice < 0.9:
                line = "<strong>" + line
            else:
                line = "&nbsp;" + line
        out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------- combined


def mirror(text: str, seed: int = 0) -> str:
    """The typical mirror copy: Traditional script + toned pinyin + doubled half-width punctuation.

    This is the damage of the 2021 Guangdong seed (廣東省…關(guān)于…會(huì )…,,): ``to_traditional``, then
    ``add_toned_pinyin`` (seeded), then ``double_punctuation`` (seeded). Mojibake is not imitated here:
    it cannot be undone with certainty and is tested separately.
    """
    return double_punctuation(add_toned_pinyin(to_traditional(text), seed=seed), seed=seed)
