"""The renderer registry: one entry per format, used by `compare --format` and the series report;
and the layering rule: renderers read only the model."""

from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest
from test_html import hostile_comparison, real_comparison

from renderers import registry
from renderers import report as report_renderer

RENDERERS = Path(__file__).resolve().parents[2] / "renderers"


def test_cli_format_choices_are_the_registry():
    from policydiff.cli.doc_cmds import compare

    (fmt,) = [p for p in compare.params if p.name == "fmt"]
    assert isinstance(fmt.type, click.Choice)
    assert list(fmt.type.choices) == registry.names() == ["json", "html", "md", "summary", "docx", "xlsx"]
    assert fmt.default is None  # chosen at run time: summary on a terminal, json when piped or with -o


@pytest.mark.parametrize("name", registry.names())
def test_every_format_renders_a_comparison(name):
    for cmp in (real_comparison(), hostile_comparison()):
        text = registry.render(name, cmp)
        if registry.get(name).binary:  # docx, xlsx: a zip package
            assert isinstance(text, bytes) and text[:2] == b"PK"
        else:
            assert isinstance(text, str) and text.endswith("\n" if name != "json" else "}")


def test_json_format_is_the_contract_as_the_store_writes_it():
    from policydiff.model.formats import to_json

    cmp = real_comparison()
    assert registry.render("json", cmp) == to_json(cmp.to_dict())


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        registry.get("pdf")


def test_series_report_uses_the_registry_entries():
    for fmt in (*report_renderer.PAIR_FORMATS, report_renderer.SUMMARY_FORMAT):
        assert fmt in registry.FORMATS
    assert [registry.get(f).suffix for f in report_renderer.PAIR_FORMATS] == ["html", "md"]
    assert not any(registry.get(f).binary for f in (*report_renderer.PAIR_FORMATS, report_renderer.SUMMARY_FORMAT))


def test_binary_formats():
    assert [f.name for f in registry.FORMATS.values() if f.binary] == ["docx", "xlsx"]
    assert registry.get("docx").suffix == "docx" and registry.get("xlsx").suffix == "xlsx"


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
    return out


@pytest.mark.parametrize("path", sorted(RENDERERS.glob("*.py")), ids=lambda p: p.name)
def test_renderers_import_only_the_model(path):
    mods = {m for m in _imports(path) if m.split(".")[0] == "policydiff"}
    assert all(m == "policydiff.model" or m.startswith("policydiff.model.") for m in mods), mods
    # the module paths the registry imports on first use are renderers too
    if path.name == "registry.py":
        assert all(f.module.startswith("renderers.") for f in registry.FORMATS.values())
