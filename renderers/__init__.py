"""Renderers of a `Comparison`: JSON, a self-contained HTML report, a GitHub-flavoured Markdown redline
and a researcher's change summary, listed in `renderers.registry`. They read the change model
(`policydiff.model`) and never recompute it; they import no other stage of policydiff."""

__all__ = ["as_json", "html", "markdown", "registry", "summary"]
