"""Fuzzing the pipeline and the matcher with plan-shaped text (hypothesis).

tests/test_planxml.py already feeds arbitrary Unicode and a bag of plan tokens to the pipeline;
here the generators build whole plans: a notice header, numbered clauses on every level (with
jumps, repeats and restarts), responsibility parentheticals, quantitative targets, pinyin that
mirror sites insert, mojibake and stray markup. Properties:

* `pipeline.process` never raises, and its XML validates and reads back to the same text,
  clauses and targets (lossless);
* clause ids are unique;
* `compare.compare` never raises on two such documents, and every leaf clause of either side
  appears in exactly one match.

Examples per test default to a CI-friendly count; POLICYDIFF_FUZZ_EXAMPLES raises it.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policydiff.model.document import DocMeta
from policydiff.model.planxml import from_bytes, to_bytes
from policydiff.read.pipeline import process

EXAMPLES = int(os.environ.get("POLICYDIFF_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("POLICYDIFF_FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_CN = "一二三四五六七八九十"
_WORDS = ["推进", "政务服务", "一网通办", "数据共享", "粤省事", "数字政府", "平台建设", "营商环境", "实名用户",
          "网上可办率", "办理时限", "覆盖率", "“最多跑一次”", "《广东省数字政府建设总体规划》", "BIM", "5G",
          "省政务服务数据管理局", "各地级以上市", "全面", "加快", "完善", "提升", "的", "和", "，", "、", "。"]
_DEPTS = ["省政务服务数据管理局", "省公安厅", "省发展改革委", "财政厅", "省市场监管局", "南方报业传媒集团",
          "各地级以上市政府", "省直有关部门", "广州市政府"]
_TARGETS = ["实名用户总数达1500万", "网上可办率达到90%以上", "办理时限压缩50%以上", "不少于十个", "突破1.1亿",
            "控制在3个工作日以内", "到2020年底前覆盖率达100%", "新增200万户", "降低20%", "约3000个"]
# what mirrors and broken converters do to text
_DAMAGE = ["關(guān)", "會(huì )", "(BIM)", "?", "\ufffd", "鏀垮簻", "锟斤拷", "ã€€", "<b>", "&nbsp;", "]]>", "\u3000",
           "\r\n", ",,", ",。", "\u200b", "\t"]


def cn(n: int) -> str:
    """1 → 一, 12 → 十二, 40 → 四十 (heading numbers up to 99)."""
    tens, ones = divmod(n, 10)
    if n <= 10:
        return _CN[n - 1]
    return (_CN[tens - 1] if tens > 1 else "") + "十" + (_CN[ones - 1] if ones else "")


_NUMBERS = {
    "section": lambda n: f"{cn(n)}、",
    "para": lambda n: f"（{cn(n)}）",
    "point": lambda n: f"{n}.",
    "subpoint": lambda n: f"（{n}）",
    "item": lambda n: "①②③④⑤⑥⑦⑧⑨⑩"[(n - 1) % 10],
}


@st.composite
def sentence(draw) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12))
    if draw(st.booleans()):
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(_TARGETS)))
    if draw(st.integers(0, 4)) == 0:
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(_DAMAGE)))
    return "".join(words) + draw(st.sampled_from(["。", "；", "", "："]))


@st.composite
def responsibility(draw) -> str:
    lead = draw(st.lists(st.sampled_from(_DEPTS), min_size=1, max_size=3, unique=True))
    support = draw(st.lists(st.sampled_from(_DEPTS), max_size=3, unique=True))
    inner = "、".join(lead) + draw(st.sampled_from(["牵头", "负责", "分别牵头"]))
    if support:
        inner += "，" + "、".join(support) + draw(st.sampled_from(["配合", "参与"]))
    return "（" + inner + "）"


@st.composite
def plan_text(draw) -> str:
    """A plan: header, numbered clauses on random levels (numbers may jump, repeat or restart), closing."""
    lines: list[str] = []
    if draw(st.booleans()):
        year = draw(st.integers(2010, 2030))
        lines += [f"广东省人民政府办公厅关于印发广东省数字政府{year}年工作要点的通知", f"粤办函〔{year}〕{draw(st.integers(1, 300))}号",
                  "各地级以上市人民政府，省政府各部门、各直属机构：", "现将工作要点印发给你们，请认真贯彻执行。",
                  "广东省人民政府办公厅", f"{year}年{draw(st.integers(1, 12))}月{draw(st.integers(1, 28))}日"]
    counters = Counter()
    tags = list(_NUMBERS)
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(st.sampled_from(tags))
        step = draw(st.sampled_from([1, 1, 1, 1, 2, 0, -1]))  # mostly counting up; jumps, repeats, restarts
        counters[tag] = max(1, min(99, counters[tag] + step)) if step >= 0 else 1
        line = _NUMBERS[tag](counters[tag]) + draw(sentence())
        for _ in range(draw(st.integers(0, 2))):
            line += draw(sentence())
        if draw(st.booleans()):
            line += draw(responsibility()) + draw(st.sampled_from(["", "。"]))
        lines.append(line)
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(sentence()))  # an unnumbered paragraph inside a clause
    if draw(st.booleans()):
        lines.append("各地、各部门要结合实际抓好落实。")
    sep = draw(st.sampled_from(["\n", "\n", "\r\n", "\n\n"]))
    return sep.join(lines)


_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
_DOCS = st.one_of(plan_text(), plan_text().map(lambda t: t.replace("（", "(").replace("）", ")")), _ANY_TEXT)


def _check_document(doc) -> None:
    data = to_bytes(doc)  # validates against plan.rng on write
    back = from_bytes(data)
    assert back.text == doc.text
    assert [(c.eid, c.tag, c.is_leaf, c.full_text) for c in back.clauses()] == \
        [(c.eid, c.tag, c.is_leaf, c.full_text) for c in doc.clauses()]
    assert [t.to_dict() for t in back.targets()] == [t.to_dict() for t in doc.targets()]
    ids = [n.attrs["eId"] for n in doc.root.iter() if "eId" in n.attrs]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    for t in doc.targets():  # a target's text is a slice of its clause's text
        assert doc.text[t.start:t.end] == t.text


@FUZZ
@given(_DOCS, st.sampled_from(["plan", "news", "city-plan"]))
def test_plan_like_text_normalizes_to_valid_lossless_xml(text, kind):
    _check_document(process(text, DocMeta(kind=kind)))


@FUZZ
@given(plan_text())
def test_plan_as_html_normalizes(text):
    import html

    page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n")) + "</body></html>"
    _check_document(process(page, DocMeta(), is_html=True))


_MARKUP = st.lists(st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<br/>", "<a ", "<a href='x'>", "</a>", "<", ">", "<!--", "-->", "<!DOCTYPE html>",
    "<?xml version='1.0' encoding='utf-8'?>", "<script>", "</script>", "<style>", "</style >", "<nav>", "</nav>",
    "&amp;", "&#", "&#x4e00;", "&lt;script&gt;", "（一）", "一、", "实名用户达1500万。", "\n", " ",
]) | st.text(max_size=5), max_size=80).map("".join)


@FUZZ
@given(_MARKUP, st.sampled_from([0, 300]))
def test_broken_and_deep_html_normalizes(markup, depth):
    """Pages libxml2 gives up on (nesting past 256, an encoding declaration) are read as a flat tag stream."""
    _check_document(process("<div>" * depth + markup, DocMeta(), is_html=True))


def _leaves(doc) -> Counter:
    return Counter(c.eid for c in doc.clauses() if c.is_leaf)


def _check_compare(old_text: str, new_text: str) -> None:
    from policydiff.match.compare import compare

    old, new = process(old_text, DocMeta(year=2019)), process(new_text, DocMeta(year=2020))
    cmp = compare(old, new)
    seen_old = Counter(e for m in cmp.matches for e in m.old)
    seen_new = Counter(e for m in cmp.matches for e in m.new)
    assert seen_old == _leaves(old), (seen_old - _leaves(old), _leaves(old) - seen_old)
    assert seen_new == _leaves(new), (seen_new - _leaves(new), _leaves(new) - seen_new)
    cmp.to_dict()  # the JSON contract is buildable


@FUZZ
@given(plan_text(), plan_text())
def test_compare_covers_every_leaf_exactly_once(old_text, new_text):
    _check_compare(old_text, new_text)


@FUZZ
@given(plan_text(), st.data())
def test_compare_with_an_edited_copy(text, data):
    """A new version made from the old one (lines dropped, duplicated, swapped, reworded)."""
    lines = text.split("\n")
    edited = []
    for line in lines:
        op = data.draw(st.sampled_from(["keep", "keep", "keep", "drop", "twice", "reword"]))
        if op == "keep":
            edited.append(line)
        elif op == "twice":
            edited += [line, line]
        elif op == "reword":
            edited.append(line.replace("推进", "推动").replace("1500", "2000").replace("90%", "95%"))
    if len(edited) > 1 and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(edited) - 2))
        edited[i], edited[i + 1] = edited[i + 1], edited[i]
    _check_compare(text, "\n".join(edited))


@FUZZ
@given(_ANY_TEXT, _ANY_TEXT)
def test_compare_arbitrary_text(a, b):
    _check_compare(a, b)
