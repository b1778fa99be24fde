"""Target model v3 through the pipeline: XML attributes, the JSON form, every part of a document,
the rule list, and malformed input that must never raise."""

import json
from decimal import Decimal

from policydiff.model import planxml
from policydiff.model.document import DocMeta, Target
from policydiff.read.pipeline import process
from policydiff.read.targets import RULES, extract, find_targets
from policydiff.read.version import NORMALIZER_VERSION

PLAN = """广东省某某工作要点

2022年，全省政务服务事项全程网办率达到80%—90%，培育50家数据要素型企业。

一、主要任务

（一）优化政务服务。政务服务事项网上可办率由60%提高到80%，工程建设项目审批时间再减一半，数据要素市场规模翻一番。（省政务服务数据管理局牵头）

（二）压缩办理时限。2021年13月底前，企业开办时间压缩至1—个工作日内，不动产登记事项不少于?0项，网上办理率提高百分之1.2.3。
"""


def _doc():
    return process(PLAN, DocMeta(year=2022))


def test_new_fields_survive_the_xml_and_validate():
    doc = _doc()
    back = planxml.from_bytes(planxml.to_bytes(doc))
    assert [t.to_dict() for t in back.targets()] == [t.to_dict() for t in doc.targets()]
    got = {(t.comparator, t.value, t.value_high, t.baseline, t.implicit) for t in back.targets()}
    assert ("range", Decimal(80), Decimal(90), None, False) in got
    assert ("ge", Decimal(50), None, None, True) in got
    assert ("ge", Decimal(80), None, Decimal(60), False) in got
    assert ("reduce_by", Decimal(50), None, None, False) in got
    assert ("increase_by", Decimal(100), None, None, False) in got


def test_targets_of_the_preamble_count_too():
    preamble = [t for t in _doc().targets() if t.clause.startswith("preamble")]
    assert [(t.comparator, t.value) for t in preamble] == [("range", Decimal(80)), ("ge", Decimal(50))]
    assert all(t.deadline == "2022-12-31" for t in preamble)


def test_json_keys():
    t = _doc().targets()[0].to_dict()
    assert list(t) == ["clause", "subject", "metric", "comparator", "value", "unit", "deadline", "text",
                       "value_high", "baseline", "implicit"]
    assert (t["value"], t["value_high"], t["baseline"], t["implicit"]) == (80, 90, None, False)
    assert json.loads(json.dumps(Target("c", "", "", "le", Decimal("1.5"), "工作日", "", "", "").to_dict()))["value"] == 1.5


def test_malformed_dates_and_numbers_are_skipped_never_raised():
    doc = _doc()
    task = [t for t in doc.targets() if t.clause == "sec_1__para_2"]
    assert [(t.comparator, t.value, t.unit, t.deadline) for t in task] == [("le", Decimal(1), "工作日", "")]
    detail = next(s.detail for s in doc.steps if s.name == "targets")  # said, and kept in the XML
    for why in ("impossible deadline 2021-13", "a digit next to a damaged character", "malformed number 1.2.3",
                "a range dash without its upper end"):
        assert why in detail, (why, detail)
    assert doc.meta.normalizer == NORMALIZER_VERSION and NORMALIZER_VERSION.startswith("4.")


def test_values_are_exact_decimals():
    text = "实名注册用户突破1.1亿，日均访问次数突破1,800万次，资金2.3万元"
    assert [f.value for f in find_targets(text, 0, len(text))] == [Decimal(110000000), Decimal(18000000),
                                                                   Decimal(23000)]


def test_rules_are_named_and_recorded_and_can_be_switched_off():
    text = "目前全市已整合各类政务服务热线45条"
    state = extract(text, 0, len(text))
    assert [name for name, _n in state.log] == RULES.names()
    assert not state.alive() and state.quantities[0].dropped == "a report of the present state"
    RULES.disable("reports")
    try:
        assert [q.value for q in extract(text, 0, len(text)).alive()] == [Decimal(45)]
    finally:
        RULES.enable("reports")


def test_targets_and_archive_add_take_a_malformed_date_with_a_warning(tmp_path):
    from hostile import assert_ok, run_cli

    path = tmp_path / "plan.txt"
    path.write_text("广东省2021年工作要点\n一、任务\n（一）2021年13月底前，网上可办率达到95%以上，"
                    "网上办理率提高百分之1.2.3。\n", encoding="utf-8")
    arch = tmp_path / "archive"
    assert_ok(run_cli(arch, "archive", "add", path, "--series", "mal"))  # stored, the warning in its XML
    for args in (["targets", path, "--format", "json"], ["targets", "mal@2021", "--format", "csv"]):
        r = run_cli(arch, *args)
        assert_ok(r)
        assert "impossible deadline 2021-13" in r.err and "malformed number 1.2.3" in r.err, r
    data = json.loads(run_cli(arch, "targets", path, "--format", "json").out)
    assert [(t["comparator"], t["value"], t["deadline"]) for t in data] == [("ge", 95, None)]
