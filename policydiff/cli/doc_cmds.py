"""`policydiff normalize`, `targets`, `compare`, `lineage`: thin wrappers over the library."""

from __future__ import annotations

import re

import click

from renderers import registry

#: policydiff.read.text.SCRIPT_CONFIGS, spelled out so that the CLI starts without the lexicon
SCRIPT_CONFIGS = ("t2s", "tw2s", "hk2s", "tw2sp", "s2t")


def _archive_dir(ctx: click.Context) -> str:
    return ctx.obj["archive_dir"]


def _emit(text: str | bytes, out: str | None) -> None:
    if out:
        from policydiff.store.files import atomic_write, refuse_archive_overlap

        refuse_archive_overlap(out, _archive_dir(click.get_current_context()))
        atomic_write(out, text)
    elif isinstance(text, bytes):  # a binary format (docx, xlsx): to a pipe or file, never a terminal
        stream = click.get_binary_stream("stdout")
        if stream.isatty():
            raise click.UsageError("this format is binary: write it with -o FILE (or redirect stdout)")
        stream.write(text)
        stream.flush()
    else:
        click.echo(text, nl=not text.endswith("\n"))


@click.command()
@click.argument("ref")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write the XML here.")
@click.option("--explain", is_flag=True, help="Show what each cleaning step changed and the suspect spans.")
@click.option("--script-config", default="t2s", show_default=True,
              type=click.Choice(SCRIPT_CONFIGS),
              help="OpenCC configuration: Traditional → Simplified (t2s, tw2s, hk2s, tw2sp) or Traditional output (s2t).")
@click.pass_context
def normalize(ctx: click.Context, ref: str, out: str | None, explain: bool, script_config: str) -> None:
    """Normalize PATH or REF into validated clause XML."""
    from policydiff.model import planxml
    from policydiff.store import loader

    doc = loader.load(_archive_dir(ctx), ref, script_config=script_config)
    data = planxml.to_bytes(doc)
    suspects = sum(1 for _ in doc.root.iter("suspect"))
    if suspects:  # damaged text is kept and marked, never repaired: say so
        click.echo(f"policydiff: warning: {suspects} suspect span(s) (mojibake) kept as found and marked "
                   "<suspect> in the XML; see --explain", err=True)
    if out:
        _emit(data.decode("utf-8"), out)
    if explain:
        from policydiff.model.formats import table

        rows = [[s.name, s.changes, s.detail] for s in doc.steps]
        click.echo(table(["step", "changes", "detail"], rows, max_width=70))
        for n in doc.root.iter("suspect"):
            click.echo(f"suspect ({n.attrs.get('reason')}): {doc.text[max(0, n.start - 8):n.end + 8]!r}")
    elif not out:
        click.echo(data.decode("utf-8"))


def _warn_skipped_targets(doc) -> None:
    """A malformed number or date (百分之1.2.3, 2021年13月) was skipped: say so, once."""
    for step in doc.steps:
        if step.name == "targets" and step.detail:
            click.echo(f"policydiff: warning: targets {step.detail}", err=True)


@click.command()
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default="table",
              show_default=True, help="xlsx (with --table): an Excel workbook of the target table.")
@click.option("--table", "across", is_flag=True,
              help="REF is a SERIES: one row per target across its versions, the change between columns.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False),
              help="With --table: write here instead of stdout.")
@click.pass_context
def targets(ctx: click.Context, ref: str, fmt: str, across: bool, out: str | None) -> None:
    """List the quantitative targets of PATH or REF (with --table: of every version of SERIES).

    Each target has clause, subject, metric, comparator (ge gt le lt eq range approx reduce_by
    increase_by), value, unit, deadline and text; value_high is the upper end of a range, baseline
    a stated from-value (由60%提高到80% → ge 80, baseline 60), implicit is true when no comparator
    phrase is written (培育50家… → ge 50). JSON and CSV carry all of them, the table the first eight.
    """
    from policydiff.cli.terminal import echo_csv
    from policydiff.model.formats import table, to_csv, to_json
    from policydiff.store import loader

    if across:
        _target_table(ctx, ref, fmt, out)
        return
    if fmt == "xlsx" or out:
        raise click.UsageError(("--format xlsx" if fmt == "xlsx" else "-o") +
                               " goes with --table (the target table of a series): give --table SERIES")
    doc = loader.load(_archive_dir(ctx), ref)
    _warn_skipped_targets(doc)
    items = [t.to_dict() for t in doc.targets()]
    keys = ["clause", "subject", "metric", "comparator", "value", "unit", "deadline", "text"]
    if fmt == "json":
        click.echo(to_json(items))
    elif fmt == "csv":
        wide = keys + ["value_high", "baseline", "implicit"]
        echo_csv(to_csv(wide, [[t[k] for k in wide] for t in items]))
    else:
        click.echo(table(keys, [[t[k] for k in keys] for t in items], max_width=24))


def _target_table(ctx: click.Context, series: str, fmt: str, out: str | None) -> None:
    """targets SERIES --table: the target table across the series (policydiff.series.targets),
    as text, or an Excel workbook (--format xlsx); -o writes a file."""
    from policydiff.cli.terminal import echo_csv
    from policydiff.model.formats import CSV_BOM, table, to_csv, to_json
    from policydiff.series.targets import for_series

    tab = for_series(_archive_dir(ctx), series)
    if fmt == "xlsx":
        from renderers.xlsx import render_target_table

        _emit(render_target_table(tab), out)
    elif fmt == "csv":
        text = to_csv(tab.header(), tab.records())
        if out:
            _emit(CSV_BOM + text, out)  # a file starts with a BOM, for Excel
        else:
            echo_csv(text)
    else:
        _emit(to_json(tab.to_dict()) if fmt == "json" else table(tab.header(), tab.records(), max_width=18), out)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(registry.names()), default=None,
              help="Default: summary on a terminal, json when piped; with -o the format of the file's "
                   "suffix (.html, .md, .json, .docx, .xlsx), else json.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.pass_context
def compare(ctx: click.Context, old: str, new: str, fmt: str | None, out: str | None) -> None:
    """Compare two versions (REFs or paths) clause by clause."""
    from policydiff.cli.terminal import choose_format
    from policydiff.match.compare import compare as run
    from policydiff.store import loader

    by_suffix = {f.suffix: f.name for f in reversed(registry.FORMATS.values())}  # .md: md, not summary
    fmt = choose_format(fmt, out, terminal="summary", piped="json", suffixes=by_suffix)
    cmp = run(loader.load(_archive_dir(ctx), old), loader.load(_archive_dir(ctx), new))
    _emit(registry.render(fmt, cmp), out)


@click.command()
@click.argument("series")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def lineage(ctx: click.Context, series: str, fmt: str) -> None:
    """Chain clause alignments across every version of SERIES."""
    from policydiff.model.formats import table, to_json
    from policydiff.series.report import series_lineage

    result = series_lineage(_archive_dir(ctx), series)
    if fmt == "json":
        click.echo(to_json(result.to_dict()))
        return
    years = [v.label for v in result.versions]
    def cell(label: str, ids: list[str]) -> str:  # the number or news paragraph a reader cites
        width = max(12, _LINEAGE_WIDTH // max(1, len(ids)) - 1)
        return " ".join(_fit_label(result.label(label, i), width) for i in ids) or "·"

    rows = [[ln.id] + [cell(y, ln.cells.get(y, [])) for y in years] + [ln.heading] for ln in result.lineages]
    click.echo(table(["lineage", *years, "heading"], rows, max_width=_LINEAGE_WIDTH))


_LINEAGE_WIDTH = 28
_NEWS_LABEL = re.compile(r"「(?P<head>.*)」(?P<place>第\d+段)")


def _fit_label(label: str, width: int) -> str:
    """A news paragraph's label within `width` columns: its heading is shortened, its place
    (第2段) kept, so two paragraphs under one heading stay apart in the table."""
    from policydiff.model.formats import display_width

    m = _NEWS_LABEL.fullmatch(label)
    if not m or display_width(label) <= width:
        return label
    head, room = m["head"].rstrip("…"), width - display_width(m["place"]) - 5  # 「」 and …
    while head and display_width(head) > room:
        head = head[:-1]
    return f"「{head}…」{m['place']}" if head else m["place"]
