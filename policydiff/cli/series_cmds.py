"""`policydiff report`, `track`, `search`: the series-level commands."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("series")
@click.option("-o", "--output", "out", default="report", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write (replaced atomically).")
@click.pass_context
def report(ctx: click.Context, series: str, out: str) -> None:
    """Write the series report: index.html, redlines per consecutive pair, summary.md/json."""
    from policydiff.cli.terminal import progress
    from policydiff.series import report as rep
    from policydiff.store.files import check_destination, refuse_archive_overlap, write_folder
    from renderers import report as report_renderer

    refuse_archive_overlap(out, ctx.obj["archive_dir"])
    check_destination(Path(out))  # before the work, not after it
    steps = ["load", "compare", "trajectories"]
    with progress(len(steps) + 1, "report") as bar:
        def step(name: str) -> None:
            bar.label = f"report: {name}"
            if name in steps or name == "index":
                bar.update(1)

        result = rep.compute(ctx.obj["archive_dir"], series, step)
        files = write_folder(out, report_renderer.files(result, rep.summary_json(result), step), label=series)
    named = [f for f in files if not f.startswith("MANIFEST")]
    click.echo(f"wrote {out.rstrip('/')}/ ({len(named)} files): " + ", ".join(named))


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--series", default=None, help="Only this series (default: every series).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_context
def track(ctx: click.Context, query: tuple[str, ...], series: str | None, fmt: str) -> None:
    """Follow a target through the versions: QUERY keywords must all occur in its context."""
    from policydiff.cli.terminal import echo_csv
    from policydiff.match import trajectory
    from policydiff.model.formats import to_csv, to_json
    from policydiff.series.report import track as track_targets
    from policydiff.store.archive import Archive

    words = [w for q in query for w in trajectory.split_query(q)]
    result = track_targets(ctx.obj["archive_dir"], words, series)
    if fmt == "json":
        # the series is named only when several were searched (the documented keys stay as they are)
        many = series is None and len({v.series for v in Archive(ctx.obj["archive_dir"]).list()}) > 1
        click.echo(to_json({"query": " ".join(words),
                            "trajectories": [({"series": s} if many else {}) | t.to_dict() for s, t in result]}))
        return
    header = ["series", "subject", "metric", "year", "comparator", "value", "unit", "text", "ref", "clause"]
    rows = [[s, t.subject, t.metric, p.year, p.comparator, p.to_dict()["value"], p.unit, p.text, p.ref, p.clause]
            for s, t in result for p in t.points]
    if fmt == "csv":
        echo_csv(to_csv(header, rows))
        return
    from policydiff.model.formats import printable

    for s, t in result:
        path = " → ".join(f"{p.year} {p.display} ({p.text})" for p in t.points)
        changes = ", ".join(c["change"] for c in t.changes) or "single point"
        click.echo(printable(f"{s} · {t.subject or '—'} · {t.metric}: {path}  [{changes}]"))
    if not result:
        click.echo(f"no target matches (every keyword must occur in a target's context; "
                   f"`policydiff search {' '.join(words)}` finds the clauses that use the words)", err=True)


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--series", default=None, help="Only this series.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True,
              help="At most this many clauses (stderr says when more matched).")
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], series: str | None, fmt: str, limit: int) -> None:
    """Full-text search over every archived clause (Simplified finds Traditional)."""
    from policydiff.model.formats import table, to_json
    from policydiff.store import search as srch

    hits, cut = srch.search_limited(ctx.obj["archive_dir"], " ".join(query), series=series, limit=limit)
    if cut:
        click.echo(f"policydiff: warning: more than {limit} clauses match: showing the first {limit} "
                   "(raise --limit, or narrow the query or --series)", err=True)
    if fmt == "json":
        click.echo(to_json([h.to_dict() for h in hits]))
        return
    click.echo(table(["series", "year", "clause", "heading", "snippet"],
                     [[h.series, h.year, h.clause, h.heading, h.snippet] for h in hits], max_width=60))


@click.command()
@click.argument("series")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def departments(ctx: click.Context, series: str, fmt: str) -> None:
    """Who leads and supports what: each department's tasks per plan, tasks gained and lost."""
    from policydiff.model.formats import table, to_json
    from policydiff.series import departments as depts

    rows = depts.compute(ctx.obj["archive_dir"], series)
    if fmt == "json":
        click.echo(to_json({"series": series, "departments": rows}))
        return
    years = list(dict.fromkeys(y for d in rows for y in d["years"]))
    years.sort()
    header = ["department", *[f"{y} lead/support" for y in years], "gained", "lost"]
    body = []
    for d in rows:
        cells = [f"{len(d['years'][y]['lead'])}/{len(d['years'][y]['support'])}" if y in d["years"] else "·"
                 for y in years]
        body.append([d["department"], *cells, f"+{sum(len(c['gained']) for c in d['changes'])}",
                     f"-{sum(len(c['lost']) for c in d['changes'])}"])
    click.echo(table(header, body, max_width=40))
