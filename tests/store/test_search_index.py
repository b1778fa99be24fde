"""The search index is kept up to date version by version (issue 17 item 15): an added version is
indexed alone, a vanished one dropped, a read-only archive copies its stored index instead of
rebuilding it, and an index that lies is named by `index_finding` (verify)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hostile import copy_archive

from policydiff.store import loader, search_index
from policydiff.store.archive import Archive
from policydiff.store.search import search

EXTRA = "广东省测试工作方案\n一、总体要求\n（一）建设独角兽萤火虫数据平台。推动各地市接入。\n"


@pytest.fixture
def arch(tmp_path: Path) -> Path:
    root = copy_archive(tmp_path / "archive")
    (root / "derived" / "search.sqlite").unlink(missing_ok=True)
    return root


@pytest.fixture
def loads(monkeypatch) -> list[str]:
    """The refs of every version loaded (normalized or read from its XML) for the index."""
    seen: list[str] = []
    real = loader.load_version

    def counting(archive, version, **kw):
        seen.append(version.ref)
        return real(archive, version, **kw)

    monkeypatch.setattr(loader, "load_version", counting)
    return seen


def _index(arch: Path) -> Path:
    return arch / "derived" / "search.sqlite"


def test_an_added_version_is_indexed_alone_and_a_vanished_one_dropped(arch, loads):
    assert search(str(arch), "实名用户")
    assert len(loads) == 5  # the first search indexes every version
    inode = _index(arch).stat().st_ino
    loads.clear()
    added = Archive(str(arch)).add(EXTRA.encode("utf-8"), series="test-extra", year=2022, filename="x.txt")
    hits = search(str(arch), "萤火虫")
    assert [h.ref for h in hits] == [added.version.ref]
    assert loads == [added.version.ref]  # only the new version, not the archive again
    assert _index(arch).stat().st_ino == inode  # updated in place, not rebuilt under a new name
    loads.clear()
    assert search(str(arch), "萤火虫") and loads == []  # current: nothing loaded
    conn = sqlite3.connect(Archive(str(arch)).catalog_path)
    conn.execute("DELETE FROM versions WHERE series = 'test-extra'")  # the version vanishes
    conn.commit()
    conn.close()
    assert search(str(arch), "萤火虫") == [] and loads == []
    assert search(str(arch), "实名用户")
    assert search_index.index_finding(Archive(str(arch))) is None


def test_a_new_normalizer_or_an_old_index_is_rebuilt_whole(arch, loads, monkeypatch):
    search(str(arch), "实名用户")
    loads.clear()
    monkeypatch.setattr(search_index, "NORMALIZER_VERSION", "test-other")
    assert search(str(arch), "实名用户") and len(loads) == 5
    loads.clear()
    conn = sqlite3.connect(_index(arch))
    conn.execute("DROP TABLE versions")  # the one-fingerprint layout of earlier versions
    conn.commit()
    conn.close()
    assert search(str(arch), "实名用户") and len(loads) == 5


def test_a_read_only_archive_copies_its_stored_index(arch, loads, monkeypatch):
    search(str(arch), "实名用户")
    added = Archive(str(arch)).add(EXTRA.encode("utf-8"), series="test-extra", year=2022, filename="x.txt")
    before = _index(arch).stat().st_mtime_ns, _index(arch).stat().st_size
    loads.clear()
    real = search_index.os.access
    monkeypatch.setattr(search_index.os, "access", lambda p, m, **kw: False if m & search_index.os.W_OK else real(p, m))
    for _ in range(2):  # every search on a read-only archive indexes only what its index lacks
        assert [h.ref for h in search(str(arch), "萤火虫")] == [added.version.ref]
    assert loads == [added.version.ref] * 2
    assert (_index(arch).stat().st_mtime_ns, _index(arch).stat().st_size) == before


def test_index_finding_names_an_index_that_lies(arch):
    search(str(arch), "实名用户")
    archive = Archive(str(arch))
    assert search_index.index_finding(archive) is None
    conn = sqlite3.connect(_index(arch))
    conn.execute("UPDATE clauses SET text = '独角兽萤火虫' WHERE rowid = 3")
    conn.commit()
    assert "holds text that is not in" in search_index.index_finding(archive)
    conn.execute("DELETE FROM clauses WHERE rowid = 3")
    conn.execute("INSERT INTO clauses (rowid, text) VALUES (3, (SELECT text FROM clauses WHERE rowid = 4))")
    conn.execute("INSERT INTO clauses (rowid, text) VALUES (999999, '不在任何文件中的文字')")
    conn.commit()
    conn.close()
    finding = search_index.index_finding(archive)
    assert finding and "delete it" in finding
