"""The HTML report: self-contained, complete, in the new document's order, and inert whatever the text.

`hostile_comparison()` (a hand-built `Comparison` full of markup, quotes and Markdown) is shared with the
Markdown, summary and browser tests.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from html.parser import HTMLParser

import pytest
from seedlib import seed_doc

from policydiff.model.changes import ClauseChange, Comparison, DocInfo, Reason, ReasonKind, TargetChange
from policydiff.model.document import Target
from renderers import html as html_renderer
from renderers.common import alias_ids, card_id, card_targets

# --------------------------------------------------------------------------- comparisons

PWN = "<script>window.__pwned=1</script>"
ATTR = '" onmouseover="window.__pwned=2" x="'
STYLE = "</style><script>window.__pwned=3</script><style>"
JSURL = "javascript:alert(1)"
MD = "*_~|#`[x](y)"
EVIL_EID = 'evil"><script>window.__pwned=7</script>'


@lru_cache(maxsize=1)
def real_comparison() -> Comparison:
    from policydiff.match.compare import compare

    return compare(seed_doc("2019"), seed_doc("2021"))


def _target(clause, subject, metric, value, unit="", comparator="ge", text=""):
    return Target(clause=clause, subject=subject, metric=metric, comparator=comparator, value=value, unit=unit,
                  deadline="", phrase="达", text=text or f"达{value}")


def _cc(old, new, status, diff=None, old_text="", new_text="", old_num="", new_num="", **kw) -> ClauseChange:
    """A clause change; old_num/new_num are the numbers of its clauses joined by spaces."""
    if diff is not None:
        old_text = "".join(t for op, t in diff if op in "=-")
        new_text = "".join(t for op, t in diff if op in "=+")
    return ClauseChange(old=old, new=new, status=status, score=1.0, evidence=kw.pop("evidence", {}),
                        diff=diff or [], old_text=old_text, new_text=new_text, old_nums=old_num.split(),
                        new_nums=new_num.split(), **kw)


def hostile_comparison() -> Comparison:
    """Every kind of card, every text field carrying markup that must stay text."""
    from policydiff.match.compare import summarize

    old = DocInfo(ref="r<old>", series="s", year=2019, kind=JSURL, doc_no=ATTR, title=f"{PWN}旧计划",
                  date=STYLE, issuer=MD)
    new = DocInfo(ref='r"new"', series="s", year=2021, kind="plan", doc_no="粤办函〔2021〕1号",
                  title=f"新计划{ATTR}", date="2021-01-01", issuer="<b>办公厅</b>")
    sec1 = "</style><b>第一章</b>"
    matches = [
        _cc(["sec_1__para_1"], ["sec_1__para_1"], "modified", section="sec_1", section_heading=sec1,
            diff=[["=", f"# 标题{PWN}\n1. 第一项目标"], ["-", "达1500万"], ["+", "突破1.1亿|*_~"],
                  ["=", f"，\n- 列表 `code` [link]({JSURL}) ![img](x) <img src=x onerror=\"window.__pwned=5\">"]],
            old_num="（一）", new_num="（一）", old_heading=f"# 旧{PWN}", new_heading=f"# 新{ATTR}",
            evidence={"renumbered": f"（一） → {ATTR}"},
            departments={"lead_added": [f"省<i>厅</i>{ATTR}"], "support_removed": [STYLE, "省#局|*"]}),
        _cc([], ["sec_1__para_2"], "added", section="sec_1", section_heading=sec1, new_num="（二）",
            new_heading="| a | b |",
            new_text="| a | b |\n|---|---|\n| c | d |\n===\n---\n> 引用\n    code\n```\nfence\n+ plus\n2) two"),
        _cc(["sec_1__para_3"], [], "dropped", section="sec_1", section_heading=sec1, old_num="（三）",
            old_heading=STYLE, old_text="<style>body{display:none}</style>\n  - 删除 ~~x~~ &amp; &lt;"),
        _cc(["sec_2__para_1"], ["sec_2__para_1"], "unchanged", section="sec_2", section_heading="第二章",
            diff=[["=", "未变的条款 `x` *y*"]], old_num="（四）", new_num="（一）", old_heading="未变的条款",
            new_heading="未变的条款"),
        _cc(["sec_3__para_9"], ["sec_2__para_2"], "moved", section="sec_2", section_heading="第二章",
            diff=[["=", "移动的条款"], ["-", "旧词"], ["+", "新词"]], old_num="（九）", new_num="（二）",
            old_heading="移动的条款", new_heading="移动的条款",
            evidence={"moved": True, "modified": True, "renumbered": "（九） → （二）"}),
        _cc(["sec_1__para_4"], ["sec_2__para_3", "sec_2__para_4"], "split", section="sec_2",
            section_heading="第二章", diff=[["=", "拆分"], ["+", "\n另一半"]], old_num="（四）", new_num="1. 2.",
            old_heading="拆分", new_heading="拆分 另一半"),
        _cc(["sec_1__para_5", "sec_1__para_6"], ["sec_2__para_5"], "merged", section="sec_2",
            section_heading="第二章", diff=[["=", "合并"], ["-", "\n"], ["=", "两条"]], old_num="（五） （六）",
            new_num="3.", old_heading="合并 两条", new_heading="合并两条"),
        _cc(["sec_1__para_7"], [], "not_mentioned", section="sec_1", section_heading=sec1, old_num="（七）",
            old_heading="未提及", old_text="未提及的条款"),
        _cc(["sec_1__para_8"], [EVIL_EID], "modified", section="sec_2", section_heading="第二章",
            diff=[["=", "审批时间"], ["-", "3个工作日"], ["+", "5个工作日"], ["=", "以内"]], old_num="（八）",
            new_num="4.", old_heading="审批时间", new_heading="审批时间"),
    ]
    targets = [
        TargetChange(_target("sec_1__para_1", f"<b>粤省事</b>{ATTR}", "用户|数*", 15_000_000, text="达1500万"),
                     _target("sec_1__para_1", f"<b>粤省事</b>{ATTR}", "用户|数*", 110_000_000, comparator="gt",
                             text="突破1.1亿"), "tightened", Reason(ReasonKind.VALUE, "1500万", "1.1亿"),
                     "sec_1__para_1", "sec_1__para_1"),
        TargetChange(_target("sec_1__para_8", "", "审批时间", 3, "工作日", "le", "3个工作日内"),
                     _target(EVIL_EID, "", "审批时间", 5, "工作日", "le", "5个工作日以内"), "loosened",
                     Reason(ReasonKind.VALUE, "3工作日", f"5工作日 {PWN}", across_clauses=True), "sec_1__para_8",
                     EVIL_EID),
        TargetChange(None, _target("sec_1__para_2", "新", f"指标{STYLE}", 90, "%", text="90%"), "added", Reason(),
                     "", "sec_1__para_2"),
        TargetChange(_target("sec_1__para_3", "旧", "指标", 10, "个", text="10个"), None, "dropped", Reason(),
                     "sec_1__para_3", ""),
    ]
    return Comparison(old, new, matches, [], targets, summarize(matches, targets))


# --------------------------------------------------------------------------- parsing


class Page(HTMLParser):
    """Elements with attributes, the text of every script/style element, and every card's segments."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "source"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self.stack: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.segments: dict[str, list[tuple[str, str]]] = {}  # card id → [(op, text)] of its redline
        self._card: str | None = None
        self._in_redline = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag in self.VOID:
            return
        self.stack.append((tag, a))
        if tag == "article":
            self._card = a.get("id")
        if tag == "div" and "redline" in (a.get("class") or "").split():
            self._in_redline = len(self.stack)
            self.segments[self._card or "?"] = []

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if self._in_redline and len(self.stack) < self._in_redline:
                self._in_redline = 0
            if t == tag:
                break

    def handle_data(self, data):
        tag = self.stack[-1][0] if self.stack else ""
        if tag in self.raw:
            self.raw[tag].append(data)
            return
        self.text.append(data)
        if self._in_redline:
            op = {"del": "-", "ins": "+"}.get(tag, "=")
            self.segments[self._card or "?"].append((op, data))

    def all(self, tag: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag]

    def cards(self) -> list[dict]:
        return [a for t, a in self.elements if t == "article" and "card" in (a.get("class") or "").split()]


#: every element the renderer itself writes: anything else would have come from document text
VOCABULARY = {"html", "head", "meta", "title", "style", "body", "a", "header", "p", "h1", "h2", "h3", "div",
              "section", "dl", "dt", "dd", "nav", "ol", "ul", "li", "span", "main", "table", "caption", "thead",
              "tbody", "tr", "th", "td", "details", "summary", "button", "article", "code", "b", "del", "ins",
              "script", "footer", "label", "select", "option"}


@lru_cache(maxsize=4)
def _render_real() -> str:
    return html_renderer.render(real_comparison())


def _page(cmp: Comparison) -> tuple[str, Page]:
    out = html_renderer.render(cmp)
    return out, Page(out)


# --------------------------------------------------------------------------- real comparison


def test_one_self_contained_file_without_network():
    out = _render_real()
    page = Page(out)
    assert out.startswith("<!DOCTYPE html>")
    assert len(page.all("script")) == 1 and "src" not in page.all("script")[0]
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    for tag, attrs in page.elements:
        assert tag in VOCABULARY, tag
        assert "src" not in attrs, tag
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs["href"]
    assert not re.search(r"https?:|//[a-z]|@import|url\(|@font-face", "".join(page.raw["style"]) + "".join(page.raw["script"]))
    csp = [a for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"][0]["content"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_csp_hashes_match_the_inline_style_and_script():
    page = Page(_render_real())
    csp = [a for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"][0]["content"]
    for kind, tag in (("script-src", "script"), ("style-src", "style")):
        (body,) = page.raw[tag]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}'" in csp


def test_header_has_both_documents_metadata():
    cmp = real_comparison()
    header = _render_real().split("</header>")[0]
    for d in (cmp.old, cmp.new):
        for value in (d.title, d.doc_no, d.date):
            assert value and value in header
    assert "工作要点 plan" in header  # kind, labelled
    assert "粤办函〔2019〕87号" in header and "粤办函〔2021〕44号" in header


def test_summary_counts_every_status():
    cmp = real_comparison()
    out = _render_real()
    summary = out.split('id="summary"')[1].split("</section>")[0]
    for status, n in cmp.summary["counts"].items():
        assert re.search(rf'class="tile st-{status}[^"]*"><span class="n">{n}</span>', summary), status


def test_target_table_marks_the_tightened_target():
    out = _render_real()
    table = out.split('id="targets"')[1].split("</table>")[0]
    row = [r for r in table.split("<tr") if 'class="t-tightened"' in r][0]
    assert "收紧" in row and "tightened" in row and "▲" in row
    assert ">1500万<" in row and ">1.1亿<" in row
    assert 'href="#new-' in row  # a link to the clause card


def test_every_clause_is_a_card_in_the_new_order_with_stable_anchors():
    cmp = real_comparison()
    page = Page(_render_real())
    cards = page.cards()
    assert [c["id"] for c in cards] == [card_id(m) for m in cmp.matches]
    assert [c["data-status"] for c in cards] == [m.status for m in cmp.matches]
    for c, m in zip(cards, cmp.matches, strict=True):
        assert c["id"] == (f"new-{m.new[0]}" if m.new else f"old-{m.old[0]}")
    ids = [a["id"] for _, a in page.elements if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids"
    # every clause of either document can be linked to
    for m in cmp.matches:
        for e in m.new:
            assert f"new-{e}" in ids
        for e in m.old:
            assert f"old-{e}" in ids
    # dropped clauses are placed where they stood: between the cards of the new order
    statuses = [c["data-status"] for c in cards]
    assert "dropped" in statuses and statuses.index("dropped") < len(statuses) - 1


def test_changed_numbers_are_whole_tokens_inside_del_and_ins():
    page = Page(_render_real())
    found = {"-": set(), "+": set()}
    for segs in page.segments.values():
        for op, text in segs:
            for num in ("1500万", "1.1亿"):
                if num in text:
                    found[op].add(num)
        # no number is cut between two segments (1500 | 万, 1. | 1亿)
        for (op_a, a), (op_b, b) in zip(segs, segs[1:], strict=False):
            if op_a != op_b:
                assert not (re.search(r"\d[.,]?$", a) and re.match(r"[\d.,万亿千百%]", b)), (a[-10:], b[:10])
    assert "1500万" in found["-"] and "1.1亿" in found["+"]


def test_cards_show_status_in_words_and_symbols_and_filters_exist():
    out = _render_real()
    page = Page(out)
    for status, (zh, en, sym) in html_renderer.STATUS_INFO.items():
        if any(c["data-status"] == status for c in page.cards()):
            assert f'<span class="badge b-{status}"><span class="sym" aria-hidden="true">{sym}</span>{zh} ' \
                   f'<span class="en">{en}</span>' in out
    filters = {b.get("data-filter") for b in page.all("button") if b.get("data-filter")}
    assert filters == {"added", "dropped", "modified", "moved", "split", "merged", "not_mentioned",
                       "tightened", "loosened"}
    assert any(b.get("id") == "f-unchanged" for b in page.all("button"))


def test_a_card_with_a_tightened_target_carries_the_tag():
    cmp = real_comparison()
    per = card_targets(cmp)
    tagged = {card_id(cmp.matches[i]) for i, ts in per.items() if any(t.change == "tightened" for t in ts)}
    assert tagged
    for c in Page(_render_real()).cards():
        assert ("tightened" in c["data-tags"].split()) == (c["id"] in tagged)


def test_provenance_departments_and_side_by_side():
    cmp = real_comparison()
    out = _render_real()
    articles = {m.group(1): m.group(0) for m in re.finditer(r'<article [^>]*id="([^"]+)".*?</article>', out, re.S)}
    for m in cmp.matches:
        card = articles[card_id(m)]
        if m.old and m.new:
            assert 'class="sbs"' in card and 'class="redline"' in card
            if any(op != "=" for op, _ in m.diff):
                assert "<del>" in card or "<ins>" in card
            for e in m.old:
                assert f"<code>{e}</code>" in card
        if m.status == "moved" and m.evidence.get("renumbered"):
            assert "重新编号 renumbered" in card and m.evidence["renumbered"] in card
        for names in (m.departments or {}).values():
            for name in names:
                assert name in card


def test_toc_links_to_every_section():
    page = Page(_render_real())
    sections = [a["id"] for a in page.all("section") if "sec" in (a.get("class") or "").split()]
    toc = _render_real().split('<nav class="toc"')[1].split("</nav>")[0]
    assert sections
    for s in sections:
        assert f'href="#{s}"' in toc


def test_print_stylesheet_shows_everything_and_hides_buttons():
    css = html_renderer.CSS
    media = css[css.index("@media print"):]
    rules = {sel.strip(): body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", media.split("{", 1)[1])}
    hidden = [sel for sel, body in rules.items() if "display:none" in body]
    assert any(".toolbar" in sel and "button" in sel for sel in hidden)
    assert "display:block !important" in rules[".is-hidden"]


def test_rendering_only_reads_the_comparison():
    cmp = real_comparison()
    before = cmp.to_dict()
    html_renderer.render(cmp)
    assert cmp.to_dict() == before


# --------------------------------------------------------------------------- hostile text


def test_hostile_text_is_escaped_everywhere():
    cmp = hostile_comparison()
    out, page = _page(cmp)
    # exactly our own script and style, verbatim
    assert page.raw["script"] == [html_renderer.JS] and page.raw["style"] == [html_renderer.CSS]
    assert out.count("<script") == 1 and out.count("</script") == 1
    assert out.count("<style") == 1 and out.count("</style") == 1
    for tag, attrs in page.elements:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert tag in VOCABULARY, tag
        for k, v in attrs.items():
            assert JSURL not in (v or "") or k == "content", (tag, k, v)
    text = "".join(page.text)
    for s in (PWN, ATTR.strip(), STYLE, "<img src=x onerror=", "<b>办公厅</b>", MD):
        assert s in text, s
    # the hostile eId survives as an attribute value, quote and all
    assert any(c["id"] == f"new-{EVIL_EID}" for c in page.cards())
    assert 'href="#new-evil%22%3E%3Cscript%3Ewindow.__pwned%3D7%3C%2Fscript%3E"' in out


def test_hostile_comparison_renders_every_status_and_tag():
    cmp = hostile_comparison()
    _, page = _page(cmp)
    cards = page.cards()
    assert [c["data-status"] for c in cards] == [m.status for m in cmp.matches]
    tags = {c["id"]: c["data-tags"] for c in cards}
    assert tags["new-sec_1__para_1"] == "tightened"
    assert tags[f"new-{EVIL_EID}"] == "loosened"
    ids = [a["id"] for _, a in page.elements if "id" in a]
    assert "new-sec_2__para_4" in ids and "old-sec_1__para_6" in ids  # split and merged aliases
    assert len(ids) == len(set(ids))


def test_split_merged_moved_show_where_they_came_from():
    out, _ = _page(hostile_comparison())
    articles = {m.group(1): m.group(0) for m in re.finditer(r'<article [^>]*id="([^"]+)".*?</article>', out, re.S)}
    split = articles["new-sec_2__para_3"]
    assert "拆分自 split from" in split and "<code>sec_1__para_4</code>" in split
    assert "<code>sec_2__para_4</code>" in split
    merged = articles["new-sec_2__para_5"]
    assert "合并自 merged from" in merged and "<code>sec_1__para_5</code>" in merged
    assert "<code>sec_1__para_6</code>" in merged
    moved = articles["new-sec_2__para_2"]
    assert "移自 moved from" in moved and "（九） → （二）" in moved and "有修改 modified" in moved
    dropped = articles["old-sec_1__para_3"]
    assert "原文 old text" in dropped and "删除" in dropped


@pytest.mark.parametrize("field", ["title", "doc_no", "date", "kind", "issuer", "ref"])
def test_metadata_fields_never_break_out(field):
    cmp = hostile_comparison()
    setattr(cmp.new, field, '"><script>window.__pwned=9</script><style>')
    out, page = _page(cmp)
    assert page.raw["script"] == [html_renderer.JS]
    assert '"><script>window.__pwned=9</script><style>' in "".join(page.text)


def test_empty_comparison_renders():
    cmp = hostile_comparison()
    cmp.matches, cmp.targets, cmp.summary = [], [], {}
    out, page = _page(cmp)
    assert not page.cards() and "no-cards" in out


def test_alias_ids_cover_other_eids():
    cmp = hostile_comparison()
    split = [m for m in cmp.matches if m.status == "split"][0]
    assert card_id(split) == "new-sec_2__para_3"
    assert alias_ids(split) == ["new-sec_2__para_4", "old-sec_1__para_4"]
