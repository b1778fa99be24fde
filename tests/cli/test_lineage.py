"""`policydiff lineage`: news paragraphs are named as the report names them (heading + place),
never by their raw ids, in the table; JSON keeps the eIds and adds the names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policydiff.cli.doc_cmds import _fit_label
from policydiff.model.document import news_labels
from policydiff.model.formats import display_width
from policydiff.store.archive import Archive
from policydiff.store.loader import load_version

REPO = Path(__file__).resolve().parents[2]
ARCHIVE = REPO / "docs_archive"
RAW_NEWS_ID = re.compile(r"\bsec_\d+__p_\d+\b|\bp_\d+\b")


@pytest.fixture(scope="module")
def news():
    """eId → label of the bundled 2020 news summary, by the function the report uses."""
    arch = Archive(ARCHIVE)
    return news_labels(load_version(arch, arch.resolve("gd-digital-gov@2020")))


def test_table_names_news_paragraphs_by_heading_and_place(cli):
    code, out, err = cli("--archive", ARCHIVE, "lineage", "gd-digital-gov")
    assert code == 0, err
    assert not RAW_NEWS_ID.search(out), out
    rows = {ln.split()[0]: ln for ln in out.splitlines()[2:]}
    # 2019 （十二） → 2021 （十二）7. through the paragraph the README names sec_2__p_4 no more
    assert re.search(r"（十二）\s+「推动粤省事实名注[^」]*」第4段\s+（十二）7\.", rows["L38"])
    assert sum(len(re.findall(r"」第\d+段", ln)) for ln in rows.values()) >= 20


def test_json_keeps_eids_and_adds_labels(cli, news):
    code, out, err = cli("--archive", ARCHIVE, "lineage", "gd-digital-gov", "--format", "json")
    assert code == 0, err
    lineages = json.loads(out)["lineages"]
    with_news = [ln for ln in lineages if ln["cells"].get("2020")]
    assert with_news
    for ln in lineages:
        assert set(ln["labels"]) == set(ln["cells"])
        assert all(len(ln["labels"][v]) == len(ids) for v, ids in ln["cells"].items())
    for ln in with_news:
        assert all(RAW_NEWS_ID.fullmatch(e) for e in ln["cells"]["2020"])  # the eIds stay
        assert ln["labels"]["2020"] == [news[e] for e in ln["cells"]["2020"]]  # the report's names
    l38 = next(ln for ln in lineages if "sec_2__p_4" in ln["cells"].get("2020", []))
    assert l38["labels"]["2021"] == ["（十二）7."] and l38["labels"]["2020"][0].endswith("」第4段")


def test_api_lineage_carries_the_same_names(news):
    from policydiff.series.report import series_lineage

    lin = series_lineage(str(ARCHIVE), "gd-digital-gov")
    assert lin.numbers["2020"] == {**lin.numbers["2020"], **news}
    assert lin.label("2020", "sec_2__p_4") == news["sec_2__p_4"]
    assert lin.label("2020", "no_such_clause") == "no_such_clause"


def test_fit_label_keeps_the_place():
    label = "「推出“湾区通”，提供超200个…」第5段"
    short = _fit_label(label, 26)
    assert short.endswith("…」第5段") and short.startswith("「推出") and display_width(short) <= 26
    assert _fit_label("「用大数据抗疫」第2段", 26) == "「用大数据抗疫」第2段"
    assert _fit_label("（十二）7.", 4) == "（十二）7."
