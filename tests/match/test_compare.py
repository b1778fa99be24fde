"""`match.compare`: no responsibility change is computed against a news summary, whoever calls it."""

from __future__ import annotations

import copy

import pytest
from seedlib import seed_doc

from policydiff.match import compare as compare_mod
from policydiff.match.compare import compare, states_responsibility


def _responsibility_changes(cmp) -> tuple[int, int]:
    """(matches with a department change, summary responsibility lines)."""
    return sum(1 for m in [*cmp.matches, *cmp.containers] if m.departments), len(cmp.summary["responsibilities"])


@pytest.mark.parametrize("old, new", [("2019", "2020"), ("2020", "2021")])
def test_no_responsibility_change_against_news(old, new, monkeypatch):
    cmp = compare(seed_doc(old), seed_doc(new))
    assert _responsibility_changes(cmp) == (0, 0)
    assert [m for m in cmp.matches if m.old and m.new]  # news is matched to plan tasks all the same
    # without the rule the plan's departments would all read as removed or added (the artefact)
    monkeypatch.setattr(compare_mod, "states_responsibility", lambda doc: True)
    artefacts = compare(seed_doc(old), seed_doc(new))
    assert artefacts.summary["responsibilities"]


def test_news_layout_counts_as_news_whatever_its_kind():
    news = copy.deepcopy(seed_doc("2020"))
    news.meta.kind = "plan"  # archived as a plan, but read as a news summary (layout "news")
    assert news.layout == "news" and not states_responsibility(news)
    assert _responsibility_changes(compare(seed_doc("2019"), news)) == (0, 0)


def test_plans_still_compare_responsibilities():
    assert states_responsibility(seed_doc("2019")) and states_responsibility(seed_doc("2021"))
    changed, lines = _responsibility_changes(compare(seed_doc("2019"), seed_doc("2021")))
    assert changed > 0 and lines > 0


def test_compare_by_hand_on_the_archive_agrees(cli, tmp_path):
    """`policydiff compare` on the bundled 2019 plan and 2020 news summary (the report's pair)."""
    import json

    from seedlib import REPO

    code, out, err = cli("--archive", REPO / "docs_archive", "compare", "gd-digital-gov@2019",
                         "gd-digital-gov@2020", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["summary"]["responsibilities"] == []
    assert all(m["departments"] == {} for m in data["matches"])
