"""The change summary: what a researcher who reads only this needs, as sentences and as Markdown."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from test_html import ATTR, PWN, STYLE, hostile_comparison, real_comparison

from renderers import summary


def parse(text: str):
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(text)


def _text(inline) -> str:
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def headings(tokens) -> list[tuple[str, str]]:
    return [(t.tag, _text(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]


def items(tokens) -> list[str]:
    """The rendered text of every list item's paragraph (nested items separately)."""
    out = []
    for i, t in enumerate(tokens):
        if t.type == "list_item_open":
            out.append(_text(tokens[i + 2]))
    return out


@pytest.fixture(scope="module")
def real():
    cmp = real_comparison()
    return cmp, summary.render(cmp), summary.lines(cmp)


def test_tightened_target_with_values(real):
    cmp, md, lines = real
    sentence = "粤省事 实名注册用户: 1500万 → 1.1亿, tightened"
    assert sentence in lines
    assert any(i.startswith(sentence) for i in items(parse(md)))


def test_sections_and_counts(real):
    cmp, md, _ = real
    s = cmp.summary
    hs = headings(parse(md))
    assert hs[0] == ("h1", "变化摘要 Change summary")
    assert [c for t, c in hs if t == "h2"] == [
        f"目标收紧 Tightened targets ({len(s['tightened'])})",
        f"目标放宽 Loosened targets ({len(s['loosened'])})",
        f"新增任务 New tasks ({len(s['new_tasks'])})",
        f"删除任务 Dropped tasks ({len(s['dropped_tasks'])})",
        f"职责变化 Changed responsibilities ({len(s['responsibilities'])})",
    ]
    text = "\n".join(items(parse(md)))
    for status, n in s["counts"].items():
        if n:
            assert f"{status.replace('_', ' ')} {n}" in text


def test_every_new_and_dropped_task_and_responsibility_is_listed(real):
    cmp, md, lines = real
    listed = items(parse(md))
    for t in cmp.summary["new_tasks"]:
        assert f"{t['num']} {t['heading']}".strip() in listed
        assert any(line.startswith(f"新增任务 new task: {t['num']} {t['heading']}") for line in lines)
    for t in cmp.summary["dropped_tasks"]:
        assert f"{t['num']} {t['heading']}".strip() in listed
    for r in cmp.summary["responsibilities"]:
        for key in ("lead_added", "lead_removed", "support_added", "support_removed"):
            for name in r.get(key, []):
                assert any(name in i for i in listed), name


def test_both_documents_named(real):
    cmp, md, lines = real
    for d in (cmp.old, cmp.new):
        assert d.title in md and d.doc_no in md and d.date in md
        assert d.title in lines[0]


def test_new_tasks_grouped_by_section(real):
    cmp, md, _ = real
    tokens = parse(md)
    nested = sum(t.type == "bullet_list_open" and t.level > 0 for t in tokens)
    sections = {m.section_heading for m in cmp.matches if m.status == "added"}
    assert nested >= len(sections)


# --------------------------------------------------------------------------- hostile


def test_hostile_summary_is_inert_and_complete():
    cmp = hostile_comparison()
    md = summary.render(cmp)
    tokens = parse(md)
    for t in tokens:
        assert t.type != "html_block"
        for c in t.children or []:
            assert c.type not in ("html_inline", "link_open", "image", "s_open"), c
    hs = headings(tokens)
    assert len(hs) == 6  # the title and five sections, whatever the text says
    listed = items(tokens)
    assert any(i.startswith(f"<b>粤省事</b>{ATTR} 用户|数*: 1500万 → 1.1亿, tightened") for i in listed)
    assert any(i.startswith("审批时间: 3工作日 → 5工作日, loosened") for i in listed)
    assert any(PWN in i for i in listed)  # the reason of the loosened target, shown as text
    assert "（二） | a | b |" in listed
    plain = "".join(_text(t) for t in tokens if t.type == "inline")
    assert PWN in plain and STYLE in plain


def test_lines_are_plain_sentences():
    cmp = hostile_comparison()
    lines = summary.lines(cmp)
    assert all("\n" not in ln for ln in lines)
    assert f"<b>粤省事</b>{ATTR} 用户|数*: 1500万 → 1.1亿, tightened" in lines
    assert "审批时间: 3工作日 → 5工作日, loosened" in lines
    assert any(ln.startswith("删除任务 dropped task: （三）") for ln in lines)


def test_empty_summary():
    cmp = hostile_comparison()
    cmp.matches, cmp.targets, cmp.summary = [], [], {}
    md = summary.render(cmp)
    assert md.count("无 none") == 7  # clause and target counts, and the five sections
