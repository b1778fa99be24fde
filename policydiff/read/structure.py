"""Structure: find the notice header, the numbered clauses and the responsibilities in cleaned text.

The output is a tree of `Node`s, each covering a character range of the cleaned text, so that
the XML built from it holds every character exactly once (lossless by construction). Heading
levels follow GB/T 9704: 一、 → （一） → 1. → （1）/1） → ①; writers may skip levels and city plans
restart numbering in each section, so ids are paths (sec_3__para_12__point_7), never global.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policydiff import lexicon
from policydiff.model.document import CONTAINERS
from policydiff.model.layouts import EID_PREFIX, layout_of, levels
from policydiff.model.tree import Node
from policydiff.read import responsibility
from policydiff.read.cjknum import circled_int, cn_int
from policydiff.read.clean import looks_odd
from policydiff.read.metadata import DATE_LINE, DOC_NO_LINE
from policydiff.read.ruler import Ruler
from policydiff.read.text import is_wide

# --------------------------------------------------------------------------- numbering

def cn_to_int(s: str) -> int:
    """Chinese numeral of a heading (一 … 九十九, 一百一十一 …) → int (0 when it is none)."""
    return cn_int(s) or 0


def match_heading(line: str) -> tuple[str, int, str, int] | None:
    """(tag, rank, printed number, value) when the line opens a numbered clause (levels: the
    layout registry)."""
    for level in levels():
        m = level.pattern.match(line)
        if not m:
            continue
        raw = m.group("n")
        if level.numeral == "cn":
            value = cn_int(raw) or 0
        elif level.numeral == "circled":
            value = circled_int(raw) or 0
        else:
            value = int(raw)
        if value <= 0:
            continue
        return level.tag, level.rank, m.group(0), value
    return None


# --------------------------------------------------------------------------- header lines

_TITLE_WORDS = lexicon.pattern("title_words")
_CLOSING = re.compile(r"^(?:（此件[^）]*）|附件[:：\d]|抄送[:：]|公开方式[:：]|信息公开选项[:：])")
_SENTENCE_END = "。！？；"


@dataclass
class Parsed:
    """The structure of one document over its cleaned text."""

    text: str
    root: Node
    layout: str  # a name of policydiff.model.layouts.LAYOUTS


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _is_title_like(line: str) -> bool:
    return len(line) <= 80 and not any(p in line for p in "。！；") and not line.endswith("：")


def _ends_with_responsibility(line: str) -> bool:
    return responsibility.tail_statement(line, len(line.rstrip("。；")), 0) is not None


def _parse_front(text: str, spans: list[tuple[int, int]], doc: Node) -> None:
    """Header (notice) and preamble: the lines before the first numbered clause.

    Lines are tagged (docNo, date, recipients, issuer, notice, title); the metadata values
    themselves are read by `metadata.detect`, the one place that knows their variants.
    """
    if not spans:
        return
    lines = [text[a:b] for a, b in spans]
    date_idx = max((i for i, ln in enumerate(lines) if DATE_LINE.match(ln)), default=-1)
    if date_idx >= 0:
        head_n = date_idx + 1
        while head_n < len(lines) and _is_title_like(lines[head_n]) and head_n - date_idx <= 3:
            head_n += 1
    else:
        head_n = 0
        while head_n < len(lines) and _is_title_like(lines[head_n]) and head_n < 4:
            head_n += 1
    if head_n:
        hdr = Node("header", spans[0][0], spans[head_n - 1][1])
        for i in range(head_n):
            ln = lines[i]
            if DOC_NO_LINE.match(ln):
                tag = "docNo"
            elif DATE_LINE.match(ln):
                tag = "date"
            elif ln.endswith("：") and "各" in ln:
                tag = "recipients"
            elif i + 1 == date_idx and len(ln) <= 30:
                tag = "issuer"
            elif any(p in ln for p in "。！") and len(ln) > 30:
                tag = "notice"
            elif _TITLE_WORDS.search(ln):
                tag = "title"
            else:
                tag = "line"
            hdr.children.append(Node(tag, *spans[i]))
        doc.children.append(hdr)
    if head_n < len(lines):
        pre = Node("preamble", spans[head_n][0], spans[-1][1])
        for k, (a, b) in enumerate(spans[head_n:], 1):
            pre.children.append(Node("p", a, b, {"eId": f"preamble__p_{k}"}))
        doc.children.append(pre)


# --------------------------------------------------------------------------- the body


def _own_text_nodes(text: str, node: Node, own_a: int, own_b: int, first_line_end: int, num_len: int,
                    lead_first: bool = False) -> None:
    """Fill a numbered block's own text: num, heading, content, responsibility (or intro for sections)."""
    kids: list[Node] = []
    num_b = own_a + num_len
    kids.append(Node("num", own_a, num_b))
    head_a = num_b
    if node.tag in CONTAINERS:
        # "一、深化…建设。持续丰富…": a section whose line is a task keeps its sentences as content
        cut = text.find("。", head_a, first_line_end)
        head_b = cut + 1 if 0 <= cut < first_line_end - 1 else first_line_end
        kids.append(Node("heading", head_a, head_b))
        if head_b < first_line_end:
            kids.append(Node("content", head_b, first_line_end))
        if own_b > first_line_end + 1:
            intro = Node("intro", first_line_end + 1, own_b, {"eId": node.attrs["eId"] + "__intro"})
            for k, (a, b) in enumerate(_lines_in(text, first_line_end + 1, own_b), 1):
                intro.children.append(Node("p", a, b, {"eId": f"{intro.attrs['eId']}__p_{k}"}))
            kids.append(intro)
        node.children = kids + node.children
        return
    first = text[head_a:first_line_end]
    cut = first.find("。")
    colon = first.find("：")
    if 0 <= colon < 20 and (cut < 0 or colon < cut):
        cut = colon
    head_b = head_a + cut + 1 if cut >= 0 else first_line_end
    # a responsibility parenthetical closes the clause's own text
    tail_b = _own_tail(text, head_b, own_b)
    resp_span = responsibility.tail_statement(text, tail_b, head_a)
    if resp_span and resp_span[0] < head_b:
        head_b = resp_span[0]
    if head_b > head_a:
        kids.append(Node("heading", head_a, head_b))
    content_a = head_b
    content_b = resp_span[0] if resp_span else own_b
    if content_b > content_a:
        kids.append(Node("content", content_a, content_b))
    if resp_span:
        kids.append(responsibility.parse(text, *resp_span, lead_first=lead_first))
    node.children = kids + node.children


def _own_tail(text: str, a: int, b: int) -> int:
    """Where a clause's own words end: before closing punctuation and a 下同 note line."""
    while True:
        while b > a and text[b - 1] in "。；;\n ":
            b -= 1
        line_a = text.rfind("\n", a, b) + 1
        if line_a > a and responsibility.is_note(text[line_a:b]):
            b = line_a
            continue
        return b


def _lines_in(text: str, a: int, b: int) -> list[tuple[int, int]]:
    return [(a + s, a + e) for s, e in _lines(text[a:b])]


def _parse_numbered(text: str, spans: list[tuple[int, int]], doc: Node) -> None:
    lead_first = responsibility.lead_first_note(text)
    body = Node("body", spans[0][0], spans[-1][1])
    doc.children.append(body)
    stack: list[tuple[int, Node, int, int]] = []  # (level, node, first_line_end, num_len)
    used: set[str] = set()
    opened: list[tuple[Node, int, int]] = []
    for (a, b), h in zip(spans, _headings(text, spans), strict=True):
        if h is None:
            continue
        tag, level, printed, value = h
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack else body
        eid = _unique_eid(parent.attrs.get("eId", ""), f"{EID_PREFIX[tag]}_{value}", used)
        node = Node(tag, a, b, {"eId": eid, "num": printed})
        parent.children.append(node)
        stack.append((level, node, b, len(printed)))
        opened.append((node, b, len(printed)))
    # extents: a block runs until the next heading at its level or above
    _close_extents(body, spans[-1][1])
    for node, first_end, num_len in opened:
        own_b = node.children[0].start - 1 if node.children else node.end
        _own_text_nodes(text, node, node.start, own_b, first_end, num_len, lead_first)


def _unique_eid(base: str, part: str, used: set[str]) -> str:
    """base__part, with a suffix when numbering repeats (ids stay unique)."""
    eid = f"{base}__{part}" if base else part
    if eid in used:
        k = 2
        while f"{eid}_{k}" in used:
            k += 1
        eid = f"{eid}_{k}"
    used.add(eid)
    return eid


def _headings(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, int, str, int] | None]:
    """The heading of each line, with numbers that mojibake destroyed recovered from the sequence.

    Where （四） is followed by a line opening with garbage (`?。ㄒ唬加强…`) and then （六）, the garbage
    stood for （五）: the line opens that task, its damaged number kept as printed.
    """
    heads = [match_heading(text[a:b]) for a, b in spans]
    last: dict[str, tuple[int, tuple[str, int, str, int]]] = {}  # tag → its latest heading
    for j, h2 in enumerate(list(heads)):
        if h2 is None:
            continue
        prev = last.get(h2[0])
        if prev is not None and h2[3] == prev[1][3] + 2:
            for k in range(prev[0] + 1, j):
                num = heads[k] is None and _damaged_number(text[spans[k][0]:spans[k][1]])
                if num:
                    heads[k] = (h2[0], h2[1], num, h2[3] - 1)
                    break
        last[h2[0]] = (j, h2)
    return heads


def _damaged_number(line: str) -> str:
    """The garbage a line opens with, when it looks like a task number eaten by mojibake."""
    head = line[:6]
    odd = [k for k, ch in enumerate(head) if looks_odd(ch)]
    if not odd or odd[0] > 1 or len(line) < 8:
        return ""
    end = odd[-1] + 1
    if end < len(head) and not is_wide(head[end]) and head[end] not in "）)":
        return ""
    return line[:min(end + 1, 6)] if end < len(head) and head[end] in "）)" or end <= 2 else line[:end + 1]


def _close_extents(parent: Node, end: int) -> None:
    for i, child in enumerate(parent.children):
        nxt = parent.children[i + 1].start - 1 if i + 1 < len(parent.children) else end
        child.end = nxt
        _close_extents(child, nxt)


def _parse_news(text: str, spans: list[tuple[int, int]], doc: Node) -> None:
    """Unnumbered text: short lines without sentence punctuation are subheadings (sections)."""
    body = Node("body", spans[0][0], spans[-1][1])
    doc.children.append(body)
    section: Node | None = None
    k = 0
    p_count = 0
    loose = 0
    for a, b in spans:
        line = text[a:b]
        if _is_title_like(line) and len(line) <= 40 and not line.endswith("，"):
            k += 1
            section = Node("section", a, b, {"eId": f"sec_{k}"})
            section.children.append(Node("heading", a, b))
            body.children.append(section)
            p_count = 0
        elif section is None:
            loose += 1
            body.children.append(Node("p", a, b, {"eId": f"p_{loose}"}))
        else:
            p_count += 1
            section.children.append(Node("p", a, b, {"eId": f"{section.attrs['eId']}__p_{p_count}"}))
            section.end = b


def _closing_start(text: str, spans: list[tuple[int, int]]) -> int:
    """Index of the first closing line: 附件/抄送/此件主动公开 near the end, or plain paragraphs that
    follow the last clause once it was closed by its responsibility parenthetical (2019, 2021)."""
    line = [text[a:b] for a, b in spans]
    close_from = len(spans)
    for i in range(len(spans) - 1, max(0, len(spans) - 6), -1):
        if _CLOSING.match(line[i]):
            close_from = i
    j = close_from
    while j > 1 and not match_heading(line[j - 1]) and not _ends_with_responsibility(line[j - 1]):
        j -= 1
    if j < close_from and _ends_with_responsibility(line[j - 1]):
        close_from = j
    return close_from


#: the levels whose first heading opens the body of a numbered document
_OPENERS = ("chapter", "section", "article", "para")


@dataclass
class _ParseState:
    """What the structure rules share: the text, its lines and the tree built so far."""

    text: str
    kind: str
    spans: list[tuple[int, int]]
    root: Node
    body: list[tuple[int, int]] = field(default_factory=list)
    front: list[tuple[int, int]] = field(default_factory=list)
    closing: list[tuple[int, int]] = field(default_factory=list)
    layout: str = "news"


def rule_body_start(st: _ParseState) -> int:
    """Where the numbered body opens (after the header, preamble and any table of contents)."""
    first = _body_start(st.text, st.spans) if st.kind != "news" else None
    if first is None:
        return 0
    st.front, st.body = st.spans[:first], st.spans[first:]
    return len(st.body)


def rule_closing(st: _ParseState) -> int:
    """附件/抄送/此件主动公开 and the plain paragraphs after the last task are the closing."""
    if st.body:
        cut = _closing_start(st.text, st.body)
        st.body, st.closing = st.body[:cut], st.body[cut:]
    return len(st.closing)


def rule_front(st: _ParseState) -> int:
    """The notice header and the preamble before the first numbered clause."""
    if st.body:
        _parse_front(st.text, st.front, st.root)
    return len(st.front)


def rule_numbered(st: _ParseState) -> int:
    """Numbered clauses at every level of the layout registry, with their responsibilities."""
    if not st.body:
        return 0
    _parse_numbered(st.text, st.body, st.root)
    if st.closing:
        node = Node("closing", st.closing[0][0], st.closing[-1][1])
        node.children = [Node("p", a, b, {"eId": f"closing__p_{k}"}) for k, (a, b) in enumerate(st.closing, 1)]
        st.root.children.append(node)
    tags = {n.tag for n in st.root.iter() if "eId" in n.attrs}
    st.layout = layout_of(tags, numbered=True).name
    return sum(1 for n in st.root.iter() if "eId" in n.attrs)


def rule_news(st: _ParseState) -> int:
    """An unnumbered text (a news summary): headline, lead, subheadings and their paragraphs."""
    if st.body:
        return 0
    _parse_news_document(st.text, st.spans, st.root)
    return sum(1 for n in st.root.iter() if n.tag == "section")


#: the structure rules, in order (RULES.disable / before / after by name, like the cleaning rules)
RULES = Ruler()
for _name, _rule in [("body_start", rule_body_start), ("closing", rule_closing), ("front", rule_front),
                     ("numbered", rule_numbered), ("news", rule_news)]:
    RULES.push(_name, _rule)


def parse(text: str, kind: str = "") -> Parsed:
    """Parse cleaned text into header, preamble, body and closing."""
    st = _ParseState(text, kind, _lines(text), Node("document", 0, len(text)))
    RULES.run(st)
    return Parsed(text, st.root, st.layout)


def _body_start(text: str, spans: list[tuple[int, int]]) -> int | None:
    """The line that opens the numbered body, or None for an unnumbered text.

    A table of contents (目录: a run of bare chapter headings repeated later with their text) is
    front matter: the body opens where its first heading comes back.
    """
    heads = [(i, h) for i, (a, b) in enumerate(spans) if (h := match_heading(text[a:b])) and h[0] in _OPENERS]
    if not heads:
        return None
    first_i, (tag, _rank, _num, value) = heads[0]
    run = 1
    while run < len(heads) and heads[run][0] == first_i + run and heads[run][1][0] == tag:
        run += 1  # consecutive heading lines with nothing between them
    if run >= 3:
        again = next((i for i, h in heads[run:] if h[0] == tag and h[3] == value), None)
        if again is not None:
            return again
    return first_i


def _parse_news_document(text: str, spans: list[tuple[int, int]], root: Node) -> None:
    """News: headline lines, then the lead paragraph(s) up to the first subheading, then sections."""
    n_title = 0
    while n_title < len(spans) and n_title < 3 and _is_title_like(text[spans[n_title][0]:spans[n_title][1]]):
        n_title += 1
    n_lead = n_title
    while n_lead < len(spans) and not _is_title_like(text[spans[n_lead][0]:spans[n_lead][1]]):
        n_lead += 1
    if n_lead >= len(spans):  # no subheadings at all: everything after the titles is body
        n_lead = n_title
    _parse_front(text, spans[:n_lead], root)
    if n_lead < len(spans):
        _parse_news(text, spans[n_lead:], root)
