"""Cleaning against the damage mirror sites do (domain notes), beyond the seeds."""

from __future__ import annotations

import pytest

from policydiff.read.clean import clean


@pytest.mark.parametrize(("damaged", "want"), [
    ("關(guān)于印發", "关于印发"),  # toned
    ("會(huì )議", "会议"),  # toned, a space before the bracket
    ("推進(jin)數據共享", "推进数据共享"),  # toneless
    ("政府的(de)工作和(hé)任務", "政府的工作和任务"),  # neutral tone and toned
    ("數字化(huà)(huà)轉型", "数字化转型"),  # repeated annotation
    ("魯(lu)政字〔2023〕5號", "鲁政字〔2023〕5号"),  # inside a 文号
    ("(二(er))推進", "（二）推进"),  # inside a task number
    ("局域網(wǎng)(EUHT)", "局域网（EUHT）"),  # an annotation, then a real parenthesis
])
def test_every_pinyin_annotation_goes(damaged, want):
    assert clean(damaged).text == want


@pytest.mark.parametrize("kept", ["建设信息模型(BIM)平台", "首席数据官(CDO)制度", "推广“粤安居”(粵安居)应用",
                                  "服务事项(不含新冠肺炎疫情防控服务)", "推广(App)应用"])
def test_real_parentheses_survive(kept):
    out = clean(kept).text
    inner = kept[kept.index("(") + 1:kept.index(")")]
    assert inner in out or clean(inner).text in out


def test_t2s_leftovers_follow_the_phrase_table():
    assert clean("著力推動著數字政府建設").text == "着力推动着数字政府建设"
    assert "显著" in clean("效果顯著").text  # 显著 is right as it is


def test_spliced_spam_is_flagged_and_kept():
    c = clean("提升“苏服办”HG0088效能，推进bet365标准化，建设5G网络和700M专网")
    assert [c.text[s.start:s.end] for s in c.suspects] == ["HG0088", "bet365"]
    assert {s.reason for s in c.suspects} == {"spliced-latin"}


def test_mojibake_in_traditional_text_is_kept_byte_for_byte():
    mojibake = "推进政务服务标准化规范化便利化建设".encode().decode("gbk", errors="replace")
    c = clean("（一）加強組織領導。" + mojibake + "。實現全覆蓋。")
    assert c.text.startswith("（一）加强组织领导。") and mojibake in c.text
    assert [c.text[s.start:s.end] for s in c.suspects] == [mojibake]


def test_the_normalizer_version_follows_the_lexicons():
    from policydiff import lexicon
    from policydiff.read.version import NORMALIZER_VERSION, RULES_VERSION

    assert NORMALIZER_VERSION == f"{RULES_VERSION}.{lexicon.digest()}"
