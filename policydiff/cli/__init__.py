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

#: the default archive folder (relative to the working directory)
DEFAULT_ARCHIVE = "docs_archive"


# ------------------------------------------------------------------ global options
def _store_archive(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["archive_dir"] = value


def _store_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(dict)["quiet"] = True


def _global_options() -> list[click.Option]:
    """--archive and --quiet for a command or group, so they work after the command name too."""
    return [
        click.Option(["--archive", "archive_dir"], metavar="DIR", expose_value=False, callback=_store_archive,
                     help="Archive folder (default: $POLICYDIFF_ARCHIVE or ./docs_archive)."),
        click.Option(["-q", "--quiet"], is_flag=True, default=False, expose_value=False, callback=_store_quiet,
                     help="No progress bars."),
    ]


def _add_global_options(command: click.Command) -> None:
    taken = {opt for p in command.params for opt in getattr(p, "opts", [])}
    command.params.extend(o for o in _global_options() if not taken & set(o.opts))
    if isinstance(command, click.Group):
        if type(command) is click.Group:  # a plain group (archive, batch): it names the nearest command too
            command.__class__ = Group
        for sub in command.commands.values():
            _add_global_options(sub)


class Group(click.Group):
    """A group whose commands all take the global options, and that names the nearest command."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _add_global_options(cmd)
        super().add_command(cmd, name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            name = args[0] if args else ""
            if not name or name.startswith("-") or self.get_command(ctx, name) is not None:
                raise
            from policydiff.suggest import command_hint

            raise click.UsageError(f"no such command {name!r} — "
                                   f"{command_hint(name, self.list_commands(ctx), ctx.command_path)}",
                                   ctx) from exc


class RootGroup(Group):
    """The `policydiff` group: not-found errors from the library get the nearest REF or series."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PolicydiffError as exc:
            from policydiff.suggest import annotate

            better = annotate(exc, (ctx.obj or {}).get("archive_dir"))
            if better is exc:
                raise
            raise better from exc.__cause__


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policydiff")
@click.option(
    "--archive",
    "archive_dir",
    envvar="POLICYDIFF_ARCHIVE",
    default=DEFAULT_ARCHIVE,
    show_default=True,
    metavar="DIR",
    help="Archive folder (or set POLICYDIFF_ARCHIVE); also accepted after the command.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars (they go to stderr, and only to a terminal).")
@click.pass_context
def cli(ctx: click.Context, archive_dir: str, quiet: bool) -> None:
    """Compare versions of Chinese government plans clause by clause.

    Global options (--archive, --quiet) go before or after the command. Shell completion:
    eval "$(_POLICYDIFF_COMPLETE=bash_source policydiff)" (zsh_source, fish_source for other shells).
    """
    ctx.obj = {"archive_dir": archive_dir, "quiet": quiet}


def _register() -> None:
    from policydiff.cli import archive_cmds, batch_cmds, doc_cmds, series_cmds

    cli.add_command(archive_cmds.archive)
    cli.add_command(batch_cmds.batch)
    cli.add_command(__import__("policydiff.cli.coverage_cmds", fromlist=["coverage"]).coverage)
    cli.add_command(__import__("policydiff.cli.correct_cmds", fromlist=["correct"]).correct)
    cli.add_command(series_cmds.departments)
    for command in (doc_cmds.normalize, doc_cmds.targets, doc_cmds.compare, doc_cmds.lineage,
                    series_cmds.report, series_cmds.track, series_cmds.search):
        cli.add_command(command)


_register()


#: write failures caused by the machine, not by policydiff: a clean error, never an "internal error"
_ENVIRONMENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS})


def _one_line(message: str) -> str:
    from policydiff.model.formats import (
        printable,  # no escape sequence or forged line from a name in an error
    )

    return printable(" ".join(str(message).split()))


def _tolerant_streams() -> None:
    """Characters stdout's or stderr's encoding cannot hold (PYTHONIOENCODING=gbk, a Windows code
    page) are written as escapes (\\u2212) instead of failing the command halfway through."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # closed or detached: nothing to protect
                pass


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure becomes one line on stderr and a non-zero exit."""
    _tolerant_streams()
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
    except _NO_ARGS as exc:  # a bare group: its usage and its commands, not the whole help on one line
        _missing_command(exc.ctx)
        sys.exit(2)
    except click.UsageError as exc:
        message = _one_line(exc.format_message())
        if exc.ctx is not None and "--help" not in message:  # say where the right usage is written
            message += f" — see `{exc.ctx.command_path} --help`"
        click.echo(f"policydiff: error: {message}", err=True)
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
            click.echo(f"policydiff: error: {_one_line(f'{exc.strerror or exc}{where}')}", err=True)
            sys.exit(1)
        if os.environ.get("POLICYDIFF_DEBUG"):
            raise
        click.echo(f"policydiff: internal error: {type(exc).__name__}: {_one_line(str(exc))}", err=True)
        sys.exit(1)


_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _missing_command(ctx: click.Context | None) -> None:
    if ctx is None or not isinstance(ctx.command, click.Group):
        click.echo("policydiff: error: missing command; see `policydiff --help`", err=True)
        return
    names = ctx.command.list_commands(ctx)
    click.echo(ctx.get_usage(), err=True)
    click.echo(f"policydiff: error: missing command: one of {', '.join(names)} "
               f"(`{ctx.command_path} --help` describes them)", err=True)
