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


_ACROSS_OLD = ("一、总体要求\n（一）优化营商环境，推进企业开办便利化。“粤省事”注册用户达到1500万。"
               "政务服务事项网上可办率达到90%。\n（二）加强政务数据治理，完善数据资源目录，新增开放数据集500个。")
_ACROSS_NEW = ("一、重点任务\n（一）深化移动政务应用，拓展服务场景，“粤省事”注册用户突破5000万。\n"
               "（二）建设城市运行管理中心，提升城市治理能力，政务服务事项网上可办率超过95%。")


def test_a_commitment_is_followed_across_unrelated_clauses():
    """Tasks rewritten beyond matching still carry their commitments: the same alias across the
    document is one target (粤省事 users 1500万 → 5000万: tightened)."""
    from policydiff.read.pipeline import process

    cmp = compare(process(_ACROSS_OLD), process(_ACROSS_NEW))
    assert not any(m.old and m.new for m in cmp.matches)
    across = [(t.change, t.old.text, t.new.text) for t in cmp.targets if t.evidence.get("clause") == "across"]
    assert (TargetChangeKind.TIGHTENED, "达到1500万", "突破5000万") in across


@pytest.mark.parametrize(("old", "new"), [("2016", "2019"), ("2019", "2021"), ("2016", "2021"), ("2019", "jieyang"),
                                          ("across", "across")])
def test_pairing_across_the_document_tries_only_what_it_can_accept(old, new, monkeypatch):
    """Across the document, new targets are tried by alias and subject buckets: the same changes
    as trying every old × new pair (which was quadratic on a large plan reworded throughout)."""
    from policydiff.match import target_changes
    from policydiff.read.pipeline import process

    docs = (process(_ACROSS_OLD), process(_ACROSS_NEW)) if old == "across" else (seed_doc(old), seed_doc(new))

    def every_pair(olds, news, _ctx):
        return {i: list(range(len(news))) for i in range(len(olds))}

    def view(cmp):
        return [(t.change, t.reason, t.old and t.old.text, t.new and t.new.text, t.old_clause, t.new_clause, t.score)
                for t in cmp.targets]

    blocked = view(compare(*docs))
    monkeypatch.setattr(target_changes, "_across_candidates", every_pair)
    assert view(compare(*docs)) == blocked
