"""Shared presentation helpers: labels, symbols and read-only views of a `Comparison`.

Nothing here aligns, diffs or classifies: it only groups and labels what `compare` already decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policydiff.model.changes import ClauseChange, Comparison, Reason, Status, TargetChange, TargetChangeKind
from policydiff.model.quantity import display_value
from renderers.labels import (  # noqa: F401 - the label table, re-exported for the renderers
    STATUS_INFO,
    STATUS_LABELS,
    STATUS_ORDER,
    TARGET_INFO,
    TARGET_LABELS,
    TARGET_ORDER,
    status_label,
    status_symbol,
    target_label,
    target_symbol,
)

#: target changes that become filterable tags on a clause card
TAGS = (TargetChangeKind.TIGHTENED, TargetChangeKind.LOOSENED)
#: target changes listed apart from (after) the main target table
FOLDED = (TargetChangeKind.ADDED, TargetChangeKind.DROPPED, TargetChangeKind.UNCHANGED)

KIND_LABELS = {"plan": "工作要点 plan", "news": "新闻稿 news", "city-plan": "市级计划 city plan"}

#: department changes: key → (role, sign)
DEPT_KEYS = (
    ("lead_added", "牵头 lead", "+"),
    ("lead_removed", "牵头 lead", "−"),
    ("support_added", "配合 support", "+"),
    ("support_removed", "配合 support", "−"),
)
DEPT_LABELS = {
    "lead_added": "新增牵头 lead added",
    "lead_removed": "不再牵头 lead removed",
    "support_added": "新增配合 support added",
    "support_removed": "不再配合 support removed",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def one_line(text: str) -> str:
    """Text for a place that holds one line (a heading, a table cell): newlines become ' / '."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return " / ".join(part.strip() for part in text.split("\n") if part.strip())


def clip(text: str, n: int = 40) -> str:
    text = one_line(text)
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- clauses


def card_id(m: ClauseChange) -> str:
    """The stable anchor of a clause card: new-<eId> if it has a new side, else old-<eId>."""
    if m.new:
        return f"new-{m.new[0]}"
    if m.old:
        return f"old-{m.old[0]}"
    return "clause"


def alias_ids(m: ClauseChange) -> list[str]:
    """Every other anchor that should lead to this card (the other new eIds, and the old ones)."""
    main = card_id(m)
    out = [f"new-{e}" for e in m.new] + [f"old-{e}" for e in m.old]
    return [a for a in out if a != main]


def title_of(m: ClauseChange) -> str:
    heading = m.new_heading if m.new else m.old_heading
    if not heading.strip():
        heading = clip(m.new_text if m.new else m.old_text, 36)
    return one_line(heading)


def provenance(m: ClauseChange) -> str:
    """Where a clause came from, as a short phrase (the verb before the old numbers); a clause the
    other version does not mention is the new version's when only the new side exists."""
    if m.new and not m.old:
        return STATUS_LABELS[Status.ADDED].provenance
    return STATUS_LABELS[m.status].provenance


def renumbered(m: ClauseChange) -> str:
    """"（九） → （二）" when a match changed its number; "" when one side has no number (a news
    paragraph), which would leave a dangling "（三） →"."""
    ren = one_line(m.renumbered)
    if "→" not in ren:
        return ren
    old, _, new = ren.partition("→")
    return ren if old.strip() and new.strip() else ""


def correction_note(m: ClauseChange) -> str:
    """"人工更正 corrected by hand: <reason>" for a match a researcher's correction made or broke,
    else ""."""
    ev = m.evidence if isinstance(m.evidence, dict) else {}
    if not ev.get("corrected"):
        return ""
    why = one_line(str(ev.get("correction") or ""))
    return "人工更正 corrected by hand" + (f": {why}" if why else "")


def card_departments(m: ClauseChange) -> list[str]:
    """The departments a card names: those leading or supporting its clauses (evidence
    "departments_held", set by the series report), else those whose role changed or that lead both sides."""
    ev = m.evidence if isinstance(m.evidence, dict) else {}
    held = ev.get("departments_held") or {}
    names = [str(n) for role in ("lead", "support") for n in held.get(role) or []]
    names += [str(n) for _key, _sign, ns in department_changes(m) for n in ns]
    names += [str(n) for n in ev.get("shared_lead") or []]
    return list(dict.fromkeys(one_line(n) for n in names if n and one_line(n)))


def department_changes(m: ClauseChange) -> list[tuple[str, str, list[str]]]:
    """[(key, sign, names)] from the match's departments (key as in DEPT_LABELS)."""
    out = []
    for key, _role, sign in DEPT_KEYS:
        names = [str(n) for n in (m.departments or {}).get(key) or []]
        if names:
            out.append((key, sign, names))
    return out


# --------------------------------------------------------------------------- sections


@dataclass
class Group:
    """A run of cards under one section heading (the new document's, or the old one's for a leading
    dropped clause)."""

    key: str
    side: str
    section: str
    heading: str
    items: list[ClauseChange] = field(default_factory=list)


def section_groups(matches: list[ClauseChange], *, keep=lambda m: True) -> list[Group]:
    """Consecutive cards of one new section; a dropped clause stays where it stood, inside the
    group of the clauses around it."""
    groups: list[Group] = []
    seen: dict[str, int] = {}
    for m in matches:
        if not keep(m):
            continue
        if m.new:
            base = f"sec-new-{m.section}"
            if groups and groups[-1].side == "new" and groups[-1].section == m.section:
                groups[-1].items.append(m)
                continue
            if groups and groups[-1].side == "old" and all(not x.new for x in groups[-1].items):
                # leading dropped clauses before the first new clause: they belong to this section
                key = f"sec-new-{m.section}"
                seen[key] = seen.get(key, 0) + 1
                groups[-1] = Group(key, "new", m.section, m.section_heading, groups[-1].items + [m])
                continue
            side = "new"
        else:
            if groups:
                groups[-1].items.append(m)
                continue
            base = f"sec-old-{m.section}"
            side = "old"
        n = seen.get(base, 0)
        seen[base] = n + 1
        key = base if n == 0 else f"{base}-{n + 1}"
        groups.append(Group(key, side, m.section, m.section_heading, [m]))
    for g in groups:
        if g.side == "old":
            g.heading = ""
    return groups


# --------------------------------------------------------------------------- targets


def target_value(t: TargetChange, side: str) -> str:
    tgt = t.old if side == "old" else t.new
    return display_value(tgt.value, tgt.unit) if tgt is not None else ""


def target_name(t: TargetChange) -> tuple[str, str]:
    """(subject, metric) of the pair, the new side first."""
    ref = t.new or t.old
    if ref is None:
        return "", ""
    return ref.subject or "", ref.metric or ""


def sorted_targets(targets: list[TargetChange]) -> list[TargetChange]:
    rank = {c: i for i, c in enumerate(TARGET_ORDER)}
    return sorted(targets, key=lambda t: rank.get(t.change, len(rank)))


def card_targets(cmp: Comparison) -> dict[int, list[TargetChange]]:
    """For each card (index into cmp.matches), the target changes whose old or new clause it holds."""
    by_new: dict[str, int] = {}
    by_old: dict[str, int] = {}
    for i, m in enumerate(cmp.matches):
        for e in m.new:
            by_new.setdefault(e, i)
        for e in m.old:
            by_old.setdefault(e, i)
    out: dict[int, list[TargetChange]] = {}
    for t in cmp.targets:
        old, new = t.old_clause, t.new_clause
        idx = []
        if new in by_new:
            idx.append(by_new[new])
        if old in by_old and by_old[old] not in idx:
            idx.append(by_old[old])
        for i in idx:
            out.setdefault(i, []).append(t)
    return out


def target_where(cmp: Comparison, t: TargetChange, nums: tuple[dict[str, str], dict[str, str]]) -> str:
    """2019 （三） → 2021 （二）: the clauses of a target change by their numbers (eId if unnumbered)."""
    old_c, new_c = t.old_clause, t.new_clause
    ends = []
    if old_c:
        ends.append(f"{cmp.old.year or '旧 old'} {nums[0].get(old_c) or old_c}")
    if new_c:
        ends.append(f"{cmp.new.year or '新 new'} {nums[1].get(new_c) or new_c}")
    return " → ".join(ends)


def card_tags(targets: list[TargetChange]) -> list[str]:
    return [tag for tag in TAGS if any(t.change == tag for t in targets)]


def target_anchor(cmp: Comparison, t: TargetChange) -> str:
    """The card anchor a target row links to (its new clause if shown, else its old clause)."""
    old, new = t.old_clause, t.new_clause
    news = {e for m in cmp.matches for e in m.new}
    olds = {e for m in cmp.matches for e in m.old}
    if new and new in news:
        return f"new-{new}"
    if old and old in olds:
        return f"old-{old}"
    return ""


def reason_note(reason: Reason) -> str:
    """The reason of a target change as a note (one line; "" when there is none)."""
    return one_line(reason.text) if reason.given else ""


def doc_line(d) -> str:
    """《title》（文号，date）"""
    extra = "，".join(x for x in (d.doc_no, d.date) if x)
    title = one_line(d.title) or d.ref or "?"
    return f"《{title}》" + (f"（{one_line(extra)}）" if extra else "")
