"""CLI conventions: global options anywhere, bare groups, suggestions on every not-found error,
output chosen for the reader (terminal vs pipe), progress bars only on a terminal, `archive show`."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, subprocess_env

SERIES = "gd-digital-gov"
BUNDLED = REPO / "docs_archive"


@pytest.fixture(scope="module")
def arch(tmp_path_factory) -> Path:
    """A copy of the bundled archive (search writes its index into the archive)."""
    root = tmp_path_factory.mktemp("conv") / "archive"
    shutil.copytree(BUNDLED, root)
    return root


def _run(*args, cwd: Path, stdout_tty: bool = False, stderr_tty: bool = False, timeout: float = 120):
    """`python -m policydiff ARGS…` with stdout and/or stderr on a pseudo-terminal; (code, out, err)."""
    env = subprocess_env() | {"COLUMNS": "100"}
    fds, masters = {}, {}
    for name, wanted in (("stdout", stdout_tty), ("stderr", stderr_tty)):
        if wanted:
            master, slave = pty.openpty()
            fds[name], masters[name] = slave, master
        else:
            fds[name] = subprocess.PIPE
    proc = subprocess.Popen([sys.executable, "-m", "policydiff", *map(str, args)], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, **fds)
    for name in masters:
        os.close(fds[name])
    chunks: dict[str, bytearray] = {name: bytearray() for name in ("stdout", "stderr")}
    readers = {m: n for n, m in masters.items()}
    readers.update({getattr(proc, n).fileno(): n for n in ("stdout", "stderr") if n not in masters})
    while readers:
        ready, _, _ = select.select(list(readers), [], [], timeout)
        if not ready:
            proc.kill()
            raise TimeoutError(args)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the pty's other end is closed
                data = b""
            if data:
                chunks[readers[fd]] += data
            else:
                del readers[fd]
    code = proc.wait(timeout)
    for m in masters.values():
        os.close(m)
    decode = {n: bytes(c).decode("utf-8", "replace").replace("\r\n", "\n") for n, c in chunks.items()}
    return code, decode["stdout"], decode["stderr"]


# ------------------------------------------------------------------ --archive before or after
@pytest.mark.parametrize("args", [
    ["archive", "list"],
    ["archive", "log", SERIES],
    ["archive", "show", f"{SERIES}@2019", "--format", "json"],
    ["targets", f"{SERIES}@2019", "--format", "json"],
    ["lineage", SERIES, "--format", "json"],
    ["track", "粤省事", "实名", "--format", "json"],
], ids=lambda a: " ".join(a[:2]))
def test_archive_option_before_or_after_the_command(cli, arch, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # no ./docs_archive here: only the option can find the archive
    before = cli("--archive", arch, *args)
    after = cli(*args, "--archive", arch)
    assert before[0] == 0, before
    assert after == before
    if args[0] == "archive":  # on the group too
        assert cli(args[0], "--archive", arch, *args[1:]) == before
    # the last one given wins
    assert cli("--archive", tmp_path / "nowhere", *args, "--archive", arch) == before


def test_archive_option_after_compare_and_report(cli, arch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("compare", f"{SERIES}@2019", f"{SERIES}@2021", "--archive", arch, "--format", "json")
    assert code == 0 and json.loads(out)["new"]["ref"] == f"{SERIES}@2021#1"
    code, out, err = cli("report", SERIES, "-o", tmp_path / "rep", "--archive", arch)
    assert code == 0 and (tmp_path / "rep" / "index.html").exists(), err


def test_env_var_and_option_after(cli, arch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYDIFF_ARCHIVE", str(tmp_path / "nowhere"))
    assert cli("archive", "list")[0] == 1
    assert cli("archive", "list", "--archive", arch)[0] == 0  # the option beats the variable


# ------------------------------------------------------------------ bare groups and commands
@pytest.mark.parametrize(("args", "commands"), [
    ([], ["archive", "compare", "report"]),
    (["archive"], ["add", "list", "show", "verify"]),
    (["batch"], ["add", "compare"]),
])
def test_bare_groups_give_a_short_usage_and_exit_2(cli, args, commands):
    code, out, err = cli(*args)
    lines = err.splitlines()
    assert code == 2 and out == ""
    assert len(lines) == 2, err
    assert lines[0].startswith(" ".join(["Usage: policydiff", *args]))
    assert lines[1].startswith("policydiff: error: missing command: one of ")
    assert all(c in lines[1] for c in commands) and "--help" in lines[1]


@pytest.mark.parametrize("args", [["--help"], ["archive", "--help"], ["batch", "--help"], ["compare", "--help"]])
def test_help_is_help(cli, args):
    code, out, err = cli(*args)
    assert code == 0 and err == "" and out.startswith("Usage: ") and out.count("\n") > 5
    assert "--archive" in out


def test_unknown_commands_suggest_the_nearest(cli):
    code, out, err = cli("comprae", "a", "b")
    assert code == 2 and err.count("\n") == 1
    assert "no such command 'comprae'" in err and "did you mean compare?" in err and "policydiff --help" in err
    code, out, err = cli("archive", "lst")
    assert code == 2 and "did you mean list?" in err and "policydiff archive --help" in err


@pytest.mark.parametrize(("args", "where"), [
    (["archive", "show"], "policydiff archive show --help"),
    (["compare", "a", "b", "--formt", "x"], "policydiff compare --help"),
    (["compare", "a", "b", "--format", "yaml"], "policydiff compare --help"),
    (["report"], "policydiff report --help"),
])
def test_usage_errors_point_at_the_help(cli, args, where):
    code, out, err = cli(*args)
    assert code == 2 and err.count("\n") == 1 and where in err, err


def test_shell_completion_works(tmp_path):
    env = subprocess_env() | {"_POLICYDIFF_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "policydiff"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert script.returncode == 0 and "_policydiff_completion()" in script.stdout
    env |= {"_POLICYDIFF_COMPLETE": "bash_complete", "COMP_WORDS": "policydiff archive list --arc", "COMP_CWORD": "3"}
    done = subprocess.run([sys.executable, "-m", "policydiff"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.split() == ["plain,--archive"]


def test_completion_is_documented():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "_POLICYDIFF_COMPLETE=bash_source policydiff" in readme
    assert "zsh_source" in readme and "fish_source" in readme


# ------------------------------------------------------------------ every not-found error suggests something
NOT_FOUND = [
    (["archive", "show", "nosuch@2019"], "`policydiff archive list` lists the series"),
    (["archive", "show", "gd-digitl-gov@2019"], "did you mean gd-digital-gov?"),
    (["archive", "show", f"{SERIES}@2018"], f"did you mean {SERIES}@2019?"),
    (["archive", "show", f"{SERIES}@2019#3"], f"{SERIES}@2019 has version #1"),
    (["archive", "show", "deadbeef"], "`policydiff archive list` lists them"),
    (["archive", "show", "bb44ffff"], "did you mean bb4411de091c?"),
    (["archive", "show", "what?"], "`policydiff archive list` lists them"),
    (["archive", "show", "gd-digital-gov@2019x"], f"did you mean {SERIES}@2019?"),
    (["archive", "log", "gd-digital"], "did you mean gd-digital-gov?"),
    (["archive", "list", "--series", "nosuch"], "lists the series"),
    (["archive", "add", "missing.txt", "--series", "s"], "no file like it"),
    (["compare", "2019", "2021"], f"a REF is SERIES@YEAR, SERIES@YEAR#N or an id prefix; did you mean {SERIES}@2019 "
                                  "or jieyang-digital-gov@2019?"),
    (["normalize", f"{SERIES}@2022"], f"did you mean {SERIES}@2021?"),
    (["targets", "jieyang@2019"], "did you mean jieyang-digital-gov?"),
    (["lineage", "gd-digitl-gov"], "did you mean gd-digital-gov?"),
    (["report", "gd-digitl-gov", "-o", "{tmp}/r"], "did you mean gd-digital-gov?"),
    (["track", "实名", "--series", "gd-digitl-gov"], "did you mean gd-digital-gov?"),
    (["search", "实名", "--series", "gd-digitl-gov"], "did you mean gd-digital-gov?"),
    (["batch", "compare", "-s", "gd-digitl-gov", "-o", "{tmp}/b"], "did you mean gd-digital-gov?"),
]


@pytest.mark.parametrize(("args", "hint"), NOT_FOUND, ids=[" ".join(a) for a, _ in NOT_FOUND])
def test_not_found_errors_suggest(cli, arch, tmp_path, monkeypatch, args, hint):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = cli("--archive", arch, *args)
    assert code == 2 and out == "", err
    assert err.count("\n") == 1 and err.startswith("policydiff: error: ") and " — " in err, err
    assert hint in err, err


@pytest.mark.parametrize("args", [["archive", "list"], ["archive", "show", f"{SERIES}@2019"], ["lineage", SERIES],
                                  ["report", SERIES, "-o", "r"], ["compare", f"{SERIES}@2019", f"{SERIES}@2021"],
                                  ["track", "实名"], ["search", "实名"]])
def test_archive_not_found_says_where_archives_come_from(cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # outside the repository: ./docs_archive does not exist
    code, out, err = cli(*args)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert err.startswith("policydiff: error: archive not found: docs_archive — ")
    assert "--archive DIR" in err and "POLICYDIFF_ARCHIVE" in err and "archive add" in err


def test_an_empty_archive_says_how_to_add(cli, tmp_path, seeds):
    root = tmp_path / "a"
    assert cli("--archive", root, "archive", "add", seeds["2019"], "--series", "s")[0] == 0
    code, _, err = cli("--archive", root, "archive", "show", "gd@2019")
    assert code == 2 and "did you mean" not in err and "lists the series" in err


# ------------------------------------------------------------------ archive show
def test_archive_show_prints_metadata_and_the_cleaned_text(cli, arch, seeds):
    code, out, err = cli("--archive", arch, "archive", "show", f"{SERIES}@2021")
    assert code == 0 and err == ""
    head, _, text = out.partition("\n\n")
    fields = dict(re.match(r"(\w+):\s+(.*)", line).groups() for line in head.splitlines())
    assert fields["ref"] == f"{SERIES}@2021#1" and fields["doc_no"] == "粤办函〔2021〕44号"
    assert fields["date"] == "2021-03-25" and fields["kind"] == "plan" and len(fields["id"]) == 64
    raw = seeds["2021"].read_text(encoding="utf-8")
    assert "數字政府" in raw and "(guān)" in raw  # the seed is Traditional with pinyin
    assert "数字政府" in text and "數字政府" not in text and "(guān)" not in text
    code, xml_out, _ = cli("--archive", arch, "archive", "show", f"{SERIES}@2021", "--format", "xml")
    from lxml import etree

    assert "".join(etree.fromstring(xml_out.encode()).itertext()).startswith(text.rstrip("\n")[:200])
    code, out, _ = cli("--archive", arch, "archive", "show", f"{SERIES}@2021", "--raw")
    assert out == raw
    code, out, _ = cli("--archive", arch, "archive", "show", f"{SERIES}@2021", "--format", "json")
    data = json.loads(out)
    assert data["ref"] == f"{SERIES}@2021#1" and data["text"].rstrip("\n") == text.rstrip("\n")
    code, out, _ = cli("--archive", arch, "archive", "show", f"{SERIES}@2021", "--format", "json", "--raw")
    assert json.loads(out)["text"] == raw


# ------------------------------------------------------------------ report wording
def test_report_counts_the_files_it_names(cli, arch, tmp_path):
    code, out, err = cli("--archive", arch, "report", SERIES, "-o", tmp_path / "rep")
    assert code == 0 and err == ""  # stderr is not a terminal: no bar
    m = re.fullmatch(r"wrote (.+)/ \((\d+) files\): (.+)\n", out)
    names = m[3].split(", ")
    assert int(m[2]) == len(names) and "index.html" in names and "MANIFEST.json" not in names
    assert sorted(p.name for p in (tmp_path / "rep").iterdir()) == sorted([*names, "MANIFEST.json"])


# ------------------------------------------------------------------ terminal vs pipe
def test_compare_summary_on_a_terminal_json_in_a_pipe(arch, tmp_path):
    args = ["--archive", arch, "compare", f"{SERIES}@2019", f"{SERIES}@2021"]
    code, out, err = _run(*args, cwd=tmp_path, stdout_tty=True)
    assert code == 0, err
    assert out.startswith("# 变化摘要 Change summary") and "目标 targets" in out and len(out) < 20_000
    code, out, err = _run(*args, cwd=tmp_path)
    assert code == 0 and json.loads(out)["summary"]["counts"]["added"] == 32
    # --format always wins
    code, out, err = _run(*args, "--format", "json", cwd=tmp_path, stdout_tty=True)
    assert code == 0 and json.loads(out)["new"]["ref"] == f"{SERIES}@2021#1"
    code, out, err = _run(*args, "--format", "summary", cwd=tmp_path)
    assert code == 0 and out.startswith("# 变化摘要")
    # -o FILE: the format its suffix names, else JSON, even from a terminal
    code, out, err = _run(*args, "-o", tmp_path / "c.json", cwd=tmp_path, stdout_tty=True)
    assert code == 0 and out == "" and json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["matches"]


def test_compare_output_file_suffix_names_the_format(cli, arch, tmp_path):
    args = ["--archive", arch, "compare", f"{SERIES}@2019", f"{SERIES}@2021"]
    for name, starts in (("r.html", "<!DOCTYPE html>"), ("r.MD", "# "), ("r.txt", "{"), ("r", "{")):
        code, out, err = cli(*args, "-o", tmp_path / name)
        assert code == 0 and out == "", err
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(starts), name
    assert not (tmp_path / "r.MD").read_text(encoding="utf-8").startswith("# 变化摘要")  # md, not the summary
    code, out, err = cli(*args, "-o", tmp_path / "s.html", "--format", "summary")
    assert (tmp_path / "s.html").read_text(encoding="utf-8").startswith("# 变化摘要")  # --format wins


def test_compare_default_in_process_is_json(cli, arch):
    code, out, _ = cli("--archive", arch, "compare", f"{SERIES}@2016", f"{SERIES}@2019")
    assert code == 0 and json.loads(out)["old"]["year"] == 2016


# ------------------------------------------------------------------ progress bars
def test_report_progress_only_on_a_terminal(arch, tmp_path):
    args = ["--archive", arch, "report", SERIES]
    code, out, err = _run(*args, "-o", tmp_path / "a", cwd=tmp_path)
    assert code == 0 and err == "" and out.startswith("wrote ")
    code, out, err = _run(*args, "-o", tmp_path / "b", cwd=tmp_path, stderr_tty=True)
    assert code == 0 and "report" in err and "100%" in err and out.startswith("wrote ")
    assert "%" not in out  # the bar never reaches stdout
    for quiet in (["--quiet"], ["-q"]):
        code, out, err = _run(*args, "-o", tmp_path / f"c{quiet[0]}", *quiet, cwd=tmp_path, stderr_tty=True)
        assert code == 0 and err == "" and out.startswith("wrote ")
    code, out, err = _run("-q", *args, "-o", tmp_path / "d", cwd=tmp_path, stderr_tty=True)
    assert code == 0 and err == ""


def test_verify_rebuild_progress_only_on_a_terminal(arch, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(arch, root)
    code, out, err = _run("--archive", root, "archive", "verify", "--rebuild", cwd=tmp_path)
    assert code == 0 and err == "" and out.splitlines()[-1] == "ok: 5 versions verified"
    code, out, err = _run("--archive", root, "archive", "verify", "--rebuild", cwd=tmp_path, stderr_tty=True)
    assert code == 0 and "rebuild" in err and "100%" in err
    assert out.splitlines()[-2:] == ["rebuilt: 5 versions in catalog", "ok: 5 versions verified"]
    code, out, err = _run("--archive", root, "archive", "verify", "--rebuild", "--quiet", cwd=tmp_path,
                          stderr_tty=True)
    assert code == 0 and err == ""


def test_batch_compare_progress_only_on_a_terminal(arch, tmp_path):
    args = ["--archive", arch, "batch", "compare", "--workers", "1"]
    code, out, err = _run(*args, "-o", tmp_path / "a", cwd=tmp_path)
    assert code == 0 and err == "" and out.startswith("pairs: 4 in 1 series")
    code, out, err = _run(*args, "-o", tmp_path / "b", cwd=tmp_path, stderr_tty=True)
    assert code == 0 and "comparing" in err and out.startswith("pairs: 4 in 1 series")
    code, out, err = _run(*args, "-o", tmp_path / "c", "--quiet", cwd=tmp_path, stderr_tty=True)
    assert code == 0 and err == ""


def test_readme_error_examples_are_what_the_cli_prints(cli, tmp_path, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### CLI conventions", 1)[1].split("\n### ", 1)[0]
    examples = re.findall(r"\$ (?:cd /tmp && )?policydiff (.+)\n\s*(policydiff: error: .+)\n", section)
    assert len(examples) == 3
    for command, expected in examples:
        outside = "cd /tmp" in section.split(command)[0].rsplit("$", 1)[1]
        monkeypatch.chdir(tmp_path if outside else REPO)
        code, out, err = cli(*command.split())
        assert err == expected + "\n", command


def test_import_and_help_stay_light(tmp_path):
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, policydiff\nfrom policydiff.cli import main\n"
         "try: main(['compare', '--help'])\nexcept SystemExit: pass\n"
         "print(sorted(m for m in ('pandas', 'policydiff.api', 'sqlite3', 'opencc', 'renderers.html') "
         "if m in sys.modules))"],
        capture_output=True, text=True, env=subprocess_env(), cwd=tmp_path,
    )  # fmt: skip
    assert probe.stdout.strip().splitlines()[-1] == "[]", probe.stderr
