"""Target pairing and classification: classify gives a kind and a structured reason (no prose), which
the model words exactly as the JSON contract always stated it."""

from __future__ import annotations

import pytest
from seedlib import seed_doc

from policydiff.match.compare import compare
from policydiff.match.target_changes import classify
from policydiff.model.changes import Reason, ReasonKind, TargetChangeKind
from policydiff.model.document import Target

K, R = TargetChangeKind, ReasonKind


def t(value, unit="", comparator="ge", metric="实名注册用户", deadline="") -> Target:
    return Target(clause="c", subject="粤省事", metric=metric, comparator=comparator, value=value, unit=unit,
                  deadline=deadline, phrase="", text="")


@pytest.mark.parametrize("old, new, kind, reason, text", [
    (t(1, "万元"), t(1, "亿元"), K.INCOMPARABLE, Reason(R.UNIT, "万元", "亿元"), "unit changed: 万元 → 亿元"),
    (t(1), t(1, "%"), K.INCOMPARABLE, Reason(R.UNIT, "", "%"), "unit changed: — → %"),
    (t(1, metric="日访问量"), t(1, metric="日均活跃用户"), K.INCOMPARABLE,
     Reason(R.METRIC, "日访问量", "日均活跃用户"), "metric changed: 日访问量 → 日均活跃用户"),
    (t(5, comparator="ge"), t(5, comparator="le"), K.INCOMPARABLE, Reason(R.COMPARATOR, "ge", "le"),
     "comparator changed: ge → le"),
    (t(5, comparator="approx"), t(5, comparator="approx"), K.UNCHANGED, Reason(R.APPROXIMATE_SAME),
     "same approximate value"),
    (t(5, comparator="approx"), t(6, comparator="approx"), K.INCOMPARABLE, Reason(R.APPROXIMATE),
     "approximate values"),
    (t(15_000_000), t(110_000_000, comparator="gt"), K.TIGHTENED, Reason(R.VALUE, "1500万", "1.1亿"),
     "1500万 → 1.1亿"),
    (t(3, "工作日", "le"), t(5, "工作日", "le"), K.LOOSENED, Reason(R.VALUE, "3工作日", "5工作日"),
     "3工作日 → 5工作日"),
    (t(3, "工作日", "eq"), t(2, "工作日", "eq"), K.TIGHTENED, Reason(R.VALUE, "3工作日", "2工作日"),
     "3工作日 → 2工作日"),  # time taken: less is more ambitious
    (t(10, "%", "reduce_by"), t(20, "%", "reduce_by"), K.TIGHTENED, Reason(R.VALUE, "10%", "20%"), "10% → 20%"),
    (t(90, "%", "ge"), t(90, "%", "gt"), K.TIGHTENED, Reason(R.STRICTNESS, "ge", "gt"),
     "ge → gt at the same value"),
    (t(90, "%", "lt"), t(90, "%", "le"), K.LOOSENED, Reason(R.STRICTNESS, "lt", "le"), "lt → le at the same value"),
    # the same value with an earlier deadline is tightened, a later one loosened (issue 14)
    (t(1, deadline="2022-12-31"), t(1, deadline="2021-12-31"), K.TIGHTENED, Reason(R.DEADLINE, "2022-12-31", "2021-12-31"),
     "2022-12-31 → 2021-12-31"),
    (t(1, deadline="2021-12-31"), t(1, deadline="2022-12-31"), K.LOOSENED, Reason(R.DEADLINE, "2021-12-31", "2022-12-31"),
     "2021-12-31 → 2022-12-31"),
    # a deadline dropped is neither tighter nor looser
    (t(1, deadline="2021-12-31"), t(1), K.CHANGED, Reason(R.DEADLINE_DROPPED, "2021-12-31"),
     "deadline dropped: 2021-12-31"),
])
def test_classify_gives_a_kind_and_a_structured_reason(old, new, kind, reason, text):
    got_kind, got_reason = classify(old, new)
    assert (got_kind, got_reason) == (kind, reason)
    assert isinstance(got_kind, TargetChangeKind) and isinstance(got_reason, Reason)
    assert got_reason.text == text


@pytest.fixture(scope="module")
def comparisons():
    return [compare(seed_doc(a), seed_doc(b)) for a, b in (("2016", "2019"), ("2019", "2021"), ("2019", "jieyang"))]


def test_reasons_in_json_are_the_model_wording(comparisons):
    kinds = set()
    for cmp in comparisons:
        data = cmp.to_dict()
        for tc, d in zip(cmp.targets, data["targets"], strict=True):
            kinds.add(tc.reason.kind)
            assert type(d["reason"]) is str and d["reason"] == tc.reason.text
            assert type(d["change"]) is str and d["change"] == tc.change.value
            if tc.change in (K.ADDED, K.DROPPED):
                assert d["reason"] == ""
            if tc.reason.across_clauses:
                assert d["reason"].endswith(" (across clauses)")
        for line in data["summary"]["tightened"] + data["summary"]["loosened"]:
            assert type(line["reason"]) is str and type(line["change"]) is str
    assert ReasonKind.VALUE in kinds and ReasonKind.NONE in kinds


def test_trajectory_steps_keep_their_json_shape():
    from policydiff.match.trajectory import trajectories

    docs = [seed_doc(k) for k in ("2019", "2020", "2021")]
    steps = [c for tr in trajectories(docs, query=["粤省事", "实名"]) for c in tr.changes]
    assert steps == [{"from": 2019, "to": 2020, "change": "tightened", "reason": "1500万 → 5000万"},
                     {"from": 2020, "to": 2021, "change": "tightened", "reason": "5000万 → 1.1亿"}]
    assert all(type(c["change"]) is str and type(c["reason"]) is str for c in steps)
