"""`policydiff coverage HIGHER LOWER`: how a lower-level plan takes up a higher-level one."""

from __future__ import annotations

import click


@click.command()
@click.argument("higher")
@click.argument("lower")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json", "xlsx"]), default="html", show_default=True)
@click.option("--also", "also", multiple=True, metavar="REF",
              help="Another version of the higher series (repeatable): HTML and Markdown then say which "
                   "year's tasks each lower clause answers.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.pass_context
def coverage(ctx: click.Context, higher: str, lower: str, fmt: str, also: tuple[str, ...], out: str | None) -> None:
    """Which tasks of HIGHER (e.g. a provincial plan) the clauses of LOWER (a city plan) take up.

    HIGHER and LOWER are REFs (SERIES@YEAR, an id prefix) or file paths. For every higher task: the
    lower clauses that take it up (many-to-many, with score and evidence); the higher tasks not
    taken up; the lower plan's own clauses; matched targets compared level against level
    (stricter, same, looser, none); departments matched by function.
    """
    from policydiff.cli.doc_cmds import _emit
    from policydiff.match.coverage import answers_by_year
    from policydiff.match.coverage import coverage as run
    from policydiff.store import loader
    from renderers.coverage import render

    archive_dir = ctx.obj["archive_dir"]
    higher_doc, lower_doc = loader.load(archive_dir, higher), loader.load(archive_dir, lower)
    result = run(higher_doc, lower_doc, higher_ref=higher, lower_ref=lower)
    if also:
        others = [loader.load(archive_dir, ref) for ref in also]
        for doc, ref in zip(others, also, strict=True):
            doc.meta.ref = doc.meta.ref or ref
        higher_doc.meta.ref = higher_doc.meta.ref or higher
        result.years = answers_by_year([higher_doc, *others], lower_doc)
    _emit(render(result, fmt), out)
