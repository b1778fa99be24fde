"""Renderers of a `Comparison`: a self-contained HTML report, a GitHub-flavoured Markdown redline and a
researcher's change summary. They read the change model and never recompute it."""

__all__ = ["html", "markdown", "summary"]
