"""`compare --format xlsx`: a workbook with a sheet of clause changes and a sheet of target changes,
read back with openpyxl: every change is there, numbers are numbers, text is never a formula; and
CSV written into a file starts with a UTF-8 BOM (Excel on Windows reads the Chinese right)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from seedlib import seed_path
from test_html import hostile_comparison, real_comparison

from renderers import registry
from renderers import xlsx as xlsx_renderer
from renderers.common import one_line, sorted_targets, title_of
from renderers.xlsx import CLAUSE_COLUMNS, TARGET_COLUMNS


@pytest.fixture(scope="module")
def real():
    cmp = real_comparison()
    return cmp, load_workbook(io.BytesIO(xlsx_renderer.render(cmp)))


def _records(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    return [dict(zip(head, r, strict=True)) for r in rows[1:]]


def test_clause_sheet_has_every_change(real):
    cmp, wb = real
    assert wb.sheetnames == ["条款 clauses", "目标 targets", "说明 about"]
    ws = wb["条款 clauses"]
    assert [c.value for c in ws[1]] == [name for name, _w in CLAUSE_COLUMNS]
    rows = _records(ws)
    assert len(rows) == len(cmp.matches)
    for m, r in zip(cmp.matches, rows, strict=True):
        assert r["status"] == m.status.value
        assert (r["old_num"] or "") == one_line(m.old_num) and (r["new_num"] or "") == one_line(m.new_num)
        assert r["heading"] == title_of(m)
        assert r["score"] == pytest.approx(m.score) and isinstance(r["score"], float | int)
        assert r["corrected"] is False
        assert (r["new_text"] or "") == m.new_text and (r["old_text"] or "") == m.old_text
        assert (r["new_clause"] or "") == " ".join(m.new)
    with_depts = [r for r in rows if r["departments"]]
    assert with_depts and any("不再配合 support removed" in r["departments"] for r in with_depts)
    statuses = {r["status"] for r in rows}
    assert {"added", "dropped", "modified", "moved"} <= statuses
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_target_sheet_has_every_target_change(real):
    cmp, wb = real
    ws = wb["目标 targets"]
    assert [c.value for c in ws[1]] == [name for name, _w in TARGET_COLUMNS]
    rows = _records(ws)
    assert len(rows) == len(cmp.targets)
    for t, r in zip(sorted_targets(cmp.targets), rows, strict=True):
        assert r["change"] == t.change.value
        assert (r["reason"] or "") == t.reason.text
        for side, tgt in (("old", t.old), ("new", t.new)):
            if tgt is None:
                assert r[f"{side}_value"] in (None, "")
            else:
                assert r[f"{side}_value"] == pytest.approx(float(tgt.value))
                assert (r[f"{side}_comparator"] or "") == tgt.comparator
    tight = [r for r in rows if r["change"] == "tightened" and r["subject"] == "粤省事"]
    assert any(r["old_value"] == 15_000_000 and r["new_value"] == 110_000_000 for r in tight)
    assert any(r["old_num"] and r["new_num"] for r in rows)


def test_about_sheet_names_both_documents(real):
    cmp, wb = real
    rows = {r[0]: r[1:] for r in wb["说明 about"].iter_rows(values_only=True)}
    assert rows["title"] == (cmp.old.title, cmp.new.title)
    assert rows["year"] == (str(cmp.old.year), str(cmp.new.year))


def test_hostile_text_is_text_never_a_formula():
    cmp = hostile_comparison()
    cmp.matches[0].new_text = "=HYPERLINK(\"http://x\",\"y\")\x00\x0b 控制字符"
    cmp.matches[0].new_heading = "=1+2"
    data = registry.render("xlsx", cmp)
    assert isinstance(data, bytes)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["条款 clauses"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    first = _records(ws)[0]
    assert first["heading"] == "=1+2"
    assert first["new_text"] == "=HYPERLINK(\"http://x\",\"y\") 控制字符"
    assert len(_records(wb["目标 targets"])) == len(cmp.targets)


def test_cli_writes_xlsx(run_policydiff, tmp_path):
    out = tmp_path / "changes.xlsx"
    proc = run_policydiff("--archive", tmp_path / "arch", "compare", seed_path("2019"), seed_path("2021"),
                          "--format", "xlsx", "-o", out, timeout=120)
    assert proc.returncode == 0, proc.stderr
    wb = load_workbook(out)
    assert len(_records(wb["条款 clauses"])) > 50 and _records(wb["目标 targets"])


# --------------------------------------------------------------------------- CSV for Excel: a UTF-8 BOM in files


def _targets_csv(stdout, tmp_path):
    from conftest import subprocess_env

    return subprocess.run([sys.executable, "-m", "policydiff", "--archive", str(tmp_path / "arch"), "targets",
                           str(seed_path("2019")), "--format", "csv"], stdout=stdout, stderr=subprocess.PIPE,
                          cwd=tmp_path, env=subprocess_env(), timeout=120)


def test_csv_into_a_file_starts_with_a_bom_and_into_a_pipe_does_not(tmp_path):
    out = tmp_path / "targets.csv"
    with open(out, "wb") as fh:  # policydiff targets … --format csv > targets.csv
        proc = _targets_csv(fh, tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfclause,") and data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "clause" and any("1500万" in c for r in rows for c in r)

    piped = _targets_csv(subprocess.PIPE, tmp_path)
    assert piped.returncode == 0 and piped.stdout == data[3:]  # a pipe gets the same CSV without the BOM

    with open(out, "ab") as fh:  # appended to a file that already has text: no BOM in the middle
        _targets_csv(fh, tmp_path)
    assert out.read_bytes().count(b"\xef\xbb\xbf") == 1


def test_csv_files_of_a_report_folder_start_with_a_bom(tmp_path):
    from policydiff.store.files import write_folder

    out = tmp_path / "report"
    write_folder(out, [("table.csv", "年份,值\n2019,1500万\n"), ("already.csv", "\ufeffa\n"), ("summary.md", "# x\n")],
                 label="s")
    assert (out / "table.csv").read_bytes() == "\ufeff年份,值\n2019,1500万\n".encode()
    assert (out / "already.csv").read_bytes() == "\ufeffa\n".encode()  # never two
    assert (out / "summary.md").read_bytes() == b"# x\n"
    assert (out / "MANIFEST.json").read_bytes().startswith(b"{")


# --------------------------------------------------------------- a series: the target table across years


@pytest.fixture(scope="module")
def table():
    from seedlib import seed_doc

    from policydiff.match.trajectory import trajectories
    from policydiff.series.targets import target_table

    years = ("2016", "2019", "2020", "2021")
    return target_table("gd", list(years), trajectories([seed_doc(y) for y in years]))


def test_target_table_workbook_has_every_row_and_every_stated_value(table):
    from renderers.xlsx import VALUE_COLUMNS, render_target_table

    wb = load_workbook(io.BytesIO(render_target_table(table)))
    assert wb.sheetnames == ["目标表 target table", "目标值 values", "说明 about"]
    ws = wb["目标表 target table"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == table.header() == ["subject", "metric", "2016", "2016→2019", "2019", "2019→2020",
                                               "2020", "2020→2021", "2021"]
    assert [[v or "" for v in r] for r in rows[1:]] == table.records()  # the CSV, cell for cell
    assert ["粤省事", "实名注册用户", "", "", "≥1500万", "tightened", ">5000万", "tightened", ">1.1亿"] in [
        [v or "" for v in r] for r in rows[1:]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    values = _records(wb["目标值 values"])
    assert list(values[0]) == [name for name, _w in VALUE_COLUMNS]
    assert len(values) == sum(p is not None for r in table.rows for p in r.cells)
    users = [v for v in values if (v["subject"], v["metric"]) == ("粤省事", "实名注册用户")]
    assert [(v["version"], v["value"], v["comparator"], v["change"] or "") for v in users] == [
        ("2019", 15_000_000, "ge", ""), ("2020", 50_000_000, "gt", "tightened"), ("2021", 110_000_000, "gt", "tightened")]
    assert all(isinstance(v["value"], int | float) for v in values)
    assert users[1]["reason"] and users[0]["clause"]
    about = {r[0]: r[1] for r in wb["说明 about"].iter_rows(values_only=True)}
    assert about["series"] == "gd" and about["versions"] == "2016 → 2019 → 2020 → 2021"


def test_target_table_text_is_never_a_formula(table):
    from copy import deepcopy

    from renderers.xlsx import render_target_table

    hostile = deepcopy(table)
    hostile.rows[0].subject = "=HYPERLINK(\"http://x\",\"y\")"
    hostile.rows[0].metric = "@SUM(A1)\x00"
    wb = load_workbook(io.BytesIO(render_target_table(hostile)))
    for ws in wb:
        assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    first = list(wb["目标表 target table"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert first[:2] == ("=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)")


def test_targets_table_xlsx_from_the_cli(cli, tmp_path):
    from seedlib import REPO

    out = tmp_path / "table.xlsx"
    code, _out, err = cli("--archive", REPO / "docs_archive", "targets", "gd-digital-gov", "--table",
                          "--format", "xlsx", "-o", out)
    assert code == 0, err
    wb = load_workbook(out)
    rows = list(wb["目标表 target table"].iter_rows(values_only=True))
    assert rows[0][2:] == ("2016", "2016→2019", "2019", "2019→2020", "2020", "2020→2021", "2021")
    assert any(r[:2] == ("粤省事", "实名注册用户") and r[-1] == ">1.1亿" for r in rows)
    code, csv_out, _ = cli("--archive", REPO / "docs_archive", "targets", "gd-digital-gov", "--table",
                           "--format", "csv")
    assert len(list(csv.reader(io.StringIO(csv_out)))) == len(rows)  # the same rows as the CSV
    code, _out, err = cli("--archive", REPO / "docs_archive", "targets", "gd-digital-gov@2019", "--format", "xlsx")
    assert code == 2 and "--format xlsx goes with --table" in err


def test_report_folder_holds_the_target_table_workbook(tmp_path):
    from policydiff.model.series import SeriesLineage, SeriesReport
    from policydiff.store.files import write_folder
    from renderers.report import files

    rep = SeriesReport("gd", SeriesLineage("gd", [], []), [])
    written = dict(files(rep, {}))
    assert "target_table.xlsx" not in written  # no table, no workbook
    from seedlib import seed_doc

    from policydiff.match.trajectory import trajectories
    from policydiff.series.targets import target_table

    rep.target_table = target_table("gd", ["2019", "2021"], trajectories([seed_doc("2019"), seed_doc("2021")]))
    names = write_folder(tmp_path / "rep", files(rep, {}), label="gd")
    assert "target_table.xlsx" in names
    wb = load_workbook(tmp_path / "rep" / "target_table.xlsx")
    rows = list(wb["目标表 target table"].iter_rows(values_only=True))
    assert list(rows[0]) == rep.target_table.header() and len(rows) == len(rep.target_table.rows) + 1
    csv_rows = list(csv.reader(io.StringIO((tmp_path / "rep" / "target_table.csv").read_text(encoding="utf-8-sig"))))
    assert [[v or "" for v in r] for r in rows] == csv_rows
