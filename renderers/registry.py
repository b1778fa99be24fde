"""Output formats of a `Comparison`: one entry per format name, shared by `compare --format` and
the series report (`renderers.report`).

An entry names its module and file suffix; the module is imported on first use, so listing the
formats (the CLI's choices) stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from policydiff.model.changes import Comparison


@dataclass(frozen=True)
class Format:
    """A way to write a comparison: `render(cmp)` gives the whole file as text."""

    name: str
    module: str
    suffix: str
    description: str

    @property
    def render(self) -> Callable[[Comparison], str]:
        return importlib.import_module(self.module).render


#: every format, in the order the CLI lists them (the first is the default)
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "renderers.as_json", "json", "the change model as JSON (the documented contract)"),
    Format("html", "renderers.html", "html", "a self-contained HTML redline report"),
    Format("md", "renderers.markdown", "md", "a GitHub-flavoured Markdown redline"),
    Format("summary", "renderers.summary", "md", "the researcher's change summary (Markdown)"),
)}


def names() -> list[str]:
    """Format names, default first."""
    return list(FORMATS)


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r} (known: {', '.join(FORMATS)})") from None


def render(name: str, cmp: Comparison) -> str:
    """The comparison in format `name`."""
    return get(name).render(cmp)
