"""Departments through a series (departments.html, and a section of summary.md): for each
department the tasks it leads and supports in each plan, and the tasks it gained and lost.

Reads `SeriesReport.departments` (`policydiff.series.departments.build`) and never recomputes it.
One self-contained page without script; every document string escaped.
"""

from __future__ import annotations

from html import escape

from renderers.markdown import cell
from renderers.markdown import escape as md_escape
from renderers.series import pair_name

ROLE_LABELS = {"lead": "牵头 lead", "support": "配合 support"}


def _e(x: object) -> str:
    return escape("" if x is None else str(x), quote=True)


def plan_labels(report) -> list[str]:
    """The labels of the plans (news summaries state no responsibilities)."""
    return [v.label for v in report.lineage.versions if v.kind != "news"]


def task_text(t: dict) -> str:
    """（十二）7. 深化“一网通办”。"""
    return " ".join(x for x in (t.get("num") or "", t.get("heading") or "") if x) or t.get("clause", "")


def _page(plans: list[str], label: str, side: str) -> str:
    """The redline page that shows a plan's clause (the pair of plans that introduces it, or leaves it)."""
    k = plans.index(label) if label in plans else -1
    if side == "new" and k > 0:
        return pair_name(plans[k - 1], label)
    if side == "old" and 0 <= k < len(plans) - 1:
        return pair_name(label, plans[k + 1])
    return ""


def _task_html(t: dict, plans: list[str], label: str, side: str = "new") -> str:
    page = _page(plans, label, side)
    text = _e(task_text(t))
    role = f" <span class='role'>{_e(ROLE_LABELS.get(t.get('role', ''), t.get('role', '')))}</span>"
    if page:
        return f"<a href='{_e(page)}.html#{_e(side)}-{_e(t['clause'])}' title='{_e(t['clause'])}'>{text}</a>{role}"
    return f"<span title='{_e(t['clause'])}'>{text}</span>{role}"


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
color:#1a1a1a;background:#fafafa;line-height:1.55}
header{background:#1f4e79;color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.5rem}header a{color:#fff}
main{max-width:1200px;margin:0 auto;padding:1rem 2rem}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem 1.2rem;margin:1rem 0}
h2{font-size:1.15rem;margin-top:0}h3{font-size:1rem;margin:.8rem 0 .3rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef3f8}td.n{text-align:right;font-variant-numeric:tabular-nums}td.none{color:#999;text-align:center}
ul{margin:.2rem 0 .6rem;padding-left:1.3rem}.role{color:#666;font-size:.85em}
.gained{color:#0b6b2e}.lost{color:#a4161a}
details>summary{cursor:pointer;font-weight:600}
@media print{header{background:none;color:#000}header a{color:#000}section{break-inside:avoid}
@page{size:A4;margin:14mm 12mm}details::details-content{content-visibility:visible;display:block}
details>*{display:block}table{break-inside:auto}tr{break-inside:avoid}}
@media (max-width:600px){header{padding:1rem}main{padding:.5rem}section{padding:.7rem .6rem}
th,td{overflow-wrap:anywhere}table{display:block;overflow-x:auto;max-width:100%}}
"""


def render_departments(report) -> str:
    """departments.html: a table of every department's task counts per plan, then each department's
    tasks per plan and what it gained and lost."""
    plans = plan_labels(report)
    rows = report.departments
    out = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
           f"<title>{_e(report.series)} — 部门 departments</title>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           f"<style>{_CSS}</style></head><body>",
           f"<header><h1>部门职责 Departments: {_e(report.series)}</h1>",
           f"<p>{len(rows)} departments across {len(plans)} plans · <a href='index.html'>系列报告 series report</a>"
           "</p></header><main>",
           "<section id='overview'><h2>总览 Overview</h2><p>Tasks each department leads (牵头) and supports (配合) "
           "in each plan; a task is followed through the plans by its lineage, so a renumbered task is not "
           "counted as lost. News summaries state no responsibilities and are left out.</p><table><thead><tr>"
           "<th>部门 department</th>"
           + "".join(f"<th>{_e(p)} 牵头/配合</th>" for p in plans)
           + "<th>新增 gained</th><th>失去 lost</th></tr></thead><tbody>"]
    for k, d in enumerate(rows):
        cells = []
        for p in plans:
            y = d["years"].get(p)
            cells.append(f"<td class='n'>{len(y['lead'])} / {len(y['support'])}</td>" if y
                         else "<td class='none'>·</td>")
        gained = sum(len(c["gained"]) for c in d["changes"])
        lost = sum(len(c["lost"]) for c in d["changes"])
        out.append(f"<tr><td><a href='#dept-{k + 1}'>{_e(d['department'])}</a></td>{''.join(cells)}"
                   f"<td class='n gained'>+{gained}</td><td class='n lost'>−{lost}</td></tr>")
    out.append("</tbody></table></section>")
    for k, d in enumerate(rows):
        out.append(f"<section id='dept-{k + 1}'><h2>{_e(d['department'])}</h2>")
        for p, y in d["years"].items():
            n = len(y["lead"]) + len(y["support"])
            items = "".join(f"<li>{_task_html(t, plans, p)}</li>" for role in ("lead", "support") for t in y[role])
            out.append(f"<details><summary>{_e(p)}: 牵头 lead {len(y['lead'])} · 配合 support "
                       f"{len(y['support'])} ({n})</summary><ul>{items}</ul></details>")
        for c in d["changes"]:
            out.append(f"<h3>{_e(c['from'])} → {_e(c['to'])}</h3>")
            if c["gained"]:
                out.append(f"<p class='gained'>+ 新增 gained ({len(c['gained'])})</p><ul>"
                           + "".join(f"<li>{_task_html(t, plans, c['to'])}</li>" for t in c["gained"]) + "</ul>")
            if c["lost"]:
                out.append(f"<p class='lost'>− 失去 lost ({len(c['lost'])})</p><ul>"
                           + "".join(f"<li>{_task_html(t, plans, c['from'], 'old')}</li>" for t in c["lost"])
                           + "</ul>")
        out.append("</section>")
    out.append("</main></body></html>")
    return "".join(out)


def departments_md(report) -> list[str]:
    """summary.md's department section: one row per department (counts per plan, gained, lost)."""
    plans = plan_labels(report)
    rows = report.departments
    if not rows:
        return []
    out = ["## 部门职责 Departments", "", "Tasks led / supported in each plan; gained and lost from plan to plan "
           "(details: departments.html).", "",
           "| department | " + " | ".join(md_escape(p) for p in plans) + " | gained | lost |",
           "|---|" + "---:|" * len(plans) + "---:|---:|"]
    for d in rows:
        cells = [f"{len(d['years'][p]['lead'])} / {len(d['years'][p]['support'])}" if p in d["years"] else "·"
                 for p in plans]
        gained = sum(len(c["gained"]) for c in d["changes"])
        lost = sum(len(c["lost"]) for c in d["changes"])
        out.append(f"| {cell(d['department'])} | " + " | ".join(cells) + f" | +{gained} | −{lost} |")
    return out + [""]
