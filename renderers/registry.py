"""Output formats of a `Comparison`: one entry per format name, shared by `compare --format` and
the series report (`renderers.report`).

An entry names its module and file suffix; the module is imported on first use, so listing the
formats (the CLI's choices) stays cheap. A `binary` entry (docx, xlsx) renders bytes, not text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # listing the formats (the CLI's start-up) loads no model
    from policydiff.model.changes import Comparison


@dataclass(frozen=True)
class Format:
    """A way to write a comparison: `render(cmp)` gives the whole file, as text or, for a `binary`
    format, as bytes."""

    name: str
    module: str
    suffix: str
    description: str
    binary: bool = False

    @property
    def render(self) -> Callable[[Comparison], str | bytes]:
        return importlib.import_module(self.module).render


#: every format, in the order the CLI lists them (the first is the default)
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", "renderers.as_json", "json", "the change model as JSON (the documented contract)"),
    Format("html", "renderers.html", "html", "a self-contained HTML redline report"),
    Format("md", "renderers.markdown", "md", "a GitHub-flavoured Markdown redline"),
    Format("summary", "renderers.summary", "md", "the researcher's change summary (Markdown)"),
    Format("docx", "renderers.docx", "docx", "a Word document whose changes are tracked changes", binary=True),
    Format("xlsx", "renderers.xlsx", "xlsx", "an Excel workbook: clause changes and target changes", binary=True),
)}


def names() -> list[str]:
    """Format names, default first."""
    return list(FORMATS)


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r} (known: {', '.join(FORMATS)})") from None


def render(name: str, cmp: Comparison) -> str | bytes:
    """The comparison in format `name` (bytes for a binary format)."""
    return get(name).render(cmp)
