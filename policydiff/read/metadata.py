"""Detect 文号, issue date, title, issuer, year and kind from a decoded document.

Detection runs on a normalised copy of the document head (Traditional → Simplified with OpenCC
`t2s`, mirror-site pinyin annotations removed) so that the Traditional 2021 seed yields the same
Simplified values as the others. The document text itself is never changed here.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from policydiff import lexicon
from policydiff.model.layouts import levels
from policydiff.read import cjknum
from policydiff.read.text import is_furniture, strip_pinyin, t2s

# Only the head of a document carries its metadata; a fixed window keeps detection fast on
# large inputs (the archive accepts up to 20 MB).
_HEAD_CHARS = 30_000
_HEAD_LINES = 60  # non-empty lines searched for the header
_TAIL_LINES = 10  # a bare notice may be signed and dated at the end
_MAX_TITLE = 120

_BRACKETS_OPEN = "〔[【(（"
_BRACKETS_CLOSE = "〕]】)）"
# 粤办函〔2019〕87号: issuer abbreviation, year in 〔〕/[]/【】/(), number, 号.
_DOCNO_TAIL = (
    rf"\s*[{re.escape(_BRACKETS_OPEN)}]\s*(?P<year>(?:19|20)\d\d)\s*[{re.escape(_BRACKETS_CLOSE)}]"
    rf"\s*第?(?P<num>\d{{1,5}})\s*号"
)
_DOCNO_LINE_RE = re.compile(rf"^(?P<abbr>[\u4e00-\u9fff]{{1,8}}){_DOCNO_TAIL}$")
# In the fallback search a 文号 must start a line or follow a space/《/“, never a （: that is a citation.
_DOCNO_ANY_RE = re.compile(rf"(?:^|(?<=[\s《“]))(?P<abbr>[\u4e00-\u9fff]{{2,6}}){_DOCNO_TAIL}")

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = r"[0-9０-９]"
_CN = "〇零○Ｏ一二三四五六七八九十"
_DATE_LINE_RE = re.compile(
    rf"^(?P<y>{_NUM}{{4}}|[{_CN}]{{4}})\s*年\s*(?P<m>{_NUM}{{1,2}}|[{_CN}]{{1,2}})\s*月\s*"
    rf"(?P<d>{_NUM}{{1,2}}|[{_CN}]{{1,3}})\s*日$"
)
_PUBLISHED_RE = re.compile(
    r"(?:发布时间|发布日期|成文日期|印发日期|日期)\s*[:：]\s*(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
)
_FULL_DATE_RE = re.compile(r"(?P<y>(?:19|20)\d\d)年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_MONTH_DAY_RE = re.compile(r"(?<![\d年])(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")

_NOTICE_RE = re.compile(r"^(?P<issuer>[^，。、；：:,]{2,40}?)关于(?:印发|转发|发布|公布|颁布)(?P<title>.+?)的通知$")
_PLAN_WORDS = lexicon.words("plan_words")
_CITED_PLAN_RE = re.compile(rf"《(?P<title>[^《》]{{4,80}}?(?:{'|'.join(_PLAN_WORDS)})(?:[(（][^()（）]*[)）])?)》")
_ISSUER_TAIL_RE = re.compile(r"(?:办公厅|办公室|人民政府|委员会|管理局|局|厅|部|署|院)$")
_NEWS_MARKERS = lexicon.words("news_markers")

# Web-page furniture: site names, URLs, "来源:… 发布时间:…" bars, print/share buttons, breadcrumbs.
_FURNITURE_RE = re.compile(
    r"^(?:www\.|https?://)|\.(?:gov\.cn|com|cn|org)\b|^(?:来源|作者|发布时间|发布日期|浏览次数|点击数|字号|字体|分享到|打印|首页|当前位置)"
    r"|【打印】|【字体|分享到|浏览次数|^[>›»]|>\s*\S+\s*>"
)


_LABELLED_DOCNO = re.compile(r"文\s*号\s*[:：]\s*(\S+)")
_SLASH_DATE_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})(?!\d)")

#: for the structure parser (tagging header lines) and the target extractor (masking 文号 numbers)
DOC_NO_LINE = _DOCNO_LINE_RE
DATE_LINE = _DATE_LINE_RE
#: a 文号 anywhere, cited inside a sentence too: （粤府〔2017〕133号）
DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[【（(]\s*(?:19|20)\d{2}\s*[〕\]】）)]\s*第?\d{1,5}\s*号")


@dataclass(frozen=True)
class DetectedMeta:
    """Metadata found in a document; empty strings / None where nothing was found."""

    doc_no: str = ""
    date: str = ""  # ISO yyyy-mm-dd
    title: str = ""
    issuer: str = ""
    year: int | None = None
    kind: str = "plan"  # "plan" or "news"; city-level plans are only known from the caller
    headline: str = ""  # first title-like line (for news: the article headline)


def detect(text: str) -> DetectedMeta:
    """Detect metadata from the head of a decoded document (Simplified values)."""
    lines = _head_lines(text)
    tail = [ln for ln in (_normalise(x).strip() for x in text.splitlines()[-_TAIL_LINES * 3 :]) if ln][-_TAIL_LINES:]

    doc_no, doc_year = _find_doc_no(lines)
    issuer, notice_title = _find_notice(lines)
    headline = next((ln for ln in lines if not _is_furniture(ln)), "")

    is_news = not doc_no and not notice_title and not _has_numbered_tasks(text) and _looks_like_news(lines, headline)
    if notice_title:
        title = notice_title
    elif is_news:
        title = _cited_plan(lines[:6]) or headline
    else:
        title = _plan_title(lines) or headline

    if not issuer and not is_news:
        issuer = _signature_issuer(lines) or _signature_issuer(tail)

    date = _find_date(lines, tail, title, is_news)

    year = _first_year(title) or doc_year or (int(date[:4]) if date else None)
    if len(title) > _MAX_TITLE:  # a document without line breaks has no title line: keep a label
        title = title[:_MAX_TITLE] + "…"
    return DetectedMeta(
        doc_no=doc_no,
        date=date,
        title=title,
        issuer=issuer,
        year=year,
        kind="news" if is_news else "plan",
        headline=headline,
    )


def _head_lines(text: str) -> list[str]:
    head = _normalise(_first_lines(text[:_HEAD_CHARS], _HEAD_LINES))
    out: list[str] = []
    for raw in head.splitlines():
        line = raw.strip()  # str.strip also removes NBSP and U+3000 indentation
        if line:
            out.append(line)
            if len(out) >= _HEAD_LINES:
                break
    return out


def _first_lines(text: str, n: int) -> str:
    """The text up to the end of its n-th non-empty line. Normalising never crosses a line break
    (a pinyin annotation, an OpenCC phrase, a t2s fix stays in its line, and no line empties), so
    normalising this prefix gives the first lines of the normalised whole, at a fraction of the cost."""
    end = 0
    for line in text.splitlines(keepends=True):
        end += len(line)
        if line.strip():
            n -= 1
            if n <= 0:
                break
    return text[:end]


def _normalise(text: str) -> str:
    return t2s(strip_pinyin(text)[0])


def _find_doc_no(lines: list[str]) -> tuple[str, int | None]:
    # A 文号 standing on its own line is the document's own; numbers cited in sentences
    # (国发〔2016〕55号 in the 2016 preamble) are references to other documents.
    for line in lines:
        m = _DOCNO_LINE_RE.match(line.replace(" ", ""))
        if m:
            return _format_doc_no(m), int(m["year"])
    for line in lines[:12]:
        labelled = _LABELLED_DOCNO.search(line)
        if labelled:
            m = _DOCNO_ANY_RE.search(labelled.group(1))
            if m:
                return _format_doc_no(m), int(m["year"])
    for line in lines[:12]:
        if "。" in line or "，" in line:
            continue
        m = _DOCNO_ANY_RE.search(line)
        if m:
            return _format_doc_no(m), int(m["year"])
    return "", None


def _format_doc_no(m: re.Match[str]) -> str:
    # 〔〕 is the official bracket (GB/T 9704); web copies often degrade it to [] or ().
    return f"{m['abbr']}〔{m['year']}〕{int(m['num'])}号"


def _find_notice(lines: list[str]) -> tuple[str, str]:
    """Return (issuer, plan title) from a "<issuer>关于印发<title>的通知" line, possibly wrapped."""
    for i, line in enumerate(lines[:20]):
        if "关于" not in line:
            continue
        joined = line
        for nxt in lines[i + 1 : i + 4]:
            if joined.rstrip("》").endswith("通知"):
                break
            joined += nxt
        candidate = _DOCNO_ANY_RE.sub("", joined, count=1).strip() if _DOCNO_ANY_RE.match(joined) else joined
        candidate = candidate.strip("《》 ")
        m = _NOTICE_RE.match(candidate)
        if m and not _is_furniture(line):
            title = m["title"].strip()
            if title.startswith("《") and title.endswith("》"):
                title = title[1:-1]
            return m["issuer"].strip(), title
    return "", ""


def _cited_plan(lines: list[str]) -> str:
    """The plan a news lead is about: the first 《…年…要点/方案…》 it cites."""
    for line in lines:
        for m in _CITED_PLAN_RE.finditer(line):
            if _YEAR_RE.search(m["title"]):
                return m["title"]
    return ""


def _plan_title(lines: list[str]) -> str:
    """A plan's own title line when no notice names it: short, no sentence punctuation, not the
    recipients, 文号 or date, and ending like a plan title (…要点, …方案（2023—2025年）)."""
    for line in lines[:30]:
        if len(line) > 80 or "。" in line or line.endswith(("：", ":")) or _is_furniture(line):
            continue
        if _DOCNO_LINE_RE.match(line.replace(" ", "")) or _DATE_LINE_RE.match(line.replace(" ", "")):
            continue
        bare = re.sub(r"[(（][^()（）]*[)）]$", "", line)
        if bare.endswith(_PLAN_WORDS) and not line.startswith(("关于", "《")):
            return line
    return ""


def _has_numbered_tasks(text: str) -> bool:
    """A text with numbered tasks (一、 （一） 第一条 第一章 …) is a plan whatever its header says."""
    openers = [lv.pattern for lv in levels() if lv.tag in ("chapter", "section", "article", "para")]
    count = 0
    for line in text[:_HEAD_CHARS * 4].splitlines():
        line = line.strip()
        if any(rx.match(line) for rx in openers):
            count += 1
            if count >= 3:
                return True
    return False


def _looks_like_news(lines: list[str], headline: str) -> bool:
    lead = "".join(lines[:6])
    if any(marker in lead for marker in _NEWS_MARKERS):
        return True
    return not headline.endswith(_PLAN_WORDS) and not re.search(r"[(（][^()（）]*\d{4}[^()（）]*[)）]$", headline)


def _signature_issuer(lines: list[str]) -> str:
    """The signing office: the short organisation line just above a standalone date line."""
    for i, line in enumerate(lines):
        if i and _DATE_LINE_RE.match(line) and len(lines[i - 1]) <= 30 and _ISSUER_TAIL_RE.search(lines[i - 1]):
            return lines[i - 1]
    return ""


def _find_date(lines: list[str], tail: list[str], title: str, is_news: bool) -> str:
    for line in (*lines, *tail):
        m = _DATE_LINE_RE.match(line.replace(" ", ""))
        if m:
            iso = _iso(_cn_int(m["y"]), _cn_int(m["m"]), _cn_int(m["d"]))
            if iso:
                return iso
    for line in lines:
        m = _PUBLISHED_RE.search(line)
        if m:
            iso = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
            if iso:
                return iso
    # A news lead: "2月24日，广东省政府官网发布《…2020年工作要点》" — the year comes from the title.
    lead = lines[:6] if is_news else []
    for line in lead:
        m = _FULL_DATE_RE.search(line) or _SLASH_DATE_RE.search(line)
        if m:
            iso = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
            if iso:
                return iso
    year = _first_year(title)
    if year:
        for line in lead:
            m = _MONTH_DAY_RE.search(line)
            if m:
                iso = _iso(year, int(m["m"]), int(m["d"]))
                if iso:
                    return iso
    return ""


def _first_year(text: str) -> int | None:
    # "实施方案(2019—2021年)" → 2019: a range starts with its first year.
    m = _YEAR_RE.search(text)
    return int(m.group(1)) if m else None


def _cn_int(s: str) -> int:
    """A date part in Arabic, full-width or Chinese digits (二〇一九 → 2019, 十二 → 12); 0 if none."""
    return cjknum.to_int(s) or 0


def _iso(y: int, m: int, d: int) -> str:
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return ""


def _is_furniture(line: str) -> bool:
    if is_furniture(line) or _FURNITURE_RE.search(line):
        return True
    # A bare site name ("揭阳市人民政府", "广东省人民政府门户网站") above the real content.
    return len(line) <= 16 and bool(re.search(r"(?:人民政府|门户网站|政府网|网站)$", line))
