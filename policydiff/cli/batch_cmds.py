"""`policydiff batch add` and `batch compare`: corpus mode over policydiff.series.batch.

policydiff.series.batch (and with it the archive, OpenCC and Dask) is imported inside the commands so
`--help` stays instant.
"""

from __future__ import annotations

import contextlib
import sys

import click

from policydiff.model.formats import printable

DEFAULT_SERIES_FROM = r"(?P<series>[^/]+)/(?P<year>\d{4})[^/]*$"  # mirrors batch.DEFAULT_SERIES_FROM


@click.group()
def batch() -> None:
    """Corpus mode: archive a folder tree, compare every consecutive pair (and plan pair across news)."""


@batch.command("add")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--series-from", "pattern", default=DEFAULT_SERIES_FROM, show_default=True,
              help="Regex searched in each path relative to FOLDER ('/' separators): the named group "
                   "`series` names the series (lower-cased), the optional group `year` the year; "
                   "without a year it is detected from the text.")
@click.pass_context
def add_cmd(ctx: click.Context, folder: str, pattern: str) -> None:
    """Archive every file under FOLDER (recursive, sorted; hidden names skipped).

    A file that cannot be archived is reported and skipped; the exit status is 1 only when no
    file could be archived.
    """
    from policydiff.errors import PolicydiffError
    from policydiff.series import batch as b
    from policydiff.store.archive import Archive

    def show(o: b.AddOutcome) -> None:
        if o.version is not None:
            v = o.version
            click.echo(f"{o.status:<8} {v.series}@{v.year} #{v.version} {v.short_id}  {printable(o.path)}")
        else:
            click.echo(f"{o.status:<8} {printable(o.path)}: {printable(o.reason)}")

    report = b.add_tree(Archive(ctx.obj["archive_dir"]), folder, pattern, on_outcome=show)
    total = len(report.outcomes)
    if not total:
        raise PolicydiffError(f"batch add: no files under {folder}")
    click.echo(f"{total} file{'s' if total != 1 else ''}: {report.count('added')} added, "
               f"{report.count('exists')} existing, {report.count('skipped')} skipped")
    if not report.processed:
        raise PolicydiffError(f"batch add: none of the {total} files could be archived")


@batch.command("compare")
@click.option("--series", "-s", "series", multiple=True, help="Only this series (repeatable; default: all).")
@click.option("-o", "--output", "out", default="batch-out", show_default=True,
              type=click.Path(file_okay=False), help="Output folder (pairs/, target_changes.csv/.json).")
@click.option("--engine", type=click.Choice(("local", "dask")), default="local", show_default=True,
              help="local: processes on this machine; dask: a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler, e.g. tcp://host:8786 (default: start a local cluster).")
@click.option("--workers", "-j", type=click.IntRange(min=1),
              help="Processes (local) or local Dask workers (default: all cores; 1 runs in-process).")
@click.pass_context
def compare_cmd(ctx: click.Context, series: tuple[str, ...], out: str, engine: str, scheduler: str | None,
                workers: int | None) -> None:
    """Compare every consecutive pair of every series, and each plan with the next plan across news
    summaries (2019 → 2021 across 2020's news); rerunning skips pairs already done."""
    from policydiff.errors import PolicydiffError
    from policydiff.series import batch as b
    from policydiff.series.tables import CSV_NAME, JSON_NAME
    from policydiff.store.archive import Archive

    with contextlib.ExitStack() as stack:
        bar: list = []

        def start(n: int) -> None:
            # a bar only for a person watching: logs and pipes get the summary alone
            from policydiff.cli.terminal import progress_wanted

            if n and progress_wanted(ctx):  # a terminal, and no --quiet
                bar.append(stack.enter_context(click.progressbar(length=n, label="comparing", file=sys.stderr)))

        def progress(n: int) -> None:
            if bar:
                bar[0].update(n)

        report = b.run_batch(Archive(ctx.obj["archive_dir"]), out, series=list(series), engine=engine,
                             scheduler=scheduler, workers=workers, on_start=start, on_progress=progress)
    for name in report.removed_temps:
        click.echo(f"note: removed a temp file an interrupted run left: {printable(name)}")
    for job, reason in report.failed:
        click.echo(f"failed  {printable(job.title)}: {printable(reason)}")
    click.echo(f"pairs: {report.pairs} in {report.series} series: {report.computed} compared, "
               f"{report.up_to_date} up to date, {len(report.failed)} failed")
    click.echo(f"tables: {report.table_rows} target changes from {report.table_pairs} pair files "
               f"-> {report.out_dir / CSV_NAME}, {report.out_dir / JSON_NAME}")
    if report.ignored:
        click.echo(f"note: {len(report.ignored)} pair file(s) left out of the tables (stale or incomplete), "
                   f"e.g. {report.ignored[0]}")
    if report.failed:
        count = len(report.failed)
        raise PolicydiffError(f"batch compare: {count} pair{'s' if count != 1 else ''} failed (rerun to retry them)")
