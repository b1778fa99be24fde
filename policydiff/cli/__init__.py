"""The `policydiff` command line. Commands are thin: parse, call the library, format.

Heavy libraries are imported inside the commands so that `policydiff --help` stays instant.
"""

from __future__ import annotations

import errno
import os
import sys

import click

from policydiff import __version__
from policydiff.errors import PolicydiffError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policydiff")
@click.option(
    "--archive",
    "archive_dir",
    envvar="POLICYDIFF_ARCHIVE",
    default="docs_archive",
    show_default=True,
    help="Archive folder (or set POLICYDIFF_ARCHIVE).",
)
@click.pass_context
def cli(ctx: click.Context, archive_dir: str) -> None:
    """Compare versions of Chinese government plans clause by clause."""
    ctx.obj = {"archive_dir": archive_dir}


def _register() -> None:
    from policydiff.cli import archive_cmds, batch_cmds, doc_cmds, series_cmds

    cli.add_command(archive_cmds.archive)
    cli.add_command(batch_cmds.batch)
    cli.add_command(__import__("policydiff.cli.coverage_cmds", fromlist=["coverage"]).coverage)
    for command in (doc_cmds.normalize, doc_cmds.targets, doc_cmds.compare, doc_cmds.lineage,
                    series_cmds.report, series_cmds.track, series_cmds.search):
        cli.add_command(command)


_register()


#: write failures caused by the machine, not by policydiff: a clean error, never an "internal error"
_ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS})


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure becomes one line on stderr and a non-zero exit."""
    try:
        # without standalone mode click returns ctx.exit(n)'s code instead of exiting: honour it
        code = cli.main(args=argv, prog_name="policydiff", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("policydiff: aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        click.echo(f"policydiff: error: {_one_line(exc.format_message())}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"policydiff: error: {_one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code or 1)
    except PolicydiffError as exc:
        click.echo(f"policydiff: error: {_one_line(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("policydiff: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
        if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
            # the disk or the output is the problem (e.g. `> /dev/full`), not policydiff
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"policydiff: error: {exc.strerror or exc}{where}", err=True)
            sys.exit(1)
        if os.environ.get("POLICYDIFF_DEBUG"):
            raise
        click.echo(f"policydiff: internal error: {type(exc).__name__}: {_one_line(str(exc))}", err=True)
        sys.exit(1)
