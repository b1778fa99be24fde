"""A self-contained HTML redline report of a `Comparison`.

One file: inline CSS and JS, no network access, works from file:// offline. Every piece of document
text goes through `html.escape(..., quote=True)`; the page embeds no data for its script (filters read
`data-` attributes the renderer wrote), builds no event handler from document text, and a
Content-Security-Policy allows only this file's own style and script (by hash), so even text that
escaped escaping could neither run nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import re
from urllib.parse import quote

from policydiff.model.changes import ClauseChange, Comparison, Status, TargetChange
from renderers.common import (
    DEPT_LABELS,
    FOLDED,
    STATUS_INFO,
    STATUS_ORDER,
    TAGS,
    TARGET_INFO,
    alias_ids,
    card_departments,
    card_id,
    card_tags,
    card_targets,
    clip,
    correction_note,
    department_changes,
    kind_label,
    one_line,
    provenance,
    reason_note,
    renumbered,
    section_groups,
    sorted_targets,
    status_label,
    target_anchor,
    target_label,
    target_name,
    target_value,
    target_where,
    title_of,
)
from renderers.html_assets import CSS, JS

#: share of changed text above which the "auto" view shows a clause side by side instead of inline
HEAVY = 0.6
#: lines (of ~42 on an A4 page) above which a card may break across pages: keeping a longer card whole
#: could leave a third of a page or more empty
PRINT_LONG = 14


#: what `html.escape(..., quote=True)` rewrites: text without any of these is returned as it is
_SPECIAL = re.compile("[&<>\"']")


def esc(value: object) -> str:
    """Escape for element content and attribute values alike."""
    text = "" if value is None else str(value)
    return _html.escape(text, quote=True) if _SPECIAL.search(text) else text


def frag(anchor: str) -> str:
    """href to an anchor of this page (an eId is never trusted to be URL-safe)."""
    return "#" + esc(quote(anchor, safe="-_.~"))


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


CSP = ("default-src 'none'; img-src data:; style-src " + _csp_hash(CSS) + "; script-src " + _csp_hash(JS)
       + "; base-uri 'none'; form-action 'none'")


# --------------------------------------------------------------------------- pieces


def _badge(status: str) -> str:
    zh, en, sym = STATUS_INFO.get(status, (status, status, "·"))
    return (f'<span class="badge b-{esc(status)}"><span class="sym" aria-hidden="true">{esc(sym)}</span>'
            f'{esc(zh)} <span class="en">{esc(en)}</span></span>')


def _tag(change: str) -> str:
    zh, en, sym = TARGET_INFO.get(change, (change, change, "·"))
    return (f'<span class="tag tag-{esc(change)}"><span class="sym" aria-hidden="true">{esc(sym)}</span>'
            f'{esc(zh)} <span class="en">{esc(en)}</span></span>')


def _tchg(change: str) -> str:
    zh, en, sym = TARGET_INFO.get(change, (change, change, "·"))
    return f'<span class="tchg">{esc(sym)} {esc(zh)} <span class="en">{esc(en)}</span></span>'


def _ref(numbered: list[tuple[str, str]], side: str, present: set[str], here: str = "") -> str:
    """（三） sec_1__para_3, linked when that clause has a card (numbered: (number, eId) pairs)."""
    out = []
    for num, eid in numbered:
        anchor = f"{side}-{eid}"
        label = f"{esc(num)}<code>{esc(eid)}</code>" if num else f"<code>{esc(eid)}</code>"
        out.append(f'<a href="{frag(anchor)}">{label}</a>' if anchor in present and anchor != here else label)
    return '<span class="ref">' + "、".join(out) + "</span>"


def _diff_html(parts: list[tuple[str, str]] | list[list[str]]) -> str:
    out = []
    for op, text in parts:
        if not text:
            continue
        if op == "-":
            out.append(f"<del>{esc(text)}</del>")
        elif op == "+":
            out.append(f"<ins>{esc(text)}</ins>")
        else:
            out.append(esc(text))
    return "".join(out)


def _target_item(t: TargetChange) -> str:
    subject, metric = target_name(t)
    name = " ".join(x for x in (one_line(subject), one_line(metric)) if x) or "—"
    old, new = target_value(t, "old"), target_value(t, "new")
    if old and new:
        values = f'<span class="nw">{esc(old)} →</span> <span class="nw">{esc(new)}</span>'
    else:
        values = f'<span class="nw">{esc(old or new)}</span>'
    phrases = " → ".join(f'<span class="nw">{esc(one_line(x.text))}</span>' for x in (t.old, t.new)
                         if x is not None and x.text)
    note = reason_note(t.reason) if t.change not in TAGS else ""
    why = f' <span class="muted">· {esc(note)}</span>' if note else ""
    ph = f' <span class="muted">（{phrases}）</span>' if phrases else ""
    return f'<li class="t-{esc(t.change)}">{_tchg(t.change)} {esc(name)}：<b>{values}</b>{ph}{why}</li>'


def _print_lines(m: ClauseChange, targets: list[TargetChange], heavy: bool) -> int:
    """About how many lines the card takes on an A4 page (~46 characters a line, ~23 side by side)."""
    if heavy:
        body = max(len(m.old_text), len(m.new_text)) // 23
    else:
        body = sum(len(t) for _, t in m.diff) // 46 if m.diff else len(m.new_text or m.old_text) // 46
    return body + 5 + len(targets) + 2 * len(department_changes(m))


def _card(m: ClauseChange, targets: list[TargetChange], cmp: Comparison, present: set[str]) -> str:
    cid = card_id(m)
    tags = card_tags(targets)
    num = one_line(m.new_num if m.new else m.old_num)
    heavy = " heavy" if m.old and m.new and m.changed_share > HEAVY else ""
    # a card longer than a third of a printed page may break across pages (see PRINT_LONG)
    heavy += " long" if _print_lines(m, targets, bool(heavy)) > PRINT_LONG else ""
    parts = [f'<article class="card st-{esc(m.status)}{heavy}" id="{esc(cid)}" data-status="{esc(m.status)}" '
             f'data-tags="{esc(" ".join(tags))}" data-depts="{esc("|".join(card_departments(m)))}" tabindex="-1">']
    parts.extend(f'<span class="alias" id="{esc(a)}"></span>' for a in alias_ids(m))
    num_html = f'<span class="num">{esc(num)}</span>' if num else ""
    parts.append('<div class="card-h">' + _badge(m.status)
                 + f'<h3>{num_html}{esc(title_of(m))}</h3>'
                 + "".join(_tag(t) for t in tags)
                 + f'<a class="permalink" href="{frag(cid)}" title="链接到此条 link to this clause">'
                 + f'#{esc(cid)}</a></div>')
    parts.append(_meta(m, cmp, present, cid))
    parts.append(_departments(m))
    if targets:
        parts.append('<ul class="tlist" aria-label="目标变化 target changes">'
                     + "".join(_target_item(t) for t in sorted_targets(targets)) + "</ul>")
    parts.append(_text(m, cmp))
    parts.append("</article>")
    return "".join(parts)


def _meta(m: ClauseChange, cmp: Comparison, present: set[str], cid: str) -> str:
    """Where a clause came from and where it stands, its renumbering, whether a moved text changed."""
    old_year = cmp.old.year or "旧"
    new_year = cmp.new.year or "新"
    meta = []
    if m.old and m.new:
        meta.append(f"<span><b>{esc(provenance(m))}</b> {esc(old_year)} {_ref(m.old_numbered(), 'old', present, cid)}"
                    f" → {esc(new_year)} {_ref(m.new_numbered(), 'new', present, cid)}</span>")
    elif m.old:
        meta.append(f"<span><b>{esc(provenance(m))}</b> {esc(old_year)} "
                    f"{_ref(m.old_numbered(), 'old', present, cid)}</span>")
        if m.section:
            meta.append(f"<span><b>原属章节 old section</b> <code>{esc(m.section)}</code></span>")
    else:
        meta.append(f"<span><b>{esc(provenance(m))}</b> {esc(new_year)} {_ref(m.new_numbered(), 'new', present, cid)}</span>")
    if renumbered(m):
        meta.append(f"<span><b>重新编号 renumbered</b> {esc(renumbered(m))}</span>")
    if correction_note(m):
        head, _, why = correction_note(m).partition(": ")
        meta.append(f'<span class="corrected"><b>{esc(head)}</b> {esc(why)}</span>')
    if m.status == Status.MOVED:
        meta.append("<span><b>文字 text</b> " + ("有修改 modified" if m.modified else "未变 unchanged") + "</span>")
    return '<p class="meta">' + "".join(meta) + "</p>"


def _departments(m: ClauseChange) -> str:
    """Departments that became or stopped being lead or support ("" when none changed)."""
    depts = department_changes(m)
    if not depts:
        return ""
    items = []
    for key, sign, names in depts:
        cls = "d-plus" if sign == "+" else "d-minus"
        items.append(f'<li><span class="sym" aria-hidden="true">{esc(sign)}</span> '
                     f'<b>{esc(DEPT_LABELS[key])}</b>：'
                     + "、".join(f'<span class="{cls}">{esc(one_line(n))}</span>' for n in names) + "</li>")
    return '<ul class="dlist" aria-label="部门变化 department changes">' + "".join(items) + "</ul>"


def _text(m: ClauseChange, cmp: Comparison) -> str:
    """The text: a redline and a side-by-side view when both sides exist, else the one text."""
    old_year = cmp.old.year or "旧"
    new_year = cmp.new.year or "新"
    if m.old and m.new:
        redline = _diff_html(m.diff) if m.diff else esc(m.new_text)
        return (f'<div class="redline"><div class="txt" lang="zh-CN">{redline}</div></div>'
                '<div class="sbs">'
                f'<div class="col old"><div class="col-h">旧 old · {esc(old_year)} {esc(one_line(m.old_num))}</div>'
                f'<div class="txt" lang="zh-CN">{_diff_html(m.old_side)}</div></div>'
                f'<div class="col new"><div class="col-h">新 new · {esc(new_year)} {esc(one_line(m.new_num))}</div>'
                f'<div class="txt" lang="zh-CN">{_diff_html(m.new_side)}</div></div></div>')
    if m.new:
        return (f'<div class="only"><p class="label">新文 new text · {esc(new_year)}</p>'
                f'<div class="txt" lang="zh-CN">{esc(m.new_text)}</div></div>')
    return (f'<div class="only"><p class="label">原文 old text · {esc(old_year)}</p>'
            f'<div class="txt" lang="zh-CN">{esc(m.old_text)}</div></div>')


def _docinfo(d, side: str, label: str) -> str:
    rows = [("标题 title", d.title), ("文号 doc no.", d.doc_no), ("日期 date", d.date),
            ("类型 kind", kind_label(d.kind)), ("发文 issuer", d.issuer), ("版本 ref", d.ref)]
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(one_line(v)) if v else '—'}</dd>" for k, v in rows)
    return f'<section class="docinfo {side}"><h2>{esc(label)}</h2><dl>{body}</dl></section>'


def _summary(cmp: Comparison) -> str:
    c = cmp.counts
    tiles = []
    for s in STATUS_ORDER:
        zh, en, sym = STATUS_INFO[s]
        n = c.get(s, 0)
        tiles.append(f'<li class="tile st-{s}{" zero" if not n else ""}"><span class="n">{n}</span>'
                     f'<span class="l"><span class="sym" aria-hidden="true">{esc(sym)}</span> {esc(zh)} '
                     f'<span class="en">{esc(en)}</span></span></li>')
    tline = "、".join(f"{esc(target_label(k))} {v}" for k, v in cmp.target_counts.items() if v)
    return ('<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">概要 Summary</h2>'
            f'<ul class="tiles">{"".join(tiles)}</ul>'
            + (f'<p class="muted">目标 targets：{tline}</p>' if tline else "") + "</section>")


#: the target table's column names (each cell carries its own, for the phone layout)
_TARGET_LABELS = ("变化 change", "主体 subject", "指标 metric", "旧 old", "新 new", "原文 wording", "条款 clause",
                  "说明 note")


def _target_table(cmp: Comparison, rows: list[TargetChange], caption: str = "") -> str:
    head = ("<tr><th>变化 change</th><th>主体 subject</th><th>指标 metric</th><th>旧 old</th><th>新 new</th>"
            "<th>原文 wording</th><th>条款 clause</th><th>说明 note</th></tr>")
    body = []
    nums = cmp.clause_numbers()
    for t in rows:
        subject, metric = target_name(t)
        anchor = target_anchor(cmp, t)
        link_text = target_where(cmp, t, nums)
        link = f'<a href="{frag(anchor)}">{esc(link_text)}</a>' if anchor else esc(link_text)
        wording = " → ".join(esc(one_line(x.text)) for x in (t.old, t.new) if x is not None and x.text)
        cells = [("", _tchg(t.change)), ("", esc(one_line(subject))), ("", esc(one_line(metric))),
                 ("val", esc(target_value(t, "old")) or "—"), ("val", esc(target_value(t, "new")) or "—"),
                 ("", wording), ("", link), ("", esc(reason_note(t.reason)))]
        tds = []
        for label, (cls, inner) in zip(_TARGET_LABELS, cells, strict=True):
            attr = f' class="{cls}"' if cls else ""
            tds.append(f'<td{attr} data-label="{esc(label)}">{inner}</td>')
        body.append(f'<tr class="t-{esc(t.change)}">{"".join(tds)}</tr>')
    cap = f"<caption class=\"muted\">{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _targets(cmp: Comparison) -> str:
    ts = sorted_targets(cmp.targets)
    main = [t for t in ts if t.change not in FOLDED]
    out = ['<section id="targets" aria-labelledby="targets-h"><h2 id="targets-h">目标变化 Target changes</h2>']
    if main:
        out.append(_target_table(cmp, main))
    else:
        out.append('<p class="muted">没有收紧、放宽或期限变化的目标 no tightened, loosened or rescheduled targets.</p>')
    for change in FOLDED:
        rows = [t for t in ts if t.change == change]
        if rows:
            out.append(f'<details class="more"><summary>{esc(target_label(change))} 目标 targets（{len(rows)}）'
                       f"</summary>{_target_table(cmp, rows)}</details>")
    resp = (cmp.summary or {}).get("responsibilities") or []
    if resp:
        rows_html = []
        for r in resp:
            cells = []
            for key in DEPT_LABELS:
                names = r.get(key) or []
                cells.append(f'<td data-label="{esc(DEPT_LABELS[key])}">'
                             + "、".join(esc(one_line(str(n))) for n in names) + "</td>")
            new = r.get("new") or []
            old = r.get("old") or []
            anchor = f"new-{new[0]}" if new else (f"old-{old[0]}" if old else "")
            head = esc(one_line(str(r.get("heading", ""))))
            rows_html.append(f'<tr><td data-label="条款 clause"><a href="{frag(anchor)}">{head or esc(anchor)}</a></td>'
                             f'{"".join(cells)}</tr>')
        th = "".join(f"<th>{esc(v)}</th>" for v in DEPT_LABELS.values())
        out.append(f'<details class="more"><summary>职责变化 changed responsibilities（{len(resp)}）</summary>'
                   f"<table><thead><tr><th>条款 clause</th>{th}</tr></thead><tbody>{''.join(rows_html)}</tbody>"
                   "</table></details>")
    out.append("</section>")
    return "".join(out)


def _toolbar(cmp: Comparison, tag_counts: dict[str, int], total: int) -> str:
    n = cmp.counts
    chips = []
    for s in STATUS_ORDER:
        if s == Status.UNCHANGED:
            continue
        zh, en, sym = STATUS_INFO[s]
        chips.append(f'<button type="button" data-filter="{s}" aria-pressed="false"{" disabled" if not n[s] else ""}>'
                     f'<span class="sym" aria-hidden="true">{esc(sym)}</span> {esc(zh)} <span class="en">{esc(en)}'
                     f'</span> <span class="cnt">{n[s]}</span></button>')
    for tag in TAGS:
        zh, en, sym = TARGET_INFO[tag]
        k = tag_counts.get(tag, 0)
        chips.append(f'<button type="button" data-filter="{tag}" aria-pressed="false"{" disabled" if not k else ""}>'
                     f'<span class="sym" aria-hidden="true">{esc(sym)}</span> {esc(zh)} <span class="en">{esc(en)}'
                     f'</span> <span class="cnt">{k}</span></button>')
    unch = n[Status.UNCHANGED]
    return ('<div class="toolbar" role="toolbar" aria-label="筛选 filters">'
            '<div class="row"><span class="lab">筛选 filter</span>'
            '<button type="button" id="f-all" aria-pressed="true">全部变更 all changes</button>'
            + "".join(chips)
            + f'<button type="button" id="f-unchanged" aria-pressed="false"{" disabled" if not unch else ""}>'
            f'<span class="sym" aria-hidden="true">=</span> 显示未变 <span class="en">show unchanged</span> '
            f'<span class="cnt">{unch}</span></button></div>'
            '<div class="row"><span class="lab">视图 view</span>'
            '<button type="button" data-view="auto" aria-pressed="true" title="小改动行内显示，大改写左右对照 '
            'inline for small edits, side by side for rewrites">自动 <span class="en">auto</span></button>'
            '<button type="button" data-view="inline" aria-pressed="false">行内修订 <span class="en">inline</span></button>'
            '<button type="button" data-view="sbs" aria-pressed="false">左右对照 <span class="en">side by side</span>'
            '</button><button type="button" data-view="both" aria-pressed="false">两者 <span class="en">both</span>'
            f'</button><span class="shown">显示 showing <b id="shown-count">{total}</b> / {total} 条 clauses</span>'
            "</div>" + _dept_filter(cmp) + "</div>")


def _dept_filter(cmp: Comparison) -> str:
    """A select of the departments the cards name (most cards first); "" when none do."""
    count: dict[str, int] = {}
    for m in cmp.matches:
        for d in card_departments(m):
            count[d] = count.get(d, 0) + 1
    if not count:
        return ""
    opts = "".join(f'<option value="{esc(d)}">{esc(d)} ({k})</option>'
                   for d, k in sorted(count.items(), key=lambda x: (-x[1], x[0])))
    return ('<div class="row"><label class="lab" for="f-dept">部门 department</label>'
            '<select id="f-dept"><option value="">全部部门 all departments</option>' + opts + "</select></div>")


def _toc(groups, names: dict[str, str]) -> str:
    items = ['<li><a href="#summary">概要 Summary</a></li>', '<li><a href="#targets">目标变化 Target changes</a></li>']
    for g in groups:
        c: dict[str, int] = {}
        for m in g.items:
            c[m.status] = c.get(m.status, 0) + 1
        mini = "".join(f'<span title="{esc(status_label(s))}">{esc(STATUS_INFO[s][0])} {c[s]}</span>'
                       for s in STATUS_ORDER if c.get(s))
        items.append(f'<li><a href="{frag(g.key)}">{esc(names[g.key])}<span class="mini">{mini}</span></a></li>')
    return ('<nav class="toc" aria-label="目录 contents"><h2>目录 Contents</h2><ol>' + "".join(items) + "</ol></nav>")


def render(cmp: Comparison) -> str:
    """The whole report as one HTML document (str)."""
    per_card = card_targets(cmp)
    present = set()
    for m in cmp.matches:
        present.add(card_id(m))
        present.update(alias_ids(m))
    index = {id(m): i for i, m in enumerate(cmp.matches)}
    groups = section_groups(cmp.matches)
    tag_counts = {tag: 0 for tag in TAGS}
    for i in range(len(cmp.matches)):
        for tag in card_tags(per_card.get(i, [])):
            tag_counts[tag] += 1
    names = {}
    for g in groups:
        if g.heading:
            names[g.key] = one_line(g.heading)
        elif g.side == "old":
            names[g.key] = f"旧版章节 old section {g.section}"
        else:
            names[g.key] = g.section or "—"
    sections = []
    for g in groups:
        cards = "".join(_card(m, per_card.get(index[id(m)], []), cmp, present) for m in g.items)
        sections.append(f'<section class="sec" id="{esc(g.key)}" aria-label="{esc(names[g.key])}">'
                        f'<h2>{esc(names[g.key])}<span class="sid">{esc(g.section)}</span></h2>{cards}</section>')
    old_t, new_t = one_line(cmp.old.title) or cmp.old.ref, one_line(cmp.new.title) or cmp.new.ref
    page_title = f"条款对比 {clip(old_t, 30)} → {clip(new_t, 30)}"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="policydiff">',
        f"<title>{esc(page_title)}</title><style>{CSS}</style></head>",
        '<body class="view-auto"><a class="skip" href="#clauses">跳到条款 skip to clauses</a>',
        '<header class="doc"><p class="eyebrow">policydiff · 条款对比报告 clause-by-clause comparison</p>',
        f'<h1>{esc(old_t)}<span class="arrow" aria-label="to">→</span>{esc(new_t)}</h1>',
        '<div class="docs">', _docinfo(cmp.old, "old", f"旧版 old · {cmp.old.year or ''}"),
        _docinfo(cmp.new, "new", f"新版 new · {cmp.new.year or ''}"), "</div></header>",
        '<div class="layout">', _toc(groups, names), "<main>", _summary(cmp), _targets(cmp),
        '<section id="clauses" aria-labelledby="clauses-h"><h2 id="clauses-h">条款 Clauses</h2>',
        _toolbar(cmp, tag_counts, len(cmp.matches)),
        "".join(sections),
        '<p id="no-cards" class="empty is-hidden">没有符合筛选条件的条款 no clause matches these filters.</p>',
        "</section></main></div>",
        '<footer><p>符号 legend：'
        + " · ".join(f"{esc(STATUS_INFO[s][2])} {esc(status_label(s))}" for s in STATUS_ORDER)
        + " · ▲ 收紧 tightened · ▼ 放宽 loosened。<del>删除的文字 deleted text</del> <ins>新增的文字 inserted text</ins>。"
        f"</p><p>policydiff · {esc(cmp.old.ref)} → {esc(cmp.new.ref)}</p></footer>",
        f"<script>{JS}</script></body></html>\n",
    ])
