"""Structure of every seed, checked by hand against the documents (see seeds/INDEX.md)."""

import pytest
from seedlib import seed_doc

from policydiff.read.structure import cn_to_int, match_heading, parse


def _blocks(doc, tag):
    return [n for n in doc.root.iter(tag)]


def test_numerals():
    assert [cn_to_int(s) for s in ("一", "十", "十二", "二十", "三十二", "一百零五")] == [1, 10, 12, 20, 32, 105]


@pytest.mark.parametrize("line,expected", [
    ("一、加快政务服务向基层下沉", ("section", 1)),
    ("（十二）深入推进", ("para", 12)),
    ("7.深化“互联网+监管”", ("point", 7)),
    ("1．明确管理机构", ("point", 1)),
    ("（3）某项", ("subpoint", 3)),
    ("2)四大板块", ("subpoint", 2)),
    ("③某项", ("item", 3)),
])
def test_heading_levels(line, expected):
    h = match_heading(line)
    assert h and (h[0], h[3]) == expected


@pytest.mark.parametrize("line", ["2019年工作要点", "1.1亿用户", "12345热线", "5G网络", "（一）"[:1] + "abc"])
def test_not_headings(line):
    assert match_heading(line) is None


def test_2016_plan():
    doc = seed_doc("2016")
    assert len(_blocks(doc, "section")) == 7
    paras = _blocks(doc, "para")
    assert [p.attrs["eId"] for p in paras][:4] == ["sec_1__para_1", "sec_1__para_2", "sec_1__para_3", "sec_2__para_4"]
    assert len(paras) == 28 and paras[-1].attrs["eId"] == "sec_7__para_28"
    c = {x.eid: x for x in doc.clauses()}
    # （十八）: heading line alone, body on the next line, responsibility at the end of the body
    assert c["sec_5__para_18"].heading == "建设统一的电子政务云平台和省政务数据中心。"
    assert "发展改革委" in " ".join(c["sec_5__para_18"].lead)
    assert doc.meta.doc_no == "粤府办〔2016〕137号" and doc.meta.date == "2016-12-30"


def test_2019_plan_tasks_and_departments():
    doc = seed_doc("2019")
    sections = _blocks(doc, "section")
    assert len(sections) == 6
    clauses = {x.eid: x for x in doc.clauses()}
    tasks = [x for x in doc.clauses() if x.tag == "para"]
    assert [t.eid.split("__")[1] for t in tasks] == [f"para_{i}" for i in range(1, 33)]
    assert all(t.lead for t in tasks), [t.eid for t in tasks if not t.lead]
    assert clauses["sec_1__para_1"].lead == ["省政务服务数据管理局"]
    assert clauses["sec_1__para_2"].support[:3] == ["省公安厅", "省司法厅", "省人力资源社会保障厅"]
    assert clauses["sec_1__para_5"].lead == ["各地级以上市政府"]
    assert clauses["sec_3__para_14"].heading == "大幅压缩不动产登记时间。"
    # the responsibility is structure, not body text
    assert "牵头" not in clauses["sec_1__para_3"].content
    m = doc.meta
    assert (m.doc_no, m.date, m.issuer, m.title) == (
        "粤办函〔2019〕87号", "2019-04-21", "广东省人民政府办公厅", "广东省“数字政府”改革建设2019年工作要点")
    closing = doc.root.find("closing")
    assert closing is not None and doc.slice(closing).startswith("各地、各部门要高度重视")


def test_2021_plan_points():
    doc = seed_doc("2021")
    tasks = [n for n in doc.root.iter("para")]
    assert len(tasks) == 30
    points = {n.attrs["eId"].split("__point_")[0]: 0 for n in doc.root.iter("point")}
    for n in doc.root.iter("point"):
        points[n.attrs["eId"].split("__point_")[0]] += 1
    assert [points.get(f"sec_3__para_{i}", 0) for i in range(11, 17)] == [2, 7, 7, 4, 4, 7]
    assert doc.meta.source_script == "traditional"
    clauses = {x.eid: x for x in doc.clauses()}
    assert clauses["sec_3__para_12__point_7"].heading == "深化“互联网+监管”平台应用。"
    assert clauses["sec_1__intro__p_1"].tag == "p" if "sec_1__intro__p_1" in clauses else True
    assert doc.meta.doc_no == "粤办函〔2021〕44号" and doc.meta.date == "2021-03-25"


def test_jieyang_restarting_numbering_has_unique_ids():
    doc = seed_doc("jieyang")
    assert len(_blocks(doc, "section")) == 5
    ids = [n.attrs["eId"] for n in doc.root.iter() if "eId" in n.attrs]
    assert len(ids) == len(set(ids))
    assert "sec_1__para_1__point_1__subpoint_1" in ids and "sec_3__para_1__point_1" in ids
    clauses = {x.eid: x for x in doc.clauses()}
    # a heading line alone, its body on the following line
    assert clauses["sec_5__para_1"].heading == "加强组织领导"
    assert clauses["sec_5__para_1"].content.strip()
    assert doc.meta.doc_no == "揭府办〔2019〕42号" and doc.meta.issuer == "揭阳市人民政府办公室"


def test_2020_news_sections():
    doc = seed_doc("2020")
    assert doc.layout == "news" and doc.meta.kind == "news"
    sections = [x for x in doc.clauses() if x.tag == "section"]
    assert len(sections) == 5
    assert sections[1].heading == "推动粤省事实名注册用户数突破5000万"
    assert doc.meta.year == 2020 and doc.meta.date == "2020-02-24"
    assert all(x.eid.startswith("sec_") for x in doc.clauses())


def test_skipped_levels_and_repeated_numbers():
    text = "一、总则\n1.第一点。\n1.重复的第一点。\n（一）任务。内容。\n3.跳过的层级。"
    p = parse(text)
    ids = [n.attrs["eId"] for n in p.root.iter() if "eId" in n.attrs]
    assert ids == ["sec_1", "sec_1__point_1", "sec_1__point_1_2", "sec_1__para_1", "sec_1__para_1__point_3"]
