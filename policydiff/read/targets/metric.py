"""Subject and metric rules: whom a target belongs to, and what its number counts.

- `subjects`: the programme, platform, level, hotline or department the number is attached to
  (粤省事, “互联网+不动产登记”平台, 市县级, 12345热线, 省市场监管局推动…), from the comma-clause,
  then the sentence, then the clause heading; 分别 pairs listed subjects with listed numbers.
- `metrics`: the noun phrase the number counts, on either side of it: after the unit when a noun
  follows (培育50家数据要素型企业 → 数据要素型企业), else before the comparator (网上可办率不低于90%),
  never a verb or filler (lexicons `metric_verbs`, `metric_filler`, `metric_tails`); an elided
  metric (…，设区市不低于90%) is the previous one of the sentence; a per-unit qualifier joins with
  …: 每个镇（街）配备1至2名数据专员 → 每个镇（街）…数据专员.

`identity`, `same_measure`, `compatible_units` and `compatible_subjects` are what the matcher pairs
targets with (see the notes above them); `same_metric` is the lenient test against labels.
"""

from __future__ import annotations

import re
from functools import lru_cache

from policydiff import lexicon
from policydiff.read.targets.comparator import BEFORE as _BEFORE_PHRASES
from policydiff.read.targets.comparator import phrase_before
from policydiff.read.targets.core import Quantity, State

PROGRAMME = lexicon.pattern("programmes")
LEVEL = re.compile(rf"(?<![省市县])(?:{lexicon.alternation('levels')})(?!以上|政府)")
_QUOTED = re.compile(r"“([^“”]{2,14})”")
#: a quoted platform's name ends like one (粤商通, 浙里办, 粤康码); 跨省通办, 掌上办 are ways of serving
_PLATFORM_NAME = re.compile(r"^互联网\+|(?<!通)(?<!上)(?<!尖)(?<!次)(?<!近)办$|(?:通|码|钉|易|云)$")
_PLATFORM_AFTER = ("平台", "移动端", "总门户", "APP", "小程序", "品牌")
_PLATFORM_END = re.compile(r"云平台|平台|系统|网页|一体机|自助区|自助机|专区|健康码")
_PLATFORM_NP = re.compile(r"([\u4e00-\u9fff]{2,14}?(?:云平台|平台|系统|网页|一体机|自助区|自助机|专区|健康码))")
_HOTLINE = re.compile(r"\d{5}(?:政务服务便民)?热线")
_DEPT = re.compile(r"^(?:省|市|县|区)[\u4e00-\u9fff]{1,10}?(?:厅|局|委员会|委|办公室)(?=推动|负责|组织|指导|督促|会同|要|将)")
_FILLER = re.compile(rf"^(?:{lexicon.alternation('metric_filler')})+")
_TAILS = tuple(sorted(lexicon.words("metric_tails"), key=len, reverse=True))
_VERBS = re.compile(lexicon.alternation("metric_verbs"))
_COMPARISONS = tuple(lexicon.words("metric_comparisons"))
_EXCEPTION = re.compile(r"[（(](?:[^（）()]*除外|不含[^（）()]*|含[^（）()]*|包括[^（）()]*)[）)]")
_HEADING_NUM = re.compile(r"^(?:\d{1,3}[.．、﹒]|（\d{1,3}）|\d{1,3}[)）])")
_PER_UNIT = re.compile(r"每(?!年|月|日|天|周|季度)个?(?:[\u4e00-\u9fff]{1,3}（[^（）]{1,8}）|[\u4e00-\u9fff]{1,3}?)(?=配备|设置|不少于|至少|建设|部署|开设|设立|拥有|[^\u4e00-\u9fff（]|$)")
_NUMBER_AHEAD = re.compile(r"[\d一二两三四五六七八九十百千]")
_PER_CAPITA = re.compile(r"^每[十百千万]?人口?拥有")
_PREPOSITIONS = ("与", "向", "对", "在", "为", "以", "用于", "由", "从", "按", "并")


# --------------------------------------------------------------------------- subjects


def _quoted_platform(s: str) -> str:
    """A quoted name that is a programme or platform (“粤健通”, “互联网+监管”, “浙里办”平台); a
    quoted name without a Chinese character (“1+N”) is a slogan with digits."""
    for m in _QUOTED.finditer(s):
        name = m.group(1)
        if not any("\u4e00" <= ch <= "\u9fff" for ch in name):
            continue
        if PROGRAMME.fullmatch(name) or _PLATFORM_NAME.search(name) or s.startswith(_PLATFORM_AFTER, m.end()):
            return name
    return ""


@lru_cache(maxsize=8192)
def _named(s: str) -> str:
    """A programme, quoted platform or hotline named in s (the last programme wins)."""
    found = [m.group(0) for m in PROGRAMME.finditer(s)]
    if found:
        return found[-1]
    name = _quoted_platform(s)
    if name:
        return name
    m = _HOTLINE.search(s)
    return m.group(0) if m else ""


@lru_cache(maxsize=8192)
def _np(s: str, *, counted: str = "") -> str:
    """A platform or system that opens s (after filler and verbs): 加快协同办公平台… → 协同办公平台;
    not when it is what the number counts (`counted`), nor a bare 平台, nor a long run of words."""
    s = _FILLER.sub("", _SLOGAN.sub("", s))
    m = _PLATFORM_END.search(s)
    if not m or not re.fullmatch(r"[\u4e00-\u9fff“”]+", s[:m.end()]):
        return ""
    name = _strip_verbs(s[:m.end()])
    for word in _MEANS:
        if word in name:
            name = name[name.rindex(word) + len(word):]
    if not 4 <= len(name) <= 14 or (counted and counted.endswith(name)):
        return ""
    return name


_MEANS = ("通过", "依托", "利用", "借助")
_SLOGAN = re.compile(r"^“[^“”]*\d[^“”]*”")


def subject_in(s: str, *, platforms: bool = True) -> str:
    """The subject a span of text names: a programme, quoted platform, hotline, platform or level
    (a platform that starts with a level, 省级政务云平台, beats the level)."""
    got = _named(s)
    if got:
        return got
    np = _np(s) if platforms else ""
    if np:
        return np
    levels = LEVEL.findall(s)
    return levels[-1] if levels else ""


def _strip_verbs(s: str) -> str:
    """加快协同办公平台 → 协同办公平台: the name starts after the last verb or filler in it."""
    s = _FILLER.sub("", s)
    for m in reversed(list(_VERBS.finditer(s))):
        if len(s) - m.end() >= 3:
            return _FILLER.sub("", s[m.end():].lstrip("至到向于"))
    for word in ("加快", "完善", "提升", "推广", "依托", "通过", "利用", "建设", "统筹", "构建", "建立", "优化"):
        if s.startswith(word) and len(s) - len(word) >= 3:
            return s[len(word):]
    return s


def _subject(state: State, q: Quantity, prev: tuple[str, int], before: Quantity | None) -> str:
    """From the comma-clause before the number, then after it, then the sentence, then the heading."""
    text = state.text
    c_a, c_b = state.clause(q.start)
    span_a, span_b = q.span
    seg, rest = text[c_a:span_a], text[span_b:c_b]
    dept = _DEPT.match(seg)
    if dept:
        return dept.group(0)
    own = seg[_after_previous(state, before, c_a, q.start) - c_a:]  # a level after an earlier number is its
    got = _named(seg) or _named(rest) or _np(seg, counted=_strip(seg, "")) or subject_in(own, platforms=False)
    if not got:
        m = _PLATFORM_NP.search(rest)
        name = _strip_verbs(m.group(1)) if m else ""
        got = name if len(name) >= 4 and not _FILLER.sub("", rest).startswith(name) else ""
    if got:
        return got
    s_a, _ = state.sentence(q.start)
    if prev[0] and (not LEVEL.fullmatch(prev[0]) or prev[1] == c_a):
        return prev[0]  # a programme named once governs the sentence; a level governs its own clause
    earlier = text[s_a:c_a]
    return _named(earlier) or _np_of_clauses(earlier) or state.context_subject


def _after_previous(state: State, prev: Quantity | None, c_a: int, pos: int) -> int:
    """Where the words of this number start: after the previous number of its clause and the
    noun that number counts (推广至42个省直部门和21个…: 省直部门 is 42's)."""
    if prev is None or not c_a <= prev.span[1] <= pos:
        return c_a
    end = prev.span[1]
    noun = _after_noun(state, prev)
    if noun and state.text.startswith(noun, end):
        end += len(noun)
    return end


@lru_cache(maxsize=8192)
def _np_of_clauses(s: str) -> str:
    """A platform that opens one of the comma-clauses of s (非涉密电子公文交换系统全省覆盖，…)."""
    for part in re.split(r"[，；：]", s):
        np = _np(part)
        if np:
            return np
    return ""


def _respectively(state: State, group: list[Quantity]) -> None:
    """省级、市级、县级…分别达到90%、80%和70%: the listed subjects go to the listed numbers in order."""
    s_a, _ = state.sentence(group[0].start)
    head = state.text[s_a:group[0].start]
    if "分别" not in head:
        return
    names = LEVEL.findall(head) or PROGRAMME.findall(head)
    if len(names) == len(group):
        for q, name in zip(group, names, strict=True):
            q.subject = name


def subjects(state: State) -> int:
    """Each target's subject; a subject named once governs the rest of the sentence."""
    n = 0
    prev: dict[int, tuple[str, int]] = {}  # sentence → (last subject, its clause)
    alive = state.alive()
    for i, q in enumerate(alive):
        s_a, _ = state.sentence(q.start)
        q.subject = _subject(state, q, prev.get(s_a, ("", -1)), alive[i - 1] if i else None)
        prev[s_a] = (q.subject, state.clause(q.start)[0])
        n += bool(q.subject)
    groups: list[list[Quantity]] = []
    for q in alive:
        if q.shared and groups:
            groups[-1].append(q)
        else:
            groups.append([q])
    for group in groups:
        if len(group) >= 2:
            _respectively(state, group)
    return n


# --------------------------------------------------------------------------- metrics


@lru_cache(maxsize=8192)
def _strip(s: str, subject: str) -> str:
    """A metric without its subject, filler at the start, tails at the end, stray quotes."""
    if subject:
        s = s.replace("“" + subject + "”", "").replace(subject, "")
    s = LEVEL.sub("", s) if LEVEL.fullmatch(subject or "-") else s
    for _ in range(4):
        before = s
        s = _FILLER.sub("", s.strip(" 、的，"))
        for tail in _TAILS:
            if s.endswith(tail) and len(s) > len(tail):
                s = s[:-len(tail)]
        if s == before:
            break
    s = s.strip(" 、的")
    if s.count("“") > s.count("”"):
        s = s + "”" if s.rfind("“") > s.rfind("”") and not s.endswith("“") else s.replace("“", "", 1)
    if s.count("”") > s.count("“"):
        s = s.replace("”", "", 1) if s.startswith("”") else "“" + s
    return s.strip()[:40]


def _after_noun(state: State, q: Quantity) -> str:
    """The noun after the number: 50家数据要素型企业 → 数据要素型企业; '' when a verb or nothing follows."""
    text = state.text
    _c_a, c_b = state.clause(q.start)
    start = q.span[1]
    s = _EXCEPTION.sub("", text[start:c_b])
    if s.startswith(("、", "和", "及", "与")):
        return ""  # the next item of a list, not what this number counts
    s = s.lstrip("的")
    for i, ch in enumerate(s):
        if ch.isdigit():
            s = s[:i]
            break
        if ch in "、和及与" and _item_ahead(s, i + 1) and not s.startswith("及时", i):
            s = s[:i]
            break
        if ch == "的" or (ch == "“" and i >= 2):  # 高频事项“掌上办”: the slogan says how, not what
            s = s[:i]
            break
    verb = _VERBS.search(s)
    if verb and verb.start() == 0 and (q.unit in ("%", "pp") or not q.unit or q.unit in _DURATION):
        return ""
    verb = _VERBS.search(s, 1)
    if verb:
        s = s[:verb.start()]
    if s.startswith(_PREPOSITIONS) or s.startswith(("以上", "以下", "以内", "左右")):
        return ""
    s = _strip(s, "")
    return s if len(s) >= 2 else ""


_DURATION = frozenset({"工作日", "日", "小时", "分钟", "秒", "毫秒", "个月"})


def _item_ahead(s: str, i: int) -> bool:
    """A new list item starts at i: a number, or a comparator and a number (、超过20万…)."""
    if _NUMBER_AHEAD.match(s, i):
        return True
    for j in range(i + 1, min(len(s), i + 6)):
        phrase, _comp, start = phrase_before(s, j, i)
        if phrase and start == i and _NUMBER_AHEAD.match(s, j):
            return True
    return False


def _cut_comparison(seg: str) -> str:
    """较上年, 比上年, 在2021年基础上: the metric ends before the reference."""
    cut = len(seg)
    for word in _COMPARISONS:
        i = seg.find(word)
        if i > 0:
            if word == "基础上":
                at = seg.rfind("在", 0, i)
                i = at if at > 0 else i
            cut = min(cut, i)
    return seg[:cut]


def _after_previous_item(state: State, prev: Quantity | None, c_a: int, anchor: int) -> int:
    """Where this number's words start in a list: 实名用户总数达1500万、日访问量达1000万 → 日访问量.
    Names with digits (5G基站, 12345热线) are words, not items."""
    if prev is None or prev.start < c_a or prev.span[1] > anchor:
        return c_a
    depth, cut = 0, prev.span[1]
    for i in range(prev.span[1], anchor):
        ch = state.text[i]
        depth += (ch == "（") - (ch == "）")
        if depth <= 0 and ch in "、和及":
            cut = i + 1
    return cut


def _cut_level_phrase(seg: str) -> str:
    """A comparator left in the segment (办理时限压缩至法定时限的40%以下): the metric ends before it.
    Words inside quotes (“最多跑一次”) are names, not comparators."""
    for m in reversed(list(_LEVEL_PHRASE.finditer(seg))):
        if m.start() > 0 and seg.count("“", 0, m.start()) == seg.count("”", 0, m.start()):
            return seg[:m.start()]
    return seg


_LEVEL_PHRASE = re.compile("|".join(re.escape(p) for p, c in _BEFORE_PHRASES if len(p) >= 2 and c in ("ge", "gt", "le", "lt", "eq")))


def _is_date(text: str, masked: str, hole: int, floor: int) -> bool:
    """The blanked span that ends at `hole` is a date or a 文号 (not a code such as GB/T 9704)."""
    start = hole
    while start > floor and masked[start - 1] == "\x00":
        start -= 1
    return any(ch in text[start:hole + 1] for ch in "年月日号")


def _before_metric(state: State, q: Quantity, prev: Quantity | None) -> str:
    """The noun before the comparator: 实现省级政务服务事项网上可办率不低于90% → 政务服务事项网上可办率."""
    text, masked = state.text, state.masked
    c_a, _ = state.clause(q.start)
    anchor = q.span[0]
    if q.shared and q.before_start >= c_a:
        anchor = min(anchor, q.before_start)
    seg_a = _after_previous_item(state, prev, c_a, anchor)
    hole = masked.rfind("\x00", seg_a, anchor)
    seg = text[seg_a:anchor]
    seg = _cut_comparison(_EXCEPTION.sub("", seg))
    if hole >= 0 and hole - seg_a < len(seg) and _is_date(text, masked, hole, seg_a):
        seg = seg[hole + 1 - seg_a:]  # after a date or 文号: 力争2023年实现… → 实现…
    seg = _HEADING_NUM.sub("", seg)
    seg = _cut_level_phrase(seg)
    seg = _strip(seg, q.subject)
    for m in reversed(list(_VERBS.finditer(seg))):
        if _PER_CAPITA.match(seg):
            break  # 每万人拥有政务服务自助终端: the base is part of the metric
        if len(seg) - m.end() >= 3:
            seg = _strip(seg[m.end():], q.subject)
            break
    return seg


def _per_unit(state: State, q: Quantity, metric: str) -> str:
    c_a, _ = state.clause(q.start)
    m = _PER_UNIT.search(state.text, c_a, q.start)
    if not m or m.group(0) in metric:
        return metric
    return m.group(0) + "…" + metric


def metrics(state: State) -> int:
    """Each target's metric: the noun after the number, else before it, else the sentence's last."""
    n = 0
    prev: dict[int, str] = {}
    items = [x for x in state.quantities if x.alive or x.dropped.startswith("the baseline")]
    for i, q in enumerate(items):
        if not q.alive:
            continue
        s_a, _ = state.sentence(q.start)
        after = _after_noun(state, q)
        if after:
            metric = _per_unit(state, q, after)
        else:
            metric = _before_metric(state, q, items[i - 1] if i else None)
            if len(metric) < 2:
                metric = prev.get(s_a, "") or metric
        q.metric = metric
        prev[s_a] = metric
        n += bool(metric)
    return n


# --------------------------------------------------------------------------- for the matcher
#
# Target identity across years is decided in three tiers (`policydiff.match.target_changes` adds the
# clause evidence and keeps a score):
# - `identity`: the metric resolves to an entry of the lexicon `metric_aliases` (实名用户总数 /
#   实名注册用户数 / 实名注册用户; 日访问量 / 日均访问次数; under 粤商通 实名注册用户 / 市场主体注册用户);
# - `same_measure`: the same metric name once quotes, spaces and a trailing 数/总数/数量 are gone
#   (实名注册用户数 = 实名注册用户); a qualifier is another scope (政府数据集 ≠ 数据集, 基层服务事项 ≠
#   服务事项, 日均访问次数 ≠ 日均活跃用户);
# - `same_metric`: the lenient test that two names speak of the same thing (containment or most
#   key characters shared: 用户覆盖执法主体数 / 执法主体), for comparing with descriptive labels;
#   never enough on its own to call a change a loosening.

_METRIC_NOISE = set("的数量总累计个次项之和及与等")
_NORM_DROP = re.compile(r"[\s“”\"'‘’「」『』]")
_NORM_TAILS = ("总数", "数量", "数")
#: counts written with no measure word (达1500万) are of these: visits, people, households
COUNT_UNITS = frozenset({"次", "人次", "人", "名", "户"})


def metric_key(metric: str) -> set[str]:
    """The characters that say what is measured: 实名用户总数 and 实名注册用户 share 实名用户."""
    return {c for c in metric if c not in _METRIC_NOISE and not c.isspace()}


@lru_cache(maxsize=65536)
def metric_norm(metric: str) -> str:
    """A metric name without quotes, spaces, 的 and a trailing 数/总数/数量: 实名注册用户数 → 实名注册用户."""
    s = _NORM_DROP.sub("", metric).replace("的", "")
    for tail in _NORM_TAILS:
        if s.endswith(tail) and len(s) - len(tail) >= 2:
            s = s[:-len(tail)]
            break
    return s


@lru_cache(maxsize=65536)
def same_metric(a: str, b: str) -> bool:
    """Two metric names speak of the same thing, leniently: equal, one inside the other, or most
    key characters shared (an extractor's short name against a descriptive label)."""
    if a == b or metric_norm(a) == metric_norm(b):
        return True
    ka, kb = metric_key(a), metric_key(b)
    if not ka or not kb:
        return not ka and not kb
    inter = len(ka & kb)
    return inter >= 2 and inter / min(len(ka), len(kb)) >= 0.75


def same_measure(a: str, b: str) -> bool:
    """The same metric name up to quotes and a trailing 数 (a qualifier makes another scope)."""
    na, nb = metric_norm(a), metric_norm(b)
    return bool(na) and na == nb


def compatible_units(a: str, b: str) -> bool:
    """Equal units, or an empty one against a count (日访问量达1000万 vs 日均访问次数超过1800万次)."""
    return a == b or (not a and b in COUNT_UNITS) or (not b and a in COUNT_UNITS)


@lru_cache(maxsize=1)
def _aliases() -> tuple[tuple[str, str, str, frozenset[str], str], ...]:
    rows = []
    for row in lexicon.table("metric_aliases"):
        ident, alias, subject, units, context = (tuple(row) + ("",) * 5)[:5]
        if ident and alias:
            rows.append((ident, metric_norm(alias), subject,
                         frozenset(u.strip() for u in units.split(",") if u.strip()), context))
    # a row for one subject wins over a row for any
    rows.sort(key=lambda r: not r[2])
    return tuple(rows)


@lru_cache(maxsize=65536)
def identity(metric: str, subject: str = "", unit: str = "", context: str = "") -> str:
    """The lexicon identity of a metric (`metric_aliases`), '' when it has none. `context` is the
    target's sentence (a row may ask for a word in it: 高频服务 under “办成一件事”主题集成服务)."""
    norm = metric_norm(metric)
    if not norm:
        return ""
    for ident, alias, subj, units, word in _aliases():
        if alias != norm:
            continue
        if subj and subj != subject and (subject or subj not in context):
            continue
        if units and not any(compatible_units(unit, u) for u in units):
            continue
        if word and word not in context:
            continue
        return ident
    return ""


def compatible_subjects(a: str, b: str) -> bool:
    """Two subjects may be the same programme: equal, or not two different named programmes/levels."""
    if a == b or not a or not b:
        return True
    strong = [bool(PROGRAMME.fullmatch(x) or LEVEL.fullmatch(x)) for x in (a, b)]
    return not all(strong)
