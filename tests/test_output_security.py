"""Outputs treat document text as data: redlines (HTML, Markdown, JSON) and tables (CSV, JSON).

A plan whose clauses carry script tags, attribute breakers, javascript: URLs, a closing </style>,
Markdown/HTML breakers and spreadsheet formulas (= + - @ at the start of a target's metric) goes
through the real CLI. The HTML has no element, attribute or script that came from the document; the
Markdown renders to no live markup; the JSON parses back to the exact text; every CSV cell that
starts like a formula is prefixed with '. (tests/test_browser.py proves in Chromium that an
injected script does not run; this file checks the bytes.)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hostile import assert_ok, run_cli
from lxml import html as lhtml

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attr": '" onmouseover="x',
    "url": "javascript:alert(1)",
    "style": "</style><b>粗体</b>",
    "md": "**粗** [链接](javascript:alert(2)) | 表格 | `代码` # 标题 <!-- 注释 --> &amp; &lt;i&gt; ![img](x.png)",
    "img": "<img src=x onerror=alert(3)>",
}
FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1+1", "@SUM(1)", "=HYPERLINK(\"http://x\")"]


def _plan(year: int, scale: int) -> str:
    lines = [f"广东省人民政府办公厅关于印发{PAYLOADS['script']}{year}年工作要点的通知", f"粤办函〔{year}〕8号",
             f"一、总体要求{PAYLOADS['script']}",
             f"（一）推进{PAYLOADS['attr']}政务服务。到2020年底，实名用户总数达{1500 * scale}万。（省政务服务数据管理局牵头）",
             f"（二）建设{PAYLOADS['url']}平台。{PAYLOADS['style']}网上可办率达到{90 + scale}%以上。（省公安厅牵头）",
             f"（三）{PAYLOADS['md']}实现{80 + scale}%高频事项掌上办。",
             f"（四）{PAYLOADS['img']}新增{scale}00个服务事项。"]
    for k, formula in enumerate(FORMULAS, 5):  # the metric of each target starts with a formula
        lines.append(f"（{'五六七八九十'[k - 5]}）{formula}接入率达到{50 + scale + k}%。")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    arch = root / "archive"
    for year, scale in ((2019, 1), (2020, 2)):
        path = root / f"plan{year}.txt"
        path.write_text(_plan(year, scale), encoding="utf-8")
        assert_ok(run_cli(arch, "archive", "add", path, "--series", "xss", "--year", year))
    return arch


def _cli(arch: Path, *args: object) -> str:
    r = run_cli(arch, *args)
    assert_ok(r)
    return r.out


def test_html_redline_escapes_document_text(hostile_archive):
    page = _cli(hostile_archive, "compare", "xss@2019", "xss@2020", "--format", "html")
    assert "alert(" in page  # the text is there …
    for raw in ("<script>alert", "<img src=x", "</style><b>", '" onmouseover="x', "<!-- 注释 -->"):
        assert raw not in page, raw  # … but never as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    doc = lhtml.document_fromstring(page)
    scripts = doc.xpath("//script")
    assert len(scripts) == page.count("<script")  # every <script in the bytes is a real element …
    assert all("alert(" not in (s.text or "") for s in scripts)  # … and none carries document text
    assert not doc.xpath("//img|//iframe|//object|//embed")
    assert not [b for b in doc.xpath("//b") if "粗体" in b.text_content()]
    for el in doc.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (el.tag, name, value)
    styles = "".join(s.text or "" for s in doc.xpath("//style"))
    assert "粗体" not in styles  # the document's </style> did not close the page's style early


def test_markdown_redline_renders_to_no_live_markup(hostile_archive):
    from markdown_it import MarkdownIt

    md = _cli(hostile_archive, "compare", "xss@2019", "xss@2020", "--format", "md")
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    doc = lhtml.document_fromstring(f"<html><body>{rendered}</body></html>")
    assert not doc.xpath("//script|//img|//iframe|//b|//strong[contains(., '粗')]")
    assert not [a for a in doc.xpath("//a") if a.get("href", "").lower().startswith("javascript:")]
    text = doc.text_content()
    assert "<script>alert(1)</script>" in text and "javascript:alert(2)" in text  # shown, as text
    for table in doc.xpath("//table"):  # a | in the text does not add a column
        widths = {len(row.xpath("./th|./td")) for row in table.xpath(".//tr")}
        assert len(widths) == 1, widths


def test_json_redline_holds_the_exact_text(hostile_archive):
    raw = _cli(hostile_archive, "compare", "xss@2019", "xss@2020", "--format", "json")
    assert "</script" not in raw and "</style" not in raw  # `</` is escaped: inert when embedded in HTML
    data = json.loads(raw)
    strings: list[str] = []

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            strings.append(x)

    walk(data)
    # the string values hold the document text unchanged (the normalizer only drops spaces next to
    # Chinese characters, so the Markdown payload is checked by its pieces)
    for payload in [*(PAYLOADS[k] for k in ("script", "attr", "url", "style", "img")),
                    "**粗** [链接](javascript:alert(2))", "<!--注释-->", "&amp; &lt;i&gt; ![img](x.png)"]:
        assert any(payload in s for s in strings), payload


def _check_csv(text: str, expect_prefixed: list[str]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert len({len(r) for r in rows}) == 1  # quotes, commas and newlines in cells do not break rows
    for row in rows[1:]:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell)  # only a plain number may start like that
    cells = [c for r in rows[1:] for c in r]
    for formula in expect_prefixed:
        assert any(c.startswith("'" + formula) for c in cells), (formula, cells)
    return rows


def test_targets_csv_and_json(hostile_archive):
    rows = _check_csv(_cli(hostile_archive, "targets", "xss@2019", "--format", "csv"), FORMULAS)
    assert rows[0][:3] == ["clause", "subject", "metric"]
    data = json.loads(_cli(hostile_archive, "targets", "xss@2019", "--format", "json"))
    metrics = [t["metric"] for t in data]
    for formula in FORMULAS:  # JSON is data, not a spreadsheet: no prefix there
        assert any(m.startswith(formula) for m in metrics), (formula, metrics)


def test_track_csv(hostile_archive):
    rows = _check_csv(_cli(hostile_archive, "track", "接入率", "--format", "csv"), FORMULAS)
    assert {r[3] for r in rows[1:]} == {"2019", "2020"}


def test_csv_cell_rule():
    from policydiff.model.formats import csv_cell

    assert [csv_cell(v) for v in ("=1+1", "+1", "-1+1", "@SUM(1)", "\t=1", "-1", "+2.5", "1e5", "=", None, 7)] == \
        ["'=1+1", "+1", "'-1+1", "'@SUM(1)", "'\t=1", "-1", "+2.5", "1e5", "'=", "", "7"]


TERMINAL_BAD = ["\x1b", "\x9b", "\x9c", "\x9d", "\u202e", "\u2066", "\r", "\x07", "\u2028", "\x85"]


def test_terminal_output_escapes_names_and_text(tmp_path, seeds):
    """Issue 17 item 6: file names and clause text reach the terminal as visible escapes: no escape
    sequence (ESC, C1 CSI U+009B), no forged line (newline in a name), no right-to-left override."""
    from policydiff.model.formats import printable, table

    assert printable("a\x1b[2Jb\nadded\u202e中\u3000文\x9b") == "a\\x1b[2Jb\\x0aadded\\u202e中\u3000文\\x9b"
    assert "\x1b" not in table(["x"], [["\x1b]0;title\x07"]]) and "\u202e" not in table(["x"], [["\u202e"]])
    corpus = tmp_path / "corpus"
    (corpus / "s1").mkdir(parents=True)
    names = ["2019-\x1b[31mred\x1b[0m.txt", "2020-x.txt\nadded    s1@2099 #1 forged", "2021-\u202etxt.exe",
             "2022-\x9b2J.txt"]
    for k, name in enumerate(names):
        text = seeds["2019"].read_text(encoding="utf-8").replace("。", "；", k + 1)
        (corpus / "s1" / name).write_text(text + f"\n附件{k}：\u202e说明\x1b[2J。\n", encoding="utf-8")
    arch = tmp_path / "archive"
    r = run_cli(arch, "batch", "add", corpus)
    outputs = [r.out, r.err]
    assert_ok(r)
    assert r.out.count("\nadded ") + r.out.startswith("added ") == len(names), r.out
    assert not any(ln.startswith("added") and "forged" in ln and "\\x0a" not in ln for ln in r.out.splitlines())
    assert len([ln for ln in r.out.splitlines() if "forged" in ln]) <= 1
    for args in (["archive", "list"], ["archive", "log", "s1"], ["search", "说明"], ["search", "附件"],
                 ["archive", "show", "s1@2019"], ["normalize", corpus / "s1" / names[3], "--explain"],
                 ["archive", "verify"]):
        r = run_cli(arch, *args)
        outputs += [r.out, r.err]
    bad = [(c, o[max(0, o.find(c) - 30):o.find(c) + 30]) for o in outputs for c in TERMINAL_BAD if c in o]
    assert not bad, bad
    r = run_cli(arch, "archive", "add", corpus / "s1" / "missing\x1b[2J\u202e.txt", "--series", "s1")
    assert "\x1b" not in r.err and "\u202e" not in r.err and len(r.err.splitlines()) == 1
