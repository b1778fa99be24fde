"""Cleaning rules, on the seeds and on damage derived from them."""

from seedlib import mirror_damage, seed_doc, seed_text

from policydiff.read.clean import clean, looks_like_html
from policydiff.read.text import is_reading


def test_traditional_mirror_seed_becomes_simplified_without_pinyin():
    c = clean(seed_text("2021"))
    assert c.source_script == "traditional"
    assert "关于印发广东省" in c.text
    assert "(guān)" not in c.text and "(huì )" not in c.text
    steps = {s.name: s for s in c.steps}
    assert steps["pinyin_annotations"].changes > 800
    assert steps["script"].changes > 1000


def test_real_parentheses_survive():
    text = "建筑信息模型(BIM)和首席数据官(CDO)，打造“数字住房(粵安居)”平台(不含新冠肺炎疫情防控服务)。關(guān)于"
    c = clean(text)
    assert "（BIM）" in c.text and "（CDO）" in c.text
    assert "（粤安居）" in c.text
    assert "（不含新冠肺炎疫情防控服务）" in c.text
    assert c.text.endswith("关于")


def test_pinyin_only_stripped_when_it_is_a_reading():
    assert is_reading("關", "guān")
    assert is_reading("会", "huì")
    assert not is_reading("关", "BIM")
    assert not is_reading("关", "huì")
    # a parenthesis whose syllable is not the character's reading stays
    assert "（mǎ）" in clean("关(mǎ)键").text


def test_doubled_and_half_width_punctuation():
    c = clean("推进政务服务,,提升办事效率,、优化流程,。\r\n(一)加强组织领导")
    assert c.text == "推进政务服务，提升办事效率、优化流程。\n（一）加强组织领导"


def test_no_blanket_nfkc():
    c = clean("①推进（一）工作，１２３４５热线")
    assert "①" in c.text and "（一）" in c.text and "，" in c.text
    assert "12345" in c.text  # digits are unified on purpose


def test_numbers_and_times_keep_ascii_punctuation():
    c = clean("发布时间为16:08:20，共1,000项 see http://x.cn/a?b=1")
    assert "16:08:20" in c.text and "1,000" in c.text


def test_mojibake_spans_are_flagged_and_kept():
    c = clean(seed_text("2021"))
    spans = [c.text[s.start:s.end] for s in c.suspects]
    assert any("谥行∑髽" in s for s in spans)
    assert any(s.startswith("??") for s in spans)
    assert "应用?；谥行∑髽I(yè)融资平台" in c.text  # kept as found, not repaired


def test_clean_text_has_no_suspects():
    for key in ("2016", "2019", "2020", "jieyang"):
        assert clean(seed_text(key)).suspects == [], key


def test_page_furniture_removed_from_scrape():
    c = clean(seed_text("jieyang"))
    assert "www.jieyang.gov.cn" not in c.text
    assert "浏览次数" not in c.text and "【打印】" not in c.text
    steps = {s.name: s for s in c.steps}
    assert steps["boilerplate"].changes == 2


def test_html_detection_and_extraction():
    page = "<html><body><nav>首页</nav><script>alert(1)</script><p>一、总体要求</p><p>（一）指导思想。</p></body></html>"
    assert looks_like_html(page)
    assert looks_like_html("x", "a.htm")
    c = clean(page, is_html=True)
    assert c.text == "一、总体要求\n（一）指导思想。"


def test_mirror_damage_cleans_to_the_original_text():
    assert clean(mirror_damage(seed_text("2019"), seed=3)).text == seed_doc("2019").text
