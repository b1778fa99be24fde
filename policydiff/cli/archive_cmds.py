"""`policydiff archive …` commands: parse, call policydiff.store.archive, format.

The archive module (and with it OpenCC) is imported inside the commands so `--help` stays instant.
"""

from __future__ import annotations

import json
import unicodedata
from typing import TYPE_CHECKING

import click

from policydiff.model.formats import printable, printable_lines

if TYPE_CHECKING:
    from policydiff.store.archive import Archive

KIND_CHOICES = ("plan", "news", "city-plan")  # mirrors archive.KINDS without importing it


def _archive(ctx: click.Context) -> Archive:
    from policydiff.store.archive import Archive

    return Archive(ctx.obj["archive_dir"])


@click.group()
def archive() -> None:
    """Keep every version of every document, immutably."""


@archive.command("add")
@click.argument("paths", nargs=-1, required=True)
@click.option("--series", "-s", help="Series name, e.g. gd-digital-gov (required).")
@click.option("--year", "-y", type=int, help="Plan year (default: detected from 文号, title or date).")
@click.option("--kind", type=click.Choice(KIND_CHOICES), help="Document kind (default: news if detected, else plan).")
@click.option("--title", help="Title (default: detected).")
@click.option("--source", help="Where the file came from (URL).")
@click.option("--parent", metavar="SERIES",
              help="The higher-level series this series takes up (a city plan's provincial series): "
                   "its report then shows how the plan takes up the parent's plans of the years it covers.")
@click.pass_context
def add_cmd(
    ctx: click.Context,
    paths: tuple[str, ...],
    series: str | None,
    year: int | None,
    kind: str | None,
    title: str | None,
    source: str | None,
    parent: str | None,
) -> None:
    """Add files to the archive (identical files are not stored twice)."""
    arch = _archive(ctx)
    # Validate every file before writing anything: one bad file leaves the archive untouched.
    prepared = [
        arch.prepare(path, series=series, year=year, kind=kind, title=title, source=source) for path in paths
    ]
    if parent is not None:
        _check_parent(arch, parent, {item.version.series for item in prepared})
    for item in prepared:
        result = arch.commit(item)
        v = result.version
        click.echo(f"{result.status} {v.series}@{v.year} #{v.version} {v.short_id} "
                   f"({printable(' '.join((v.doc_no or v.title or v.kind).split()))})")
    if parent is not None:
        from policydiff.store import series_meta

        for name in sorted({item.version.series for item in prepared}):
            changed = series_meta.set_parent(arch.root, name, parent)
            click.echo(f"{'parent' if changed else 'parent unchanged'} {name} → {parent}")


def _check_parent(arch: Archive, parent: str, series: set[str]) -> None:
    """--parent names another series already in the archive."""
    from policydiff.errors import UsageProblem

    try:
        arch.log(parent)
    except UsageProblem as exc:
        raise UsageProblem(f"--parent: {exc}") from None  # the CLI names the nearest series
    from policydiff.store import series_meta

    for name in series:
        series_meta.check_parent(arch.root, name, parent)


@archive.command("list")
@click.option("--series", "-s", help="Only this series.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.pass_context
def list_cmd(ctx: click.Context, series: str | None, fmt: str) -> None:
    """List archived versions (and, after them, the parent of each series that has one)."""
    arch = _archive(ctx)
    versions = arch.list(series)
    if fmt == "json":
        click.echo(json.dumps([v.to_dict() for v in versions], ensure_ascii=False, indent=2))
        return
    rows = [
        (f"{v.series}@{v.year}#{v.version}", v.short_id, v.kind, v.date or "-", v.doc_no or "-", v.title or "-")
        for v in versions
    ]
    if rows:
        click.echo(_table(("REF", "ID", "KIND", "DATE", "DOC_NO", "TITLE"), rows))
        _echo_parents(arch, {v.series for v in versions})


def _echo_parents(arch: Archive, shown: set[str]) -> None:
    """`parent CHILD → PARENT` for every recorded parent of or by a shown series, after a blank
    line; a malformed series.json is a warning (the listing stands; `verify` names the problem)."""
    from policydiff.store import series_meta

    data, problems = series_meta.read_lenient(arch.root)
    if problems:
        click.echo(f"policydiff: warning: {series_meta.FILE}: {printable(problems[0])}; parents not shown "
                   "(`policydiff archive verify` lists every problem)", err=True)
        return
    lines = [f"parent {child} → {meta['parent']}" for child, meta in sorted(data.items())
             if child in shown or meta["parent"] in shown]
    if lines:
        click.echo("")
        click.echo("\n".join(lines))


@archive.command("show")
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "xml")), default="text", show_default=True)
@click.option("--raw", is_flag=True, help="The stored bytes as text (as added: script, pinyin and all), "
                                          "instead of the cleaned text.")
@click.pass_context
def show_cmd(ctx: click.Context, ref: str, fmt: str, raw: bool) -> None:
    """Print a version's metadata and cleaned text: REF is SERIES@YEAR, SERIES@YEAR#N, an id prefix or a file.

    The cleaned text is what the clause XML holds (Simplified script, mirror damage removed);
    --raw prints the stored bytes decoded instead, --format xml the stored clause XML.
    """
    arch = _archive(ctx)
    version = arch.resolve(ref)
    if fmt == "xml":
        click.echo(arch.xml(version).decode("utf-8"))
        return
    if raw:
        text = arch.read_text(version)
    else:
        from policydiff.store import loader

        text = loader.load_version(arch, version).text
    if fmt == "json":
        payload = {**version.to_dict(), "ref": version.ref, "text": text}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if raw:
        click.echo(text, nl=not text.endswith("\n"))
        return
    fields = {"ref": version.ref, **version.to_dict()}
    shown = [(k, str(v)) for k, v in fields.items() if v not in (None, "") and k not in ("series", "year", "version")]
    width = max(len(k) for k, _ in shown)
    for key, value in shown:
        click.echo(f"{key + ':':<{width + 1}}  {printable(' '.join(value.split()))}")
    click.echo("")
    click.echo(printable_lines(text), nl=not text.endswith("\n"))


@archive.command("log")
@click.argument("series")
@click.pass_context
def log_cmd(ctx: click.Context, series: str) -> None:
    """The versions of one series, oldest first (then its parent and the series it is parent of)."""
    arch = _archive(ctx)
    rows = [
        (f"{v.series}@{v.year}#{v.version}", v.short_id, v.date or "-", v.kind, v.doc_no or "-", v.title or "-")
        for v in arch.log(series)
    ]
    click.echo(_table(None, rows))
    _echo_parents(arch, {series})


@archive.command("verify")
@click.option("--rebuild", is_flag=True, help="Recreate the catalog from sidecars and objects first.")
@click.option("--deep", is_flag=True, help="Derive every stored clause XML again and compare (slower).")
@click.pass_context
def verify_cmd(ctx: click.Context, rebuild: bool, deep: bool) -> None:
    """Re-hash every object and cross-check catalog, sidecars and derived XML; exit 1 on problems."""
    arch = _archive(ctx)
    if rebuild:
        built = _rebuild_with_progress(ctx, arch, deep)
        for item in built.skipped:
            click.echo(f"skipped: {printable(item)}")
        for item in built.repaired:
            click.echo(f"repaired: {printable(item)}")
        for item in built.notes:
            click.echo(f"note: {printable(item)}")
        click.echo(f"rebuilt: {built.versions} versions in catalog")
    report = arch.check(deep=deep and not rebuild)  # a deep rebuild derived everything just now
    for item in report.notes:
        click.echo(f"note: {printable(item)}")
    if report.problems:
        for item in report.problems:
            click.echo(f"problem: {printable(item)}")
        # Not ctx.exit(1): in non-standalone mode click returns that code and main() drops it.
        from policydiff.errors import PolicydiffError

        count = len(report.problems)
        raise PolicydiffError(f"verify: {count} problem{'s' if count != 1 else ''} in {arch.root}")
    click.echo(f"ok: {report.versions} versions verified")


def _rebuild_with_progress(ctx: click.Context, arch: Archive, deep: bool = False):
    """arch.rebuild(), with a bar over its per-version pass (the clause XML it checks and regenerates)."""
    from policydiff.cli.terminal import progress, progress_wanted

    if not progress_wanted(ctx) or not arch.root.is_dir():
        return arch.rebuild(deep=deep)
    total = sum(1 for _ in (arch.root / "versions").glob("*.json")) if (arch.root / "versions").is_dir() else 0
    with progress(total, "rebuild", ctx) as bar:
        stored_xml = arch.stored_xml

        def ticking(version):  # rebuild asks once per version whether its stored XML is current
            bar.update(1)
            return stored_xml(version)

        arch.stored_xml = ticking  # this instance only, for this one call
        try:
            return arch.rebuild(deep=deep)
        finally:
            del arch.stored_xml


def _table(header: tuple[str, ...] | None, rows: list[tuple[str, ...]]) -> str:
    """Columns aligned by display width (CJK characters take two cells)."""
    all_rows = [tuple(printable(" ".join(str(c).split())) for c in r) for r in ([header, *rows] if header else rows)]
    widths = [max(_width(r[i]) for r in all_rows) for i in range(len(all_rows[0]))]
    lines = []
    for row in all_rows:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
