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


# ------------------------------------------------------------- news paragraphs cited readably
@pytest.mark.parametrize("old, new", [("2019", "2020"), ("2020", "2021")])
def test_news_paragraphs_carry_their_labels(old, new):
    """Issue 16: a news paragraph (no printed number) is cited as lineage and the report cite it,
    「heading」第N段 (`news_labels`), in old_num/new_num, in the summary and in the clause numbers;
    the JSON keys stay what they were."""
    from policydiff.model.document import news_labels

    old_doc, new_doc = seed_doc(old), seed_doc(new)
    news_doc, side = (new_doc, "new") if new == "2020" else (old_doc, "old")
    labels = news_labels(news_doc)
    cmp = compare(old_doc, new_doc)
    cited = [(e, n) for m in cmp.matches for n, e in getattr(m, f"{side}_numbered")()]
    assert cited and all(n == labels[e] for e, n in cited), [c for c in cited if c[1] != labels.get(c[0])]
    assert any("」第2段" in n for _e, n in cited)
    plan_side = "old" if side == "new" else "new"
    plan_nums = [n for m in cmp.matches for n, _e in getattr(m, f"{plan_side}_numbered")()]
    assert plan_nums and not any(n.endswith("段") for n in plan_nums), plan_nums  # plans keep their numbers
    tasks = cmp.summary["new_tasks" if side == "new" else "dropped_tasks"]
    assert tasks and all(t["num"] == labels[t["clause"]] for t in tasks)
    assert cmp.clause_numbers()[0 if side == "old" else 1] == dict((e, n) for e, n in cited)
    d = cmp.to_dict()["matches"][0]
    assert list(d) == ["old", "new", "status", "score", "evidence", "diff", "old_num", "new_num", "old_heading",
                       "new_heading", "old_text", "new_text", "section", "section_heading", "departments"]


def test_plans_are_cited_by_their_numbers_only():
    """news_labels names only a news summary's paragraphs: two plans keep their printed numbers."""
    cmp = compare(seed_doc("2019"), seed_doc("2021"))
    assert not [m for m in cmp.matches if "段" in m.old_num + m.new_num]


def test_compare_outputs_cite_news_paragraphs(cli):
    """JSON, Markdown and HTML of `policydiff compare` 2019 → 2020 (news) name its paragraphs as the
    report does, never by a bare eId."""
    import json

    from seedlib import REPO

    from policydiff.series.report import compute

    refs = ("--archive", REPO / "docs_archive", "compare", "gd-digital-gov@2019", "gd-digital-gov@2020")
    outs = {}
    for fmt in ("json", "md", "html"):
        code, outs[fmt], err = cli(*refs, "--format", fmt)
        assert code == 0, err
    matches = json.loads(outs["json"])["matches"]
    moved = next(m for m in matches if m["new"] == ["sec_2__p_3"])
    assert moved["new_num"] == "「推动粤省事实名注册用户数突破5…」第3段" and moved["old_num"] == "（二十四）"
    assert all(m["new_num"] for m in matches if m["new"])  # every news paragraph has a name
    # the report's 2019 → 2020 page cites the same names
    page = compute(str(REPO / "docs_archive"), "gd-digital-gov").lineage.comparisons[1]
    assert [m.new_num for m in page.matches] == [m["new_num"] for m in matches]
    assert "「推动粤省事实名注册用户数突破5…」第3段" in outs["md"]
    assert "「推动粤省事实名注册用户数突破5…」第3段" in outs["html"]
