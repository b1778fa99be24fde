"""The series report's index page: versions, lineages across all versions, target trajectories.

Reads what `policydiff.series.report` computed (lineage, comparisons, trajectories) and never
recomputes it. One self-contained page, no JavaScript needed; every document string escaped.
"""

from __future__ import annotations

from html import escape

from policydiff.model.changes import STATUSES, TargetChangeKind
from policydiff.model.series import cell_text
from renderers.charts import trajectory_svg
from renderers.labels import STATUS_LABELS, TARGET_LABELS
from renderers.series_coverage import coverage_section

_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
color:#1a1a1a;background:#fafafa;line-height:1.55}
header{background:#1f4e79;color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.5rem}
main{max-width:1200px;margin:0 auto;padding:1rem 2rem}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem 1.2rem;margin:1rem 0}
h2{font-size:1.15rem;margin-top:0}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef3f8}td.none{color:#999;text-align:center}
.traj{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1rem}
figure{margin:0;border:1px solid #e3e3e3;border-radius:6px;padding:.5rem;background:#fff}
figcaption{font-size:.85rem;font-weight:600;margin-bottom:.3rem}
.tightened{color:#0b6b2e}.loosened{color:#a4161a}.incomparable{color:#7a5a00}
svg{max-width:100%;height:auto}
@media print{header{background:none;color:#000}section{break-inside:avoid}}
@media print{@page{size:A4;margin:14mm 12mm}details::details-content{content-visibility:visible;display:block}
details>*{display:block}table{break-inside:auto}tr{break-inside:avoid}}
@media (max-width:600px){header{padding:1rem}main{padding:.5rem}section{padding:.7rem .6rem}
.traj{grid-template-columns:minmax(0,1fr)}th,td{overflow-wrap:anywhere}code{word-break:break-all}
table{display:block;overflow-x:auto;max-width:100%}}
"""


def _e(x: object) -> str:
    return escape("" if x is None else str(x), quote=True)


def _step_label(change: str) -> str:
    """▲ 收紧 tightened: how a trajectory moved in one step (the change as given if unknown)."""
    label = TARGET_LABELS.get(change)
    return label.step if label else change


def pair_name(old_label: str, new_label: str) -> str:
    """File stem of a consecutive pair's redline: 2019-2021."""
    return f"{old_label}-{new_label}".replace("#", "v")


def render_index(report) -> str:
    """report: policydiff.model.series.SeriesReport."""
    lin = report.lineage
    labels = [v.label for v in lin.versions]
    out = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
           f"<title>{_e(report.series)} — policydiff series report</title>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           f"<style>{_CSS}</style></head><body>",
           f"<header><h1>系列报告 Series report: {_e(report.series)}</h1>",
           f"<p>{len(labels)} versions · {len(lin.lineages)} task lineages · "
           f"{len(report.trajectories)} target trajectories · "
           "<a href='departments.html' style='color:#fff'>部门 departments</a></p></header><main>"]
    out += _versions(lin)
    out += _pairs(lin, labels)
    out += _news_mentions(lin, labels)
    out += coverage_section(report)
    out += _trajectories(report.trajectories)
    out += _target_table(report)
    out += _lineages(lin, labels)
    out.append("</main></body></html>")
    return "".join(out)


def _versions(lin) -> list[str]:
    out = ["<section id='versions'><h2>版本 Versions</h2><table><thead><tr><th>year</th><th>kind</th>"
           "<th>title</th><th>文号</th><th>date</th><th>ref</th></tr></thead><tbody>"]
    for v in lin.versions:
        out.append(f"<tr><td>{_e(v.label)}</td><td>{_e(v.kind)}</td><td>{_e(v.title)}</td><td>{_e(v.doc_no)}</td>"
                   f"<td>{_e(v.date)}</td><td><code>{_e(v.ref)}</code></td></tr>")
    out.append("</tbody></table></section>")
    return out


def _pairs(lin, labels: list[str]) -> list[str]:
    """Counts per status and tightened/loosened targets of each pair of consecutive plans (a news
    summary skipped), then of each pair with a news summary (a partial source), linked to its redlines."""
    out = ["<section id='pairs'><h2>逐年变化 Year-to-year changes</h2><p>Plans are compared with the next "
           "plan; a news summary covers part of a plan, so its pairs list what it mentions, not what was "
           "dropped or added, and no responsibility changes.</p><table><thead><tr><th>pair</th>"
           + "".join(f"<th>{_e(STATUS_LABELS[s].en)}</th>" for s in STATUSES)
           + "<th>targets ▲/▼</th><th>redline</th></tr></thead><tbody>"]
    kinds = [v.kind for v in lin.versions]
    pairs = [(k, j, cmp, "plans") for k, j, cmp in lin.plan_comparisons]
    pairs += [(k, k + 1, cmp, "news") for k, cmp in enumerate(lin.comparisons) if "news" in kinds[k:k + 2]]
    if not lin.plan_comparisons:  # built without plan pairs: every consecutive pair
        pairs = [(k, k + 1, cmp, "") for k, cmp in enumerate(lin.comparisons)]
    for k, j, cmp, kind in pairs:
        a, b = labels[k], labels[j]
        c = cmp.counts
        t = cmp.target_counts
        name = pair_name(a, b)
        cells = "".join(f"<td>{c[s]}</td>" for s in STATUSES)
        what = {"plans": " <small>计划 plans</small>", "news": " <small>新闻稿 news (partial)</small>"}.get(kind, "")
        out.append(f"<tr><td>{_e(a)} → {_e(b)}{what}</td>{cells}<td>{t[TargetChangeKind.TIGHTENED]} / "
                   f"{t[TargetChangeKind.LOOSENED]}</td>"
                   f"<td><a href='{_e(name)}.html'>HTML</a> · <a href='{_e(name)}.md'>Markdown</a></td></tr>")
    out.append("</tbody></table></section>")
    return out


def _trajectories(trajectories) -> list[str]:
    """A chart and a table per trajectory across years; the targets stated once, folded away."""
    multi = [t for t in trajectories if len(t.points) > 1]
    single = [t for t in trajectories if len(t.points) == 1]
    out = [f"<section id='targets'><h2>目标轨迹 Target trajectories ({len(multi)} across years)</h2>"
           "<div class='traj'>"]
    for t in multi:
        years = [p.year or 0 for p in t.points]
        values = [p.value for p in t.points]
        changes = [c["change"] for c in t.changes]
        svg = trajectory_svg(years, values, t.points[-1].unit, changes)
        rows = "".join(
            f"<tr><td>{_e(p.year)}</td><td>{_e(p.comparator)}</td><td>{_e(p.display)}</td>"
            f"<td>{_e(p.text)}</td><td><code>{_e(p.clause)}</code></td></tr>" for p in t.points)
        steps = " · ".join(f"<span class='{_e(c['change'])}'>{_e(c['from'])}→{_e(c['to'])} "
                           f"{_e(_step_label(c['change']))}</span>" for c in t.changes)
        out.append(f"<figure><figcaption>{_e(t.subject or '—')} · {_e(t.metric)}</figcaption>{svg}"
                   f"<p>{steps}</p><table><thead><tr><th>year</th><th>cmp</th><th>value</th><th>text</th>"
                   f"<th>clause</th></tr></thead><tbody>{rows}</tbody></table></figure>")
    out.append("</div>")
    if single:
        out.append(f"<details><summary>{len(single)} targets stated in one version only</summary><table><thead><tr>"
                   "<th>year</th><th>subject</th><th>metric</th><th>cmp</th><th>value</th><th>text</th><th>clause</th>"
                   "</tr></thead><tbody>")
        for t in single:
            p = t.points[0]
            out.append(f"<tr><td>{_e(p.year)}</td><td>{_e(t.subject)}</td><td>{_e(t.metric)}</td>"
                       f"<td>{_e(p.comparator)}</td><td>{_e(p.display)}</td><td>{_e(p.text)}</td>"
                       f"<td><code>{_e(p.clause)}</code></td></tr>")
        out.append("</tbody></table></details>")
    out.append("</section>")
    return out


def _target_table(report) -> list[str]:
    """The targets across the series: a row per target identity stated in two versions or more, a
    column per version, the change between columns (`policydiff.series.targets`; also
    target_table.csv with every target)."""
    table = report.target_table
    if table is None:
        return []
    rows = [r for r in table.rows if sum(c is not None for c in r.cells) > 1]
    out = [f"<section id='target-table'><h2>目标对照表 Targets across the series ({len(rows)} across years)</h2>"
           "<p>All targets: <a href='target_table.csv'>target_table.csv</a>.</p><table><thead><tr><th>subject</th>"
           "<th>metric</th>"]
    for k, v in enumerate(table.versions):
        out.append(("<th>→</th>" if k else "") + f"<th>{_e(v)}</th>")
    out.append("</tr></thead><tbody>")
    for r in rows:
        cells = [f"<td>{_e(r.subject or '—')}</td><td>{_e(r.metric)}</td>"]
        for k, p in enumerate(r.cells):
            ch = r.changes[k]
            if ch:
                cells.append(f"<td class='{_e(ch)}' title='{_e(r.reasons[k] if r.reasons else '')}'>"
                             f"{_e(_step_label(ch))}</td>")
            elif k:
                cells.append("<td></td>")
            cells.append(f"<td title='{_e(p.text)}'>{_e(cell_text(p))}</td>" if p else "<td class='none'>·</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></section>")
    return out


def _lineages(lin, labels: list[str]) -> list[str]:
    """One row per task through the versions; a cell links to the clause in the redline that introduces it."""
    out = ["<section id='lineage'><h2>任务谱系 Task lineages</h2><p>Each row is one task followed through the "
           "versions; a cell links to that clause in the redline that introduces the version.</p><table><thead>"
           "<tr><th>#</th>" + "".join(f"<th>{_e(x)}</th>" for x in labels) + "<th>heading (latest)</th></tr>"
           "</thead><tbody>"]
    for ln in lin.lineages:
        cells = []
        for k, label in enumerate(labels):
            ids = ln.cells.get(label, [])
            if not ids:
                cells.append("<td class='none'>·</td>")
                continue
            nums = lin.numbers.get(label, {})

            def show(i: str, nums: dict[str, str] = nums) -> str:
                return _e(nums.get(i) or i)

            if k == 0:
                cells.append("<td>" + "<br>".join(f"<span title='{_e(i)}'>{show(i)}</span>" for i in ids) + "</td>")
            else:
                name = pair_name(labels[k - 1], label)
                cells.append("<td>" + "<br>".join(f"<a href='{_e(name)}.html#new-{_e(i)}' title='{_e(i)}'>{show(i)}</a>"
                                                  for i in ids) + "</td>")
        out.append(f"<tr><td>{_e(ln.id)}</td>{''.join(cells)}<td>{_e(ln.heading)}</td></tr>")
    out.append("</tbody></table></section>")
    return out


def _news_mentions(lin, labels: list[str]) -> list[str]:
    """Which plan tasks each news paragraph mentions (the lineage's news–plan matches), with the
    score of the evidence; each task links to its card in a plan redline."""
    if not lin.mentions:
        return []
    plans = [v.label for v in lin.versions if v.kind != "news"]

    def page(label: str, eid: str) -> str:
        k = plans.index(label) if label in plans else -1
        if k > 0:
            return f"{pair_name(plans[k - 1], label)}.html#new-{eid}"
        if k == 0 and len(plans) > 1:
            return f"{pair_name(label, plans[1])}.html#old-{eid}"
        return ""

    out = ["<section id='news'><h2>新闻稿提及的任务 Plan tasks the news mentions</h2><p>A news summary "
           "restates part of the plans: each paragraph below is linked to the plan tasks it matches, "
           "best evidence first (score: the matcher's).</p><table><thead><tr><th>news</th><th>paragraph</th>"
           "<th>plan task</th><th>heading</th><th>score</th></tr></thead><tbody>"]
    for m in lin.mentions:
        n_label, n_eid = m["news"].split(":", 1)
        p_label, p_eid = m["plan"].split(":", 1)
        num = m.get("plan_num") or p_eid
        href = page(p_label, p_eid)
        task = f"<a href='{_e(href)}' title='{_e(p_eid)}'>{_e(p_label)} {_e(num)}</a>" if href \
            else f"{_e(p_label)} {_e(num)}"
        out.append(f"<tr><td>{_e(n_label)}</td><td title='{_e(n_eid)}'>{_e(m.get('news_label') or n_eid)}</td>"
                   f"<td>{task}</td><td>{_e(m.get('plan_heading'))}</td><td>{m['score']:.2f}</td></tr>")
    out.append("</tbody></table></section>")
    return out
