"""The change model: enums that serialise as today's strings, reasons worded exactly as the JSON
contract states them, and the typed fields renderers read instead of re-deriving them."""

from __future__ import annotations

import json

import pytest

from policydiff.model.changes import (
    STATUSES,
    TARGET_CHANGES,
    ClauseChange,
    Comparison,
    DocInfo,
    Reason,
    ReasonKind,
    Status,
    TargetChange,
    TargetChangeKind,
)
from policydiff.model.document import Target

#: the strings of the JSON contract, in the order summaries list them
STATUS_STRINGS = ("unchanged", "modified", "moved", "split", "merged", "added", "dropped", "not_mentioned")
TARGET_STRINGS = ("tightened", "loosened", "unchanged", "added", "dropped", "incomparable", "deadline_earlier",
                  "deadline_later", "mixed", "changed")


def _target(clause="sec_1__para_1", value=15_000_000.0, unit="", comparator="ge") -> Target:
    return Target(clause=clause, subject="粤省事", metric="实名注册用户", comparator=comparator, value=value,
                  unit=unit, deadline="", phrase="达", text="达1500万")


# --------------------------------------------------------------------------- enums


def test_enum_values_are_the_json_strings_in_order():
    assert [s.value for s in STATUSES] == list(STATUS_STRINGS)
    assert [c.value for c in TARGET_CHANGES] == list(TARGET_STRINGS)
    assert tuple(Status) == STATUSES and tuple(TargetChangeKind) == TARGET_CHANGES


@pytest.mark.parametrize("enum, text", [(Status, s) for s in STATUS_STRINGS]
                         + [(TargetChangeKind, c) for c in TARGET_STRINGS])
def test_enum_round_trip_through_json(enum, text):
    member = enum(text)
    assert member == text and str(member) == text and f"{member}" == text and hash(member) == hash(text)
    assert json.dumps(member) == json.dumps(text)
    assert json.dumps({member: [member]}) == json.dumps({text: [text]})
    assert enum(json.loads(json.dumps(member))) is member
    assert {text: 1}[member] == 1 and {member: 1}[text] == 1  # a str key and an enum key are one key


def test_unknown_strings_are_refused():
    with pytest.raises(ValueError):
        Status("matched")  # the aligner's word, never a status of the change model
    with pytest.raises(ValueError):
        TargetChangeKind("worse")
    with pytest.raises(ValueError):
        ClauseChange(old=["a"], new=["b"], status="renamed", score=1.0, evidence={})


# --------------------------------------------------------------------------- reasons


@pytest.mark.parametrize("reason, text", [
    (Reason(), ""),
    (Reason(ReasonKind.UNIT, "万元", "亿元"), "unit changed: 万元 → 亿元"),
    (Reason(ReasonKind.UNIT, "", "%"), "unit changed: — → %"),
    (Reason(ReasonKind.UNIT, "个", ""), "unit changed: 个 → —"),
    (Reason(ReasonKind.METRIC, "日访问量", "日均活跃用户"), "metric changed: 日访问量 → 日均活跃用户"),
    (Reason(ReasonKind.COMPARATOR, "ge", "le"), "comparator changed: ge → le"),
    (Reason(ReasonKind.APPROXIMATE), "approximate values"),
    (Reason(ReasonKind.APPROXIMATE_SAME), "same approximate value"),
    (Reason(ReasonKind.VALUE, "1500万", "1.1亿"), "1500万 → 1.1亿"),
    (Reason(ReasonKind.STRICTNESS, "ge", "gt"), "ge → gt at the same value"),
    (Reason(ReasonKind.DEADLINE, "2022年底", "2021年底"), "2022年底 → 2021年底"),
    (Reason(ReasonKind.VALUE, "3工作日", "5工作日", across_clauses=True), "3工作日 → 5工作日 (across clauses)"),
    (Reason(across_clauses=True), " (across clauses)"),
])
def test_reason_wording(reason, text):
    assert reason.text == text
    assert reason.given == bool(text)


def test_every_reason_kind_is_worded():
    for kind in ReasonKind:
        r = Reason(kind, "a", "b")
        assert isinstance(r.text, str)
        assert r.given == (kind is not ReasonKind.NONE)
        assert r.across().text == r.text + " (across clauses)"


def test_reason_is_a_value():
    assert Reason("value", "1", "2") == Reason(ReasonKind.VALUE, "1", "2")
    assert Reason("value", "1", "2").kind is ReasonKind.VALUE
    assert len({Reason(), Reason(ReasonKind.NONE)}) == 1
    with pytest.raises(ValueError):
        Reason("vibes")


# --------------------------------------------------------------------------- clause changes

CLAUSE_KEYS = ["old", "new", "status", "score", "evidence", "diff", "old_num", "new_num", "old_heading",
               "new_heading", "old_text", "new_text", "section", "section_heading", "departments"]


def _split() -> ClauseChange:
    return ClauseChange(old=["sec_1__para_4"], new=["sec_2__para_3", "sec_2__para_4"], status="split", score=0.5,
                        evidence={"moved": True, "shared_anchors": ["河长"]}, diff=[["=", "拆分"], ["+", "\n另一半"]],
                        old_nums=["（四）"], new_nums=["1.", "2."], old_text="拆分", new_text="拆分\n另一半",
                        departments={"lead_added": ["省政务服务数据管理局"]})


def test_clause_change_json_has_exactly_the_documented_keys():
    m = _split()
    d = m.to_dict()
    assert list(d) == CLAUSE_KEYS
    assert type(d["status"]) is str and d["status"] == "split"
    assert d["old_num"] == "（四）" and d["new_num"] == "1. 2."
    # a copy: changing the JSON form never changes the model
    d["evidence"]["shared_anchors"].append("x")
    d["departments"]["lead_added"].clear()
    d["new"].append("x")
    assert m.evidence["shared_anchors"] == ["河长"] and m.departments["lead_added"] and len(m.new) == 2


def test_numbers_line_up_with_the_eids():
    m = _split()
    assert m.status is Status.SPLIT
    assert m.old_numbered() == [("（四）", "sec_1__para_4")]
    assert m.new_numbered() == [("1.", "sec_2__para_3"), ("2.", "sec_2__para_4")]
    # an unnumbered clause keeps its place (the JSON join cannot say which one it was)
    m.new_nums = ["", "2."]
    assert m.new_numbered() == [("", "sec_2__para_3"), ("2.", "sec_2__para_4")]
    # numbers that do not line up (a hand-built change) all go with the first clause
    m.new_nums = ["1."]
    assert m.new_numbered() == [("1.", "sec_2__para_3"), ("", "sec_2__para_4")]
    m.new_nums = []
    assert m.new_numbered() == [("", "sec_2__para_3"), ("", "sec_2__para_4")]


def test_modified_sides_and_share():
    m = ClauseChange(old=["a"], new=["b"], status="moved", score=1.0, evidence={},
                     diff=[["=", "移动的条款"], ["-", "旧词"], ["+", "新词"]], old_text="移动的条款旧词",
                     new_text="移动的条款新词")
    assert m.modified
    assert m.old_side == [("=", "移动的条款"), ("-", "旧词")]
    assert m.new_side == [("=", "移动的条款"), ("+", "新词")]
    assert m.changed_share == pytest.approx(4 / 9)
    same = ClauseChange(old=["a"], new=["b"], status="moved", score=1.0, evidence={"renumbered": "（九） → （二）"},
                        diff=[["=", "未变"]], old_text="未变", new_text="未变")
    assert not same.modified and same.changed_share == 0.0 and same.renumbered == "（九） → （二）"
    # a redline that does not rebuild a side's text: that side is shown as its plain text
    off = ClauseChange(old=["a"], new=["b"], status="modified", score=1.0, evidence={},
                       diff=[["-", "x"], ["+", "y"]], old_text="旧", new_text="y")
    assert off.old_side == [("=", "旧")] and off.new_side == [("+", "y")]
    added = ClauseChange(old=[], new=["b"], status="added", score=0.0, evidence={}, new_text="新")
    assert not added.modified and added.old_side == [] and added.new_side == [("=", "新")]
    assert added.renumbered == ""


# --------------------------------------------------------------------------- target changes and comparisons


def test_target_change_json_and_clauses():
    a, b = _target(), _target(clause="sec_2__para_1", value=110_000_000.0, comparator="gt")
    t = TargetChange(a, b, "tightened", Reason(ReasonKind.VALUE, "1500万", "1.1亿"))
    assert t.change is TargetChangeKind.TIGHTENED
    assert (t.old_clause, t.new_clause) == ("sec_1__para_1", "sec_2__para_1")  # from the targets
    d = t.to_dict()
    assert list(d) == ["old", "new", "change", "reason", "score", "evidence"]  # new keys only after the old
    assert type(d["change"]) is str and d["change"] == "tightened" and d["reason"] == "1500万 → 1.1亿"
    dropped = TargetChange(a, None, TargetChangeKind.DROPPED)
    assert dropped.to_dict()["reason"] == "" and dropped.to_dict()["new"] is None
    assert (dropped.old_clause, dropped.new_clause) == ("sec_1__para_1", "")
    given = TargetChange(a, b, "unchanged", Reason(), "sec_9", "sec_8")
    assert (given.old_clause, given.new_clause) == ("sec_9", "sec_8")


def test_comparison_counts_come_from_the_summary():
    info = DocInfo(ref="r", series="s", year=2019, kind="plan", doc_no="", title="t")
    cmp = Comparison(info, info, [_split()], [], [], {"counts": {"split": 1, "added": 2},
                                                     "target_changes": {"tightened": 3}})
    assert list(cmp.counts) == list(STATUSES) and cmp.counts[Status.SPLIT] == 1 and cmp.counts["added"] == 2
    assert sum(cmp.counts.values()) == 3
    assert list(cmp.target_counts) == list(TARGET_CHANGES) and cmp.target_counts["tightened"] == 3
    cmp.summary = {}
    assert set(cmp.counts.values()) == {0} and set(cmp.target_counts.values()) == {0}
    assert cmp.clause_numbers() == ({"sec_1__para_4": "（四）"}, {"sec_2__para_3": "1.", "sec_2__para_4": "2."})
    d = cmp.to_dict()
    assert list(d) == ["old", "new", "matches", "containers", "targets", "summary"]
    assert list(d["matches"][0]) == CLAUSE_KEYS
