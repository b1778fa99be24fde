"""The change summary for a researcher who reads only this (`--format summary`).

`lines(cmp)` gives plain sentences (no markup); `render(cmp)` gives the same content as Markdown,
grouped under headings, with all document text escaped.
"""

from __future__ import annotations

from policydiff.model.changes import Comparison, ReasonKind, TargetChange, TargetChangeKind
from renderers.common import (
    DEPT_LABELS,
    STATUS_ORDER,
    TARGET_ORDER,
    doc_line,
    kind_label,
    one_line,
    reason_note,
    status_label,
    target_label,
    target_name,
    target_value,
)
from renderers.markdown import escape


def _s(cmp: Comparison) -> dict:
    return cmp.summary or {}


def _targets(cmp: Comparison, change: TargetChangeKind) -> list[TargetChange]:
    """The target changes of one kind, in the comparison's order (the summary's lists)."""
    return [t for t in cmp.targets if t.change == change]


def target_sentence(t: TargetChange) -> str:
    """粤省事 实名注册用户: 1500万 → 1.1亿, tightened"""
    subject, metric = target_name(t)
    name = " ".join(x for x in (one_line(subject), one_line(metric)) if x)
    old, new = target_value(t, "old") or "—", target_value(t, "new") or "—"
    return f"{name or '—'}: {one_line(old)} → {one_line(new)}, {t.change}".rstrip(", ")


def _wording(t: TargetChange) -> str:
    old, new = (one_line(x.text) if x is not None else "" for x in (t.old, t.new))
    return f"{old} → {new}" if old and new else (old or new)


def _note(t: TargetChange) -> str:
    """The reason, unless it only restates the values the sentence already gives."""
    r = t.reason
    if r.kind is ReasonKind.VALUE and not r.across_clauses:
        return ""
    return reason_note(r)


def task_sentence(item: dict) -> str:
    """（四） 深化政务服务“跨省通办、省内通办”。"""
    return " ".join(x for x in (one_line(item.get("num") or ""), one_line(item.get("heading") or "")) if x) \
        or str(item.get("clause", ""))


def responsibility_sentence(item: dict) -> str:
    """深化“粤系列”平台型应用建设。 — 不再配合 support removed: 各地级以上市政府、省直有关部门"""
    changes = "; ".join(f"{DEPT_LABELS[k]}: {'、'.join(one_line(str(n)) for n in item[k])}"
                        for k in DEPT_LABELS if item.get(k))
    return f"{one_line(str(item.get('heading') or '')) or '—'} — {changes}"


def counts_sentence(cmp: Comparison) -> str:
    c = cmp.counts
    parts = [f"{status_label(s)} {c[s]}" for s in STATUS_ORDER if c[s]]
    return "条款 clauses: " + (", ".join(parts) if parts else "无 none")


def targets_sentence(cmp: Comparison) -> str:
    tc = cmp.target_counts
    parts = [f"{target_label(k)} {tc[k]}" for k in TARGET_ORDER if tc[k]]
    return "目标 targets: " + (", ".join(parts) if parts else "无 none")


def compared_sentence(cmp: Comparison) -> str:
    return f"对比 compared: {doc_line(cmp.old)} → {doc_line(cmp.new)}"


def _sections(cmp: Comparison) -> dict[str, str]:
    """New clause eId → the heading of its section (as the clause cards state it)."""
    return {e: one_line(m.section_heading) for m in cmp.matches if m.new for e in m.new if m.section_heading}


def lines(cmp: Comparison) -> list[str]:
    """The summary as plain sentences, most important first."""
    s = _s(cmp)
    out = [compared_sentence(cmp), counts_sentence(cmp), targets_sentence(cmp)]
    out += [target_sentence(t) for t in _targets(cmp, TargetChangeKind.TIGHTENED)]
    out += [target_sentence(t) for t in _targets(cmp, TargetChangeKind.LOOSENED)]
    sec = _sections(cmp)
    for t in s.get("new_tasks") or []:
        where = sec.get(str(t.get("clause", "")))
        out.append(f"新增任务 new task: {task_sentence(t)}" + (f" （{where}）" if where else ""))
    out += [f"删除任务 dropped task: {task_sentence(t)}" for t in s.get("dropped_tasks") or []]
    out += [f"职责变化 responsibilities: {responsibility_sentence(r)}" for r in s.get("responsibilities") or []]
    return out


def _section(title: str, items: list[str]) -> list[str]:
    out = [f"## {title} ({len(items)})", ""]
    out += [f"- {x}" for x in items] if items else ["无 none"]
    return out + [""]


def _grouped(title: str, tasks: list[dict], sections: dict[str, str]) -> list[str]:
    """Tasks under the section they belong to (a nested list), in the document's order."""
    out = [f"## {title} ({len(tasks)})", ""]
    if not tasks:
        return out + ["无 none", ""]
    current = None
    for t in tasks:
        where = sections.get(str(t.get("clause", "")), "")
        if where != current:
            current = where
            out.append(f"- {escape(where or '其他 other')}")
        out.append(f"  - {escape(task_sentence(t))}")
    return out + [""]


def render(cmp: Comparison) -> str:
    """The summary as Markdown."""
    s = _s(cmp)
    o, n = cmp.old, cmp.new
    out = ["# 变化摘要 Change summary", ""]
    out += [f"旧版 old: {escape(doc_line(o))} · {escape(kind_label(o.kind))}\\",
            f"新版 new: {escape(doc_line(n))} · {escape(kind_label(n.kind))}", ""]
    out += [f"- {escape(counts_sentence(cmp))}", f"- {escape(targets_sentence(cmp))}", ""]

    def target_items(change: TargetChangeKind) -> list[str]:
        items = []
        for t in _targets(cmp, change):
            line = escape(target_sentence(t))
            wording = _wording(t)
            if wording:
                line += f" (原文 wording: {escape(wording, at_start=False)})"
            note = _note(t)
            if note:
                line += f" · {escape(note, at_start=False)}"
            items.append(line)
        return items

    out += _section("目标收紧 Tightened targets", target_items(TargetChangeKind.TIGHTENED))
    out += _section("目标放宽 Loosened targets", target_items(TargetChangeKind.LOOSENED))
    out += _grouped("新增任务 New tasks", s.get("new_tasks") or [], _sections(cmp))
    out += _section("删除任务 Dropped tasks", [escape(task_sentence(t)) for t in s.get("dropped_tasks") or []])
    out += _section("职责变化 Changed responsibilities",
                    [escape(responsibility_sentence(r)) for r in s.get("responsibilities") or []])
    return "\n".join(out).rstrip("\n") + "\n"
