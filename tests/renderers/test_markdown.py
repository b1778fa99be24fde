"""The Markdown redline, checked by parsing it (markdown-it-py, CommonMark + GFM tables and strikethrough),
not by string matching: headings, tables, strikethrough and inserted runs, and inert hostile text."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from test_html import ATTR, EVIL_EID, PWN, STYLE, hostile_comparison, real_comparison

from renderers import markdown
from renderers.common import one_line

ZWSP = "\u200b"


def parse(text: str):
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(text)


def _text(inline) -> str:
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def headings(tokens) -> list[tuple[str, str]]:
    """(tag, text as rendered) of every heading."""
    return [(tok.tag, _text(tokens[i + 1])) for i, tok in enumerate(tokens) if tok.type == "heading_open"]


def tables(tokens) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header row first)."""
    out, rows, row = [], None, None
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            rows = []
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open"):
            row.append(_text(tokens[i + 1]))
        elif tok.type == "tr_close":
            rows.append(row)
        elif tok.type == "table_close":
            out.append(rows)
    return out


def runs(inline) -> list[tuple[str, str]]:
    """An inline token's text as (op, text) runs: "-" inside ~~ ~~, "+" inside <ins></ins>, "=" else."""
    out, op = [], "="
    for child in inline.children or []:
        if child.type == "s_open":
            op = "-"
        elif child.type == "s_close":
            op = "="
        elif child.type == "html_inline" and child.content == "<ins>":
            op = "+"
        elif child.type == "html_inline" and child.content == "</ins>":
            op = "="
        elif child.type in ("text", "code_inline"):
            out.append((op, child.content.replace(ZWSP, "")))
        elif child.type in ("hardbreak", "softbreak"):
            out.append((op, "\n"))
    merged: list[tuple[str, str]] = []
    for op, text in out:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def walk(tokens):
    for tok in tokens:
        yield tok
        yield from tok.children or []


# --------------------------------------------------------------------------- real comparison


@pytest.fixture(scope="module")
def real():
    cmp = real_comparison()
    return cmp, markdown.render(cmp)


def test_headings_structure(real):
    cmp, text = real
    hs = headings(parse(text))
    assert [h for h in hs if h[0] == "h1"] == [("h1", f"条款对比 Clause comparison: {cmp.old.title} → {cmp.new.title}")]
    unchanged = sum(m.status == "unchanged" for m in cmp.matches)
    assert [c for t, c in hs if t == "h2"] == ["文件 Documents", "概要 Summary", "目标变化 Target changes",
                                             "条款变化 Changed clauses", f"未变条款 Unchanged clauses ({unchanged})"]
    h4 = [c for t, c in hs if t == "h4"]
    changed = [m for m in cmp.matches if m.status != "unchanged"]
    assert len(h4) == len(changed)
    for content, m in zip(h4, changed, strict=True):
        assert m.status.replace("_", " ") in content
        num = (m.new_num or m.old_num).split()
        assert not num or num[0] in content


def test_tables_are_whole(real):
    cmp, text = real
    ts = tables(parse(text))
    assert len(ts) >= 3
    for rows in ts:
        assert len({len(r) for r in rows}) == 1, rows[:2]
    docs, counts_t = ts[0], ts[1]
    assert docs[1][1:] == [cmp.old.title, cmp.new.title] and docs[2][1:] == [cmp.old.doc_no, cmp.new.doc_no]
    got = {row[0].split()[-1] if row[0].split()[-1] != "mentioned" else "not_mentioned": int(row[1])
           for row in counts_t[1:]}
    assert got == cmp.summary["counts"]
    targets_t = ts[2]
    tight = [r for r in targets_t if "tightened" in r[0]]
    assert tight and tight[0][1:5] == ["粤省事", "实名注册用户", "1500万", "1.1亿"]


def test_redline_strikes_and_inserts_whole_numbers(real):
    cmp, text = real
    tokens = parse(text)
    assert any(t.type == "s_open" for t in walk(tokens))
    seen = {"-": "", "+": ""}
    for tok in tokens:
        if tok.type != "inline":
            continue
        rs = runs(tok)
        for op, chunk in rs:
            if op in seen:
                seen[op] += chunk + "\x00"
        for (_, a), (_, b) in zip(rs, rs[1:], strict=False):
            assert not (re.search(r"\d[.,]?$", a) and re.match(r"[\d.,万亿千百%]", b)), (a[-10:], b[:10])
    assert any("1500万" in chunk for chunk in seen["-"].split("\x00"))
    assert any("1.1亿" in chunk for chunk in seen["+"].split("\x00"))


def test_every_redline_paragraph_reads_back_as_its_diff(real):
    """Each changed clause's paragraph parses to exactly its diff: every ~~ opened and closed, nothing lost."""
    cmp, text = real
    inline = [t for t in parse(text) if t.type == "inline"]
    paragraphs = {"".join(x for _, x in runs(t)): runs(t) for t in inline}
    for m in cmp.matches:
        if not (m.old and m.new and m.diff) or m.status == "unchanged":
            continue
        want = [(op, re.sub(r"\n+", "\n", t)) for op, t in m.diff if t.strip()]
        plain = "".join(t for _, t in want).strip()
        assert plain in paragraphs, m.new
        got = [(op, t) for op, t in paragraphs[plain] if t.strip()]
        assert [op for op, _ in got] == [op for op, _ in _merge(want)], m.new


def _merge(runs_):
    out = []
    for op, t in runs_:
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + t)
        else:
            out.append((op, t))
    return out


def test_no_html_but_ins_and_no_literal_delimiters(real):
    _, text = real
    for tok in walk(parse(text)):
        assert tok.type != "html_block"
        if tok.type == "html_inline":
            assert tok.content in ("<ins>", "</ins>")
        if tok.type == "text":
            assert "~~" not in tok.content and "<ins>" not in tok.content


# --------------------------------------------------------------------------- hostile text


@pytest.fixture(scope="module")
def hostile():
    cmp = hostile_comparison()
    return cmp, markdown.render(cmp)


def test_hostile_text_makes_no_html_no_blocks_no_links(hostile):
    cmp, text = hostile
    eids = {e for m in cmp.matches for e in m.old + m.new}
    allowed = eids | {f"{side}-{e}" for e in eids for side in ("new", "old")} | {m.section for m in cmp.matches}
    tokens = parse(text)
    types = {t.type for t in walk(tokens)}
    assert not types & {"html_block", "link_open", "image", "blockquote_open", "fence", "code_block", "hr",
                        "ordered_list_open", "lheading"}
    for tok in walk(tokens):
        if tok.type == "html_inline":
            assert tok.content in ("<ins>", "</ins>"), tok.content
        if tok.type == "code_inline":
            assert tok.content in allowed, tok.content


def test_hostile_text_adds_no_headings_and_breaks_no_table(hostile):
    cmp, text = hostile
    tokens = parse(text)
    hs = headings(tokens)
    assert sum(t == "h1" for t, _ in hs) == 1
    assert sum(t == "h2" for t, _ in hs) == 5
    assert sum(t == "h4" for t, _ in hs) == sum(m.status != "unchanged" for m in cmp.matches)
    # sections: the two of the new document (dropped clauses stay inside the first)
    assert [c for t, c in hs if t == "h3"][-2:] == ["</style><b>第一章</b>", "第二章"]
    for rows in tables(tokens):
        assert len({len(r) for r in rows}) == 1, rows
    docs = tables(tokens)[0]
    assert [r[1] for r in docs[1:]] == [one_line(cmp.old.title), cmp.old.doc_no, cmp.old.date, cmp.old.kind,
                                        cmp.old.issuer, cmp.old.ref]


def test_hostile_text_reads_back_literally(hostile):
    cmp, text = hostile
    tokens = parse(text)
    plain = "".join(c.content for t in walk(tokens) if t.type in ("text", "code_inline") for c in [t])
    plain = plain.replace(ZWSP, "")
    for s in (PWN, ATTR.strip(), STYLE, "*_~|#`[x](y)", "<img src=x onerror=", "| a | b |", "~~x~~",
              "&amp; &lt;", "1. 第一项目标", "- 列表", "2) two", "+ plus", f"new-{EVIL_EID}"):
        assert s in plain, s
    (para,) = [t for t in tokens if t.type == "inline" and "第一项目标" in _text(t)]
    rs = runs(para)
    assert ("-", "达1500万") in rs and ("+", "突破1.1亿|*_~") in rs


def test_hostile_lists_only_where_the_renderer_puts_them(hostile):
    cmp, text = hostile
    tokens = parse(text)
    items = sum(t.type == "list_item_open" for t in tokens)
    per_card_targets = 4  # each target change is listed once under each card it touches
    unchanged = sum(m.status == "unchanged" for m in cmp.matches)
    assert items == per_card_targets + unchanged


# --------------------------------------------------------------------------- escaping, generally

CHARS = list("ab中文，。“”（）《》、：；1059.%万亿*_~|#<>[]`&$\\!-+=:()\"'")
ALPHABET = st.sampled_from(CHARS + [" ", "\u3000"])
TEXT = st.text(ALPHABET, min_size=1, max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_escape_reads_back_as_one_paragraph_of_text(text):
    tokens = parse(markdown.escape(text))
    expected = text.strip()
    if not expected:
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], tokens
    assert {c.type for c in tokens[1].children} == {"text"}
    assert "".join(c.content for c in tokens[1].children) == expected


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_table_cells_hold_any_text(a, b):
    text = "\n".join(markdown.table(["x", "y"], [[markdown.cell(a), markdown.cell(b + "\n" + a)]]))
    (rows,) = tables(parse(text))
    assert len(rows) == 2 and len(rows[1]) == 2
    assert rows[1][0] == (one_line(a) or "—")
    assert rows[1][1] == (one_line(b + "\n" + a) or "—")


OPS = st.lists(st.tuples(st.sampled_from("=-+"), st.text(st.sampled_from(CHARS), min_size=1, max_size=12)), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_redline_reads_back_as_its_ops(ops):
    """Whatever sits next to a delimiter (CJK punctuation, escapes), ~~ opens and closes where it should."""
    tokens = parse(markdown.redline([list(x) for x in ops]))
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert runs(tokens[1]) == _merge(ops)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("=-+"), st.text(ALPHABET | st.just("\n"), min_size=1, max_size=15)),
                min_size=1, max_size=5))
def test_redline_with_line_breaks_stays_one_paragraph(ops):
    text = markdown.redline([list(x) for x in ops])
    tokens = parse(text)
    if not text.strip():
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], text
    for c in tokens[1].children:
        assert c.type in ("text", "s_open", "s_close", "html_inline", "hardbreak", "softbreak"), c.type
        if c.type == "html_inline":
            assert c.content in ("<ins>", "</ins>")
