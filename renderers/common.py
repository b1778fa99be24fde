"""Shared presentation helpers: labels, symbols and read-only views of a `Comparison`.

Nothing here aligns, diffs or classifies: it only groups and labels what `compare` already decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policydiff.model.changes import ClauseChange, Comparison, TargetChange
from policydiff.model.quantity import display_value

#: clause statuses: (中文, English, symbol) — never colour alone
STATUS_INFO: dict[str, tuple[str, str, str]] = {
    "added": ("新增", "added", "+"),
    "dropped": ("删除", "dropped", "−"),
    "modified": ("修改", "modified", "✎"),
    "moved": ("移动", "moved", "⇅"),
    "split": ("拆分", "split", "1→n"),
    "merged": ("合并", "merged", "n→1"),
    "not_mentioned": ("未提及", "not mentioned", "?"),
    "unchanged": ("未变", "unchanged", "="),
}
#: the order filters, counts and summaries list statuses in
STATUS_ORDER = ("added", "dropped", "modified", "moved", "split", "merged", "not_mentioned", "unchanged")

#: target changes: (中文, English, symbol)
TARGET_INFO: dict[str, tuple[str, str, str]] = {
    "tightened": ("收紧", "tightened", "▲"),
    "loosened": ("放宽", "loosened", "▼"),
    "deadline_earlier": ("期限提前", "deadline earlier", "◀"),
    "deadline_later": ("期限推后", "deadline later", "▶"),
    "incomparable": ("不可比", "incomparable", "≠"),
    "unchanged": ("未变", "unchanged", "="),
    "added": ("新增", "added", "+"),
    "dropped": ("删除", "dropped", "−"),
}
TARGET_ORDER = ("tightened", "loosened", "deadline_earlier", "deadline_later", "incomparable", "unchanged",
                "added", "dropped")
#: target changes that become filterable tags on a clause card
TAGS = ("tightened", "loosened")

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


def status_label(status: str) -> str:
    """新增 added"""
    zh, en, _ = STATUS_INFO.get(status, (status, status.replace("_", " "), "·"))
    return f"{zh} {en}" if zh != en else zh


def status_symbol(status: str) -> str:
    return STATUS_INFO.get(status, ("", "", "·"))[2]


def target_label(change: str) -> str:
    """收紧 tightened"""
    zh, en, _ = TARGET_INFO.get(change, (change, change.replace("_", " "), "·"))
    return f"{zh} {en}" if zh != en else zh


def target_symbol(change: str) -> str:
    return TARGET_INFO.get(change, ("", "", "·"))[2]


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


def numbered(nums: str, eids: list[str]) -> list[tuple[str, str]]:
    """(number, eId) pairs: old_num/new_num are the clauses' numbers joined by spaces."""
    parts = nums.split()
    if len(parts) != len(eids):
        parts = [nums.strip()] + [""] * (len(eids) - 1) if eids else []
    return list(zip(parts, eids, strict=False))


def is_modified(m: ClauseChange) -> bool:
    """Whether the clause text changed (a moved clause carries this in its evidence)."""
    if m.status == "moved":
        return bool((m.evidence or {}).get("modified", any(op != "=" for op, _ in m.diff)))
    return m.status not in ("unchanged", "added", "dropped", "not_mentioned")


def provenance(m: ClauseChange) -> str:
    """Where a clause came from, as a short phrase (the verb before the old numbers)."""
    return {
        "split": "拆分自 split from",
        "merged": "合并自 merged from",
        "moved": "移自 moved from",
        "dropped": "旧条款 old clause",
        "not_mentioned": "旧条款 old clause",
        "added": "新条款 new clause",
    }.get(m.status, "对应 matches")


def changed_share(m: ClauseChange) -> float:
    """How much of the redline is deleted or inserted text (0 = identical, 1 = rewritten)."""
    total = sum(len(t) for _, t in m.diff)
    if not total:
        return 0.0
    return sum(len(t) for op, t in m.diff if op != "=") / total


def clause_numbers(cmp: Comparison) -> tuple[dict[str, str], dict[str, str]]:
    """eId → clause number, for the old and the new document, as the cards state them."""
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for m in cmp.matches:
        old.update((e, n) for n, e in numbered(m.old_num, m.old))
        new.update((e, n) for n, e in numbered(m.new_num, m.new))
    return old, new


def department_changes(m: ClauseChange) -> list[tuple[str, str, list[str]]]:
    """[(key, sign, names)] from the match's departments (key as in DEPT_LABELS)."""
    out = []
    for key, _role, sign in DEPT_KEYS:
        names = [str(n) for n in (m.departments or {}).get(key) or []]
        if names:
            out.append((key, sign, names))
    return out


def split_diff(m: ClauseChange) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The old and the new side of the redline, each as [(op, text)] (op "=" or "-" / "+")."""
    old = [(op, text) for op, text in m.diff if op in ("=", "-")]
    new = [(op, text) for op, text in m.diff if op in ("=", "+")]
    if m.diff and "".join(t for _, t in old) != m.old_text:
        old = [("=", m.old_text)]
    if m.diff and "".join(t for _, t in new) != m.new_text:
        new = [("=", m.new_text)]
    if not m.diff:
        old = [("=", m.old_text)] if m.old_text else []
        new = [("=", m.new_text)] if m.new_text else []
    return old, new


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


def target_clauses(t: TargetChange) -> tuple[str, str]:
    old = t.old_clause or (t.old.clause if t.old else "")
    new = t.new_clause or (t.new.clause if t.new else "")
    return old, new


def target_value(t, side: str) -> str:
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
        old, new = target_clauses(t)
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
    old_c, new_c = target_clauses(t)
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
    old, new = target_clauses(t)
    news = {e for m in cmp.matches for e in m.new}
    olds = {e for m in cmp.matches for e in m.old}
    if new and new in news:
        return f"new-{new}"
    if old and old in olds:
        return f"old-{old}"
    return ""


def counts(cmp: Comparison) -> dict[str, int]:
    """Counts per status, as the summary states them (falling back to the cards shown)."""
    given = (cmp.summary or {}).get("counts") or {}
    out = {s: 0 for s in STATUS_ORDER}
    if given:
        for s, n in given.items():
            out[s] = int(n)
    else:
        for m in cmp.matches:
            out[m.status] = out.get(m.status, 0) + 1
    return out


def doc_line(d) -> str:
    """《title》（文号，date）"""
    extra = "，".join(x for x in (d.doc_no, d.date) if x)
    title = one_line(d.title) or d.ref or "?"
    return f"《{title}》" + (f"（{one_line(extra)}）" if extra else "")
