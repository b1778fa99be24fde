"""The Python API (policydiff.open_archive, load, compare, targets; DataFrames; the notebook repr)
on the bundled archive and on the seeds, and the example notebook."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, subprocess_env

import policydiff
from policydiff.model.changes import Comparison
from policydiff.model.document import Document, Target
from policydiff.model.frames import CLAUSE_COLUMNS, LINEAGE_COLUMNS, TARGET_COLUMNS
from policydiff.model.series import SeriesLineage, Trajectory

pd = pytest.importorskip("pandas")

SERIES = "gd-digital-gov"


@pytest.fixture(scope="module")
def arch(tmp_path_factory):
    root = tmp_path_factory.mktemp("api") / "archive"
    shutil.copytree(REPO / "docs_archive", root)  # search writes its index into the archive
    return policydiff.open_archive(root)


@pytest.fixture(scope="module")
def cmp(arch) -> Comparison:
    return policydiff.compare(arch.load(f"{SERIES}@2019"), arch.load(f"{SERIES}@2021"))


def test_the_entry_points_are_exported():
    for name in ("open_archive", "load", "compare", "targets", "PolicydiffError", "NotFound", "ArchiveNotFound"):
        assert name in dir(policydiff) and getattr(policydiff, name)
    with pytest.raises(AttributeError):
        policydiff.no_such_thing  # noqa: B018


def test_import_is_lazy():
    probe = subprocess.run([sys.executable, "-c", "import sys, policydiff\n"
                            "print(sorted(m for m in ('policydiff.api', 'pandas', 'sqlite3', 'opencc') if m in sys.modules))"],
                           capture_output=True, text=True, env=subprocess_env())
    assert probe.stdout.strip() == "[]", probe.stderr


def test_archive_versions_load_lineage_search_track(arch):
    versions = arch.versions()
    assert [v.ref for v in versions] == [f"{SERIES}@{y}#1" for y in (2016, 2019, 2020, 2021)] + [
        "jieyang-digital-gov@2019#1"]
    assert [v.year for v in arch.versions(SERIES)] == [2016, 2019, 2020, 2021]
    assert arch.series() == [SERIES, "jieyang-digital-gov"]
    doc = arch.load(f"{SERIES}@2021")
    assert isinstance(doc, Document) and doc.meta.doc_no == "粤办函〔2021〕44号" and "數字" not in doc.text
    assert arch.load(versions[1].id[:8]).meta.year == 2019
    lin = arch.lineage(SERIES)
    assert isinstance(lin, SeriesLineage) and [v.label for v in lin.versions] == ["2016", "2019", "2020", "2021"]
    hits = arch.search("不動產登記", series=SERIES)  # Traditional finds Simplified
    assert hits and all(h.series == SERIES for h in hits) and "【不动产登记】" in hits[0].snippet
    tracked = arch.track("粤省事", "实名", series=SERIES)
    assert len(tracked) == 1
    series, trajectory = tracked[0]
    assert series == SERIES and isinstance(trajectory, Trajectory)
    assert [p.display for p in trajectory.points] == ["1500万", "5000万", "1.1亿"]
    assert {t.series for t in arch.track("抵押登记")} == {SERIES, "jieyang-digital-gov"}


def test_load_compare_and_targets_on_the_seeds(seeds):
    old, new = policydiff.load(seeds["2019"]), policydiff.load(str(seeds["2021"]))
    assert isinstance(old, Document) and old.meta.year == 2019 and new.meta.doc_no == "粤办函〔2021〕44号"
    from_docs = policydiff.compare(old, new)
    from_paths = policydiff.compare(seeds["2019"], seeds["2021"])
    assert isinstance(from_docs, Comparison)
    assert from_docs.to_dict()["summary"] == from_paths.to_dict()["summary"]
    assert from_docs.counts["added"] == 32
    found = policydiff.targets(old)
    assert found and all(isinstance(t, Target) for t in found)
    assert [t.to_dict() for t in found] == [t.to_dict() for t in policydiff.targets(seeds["2019"])]
    assert any(t.subject == "粤省事" and t.text == "达1500万" for t in found)
    for key in ("2016", "2020", "jieyang"):
        assert policydiff.load(seeds[key]).clauses()


def test_same_answers_as_the_cli(cli, arch, cmp):
    import json

    code, out, _ = cli("--archive", arch.path, "compare", f"{SERIES}@2019", f"{SERIES}@2021", "--format", "json")
    assert code == 0 and json.loads(out) == json.loads(json.dumps(cmp.to_dict(), ensure_ascii=False))


def test_clause_frame(cmp):
    df = cmp.to_frame()
    assert list(df.columns) == list(CLAUSE_COLUMNS)
    assert list(CLAUSE_COLUMNS[:8]) == ["status", "old_clause", "new_clause", "old_num", "new_num", "old_heading",
                                        "new_heading", "score"]
    assert len(df) == len(cmp.matches)
    assert df["status"].value_counts().to_dict() == {s.value: n for s, n in cmp.counts.items() if n}
    moved = df[df.status == "moved"].iloc[0]
    m = next(m for m in cmp.matches if m.status == "moved")
    assert (moved.old_clause, moved.new_clause, moved.old_num, moved.new_num, moved.score) == (
        " ".join(m.old), " ".join(m.new), m.old_num, m.new_num, m.score)
    assert df[df.status == "added"].old_clause.eq("").all()


def test_targets_frame(cmp):
    df = cmp.targets_frame()
    assert list(df.columns) == list(TARGET_COLUMNS) and len(df) == len(cmp.targets)
    row = df[(df.change == "tightened") & (df.subject == "粤省事")].iloc[0]
    assert (row.old_text, row.new_text, row.old_value, row.new_value) == ("达1500万", "突破1.1亿", 15000000, 110000000)
    assert row.reason == "1500万 → 1.1亿"
    added = df[df.change == "added"]
    assert added.old_text.isna().all() and added.new_text.notna().all()


def test_lineage_frame(arch):
    lin = arch.lineage(SERIES)
    df = lin.to_frame()
    assert list(df.columns) == list(LINEAGE_COLUMNS)
    assert set(df.version) == {"2016", "2019", "2020", "2021"} and set(df.lineage) == {ln.id for ln in lin.lineages}
    wide = df.pivot_table(index="lineage", columns="version", values="clause", aggfunc=" ".join)
    some = next(ln for ln in lin.lineages if len(ln.cells) > 2)
    assert all(wide.loc[some.id, label] == " ".join(ids) for label, ids in some.cells.items())
    assert (df.number != "").any()


def test_frames_without_pandas(cmp, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(policydiff.MissingDependency, match=r"pip install 'policydiff\[pandas\]'"):
        cmp.to_frame()
    with pytest.raises(ImportError):
        cmp.targets_frame()


def test_repr_html_is_the_escaped_redline(seeds, tmp_path):
    from renderers import html as html_renderer

    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'
    old = seeds["2019"].read_text(encoding="utf-8")
    lines = old.splitlines()
    idx = next(i for i, line in enumerate(lines) if line.startswith("（二）"))
    lines[idx] = lines[idx] + hostile
    path = tmp_path / "hostile.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    cmp = policydiff.compare(seeds["2019"], path)
    out = cmp._repr_html_()
    assert "<script>alert" not in out and "<img" not in out
    frame = re.search(r'srcdoc="([^"]*)"', out)
    assert frame, out[:500]
    page = html.unescape(frame[1])
    assert page == html_renderer.render(cmp)  # exactly the HTML renderer's page, escaped once more
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'sandbox="allow-scripts"' in out
    before_frame = out[:frame.start()]
    assert "<script" not in before_frame and "modified" in before_frame


def test_errors_are_policydiff_errors_with_suggestions(arch, tmp_path):
    cases = [
        (lambda: arch.load("2019"), policydiff.NotFound, f"did you mean {SERIES}@2019"),
        (lambda: arch.load(f"{SERIES}@2018"), policydiff.NotFound, f"did you mean {SERIES}@2019?"),
        (lambda: arch.load("gd-digitl-gov@2019"), policydiff.NotFound, "did you mean gd-digital-gov?"),
        (lambda: arch.versions("nope"), policydiff.NotFound, "archive.versions() lists the series"),
        (lambda: arch.lineage("gd-digitl-gov"), policydiff.NotFound, "did you mean gd-digital-gov?"),
        (lambda: arch.track("实名", series="nope"), policydiff.NotFound, "archive.versions()"),
        (lambda: arch.search("实名", series="nope"), policydiff.NotFound, "archive.versions()"),
        (lambda: arch.search(""), policydiff.UsageProblem, "empty search query"),
        (lambda: arch.track(), policydiff.UsageProblem, "keyword"),
        (lambda: policydiff.open_archive(tmp_path / "nowhere"), policydiff.ArchiveNotFound, "open_archive"),
        (lambda: policydiff.load(tmp_path / "missing.txt"), policydiff.NotFound, "no such file"),
        (lambda: policydiff.compare(tmp_path / "missing.txt", tmp_path / "m2.txt"), policydiff.NotFound, "no such file"),
        (lambda: policydiff.targets(tmp_path), policydiff.UsageProblem, "directory"),
    ]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    cases.append((lambda: policydiff.load(empty), policydiff.PolicydiffError, "empty"))
    for call, kind, needle in cases:
        with pytest.raises(kind) as info:
            call()
        assert isinstance(info.value, policydiff.PolicydiffError) and needle in str(info.value), str(info.value)
    with pytest.raises(TypeError):
        policydiff.compare(42, 43)


def test_the_example_notebook_runs(tmp_path):
    script = REPO / "examples" / "quickstart.py"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=subprocess_env(),
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "gd-digital-gov@2021#1 plan 粤办函〔2021〕44号" in out
    assert "{'modified': 13, 'moved': 10, 'added': 32, 'dropped': 9}" in out
    assert "粤省事 实名注册用户   达1500万   突破1.1亿" in out
    assert "实名注册用户 2019 1500万 → 2020 5000万 → 2021 1.1亿" in out


def test_readme_example_is_the_notebook():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use from Python", 1)[1].split("\n## ", 1)[0]
    assert "examples/quickstart.py" in section
    for line in ("cmp = policydiff.compare(old, new)", "clauses = cmp.to_frame()", "tchanges = cmp.targets_frame()"):
        assert line in section and line in Path(REPO / "examples" / "quickstart.py").read_text(encoding="utf-8")


EXAMPLES = REPO / "examples"


def percent_cells(src: str) -> list[tuple[str, str]]:
    """(cell type, source) of a percent-format script: `# %%` code cells, `# %% [markdown]` text."""
    cells = []
    for chunk in re.split(r"^# %%", src, flags=re.M)[1:]:
        header, _, body = chunk.partition("\n")
        if header.strip() == "[markdown]":
            lines = [ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in body.strip("\n").splitlines()]
            cells.append(("markdown", "\n".join(lines)))
        else:
            cells.append(("code", body.strip("\n")))
    return cells


def notebook_of(cells: list[tuple[str, str]]) -> dict:
    def source(text: str) -> list[str]:
        lines = text.split("\n")
        return [ln + "\n" for ln in lines[:-1]] + [lines[-1]]

    out = []
    for i, (kind, text) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"cell-{i}", "metadata": {}, "source": source(text)}
        if kind == "code":
            cell |= {"execution_count": None, "outputs": []}
        out.append(cell)
    return {"cells": out, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                      "name": "python3"},
                                       "language_info": {"name": "python"},
                                       "jupytext": {"formats": "ipynb,py:percent"}},
            "nbformat": 4, "nbformat_minor": 5}


def test_the_notebook_is_the_script():
    """examples/quickstart.ipynb holds exactly the cells of quickstart.py (regenerate: PYTHONPATH=. python tests/test_api.py)."""
    cells = percent_cells((EXAMPLES / "quickstart.py").read_text(encoding="utf-8"))
    nb = json.loads((EXAMPLES / "quickstart.ipynb").read_text(encoding="utf-8"))
    assert [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]] == cells
    assert all(not c.get("outputs") for c in nb["cells"])


def test_the_notebook_runs_cell_by_cell():
    """The notebook's code cells, run in order in one interpreter from examples/ (as Jupyter would,
    without __file__), the last cell's value displayed as Jupyter displays it: its _repr_html_."""
    nb = json.loads((EXAMPLES / "quickstart.ipynb").read_text(encoding="utf-8"))
    code = [("".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "code"]
    driver = ("import ast, sys\ncells = " + repr(code) + "\nns = {'__name__': '__main__'}\n"
              "for src in cells:\n"
              "    tree = ast.parse(src)\n"
              "    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None\n"
              "    exec(compile(tree, '<cell>', 'exec'), ns)\n"
              "    if last is not None:\n"
              "        value = eval(compile(ast.Expression(last.value), '<cell>', 'eval'), ns)\n"
              "        if hasattr(value, '_repr_html_'):\n"
              "            print('HTML', len(value._repr_html_()), value._repr_html_()[:40])\n")
    result = subprocess.run([sys.executable, "-c", driver], capture_output=True, text=True, env=subprocess_env(),
                            cwd=EXAMPLES, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "{'modified': 13, 'moved': 10, 'added': 32, 'dropped': 9}" in result.stdout
    assert re.search(r"^HTML \d{5,} <div class=\"policydiff-comparison\">", result.stdout, re.M), result.stdout[-500:]


if __name__ == "__main__":
    target = EXAMPLES / "quickstart.ipynb"
    notebook = notebook_of(percent_cells((EXAMPLES / "quickstart.py").read_text(encoding="utf-8")))
    target.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")
