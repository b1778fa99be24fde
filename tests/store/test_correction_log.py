"""The correction log: append-only, concurrent appends lose nothing, a damaged line is named."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from policydiff.errors import PolicydiffError
from policydiff.store import corrections


def test_append_read_and_undo(tmp_path):
    a = corrections.append(tmp_path, "link", old="s@2019:（一）", new="s@2021:（二）", why="same task")
    b = corrections.append(tmp_path, "unlink", old="s@2019:（三）", new="s@2021:（三）")
    u = corrections.append(tmp_path, "undo", undoes=a.id, why="wrong")
    assert [c.id for c in corrections.read(tmp_path)] == [1, 2, 3]
    assert [c.id for c in corrections.in_force(tmp_path)] == [b.id]
    assert u.undoes == 1 and u.author and u.at.endswith("Z")
    with pytest.raises(PolicydiffError, match="already undone"):
        corrections.append(tmp_path, "undo", undoes=1)
    with pytest.raises(PolicydiffError, match="no correction #9"):
        corrections.append(tmp_path, "undo", undoes=9)
    lines = (tmp_path / corrections.LOG).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["why"] == "same task"


def _add(args):
    root, k = args
    return corrections.append(root, "link", old=f"s@2019:（{k}）", new=f"s@2021:（{k}）").id


def test_concurrent_appends_lose_nothing(tmp_path):
    with multiprocessing.get_context("fork").Pool(4) as pool:
        ids = pool.map(_add, [(str(tmp_path), k) for k in range(40)])
    assert sorted(ids) == list(range(1, 41))
    assert len(corrections.read(tmp_path)) == 40 and corrections.check(tmp_path) == []


def test_a_damaged_log_is_named_not_trusted(tmp_path):
    corrections.append(tmp_path, "link", old="s@2019:（一）", new="s@2021:（二）")
    with open(tmp_path / corrections.LOG, "a", encoding="utf-8") as fh:
        fh.write('{"id": 2, "op": "link", "old": "nonsense"}\n')
    assert corrections.check(tmp_path) == ["line 2 of the correction log is not a valid correction (not a correction)"]
    with pytest.raises(PolicydiffError, match="line 2 of the correction log"):
        corrections.read(tmp_path)


def test_no_archive_no_log(tmp_path):
    assert corrections.read(tmp_path / "none") == []
    with pytest.raises(PolicydiffError, match="archive not found"):
        corrections.append(tmp_path / "none", "link", old="s@2019:a", new="s@2021:b")
