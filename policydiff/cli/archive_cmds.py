"""`policydiff archive …` commands (filled by the archive work)."""

import click


@click.group()
def archive() -> None:
    """Keep every version of every document, immutably."""
