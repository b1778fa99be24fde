"""The redline's bounded work: long clauses without sentence marks get a coarser redline, exact
and in near-linear work, never a stall (issue 17 item 16)."""

from __future__ import annotations

import random

import pytest

from policydiff.match import redline
from policydiff.match.redline import FINE_MAX, token_diff


def _text(n: int, seed: int) -> str:
    """n characters of plan-like Chinese without a sentence mark (a table cell, a long list)."""
    rng = random.Random(seed)
    words = "推进政务服务数据共享平台建设完善一体化在线办理事项标准规范提升网上可办率覆盖省市县镇村五级"
    return "".join(rng.choice(words) for _ in range(n))


def _exact(old: str, new: str, diff: list[list[str]]) -> None:
    assert "".join(t for op, t in diff if op != "+") == old
    assert "".join(t for op, t in diff if op != "-") == new


@pytest.fixture
def runs(monkeypatch):
    """The sizes (old × new units) of every run handed to diff-match-patch."""
    seen: list[int] = []
    real = redline._dmp

    def spy(a, b):
        seen.append(len(a) * len(b))
        return real(a, b)

    monkeypatch.setattr(redline, "_dmp", spy)
    return seen


@pytest.mark.parametrize("n", [5_000, 20_000])
def test_long_clauses_without_marks_are_bounded_and_exact(n, runs):
    old = _text(n, 1)
    new = old[: n // 3] + "新增粤省事事项" + old[n // 3 + 40: 2 * n // 3] + old[2 * n // 3 + 7:]
    diff = token_diff(old, new)
    _exact(old, new, diff)
    assert runs and max(runs) <= FINE_MAX
    changed = sum(len(t) for op, t in diff if op != "=")
    assert changed < n // 2  # an edit in the middle stays an edit in the middle


def test_unrelated_long_clauses_are_replaced_whole_within_the_bound(runs):
    old, new = _text(20_000, 2), _text(20_000, 3)
    diff = token_diff(old, new)
    _exact(old, new, diff)
    assert max(runs) <= FINE_MAX


def test_anchors_keep_order_and_appear_once():
    a = list("甲乙丙丁戊己庚辛")
    b = list("乙丁甲戊辛庚")
    pairs = redline._anchors(a, b)
    assert [i for i, _ in pairs] == sorted(i for i, _ in pairs)
    assert [j for _, j in pairs] == sorted(j for _, j in pairs)
    assert all(a[i] == b[j] for i, j in pairs)


def test_short_clauses_keep_the_fine_redline():
    old = "到2021年底，粤省事注册用户达到5000万。"
    new = "到2021年底，粤省事注册用户突破1.1亿。"
    diff = token_diff(old, new)
    _exact(old, new, diff)
    assert diff[0] == ["=", "到2021年底，粤省事注册用户"]
    assert "5000万" in "".join(t for op, t in diff if op == "-") and ["+", "突破1.1亿"] in diff
