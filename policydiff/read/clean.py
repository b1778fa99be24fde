"""Cleaning: whatever a document looks like, turn it into the same plain text.

Like markdown-it-py's core, cleaning is a list of small named rules run in order over one
state. Each rule returns a `Step` saying what it changed, so `normalize --explain` can show it,
and adding a rule does not touch the others. The last rule only *marks* suspect spans (mojibake):
corrupted text is never dropped or guessed back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from policydiff import lexicon
from policydiff.model.document import Step
from policydiff.read.html import html_text
from policydiff.read.ruler import Ruler
from policydiff.read.text import (
    CJK_PUNCT,
    TONE_MARKS,
    converter,
    fix_t2s_leftovers,
    is_cjk,
    is_furniture,
    is_wide,
    strip_pinyin,
)


@dataclass
class Suspect:
    """A span of the cleaned text that looks corrupted (mojibake, U+FFFD, `?` in Chinese)."""

    start: int
    end: int
    reason: str


@dataclass
class Cleaned:
    """The output of cleaning: the text every later stage works on."""

    text: str
    source_script: str  # "simplified" | "traditional"
    steps: list[Step]
    suspects: list[Suspect]


@dataclass
class _State:
    text: str
    is_html: bool
    script_config: str
    source_script: str = "simplified"
    steps: list[Step] = field(default_factory=list)
    suspects: list[Suspect] = field(default_factory=list)


Rule = Callable[[_State], Step]

# --------------------------------------------------------------------------- rules


def rule_html(state: _State) -> Step:
    """HTML input: keep the text, one line per block, drop scripts, styles and navigation."""
    if not state.is_html:
        return Step("html", 0, "not html")
    state.text, dropped, detail = html_text(state.text)
    return Step("html", dropped, detail)


# control, zero-width and XML-illegal characters (lone surrogates, U+FFFE/U+FFFF)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\ud800-\udfff\ufffe\uffff]")


def strip_controls(text: str) -> str:
    """Text without control, zero-width and XML-illegal characters (line breaks kept)."""
    return _CONTROL.sub("", text)


#: line breaks other than LF and CR: NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR (U+2029)
_OTHER_BREAKS = re.compile("[\u0085\u2028\u2029]")


def rule_line_endings(state: _State) -> Step:
    """CRLF/CR, NEL, U+2028 and U+2029 → LF; drop control and zero-width characters."""
    text = state.text
    n = text.count("\r")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, other = _OTHER_BREAKS.subn("\n", text)
    n += other
    text, k = _CONTROL.subn("", text)
    state.text = text
    return Step("line_endings", n + k, f"{n} CR/NEL/U+2028/U+2029, {k} control/zero-width characters")


def rule_pinyin(state: _State) -> Step:
    """Strip pinyin a converter inserted after a character (toned, toneless or neutral, single or
    repeated), only where it is that character's reading: real parentheses such as (BIM) stay."""
    text, removed, kept = strip_pinyin(state.text)
    state.text = text
    return Step("pinyin_annotations", removed, f"{removed} annotations removed, {kept} parentheses kept")


#: everything but a Han character as `is_cjk` has them: what the script sample leaves out
_NOT_HAN = re.compile("[^\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003134f]+")


def rule_script(state: _State) -> Step:
    """Traditional → Simplified with OpenCC, when the text is Traditional (or a config is forced).
    Only configurations into Simplified: Traditional output (s2t) converts the finished document
    (`read.traditional`), since every later rule reads Simplified."""
    text = state.text
    t2s = converter("t2s")
    sample = _NOT_HAN.sub("", text)[:20000]  # the first 20,000 Han characters (is_cjk's ranges)
    if not sample:
        return Step("script", 0, "no Han characters")
    changed = sum(1 for a, b in zip(sample, t2s.convert(sample), strict=False) if a != b)
    ratio = changed / len(sample)
    # Simplified text still has a few characters t2s maps (e.g. 乾, 著); real Traditional has many.
    if ratio >= 0.03:
        state.source_script = "traditional"
    if state.source_script == "simplified" and state.script_config == "t2s":
        return Step("script", 0, f"simplified ({ratio:.1%} convertible)")
    out = fix_t2s_leftovers(converter(state.script_config).convert(text))
    out = _keep_suspects(text, out)
    n = sum(1 for a, b in zip(text, out, strict=False) if a != b) if len(out) == len(text) else -1
    state.text = out
    return Step("script", n, f"{state.source_script} → simplified with OpenCC {state.script_config}")


def _keep_suspects(before: str, after: str) -> str:
    """Characters inside suspect spans stay as found: OpenCC would rewrite mojibake into other
    garbage (鏈 → 链), and the README promises it is kept byte for byte. Spans are found on the
    converted text, where only real damage still looks odd; t2s keeps lengths, so positions hold
    (where it does not, the line is left converted)."""
    if len(before) == len(after):
        spans = find_suspects(after)
        if not spans:
            return after
        parts, pos = [], 0
        for sp in spans:
            parts += [after[pos:sp.start], before[sp.start:sp.end]]
            pos = sp.end
        return "".join(parts) + after[pos:]
    lines_b, lines_a = before.split("\n"), after.split("\n")
    if len(lines_b) != len(lines_a):
        return after
    return "\n".join(_keep_suspects(b, a) if len(b) == len(a) else a for b, a in zip(lines_b, lines_a, strict=True))


_HALF_TO_FULL = {",": "，", ";": "；", ":": "："}
_HALF_MARK = re.compile("[,;:]")
_ANGLE_PAIR = re.compile(r"(?<=[\u4e00-\u9fff])[‹<]([\u4e00-\u9fff、]{1,12})[›>](?=[\u4e00-\u9fff])")
_PAREN_PAIR = re.compile(r"\(([^()\n]{0,300})\)")


def _widen_marks(text: str) -> tuple[str, int]:
    """Half-width , ; : next to Chinese → full-width (16:08, 1,000 and URLs stay), and how many.
    A regex walk, not a list of characters (that list costs ~75 bytes a character)."""
    n = 0
    done = {"at": -1, "as": ""}  # the last mark turned full-width: it is the next one's `prev`

    def widen(m: re.Match[str]) -> str:
        nonlocal n
        i, c = m.start(), m.group(0)
        prev = done["as"] if done["at"] == i - 1 else (text[i - 1] if i else "")
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if (prev.isdigit() and nxt.isdigit()) or nxt == "/":
            return c
        if (prev and is_wide(prev)) or (nxt and is_wide(nxt)) or prev in "）)%" or nxt in "（(\n,":
            n += 1
            done["at"], done["as"] = i, _HALF_TO_FULL[c]
            return _HALF_TO_FULL[c]
        return c

    return _HALF_MARK.sub(widen, text), n


def rule_punctuation(state: _State) -> Step:
    """Unify widths where structure depends on it; collapse doubled punctuation. No blanket NFKC."""
    text = state.text
    n = 0
    # full-width digits and Latin letters → ASCII, so numbers read the same everywhere
    trans = {c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
    trans.update({c: chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
    trans.update({c: chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})
    trans[0xFF05] = "%"
    out = text.translate(trans)
    n += sum(1 for a, b in zip(text, out, strict=True) if a != b)
    text = out

    # half-width , ; : next to Chinese → full-width (but 16:08, 1,000 and URLs stay)
    text, k = _widen_marks(text)
    n += k

    # ASCII parentheses around Chinese, or after a Chinese character → （ ）: (一) → （一）, (BIM) → （BIM）
    def paren(m: re.Match[str]) -> str:
        nonlocal n
        inner = m.group(1)
        before = text[m.start() - 1] if m.start() else "\n"
        if any(is_wide(c) for c in inner) or is_wide(before) or before == "\n":
            n += 1
            return "（" + inner + "）"
        return m.group(0)

    for _ in range(3):  # nested pairs resolve inside out
        new = _PAREN_PAIR.sub(paren, text)
        if new == text:
            break
        text = new

    # org names typed with angle brackets: 各县‹市、区›人民政府, 各县<市、区>人民政府 → 各县（市、区）人民政府
    text, k = _ANGLE_PAIR.subn(r"（\1）", text)
    n += k

    # doubled punctuation from mirrors: ",," → "，"; ",、" → "、"; ",。" → "。"
    def dedupe(m: re.Match[str]) -> str:
        nonlocal n
        run = m.group(0)
        n += len(run) - 1
        return run[-1] if run[0] == "，" else run[0]

    text = re.sub(r"，[，、。；：]|([、。；：])\1+", dedupe, text)
    state.text = text
    return Step("punctuation", n)


_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


def rule_whitespace(state: _State) -> Step:
    """Odd spaces → space; strip lines; drop blank lines; no spaces between Chinese characters."""
    n = 0
    lines = []
    for raw in state.text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            n += 1 if raw else 0
            continue
        if " " in line:
            parts = line.split(" ")
            rebuilt = parts[0]
            for part in parts[1:]:
                if rebuilt and part and (is_wide(rebuilt[-1]) or is_wide(part[0])):
                    rebuilt += part
                    n += 1
                else:
                    rebuilt += " " + part
            line = rebuilt
        if line != raw:
            n += 1
        lines.append(line)
    state.text = "\n".join(lines)
    return Step("whitespace", n)


def rule_boilerplate(state: _State) -> Step:
    """Drop web-page furniture lines (navigation, 来源/作者/发布时间/浏览次数/【打印】/分享, footers)."""
    kept, dropped = [], []
    for line in state.text.split("\n"):
        if is_furniture(line):
            dropped.append(line)
        else:
            kept.append(line)
    state.text = "\n".join(kept)
    return Step("boilerplate", len(dropped), " | ".join(d[:40] for d in dropped[:5]))


@lru_cache(maxsize=65536)
def _odd(ch: str) -> bool:
    """A character that does not belong in clean Simplified government text."""
    if ch in "?\ufffd;":
        return True
    if is_cjk(ch):
        try:
            ch.encode("gb2312")
            return False
        except UnicodeEncodeError:
            return True
    if ch.isascii():
        return False
    cat = unicodedata.category(ch)
    if cat == "Lo":  # kana, hangul, bopomofo inside Chinese text: decoding garbage
        return True
    return cat in ("Sm", "So", "Co", "Cn") and ch not in "①②③④⑤⑥⑦⑧⑨⑩→←×÷±…—"


def looks_odd(ch: str) -> bool:
    """A character that does not belong in clean Simplified government text (mojibake, symbols)."""
    return _odd(ch)


def _garbage(ch: str) -> bool:
    """Inside a suspect span, also Latin letters, brackets and tone letters continue the damage."""
    return _odd(ch) or (ch.isascii() and not ch.isspace() and not ch.isdigit()) or ch in TONE_MARKS


def _odd_chars(text: str) -> re.Pattern[str] | None:
    """A class of the characters of `text` that `_odd` flags (None when there is none)."""
    odd = sorted(c for c in set(text) if _odd(c))
    return re.compile("[" + "".join(re.escape(c) for c in odd) + "]") if odd else None


def find_suspects(text: str) -> list[Suspect]:
    """Spans that look corrupted: mojibake runs, U+FFFD, `?` in Chinese, spliced spam tokens."""
    suspects: list[Suspect] = []
    i, n = 0, len(text)
    odd_rx = _odd_chars(text)
    while i < n:
        # jump to the next odd character (the scan below moves one character at a time)
        m = odd_rx.search(text, i) if odd_rx else None
        if m is None:
            break
        i = m.start()
        c = text[i]
        # `?` or `;` between Latin letters or digits (URLs, code) is not mojibake
        if c in "?;" and not (
            (i and (is_cjk(text[i - 1]) or text[i - 1] in CJK_PUNCT))
            or (i + 1 < n and (is_cjk(text[i + 1]) or text[i + 1] in CJK_PUNCT))
        ):
            i += 1
            continue
        start, end, odd_count, strong = i, i + 1, 1, c in "?\ufffd"
        j = i + 1
        while j < n and j - end <= 3 and text[j] != "\n":
            cj = text[j]
            if _odd(cj) or (_garbage(cj) and j == end):
                end, odd_count = j + 1, odd_count + 1
                strong = strong or cj in "?\ufffd"
            j += 1
        if strong or odd_count >= 2:
            reason = "replacement-character" if "\ufffd" in text[start:end] else "mojibake"
            suspects.append(Suspect(start, end, reason))
        i = end
    suspects += _spam(text, suspects)
    return sorted(suspects, key=lambda s: s.start)


#: letters then digits between Chinese characters (bet365, AG88, HG0088); a number with a unit (700M,
#: 5G) starts with a digit and is not matched
_SPLICED = re.compile(r"(?<=[\u4e00-\u9fff“”‘’、，。：；（）])[A-Za-z](?=[A-Za-z0-9]*\d)[A-Za-z0-9]{2,15}"
                      r"(?=[\u4e00-\u9fff“”，。、；])")


def _spam(text: str, found: list[Suspect]) -> list[Suspect]:
    """Brand names of letters and digits spliced into Chinese words (推进bet365标准化): flagged, kept."""
    known = set(lexicon.words("latin_terms"))
    taken = [(s.start, s.end) for s in found]
    return [Suspect(m.start(), m.end(), "spliced-latin") for m in _SPLICED.finditer(text)
            if m.group(0) not in known and not any(a < m.end() and m.start() < b for a, b in taken)]


def rule_suspects(state: _State) -> Step:
    """Mark spans that look like mojibake or spliced spam. They are kept as they are and only flagged."""
    text = state.text
    state.suspects = find_suspects(text)
    return Step("suspects", len(state.suspects), "; ".join(text[s.start:s.end] for s in state.suspects[:5]),
                [(s.start, s.end, s.reason) for s in state.suspects])


@lru_cache(maxsize=1)
def _item_patterns() -> list[tuple[str, str, re.Pattern[str], re.Pattern[str]]]:
    """(tag, numeral, pattern at a line start, the same pattern anywhere) of every numbering level."""
    from policydiff.model.layouts import levels

    return [(lv.tag, lv.numeral, lv.pattern, re.compile(lv.pattern.pattern.lstrip("^"))) for lv in levels()]


def _number_value(raw: str, numeral: str) -> int:
    from policydiff.read.cjknum import circled_int, cn_int

    if numeral == "arabic":
        return int(raw)
    return (circled_int(raw) if numeral == "circled" else cn_int(raw)) or 0


def _split_collapsed(line: str) -> list[str]:
    """A line a scraper made of several numbered items ("1.加强…。2.推进…。3.完善…") as one line each.

    Only the next number of the same level, right after a sentence end or a closing bracket,
    starts a new line: "达到98%。2.开展" splits, "2020年" or "第2.5条" never do.
    """
    for _tag, numeral, at_start, anywhere in _item_patterns():
        m = at_start.match(line)
        if not m:
            continue
        value, cuts, pos = _number_value(m.group("n"), numeral), [], m.end()
        while value:
            nxt = next((k for k in anywhere.finditer(line, pos)
                        if line[k.start() - 1] in "。；）]】" and _number_value(k.group("n"), numeral) == value + 1), None)
            if nxt is None:
                break
            cuts.append(nxt.start())
            value, pos = value + 1, nxt.end()
        if cuts:
            bounds = [0, *cuts, len(line)]
            return [line[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        return [line]
    return [line]


def rule_collapsed_items(state: _State) -> Step:
    """Numbered items collapsed onto one line get a line each (structure reads one heading a line)."""
    out, n = [], 0
    for line in state.text.split("\n"):
        parts = _split_collapsed(line) if len(line) > 20 else [line]
        n += len(parts) - 1
        out.extend(parts)
    state.text = "\n".join(out)
    return Step("collapsed_items", n, f"{n} numbered items moved onto lines of their own")


#: the cleaning rules, in order (insert, replace or switch off one by name: RULES.disable("boilerplate"))
RULES = Ruler()
for _name, _rule in [
    ("html", rule_html),
    ("line_endings", rule_line_endings),
    ("pinyin_annotations", rule_pinyin),
    ("script", rule_script),
    ("punctuation", rule_punctuation),
    ("whitespace", rule_whitespace),
    ("boilerplate", rule_boilerplate),
    ("collapsed_items", rule_collapsed_items),
    ("suspects", rule_suspects),
]:
    RULES.push(_name, _rule)


def clean(text: str, *, is_html: bool = False, script_config: str = "t2s") -> Cleaned:
    """Run every cleaning rule in order and return the cleaned text with what each rule did."""
    state = _State(text=text, is_html=is_html, script_config=script_config)
    state.steps.extend(step for _name, step in RULES.run(state))
    return Cleaned(state.text, state.source_script, state.steps, state.suspects)


def looks_like_html(text: str, name: str = "") -> bool:
    """HTML by file name, or by its first tag."""
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)
