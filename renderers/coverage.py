"""How a lower-level plan takes up a higher one (`policydiff coverage`): HTML, Markdown and JSON.

The HTML is one self-contained file like the redlines: inline CSS, no script, no network access, and
a Content-Security-Policy that allows only this file's own style (by hash). Every piece of document
text goes through `renderers.html.esc`; Markdown text through `renderers.markdown.escape`/`cell`.
JSON is the documented contract, `Coverage.to_dict()`. XLSX has one sheet per part (links, not
taken up, local only, targets, departments, years), every text cell a string cell (never a formula),
written with the helpers of `renderers.xlsx`.
"""

from __future__ import annotations

import json

from policydiff.model.coverage import ClauseRef, Coverage, TargetPair
from renderers.html import _csp_hash, esc, frag
from renderers.markdown import cell, escape

FORMATS = ("html", "md", "json", "xlsx")

RELATION_LABELS = {"stricter": "更严 stricter", "same": "相同 same", "looser": "更宽 looser",
                   "none": "未设 none set"}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;color:#1d2330;background:#fafafa;line-height:1.6}
header,main,footer{max-width:70rem;margin:0 auto;padding:0 1rem}
h1{font-size:1.4rem;margin:1rem 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem;border-bottom:1px solid #ccd}
.eyebrow{color:#667;font-size:.85rem;margin:1rem 0 0}
.summary{display:flex;gap:1rem;flex-wrap:wrap;padding:0;list-style:none}
.summary li{background:#fff;border:1px solid #dde;border-radius:4px;padding:.4rem .8rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0}
th,td{border:1px solid #dde;padding:.3rem .5rem;vertical-align:top;text-align:left;font-size:.92rem}
th{background:#eef1f6}
.task{background:#fff;border:1px solid #dde;border-radius:4px;margin:.6rem 0;padding:.5rem .8rem}
.task.none{border-left:4px solid #b33}.task.taken{border-left:4px solid #2a7}
.num{font-weight:bold;margin-right:.4rem}.eid{color:#889;font-size:.8rem;margin-left:.4rem}
.score{color:#556;font-size:.85rem}.ev{color:#667;font-size:.8rem}
.rel-stricter{color:#1a6}.rel-looser{color:#b33}.rel-same{color:#446}.rel-none{color:#999}
.text{color:#333;font-size:.9rem;margin:.2rem 0}
footer{color:#778;font-size:.8rem;margin-top:2rem;padding-bottom:2rem}
"""

CSP = ("default-src 'none'; img-src data:; style-src " + _csp_hash(CSS)
       + "; script-src 'none'; base-uri 'none'; form-action 'none'")


def render_json(cov: Coverage) -> str:
    return json.dumps(cov.to_dict(), ensure_ascii=False, indent=2).replace("</", "<\\/") + "\n"


def _one(text: str) -> str:
    return " ".join(str(text or "").split())


def _clip(text: str, n: int) -> str:
    text = _one(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _title(meta, ref: str) -> str:
    return _one(meta.title) or ref or "—"


def _evidence_line(ev: dict) -> str:
    parts = []
    for key in ("forward", "backward", "align", "department_functions", "anchors", "z"):
        if key in ev:
            parts.append(f"{key} {ev[key]}")
    for key in ("shared_anchors", "shared_functions"):
        if ev.get(key):
            parts.append(f"{key}: {'、'.join(ev[key])}")
    if ev.get("identical"):
        parts.append("identical")
    if ev.get("names_the_task_programme"):
        parts.append("names the task's programme")
    if ev.get("names_a_system_of_the_task"):
        parts.append(f"names a system of the task: {'、'.join(ev['names_a_system_of_the_task'])}")
    if ev.get("restates_the_task_heading"):
        parts.append(f"restates the task's heading {ev['restates_the_task_heading']}")
    if ev.get("same_measure"):
        parts.append(f"same measure: {'、'.join(ev['same_measure'])}")
    if ev.get("refers_to"):
        parts.append(f"refers to {ev['refers_to']}")
    return " · ".join(parts)


def _target_text(t) -> str:
    return _one(t.text) if t is not None else "—"


def _cited(ref: ClauseRef | None, eid: str) -> str:
    if ref is None:
        return eid
    return f"{ref.label} {_clip(ref.heading or ref.text, 24)}".strip()


# --------------------------------------------------------------------------- HTML


def _html_clause(ref: ClauseRef | None, eid: str) -> str:
    label = esc(ref.label) if ref else ""
    heading = esc(_clip(ref.heading or ref.text, 60)) if ref else ""
    return f'<span class="num">{label}</span>{heading}<span class="eid">{esc(eid)}</span>'


def _html_targets(cov: Coverage, pairs: list[TargetPair]) -> str:
    if not pairs:
        return "<p>没有可比的目标 no comparable targets.</p>"
    rows = []
    for p in pairs:
        h_ref = cov.higher_clauses.get(p.higher.clause)
        l_ref = cov.lower_clauses.get(p.lower.clause) if p.lower is not None else None
        rows.append(
            f"<tr><td>{esc(h_ref.label if h_ref else p.higher.clause)}</td><td>{esc(_target_text(p.higher))}</td>"
            f"<td>{esc(l_ref.label if l_ref else '')}</td><td>{esc(_target_text(p.lower))}</td>"
            f'<td class="rel-{esc(p.relation)}">{esc(RELATION_LABELS.get(p.relation, p.relation))}</td></tr>')
    return ("<table><thead><tr><th>上级条款 higher</th><th>上级目标 higher target</th><th>下级条款 lower</th>"
            "<th>下级目标 lower target</th><th>比较 relation</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")


def _html_departments(cov: Coverage) -> str:
    if not cov.departments:
        return "<p>两份文件都没有列出部门 no departments named.</p>"
    rows = "".join(f"<tr><td>{esc(d.function)}</td><td>{esc('、'.join(d.higher) or '—')}</td>"
                   f"<td>{esc('、'.join(d.lower) or '—')}</td></tr>" for d in cov.departments)
    return ("<table><thead><tr><th>职能 function</th><th>上级部门 higher level</th><th>下级部门 lower level</th>"
            "</tr></thead><tbody>" + rows + "</tbody></table>")


def _year_cell(answers) -> str:
    return "、".join(f"{a.year or a.higher_ref} ({len(a.higher)})" for a in answers)


def _html_years(cov: Coverage) -> str:
    if not cov.years:
        return ""
    rows = "".join(f"<tr><td>{_html_clause(cov.lower_clauses.get(e), e)}</td><td>{esc(_year_cell(v))}</td></tr>"
                   for e, v in cov.years.items())
    return ('<section id="years"><h2>各年度任务的落实 which year\'s tasks each lower clause answers</h2>'
            "<table><thead><tr><th>下级条款 lower</th><th>年度（上级任务数） years (higher tasks)</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>")


def render_html(cov: Coverage) -> str:
    """The coverage report as one self-contained HTML document."""
    h_title, l_title = _title(cov.higher_meta, cov.higher_ref), _title(cov.lower_meta, cov.lower_ref)
    not_taken = set(cov.not_taken_up)
    tasks = []
    for eid, ref in cov.higher_clauses.items():
        links = cov.links_of(eid)
        items = "".join(
            f'<li id="{esc("l-" + k.higher + "-" + k.lower)}">{_html_clause(cov.lower_clauses.get(k.lower), k.lower)}'
            f' <span class="score">score {esc(k.score)}</span>'
            f'<div class="ev">{esc(_evidence_line(k.evidence))}</div></li>' for k in links)
        near = cov.nearest.get(eid)
        if near is not None:
            items += (f'<li class="ev">最接近（未达阈值）nearest, not linked: '
                      f"{_html_clause(cov.lower_clauses.get(near.lower), near.lower)}"
                      f' <span class="score">score {esc(near.score)} · z {esc(near.evidence.get("z"))}</span></li>')
        status = "未落实 not taken up" if eid in not_taken else f"落实于 {len(links)} 条 taken up by {len(links)}"
        depts = "；".join(f"{n} → {'、'.join(c) or '—'}" for n, c in ref.counterparts)
        tasks.append(
            f'<div class="task {"none" if eid in not_taken else "taken"}" id="{esc("h-" + eid)}">'
            f"<div>{_html_clause(ref, eid)} — <strong>{esc(status)}</strong></div>"
            f'<p class="text">{esc(_clip(ref.text, 160))}</p>'
            + (f'<p class="ev">部门 departments (上级 → 下级 by function): {esc(depts)}</p>' if depts else "")
            + (f"<ul>{items}</ul>" if items else "") + "</div>")
    local = "".join(f'<li id="{esc("o-" + e)}">{_html_clause(cov.lower_clauses.get(e), e)}</li>'
                    for e in cov.local_only)
    nav = "".join(f'<a href="{frag(a)}">{esc(t)}</a> · ' for a, t in (
        ("tasks", "上级任务 tasks"), ("local", "本级新增 local only"), ("targets", "目标 targets"),
        ("departments", "部门 departments"), *((("years", "年度 years"),) if cov.years else ())))
    summary = (f'<ul class="summary"><li>上级任务 higher tasks: {len(cov.higher_clauses)}</li>'
               f"<li>已落实 taken up: {len(cov.higher_clauses) - len(cov.not_taken_up)}</li>"
               f"<li>未落实 not taken up: {len(cov.not_taken_up)}</li><li>链接 links: {len(cov.links)}</li>"
               f"<li>本级新增 local only: {len(cov.local_only)}</li>"
               f"<li>描述性条款 descriptive: {len(cov.descriptive)}</li></ul>")
    return "".join([
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="policydiff">',
        f"<title>{esc('落实情况 ' + _clip(h_title, 30) + ' → ' + _clip(l_title, 30))}</title>",
        f"<style>{CSS}</style></head><body>",
        '<header><p class="eyebrow">policydiff · 上下级落实情况 coverage of a higher plan by a lower one</p>',
        f"<h1>{esc(h_title)} → {esc(l_title)}</h1>",
        f"<p>{esc(cov.higher_ref)} → {esc(cov.lower_ref)}</p><nav>{nav}</nav></header><main>",
        summary,
        '<section id="tasks"><h2>上级任务及其落实 higher tasks and the lower clauses that take them up</h2>',
        "".join(tasks), "</section>",
        f'<section id="local"><h2>本级新增 local only ({len(cov.local_only)})</h2><ul>{local}</ul></section>',
        '<section id="targets"><h2>目标对比 targets, level against level</h2>', _html_targets(cov, cov.targets),
        "</section>",
        '<section id="departments"><h2>部门对应 departments by function</h2>', _html_departments(cov),
        "</section>", _html_years(cov), "</main>",
        f"<footer><p>policydiff coverage · {esc(cov.higher_ref)} → {esc(cov.lower_ref)}</p></footer>",
        "</body></html>\n",
    ])


# --------------------------------------------------------------------------- Markdown


def render_markdown(cov: Coverage) -> str:
    h_title, l_title = _title(cov.higher_meta, cov.higher_ref), _title(cov.lower_meta, cov.lower_ref)
    out = [f"# 落实情况 coverage: {escape(_one(h_title))} → {escape(_one(l_title))}", "",
           f"- higher: {escape(_one(cov.higher_ref))}", f"- lower: {escape(_one(cov.lower_ref))}",
           f"- higher tasks: {len(cov.higher_clauses)}, not taken up: {len(cov.not_taken_up)}, "
           f"links: {len(cov.links)}, local only: {len(cov.local_only)}", "",
           "## 上级任务及其落实 higher tasks", "",
           "| higher | heading | lower clauses (score) |", "|---|---|---|"]
    for eid, ref in cov.higher_clauses.items():
        links = cov.links_of(eid)
        lows = "; ".join(f"{_cited(cov.lower_clauses.get(k.lower), k.lower)} ({k.score})" for k in links)
        near = cov.nearest.get(eid)
        if not lows and near is not None:
            lows = (f"未落实 not taken up (nearest: {_cited(cov.lower_clauses.get(near.lower), near.lower)}, "
                    f"score {near.score})")
        out.append(f"| {cell(ref.label or eid)} | {cell(_clip(ref.heading or ref.text, 30))} | "
                   f"{cell(lows or '未落实 not taken up')} |")
    out += ["", f"## 本级新增 local only ({len(cov.local_only)})", "", "| lower | heading |", "|---|---|"]
    for eid in cov.local_only:
        ref = cov.lower_clauses.get(eid)
        out.append(f"| {cell(ref.label if ref else eid)} | {cell(_clip(ref.heading or ref.text, 40) if ref else '')} |")
    out += ["", "## 目标对比 targets", "", "| higher | higher target | lower | lower target | relation |",
            "|---|---|---|---|---|"]
    for p in cov.targets:
        h_ref = cov.higher_clauses.get(p.higher.clause)
        l_ref = cov.lower_clauses.get(p.lower.clause) if p.lower is not None else None
        out.append(f"| {cell(h_ref.label if h_ref else p.higher.clause)} | {cell(_target_text(p.higher))} | "
                   f"{cell(l_ref.label if l_ref else '')} | {cell(_target_text(p.lower) if p.lower else '')} | "
                   f"{cell(RELATION_LABELS.get(p.relation, p.relation))} |")
    out += ["", "## 部门对应 departments by function", "", "| function | higher level | lower level |", "|---|---|---|"]
    for d in cov.departments:
        out.append(f"| {cell(d.function)} | {cell('、'.join(d.higher))} | {cell('、'.join(d.lower))} |")
    if cov.years:
        out += ["", "## 各年度任务的落实 years answered", "", "| lower | years (higher tasks) |", "|---|---|"]
        for eid, answers in cov.years.items():
            out.append(f"| {cell(_cited(cov.lower_clauses.get(eid), eid))} | {cell(_year_cell(answers))} |")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- XLSX

LINK_COLUMNS = (("higher_num", 10), ("higher_heading", 30), ("lower_num", 14), ("lower_heading", 36),
                ("score", 8), ("z", 8), ("evidence", 40), ("higher", 18), ("lower", 24))  # fmt: skip
CLAUSE_COLUMNS = (("num", 14), ("heading", 40), ("nearest_lower", 30), ("nearest_score", 10), ("clause", 24),
                  ("text", 80))  # fmt: skip
TARGET_COLUMNS = (("higher_num", 10), ("higher_target", 24), ("subject", 14), ("metric", 24), ("lower_num", 14),
                  ("lower_target", 24), ("relation", 10), ("higher_clause", 18),
                  ("lower_clause", 24))  # fmt: skip
DEPT_COLUMNS = (("function", 22), ("higher_level", 50), ("lower_level", 50))
YEAR_COLUMNS = (("lower_num", 14), ("lower_heading", 40), ("year", 8), ("higher_tasks", 40), ("score", 8),
                ("higher_ref", 30))  # fmt: skip


def _xlsx_rows(cov: Coverage) -> dict[str, tuple[tuple, list[list[object]]]]:
    def num(refs: dict[str, ClauseRef], eid: str) -> str:
        return refs[eid].label if eid in refs else ""

    def head(refs: dict[str, ClauseRef], eid: str) -> str:
        return _one(refs[eid].heading or refs[eid].text) if eid in refs else ""

    links = [[num(cov.higher_clauses, k.higher), head(cov.higher_clauses, k.higher), num(cov.lower_clauses, k.lower),
              head(cov.lower_clauses, k.lower), float(k.score), float(k.evidence.get("z", 0.0)),
              _evidence_line(k.evidence), k.higher, k.lower] for k in cov.links]
    not_taken = []
    for eid in cov.not_taken_up:
        near = cov.nearest.get(eid)
        not_taken.append([num(cov.higher_clauses, eid), head(cov.higher_clauses, eid),
                          _cited(cov.lower_clauses.get(near.lower), near.lower) if near else "",
                          float(near.score) if near else "", eid, _one(cov.higher_clauses[eid].text)])
    local = [[num(cov.lower_clauses, e), head(cov.lower_clauses, e), "", "", e, _one(cov.lower_clauses[e].text)]
             for e in cov.local_only]
    targets = [[num(cov.higher_clauses, p.higher.clause), _one(p.higher.text), p.higher.subject, p.higher.metric,
                num(cov.lower_clauses, p.lower.clause) if p.lower else "", _target_text(p.lower) if p.lower else "",
                p.relation, p.higher.clause, p.lower.clause if p.lower else ""] for p in cov.targets]
    depts = [[d.function, "、".join(d.higher), "、".join(d.lower)] for d in cov.departments]
    years = [[num(cov.lower_clauses, e), head(cov.lower_clauses, e), a.year or "", " ".join(a.higher), float(a.score),
              a.higher_ref] for e, answers in cov.years.items() for a in answers]
    out = {"链接 links": (LINK_COLUMNS, links), "未落实 not taken up": (CLAUSE_COLUMNS, not_taken),
           "本级新增 local only": (CLAUSE_COLUMNS, local), "目标 targets": (TARGET_COLUMNS, targets),
           "部门 departments": (DEPT_COLUMNS, depts)}
    if years:
        out["年度 years"] = (YEAR_COLUMNS, years)
    return out


def render_xlsx(cov: Coverage) -> bytes:
    """The coverage report as an Excel workbook (bytes)."""
    import io

    from openpyxl import Workbook

    from renderers.xlsx import _sheet, text

    wb = Workbook()
    first = True
    for name, (columns, rows) in _xlsx_rows(cov).items():
        ws = wb.active if first else wb.create_sheet(name)
        ws.title = name
        first = False
        _sheet(ws, columns, rows)
    about = wb.create_sheet("说明 about")
    for key, h, lo in (("ref", cov.higher_ref, cov.lower_ref), ("title", cov.higher_meta.title, cov.lower_meta.title),
                       ("year", cov.higher_meta.year, cov.lower_meta.year),
                       ("doc_no", cov.higher_meta.doc_no, cov.lower_meta.doc_no)):
        about.append([key, text(h), text(lo)])
    for r in about.iter_rows():
        for c in r:
            if isinstance(c.value, str):
                c.data_type = "s"
    wb.properties.creator = "policydiff"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(cov: Coverage, fmt: str) -> str | bytes:
    if fmt == "xlsx":
        return render_xlsx(cov)
    if fmt == "html":
        return render_html(cov)
    if fmt == "md":
        return render_markdown(cov)
    return render_json(cov)
