"""metadata.detect on the five seeds and on header variants."""

from __future__ import annotations

import pytest

from policydiff.read.metadata import DetectedMeta, detect
from policydiff.read.text import strip_pinyin

EXPECTED = {
    "2016": dict(
        doc_no="粤府办〔2016〕137号",
        date="2016-12-30",
        year=2016,
        title="广东省加快推进“互联网+政务服务”工作方案",
        issuer="广东省人民政府办公厅",
        kind="plan",
    ),
    "2019": dict(
        doc_no="粤办函〔2019〕87号",
        date="2019-04-21",
        year=2019,
        title="广东省“数字政府”改革建设2019年工作要点",
        issuer="广东省人民政府办公厅",
        kind="plan",
    ),
    "2020": dict(
        doc_no="",
        date="2020-02-24",
        year=2020,
        title="广东省数字政府改革建设2020年工作要点",
        issuer="",
        kind="news",
    ),
    "2021": dict(
        doc_no="粤办函〔2021〕44号",
        date="2021-03-25",
        year=2021,
        title="广东省数字政府改革建设2021年工作要点",
        issuer="广东省人民政府办公厅",
        kind="plan",
    ),
    "jieyang": dict(
        doc_no="揭府办〔2019〕42号",
        date="2019-09-23",
        year=2019,
        title="揭阳市“数字政府”改革建设实施方案(2019—2021年)",
        issuer="揭阳市人民政府办公室",
        kind="plan",
    ),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_seed_metadata(seeds, key):
    meta = detect(seeds[key].read_text(encoding="utf-8"))
    assert isinstance(meta, DetectedMeta)
    got = {name: getattr(meta, name) for name in EXPECTED[key]}
    assert got == EXPECTED[key]


def test_2016_cited_doc_no_is_ignored(seeds):
    text = seeds["2016"].read_text(encoding="utf-8")
    assert "国发〔2016〕55号" in text
    assert detect(text).doc_no == "粤府办〔2016〕137号"


def test_traditional_values_come_back_simplified(seeds):
    meta = detect(seeds["2021"].read_text(encoding="utf-8"))
    for value in (meta.doc_no, meta.title, meta.issuer):
        assert not set(value) & set("粵辦號廣東數設點廳關")
        assert "(" not in value


def test_strip_pinyin_keeps_real_parentheses():
    text = "關(guān)于印發(fā)會(huì )議 (BIM)(CDO)(粵安居)(2019—2021年)(不含新冠肺炎疫情防控服务)"
    assert strip_pinyin(text)[0] == "關于印發會議 (BIM)(CDO)(粵安居)(2019—2021年)(不含新冠肺炎疫情防控服务)"


def _notice(doc_no_line: str, body: str = "") -> str:
    return (
        "某某市人民政府办公室关于印发某某市数字政府建设2022年工作要点的通知\n"
        f"{doc_no_line}\n各县（市、区）人民政府：\n{body}现印发给你们。\n某某市人民政府办公室\n2022年3月1日\n"
        "某某市数字政府建设2022年工作要点\n一、总体要求\n"
    )


@pytest.mark.parametrize("doc_no_line", ["某府办〔2022〕7号", "某府办[2022]7号", "某府办【2022】7号", "某府办(2022)7号", "某府办（2022）第7号"])
def test_doc_no_bracket_variants(doc_no_line):
    meta = detect(_notice(doc_no_line))
    assert meta.doc_no == "某府办〔2022〕7号"
    assert (meta.year, meta.date, meta.issuer) == (2022, "2022-03-01", "某某市人民政府办公室")
    assert meta.title == "某某市数字政府建设2022年工作要点"


def test_doc_no_only_inside_a_sentence_is_not_the_document_number():
    meta = detect(_notice("", body="根据《国务院关于某事的意见》（国发〔2016〕55号），"))
    assert meta.doc_no == ""
    assert meta.year == 2022  # from the title


def test_chinese_numeral_date_and_published_fallback():
    text = "某省工作方案\n某办〔2018〕3号\n某省人民政府办公厅\n二〇一八年十二月三十一日\n一、目标\n"
    assert detect(text).date == "2018-12-31"
    page = "某市人民政府\nwww.example.gov.cn\n来源:本网 发布时间:2017-05-06 10:00:00\n某市改革方案(2017—2019年)\n一、目标\n"
    meta = detect(page)
    assert (meta.date, meta.year, meta.title) == ("2017-05-06", 2017, "某市改革方案(2017—2019年)")


def test_nothing_detectable():
    meta = detect("hello world\n")
    assert meta.doc_no == "" and meta.date == "" and meta.year is None
