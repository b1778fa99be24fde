"""Labels on clause cards (issue 16): a clause the other version does not mention, a match against a
news paragraph (no number), a corrected match; and the redline's department filter."""

from __future__ import annotations

from policydiff.model.changes import ClauseChange, Comparison, DocInfo
from renderers import html as html_renderer
from renderers import markdown as md_renderer
from renderers.common import card_departments, correction_note, provenance, renumbered


def _doc(year, kind="plan") -> DocInfo:
    return DocInfo(ref=f"s@{year}", series="s", year=year, kind=kind, doc_no="", title=f"计划{year}", date="",
                   issuer="")


def _cmp(*matches: ClauseChange) -> Comparison:
    from policydiff.match.compare import summarize

    ms = list(matches)
    return Comparison(_doc(2020, "news"), _doc(2021), ms, [], [], summarize(ms, []))


NOT_MENTIONED_NEW = ClauseChange(old=[], new=["sec_1__para_1"], status="not_mentioned", score=0.0, evidence={},
                                 new_nums=["（一）"], new_heading="推进一网通办。", new_text="推进一网通办。")
NEWS_MATCH = ClauseChange(old=["sec_3__p_5"], new=["sec_1__para_3"], status="moved", score=0.2,
                          evidence={"renumbered": "（三） → "}, old_nums=[""], new_nums=["（三）"],
                          old_text="新闻稿说粤省事。", new_text="粤省事。", diff=[["-", "新闻稿说"], ["=", "粤省事。"]])
CORRECTED = ClauseChange(old=["sec_2__para_18"], new=["sec_3__para_12__point_7"], status="modified", score=0.1,
                         evidence={"corrected": True, "correction": "（十二）7 continues 在线行政执法",
                                   "departments_held": {"lead": ["省司法厅"], "support": ["省政务服务数据管理局"]}},
                         old_nums=["（十八）"], new_nums=["（十二）7."], old_text="在线行政执法。",
                         new_text="在线行政执法平台。", diff=[["=", "在线行政执法"], ["+", "平台"], ["=", "。"]])


def test_not_mentioned_new_clause_is_a_new_clause():
    assert provenance(NOT_MENTIONED_NEW) == "新条款 new clause"
    page = html_renderer.render(_cmp(NOT_MENTIONED_NEW))
    assert "旧条款 old clause" not in page and "新条款 new clause" in page
    assert "旧条款 old clause" not in md_renderer.render(_cmp(NOT_MENTIONED_NEW))


def test_no_dangling_renumbering_against_news():
    assert renumbered(NEWS_MATCH) == ""
    assert "renumbered" not in html_renderer.render(_cmp(NEWS_MATCH)).split("</header>")[1]
    assert "renumbered" not in md_renderer.render(_cmp(NEWS_MATCH))


def test_corrected_match_says_so_with_its_reason():
    note = correction_note(CORRECTED)
    assert note == "人工更正 corrected by hand: （十二）7 continues 在线行政执法"
    page = html_renderer.render(_cmp(CORRECTED))
    assert "corrected by hand" in page and "（十二）7 continues 在线行政执法" in page
    md = md_renderer.render(_cmp(CORRECTED))
    assert "corrected by hand: （十二）7 continues 在线行政执法" in md
    assert correction_note(NEWS_MATCH) == ""


def test_department_filter_lists_the_cards_departments():
    assert card_departments(CORRECTED) == ["省司法厅", "省政务服务数据管理局"]
    page = html_renderer.render(_cmp(CORRECTED, NEWS_MATCH))
    assert '<select id="f-dept">' in page and '<option value="省司法厅">省司法厅 (1)</option>' in page
    assert 'data-depts="省司法厅|省政务服务数据管理局"' in page
    assert 'id="f-dept"' not in html_renderer.render(_cmp(NEWS_MATCH))  # no departments: no filter
