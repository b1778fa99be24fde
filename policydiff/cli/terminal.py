"""Output chosen for the reader: a person at a terminal, or a pipe, file or program.

- `compare` prints the readable summary to a terminal and JSON to a pipe; `-o FILE` writes the format
  its suffix names (.html, .md, .json, .docx …), else JSON; `--format` always wins;
- progress bars go to stderr, only when stderr is a terminal and `--quiet` was not given;
- CSV written into a file (`> t.csv`) starts with a UTF-8 byte-order mark, so Excel reads the
  Chinese as UTF-8; CSV to a pipe or terminal has none.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator

import click

from policydiff.model.formats import CSV_BOM


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed stdout
        return False


#: what Excel needs at the start of a CSV file to read it as UTF-8 (without it, it guesses a code page)
BOM = CSV_BOM


def stdout_is_new_file() -> bool:
    """Whether stdout is a regular file at its start (`> t.csv`; not `>> t.csv` onto text, a pipe or a tty)."""
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.lseek(fd, 0, os.SEEK_CUR) == 0
    except (AttributeError, ValueError, OSError):  # replaced (captured) or closed stdout
        return False


def echo_csv(text: str) -> None:
    """CSV to stdout, with a UTF-8 BOM when it starts a file (see BOM)."""
    click.echo((BOM if stdout_is_new_file() else "") + text, nl=False)


def choose_format(fmt: str | None, out: str | None, *, terminal: str, piped: str,
                  suffixes: dict[str, str] | None = None) -> str:
    """The format asked for; else the one the -o file's suffix names (`suffixes`: "html" → "html");
    else `terminal` when stdout is a terminal and no -o is given, else `piped`."""
    if fmt:
        return fmt
    if out is not None:
        suffix = os.path.splitext(out)[1].lower().lstrip(".")
        return (suffixes or {}).get(suffix, piped)
    return terminal if stdout_is_terminal() else piped


def progress_wanted(ctx: click.Context | None = None) -> bool:
    """Whether to draw a progress bar: only for a person watching stderr, and not with --quiet."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is not None and (ctx.obj or {}).get("quiet"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress(length: int, label: str, ctx: click.Context | None = None) -> Iterator:
    """A click progress bar on stderr, or a stand-in with the same `update`/`label` that draws nothing."""
    if length and progress_wanted(ctx):
        with click.progressbar(length=length, label=label, file=sys.stderr, show_eta=False) as bar:
            yield bar
    else:
        yield _Silent()


class _Silent:
    label = ""

    def update(self, n: int, current_item: object = None) -> None:
        pass
