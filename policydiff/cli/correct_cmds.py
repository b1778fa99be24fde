"""`policydiff correct link|unlink|list|undo`: corrections by hand, replayed by every comparison."""

from __future__ import annotations

import click

_WHY = click.option("--why", default="", help="The reason, kept in the log and shown in every output.")


@click.group()
def correct() -> None:
    """Correct the matcher by hand: link or unlink two clauses of two versions (kept in the archive)."""


def _check(archive_dir: str, old: str, new: str) -> tuple[str, str]:
    """Both clauses must exist: SERIES@YEAR:CLAUSE with an eId or a printed number."""
    from policydiff.match.corrections import check_names
    from policydiff.model.corrections import ClauseRef
    from policydiff.store.loader import load

    refs = ClauseRef.parse(old), ClauseRef.parse(new)
    for ref in refs:
        check_names(load(archive_dir, ref.version), ref.clause)
    return str(refs[0]), str(refs[1])


def _record(ctx: click.Context, op: str, old: str, new: str, why: str) -> None:
    from policydiff.store import corrections

    archive_dir = ctx.obj["archive_dir"]
    old, new = _check(archive_dir, old, new)
    entry = corrections.append(archive_dir, op, old=old, new=new, why=why)
    arrow = "→" if op == "link" else "↛"
    click.echo(f"correction #{entry.id}: {op} {_safe(old)} {arrow} {_safe(new)}")


@correct.command()
@click.argument("old")
@click.argument("new")
@_WHY
@click.pass_context
def link(ctx: click.Context, old: str, new: str, why: str) -> None:
    """OLD continues in NEW (REF:CLAUSE each, e.g. gd-digital-gov@2019:sec_4__para_18)."""
    _record(ctx, "link", old, new, why)


@correct.command()
@click.argument("old")
@click.argument("new")
@_WHY
@click.pass_context
def unlink(ctx: click.Context, old: str, new: str, why: str) -> None:
    """OLD does not continue in NEW, whatever the scores say."""
    _record(ctx, "unlink", old, new, why)


@correct.command("list")
@click.argument("series", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def list_cmd(ctx: click.Context, series: str | None, fmt: str) -> None:
    """Every correction of the archive (or of one series), undone ones marked."""
    from policydiff.model.formats import table, to_json
    from policydiff.store import corrections

    log = corrections.read(ctx.obj["archive_dir"])
    undone = {c.undoes for c in log if c.op == "undo"}
    rows = [c for c in log if series is None or series in (c.old.split("@")[0], c.new.split("@")[0])
            or c.op == "undo"]
    if fmt == "json":
        click.echo(to_json([c.to_dict() | {"undone": c.id in undone} for c in rows]))
        return
    click.echo(table(["id", "op", "old", "new", "why", "author", "at", "state"],
                     [[c.id, c.op, c.old or "-", c.new or (f"#{c.undoes}" if c.undoes else "-"), c.why, c.author,
                       c.at, "undone" if c.id in undone else ""] for c in rows], max_width=48))


@correct.command()
@click.argument("correction_id", type=int)
@click.option("--why", default="", help="Why it is taken back.")
@click.pass_context
def undo(ctx: click.Context, correction_id: int, why: str) -> None:
    """Take back correction ID (the log keeps both lines)."""
    from policydiff.store import corrections

    entry = corrections.append(ctx.obj["archive_dir"], "undo", why=why, undoes=correction_id)
    click.echo(f"correction #{entry.id}: undo #{correction_id}")


def _safe(text: str) -> str:
    """Names from an archive are input: no control characters reach the terminal."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)
