"""Corrections by hand replayed on the seeds: 2019 （十八） 在线行政执法 continues in 2021 （十二）7.;
2019 （二十六） 粤政图 is not the 2021 task the scores chose."""

from __future__ import annotations

import copy

import pytest
from seedlib import seed_doc

from policydiff.errors import UsageProblem
from policydiff.match.compare import compare
from policydiff.match.corrections import check_names
from policydiff.model.corrections import ClauseRef, Correction, active

OLD, NEW = "gd-digital-gov@2019", "gd-digital-gov@2021"


@pytest.fixture(scope="module")
def docs():
    old, new = copy.copy(seed_doc("2019")), copy.copy(seed_doc("2021"))
    old.meta = copy.copy(old.meta)
    new.meta = copy.copy(new.meta)
    old.meta.series = new.meta.series = "gd-digital-gov"
    return old, new


def _with(doc, *fixes):
    out = copy.copy(doc)
    out.corrections = list(fixes)
    return out


def _match_of(cmp, old_eid):
    return next(m for m in cmp.matches if old_eid in m.old)


def test_link_turns_a_drop_into_a_continuation(docs):
    old, new = docs
    assert _match_of(compare(old, new), "sec_4__para_18").status == "dropped"
    fix = Correction(1, "link", f"{OLD}:sec_4__para_18", f"{NEW}:（十二）7.", "在线行政执法 continues")
    m = _match_of(compare(_with(old, fix), new), "sec_4__para_18")
    assert m.new == ["sec_3__para_12__point_7"] and m.status == "merged"
    assert m.evidence["corrected"] is True and m.evidence["correction"] == "在线行政执法 continues"
    assert m.to_dict()["evidence"]["corrected"] is True


def test_unlink_breaks_a_wrong_match_and_says_so(docs):
    old, new = docs
    before = _match_of(compare(old, new), "sec_5__para_26")
    assert before.new, "the scores pair 2019 （二十六） with some 2021 task"
    fix = Correction(2, "unlink", f"{OLD}:（二十六）", f"{NEW}:{before.new[0]}", "粤政图 is another programme")
    cmp = compare(_with(old, fix), new)
    after = _match_of(cmp, "sec_5__para_26")
    assert after.status == "dropped" and after.evidence["corrected"] is True
    freed = next(m for m in cmp.matches if m.new == before.new)
    assert freed.status == "added" and freed.evidence["corrected"] is True


def test_undo_restores_the_output(docs):
    old, new = docs
    link = Correction(1, "link", f"{OLD}:sec_4__para_18", f"{NEW}:（十二）7.", "")
    undo = Correction(2, "undo", undoes=1)
    assert active([link, undo]) == []
    plain = compare(old, new).to_dict()
    assert compare(_with(old, *active([link, undo])), new).to_dict() == plain


def test_corrections_of_other_versions_change_nothing(docs):
    old, new = docs
    other = Correction(1, "link", "gd-digital-gov@2016:（一）", f"{NEW}:（一）", "")
    assert compare(_with(old, other), new).to_dict() == compare(old, new).to_dict()


def test_a_clause_that_does_not_exist_is_a_clear_error(docs):
    old, _new = docs
    with pytest.raises(UsageProblem, match="no task '（九十九）' in gd-digital-gov@2019"):
        check_names(old, "（九十九）")
    assert check_names(old, "（十八）") == "sec_4__para_18"
    with pytest.raises(UsageProblem, match="SERIES@YEAR:CLAUSE"):
        ClauseRef.parse("gd-digital-gov-2019-sec_4")
