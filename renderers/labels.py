"""The one label table: how every renderer names clause statuses and target changes.

Keyed by the model's enums, in the order filters, counts and legends list them. Every other
label a renderer shows for a status or a target change is read from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from policydiff.model.changes import Status, TargetChangeKind


@dataclass(frozen=True)
class Label:
    """中文, English and a symbol (never colour alone), and the phrases some places use instead."""

    zh: str
    en: str
    symbol: str
    #: the short names where the context says "target" already (a trajectory step, a chart)
    short_zh: str = ""
    short_en: str = ""
    #: statuses: the words before a clause's old numbers ("拆分自 split from …")
    provenance: str = "对应 matches"

    @property
    def text(self) -> str:
        """新增 added"""
        return f"{self.zh} {self.en}" if self.zh != self.en else self.zh

    @property
    def step(self) -> str:
        """▲ 收紧 tightened: a step of a trajectory on the series page."""
        return f"{self.symbol} {self.short_zh or self.zh} {self.en}"

    @property
    def mark(self) -> str:
        """▲ tightened: a step in a chart."""
        return f"{self.symbol} {self.short_en or self.en}"


STATUS_LABELS: dict[Status, Label] = {
    Status.ADDED: Label("新增", "added", "+", provenance="新条款 new clause"),
    Status.DROPPED: Label("删除", "dropped", "−", provenance="旧条款 old clause"),
    Status.MODIFIED: Label("修改", "modified", "✎"),
    Status.MOVED: Label("移动", "moved", "⇅", provenance="移自 moved from"),
    Status.SPLIT: Label("拆分", "split", "1→n", provenance="拆分自 split from"),
    Status.MERGED: Label("合并", "merged", "n→1", provenance="合并自 merged from"),
    Status.NOT_MENTIONED: Label("未提及", "not mentioned", "?", provenance="旧条款 old clause"),
    Status.UNCHANGED: Label("未变", "unchanged", "="),
}

TARGET_LABELS: dict[TargetChangeKind, Label] = {
    TargetChangeKind.TIGHTENED: Label("收紧", "tightened", "▲"),
    TargetChangeKind.LOOSENED: Label("放宽", "loosened", "▼"),
    TargetChangeKind.DEADLINE_EARLIER: Label("期限提前", "deadline earlier", "◀", short_zh="提前",
                                             short_en="earlier"),
    TargetChangeKind.DEADLINE_LATER: Label("期限推后", "deadline later", "▶", short_zh="推迟", short_en="later"),
    TargetChangeKind.MIXED: Label("有升有降", "mixed", "◆", short_zh="混合"),
    TargetChangeKind.CHANGED: Label("改变", "changed", "~"),
    TargetChangeKind.INCOMPARABLE: Label("不可比", "incomparable", "≠"),
    TargetChangeKind.UNCHANGED: Label("未变", "unchanged", "="),
    TargetChangeKind.ADDED: Label("新增", "added", "+"),
    TargetChangeKind.DROPPED: Label("删除", "dropped", "−"),
}

#: the order filters, counts and summaries list statuses and target changes in
STATUS_ORDER: tuple[Status, ...] = tuple(STATUS_LABELS)
TARGET_ORDER: tuple[TargetChangeKind, ...] = tuple(TARGET_LABELS)
#: (中文, English, symbol) views of the table
STATUS_INFO: dict[Status, tuple[str, str, str]] = {s: (lb.zh, lb.en, lb.symbol) for s, lb in STATUS_LABELS.items()}
TARGET_INFO: dict[TargetChangeKind, tuple[str, str, str]] = {
    c: (lb.zh, lb.en, lb.symbol) for c, lb in TARGET_LABELS.items()}


def status_label(status: str) -> str:
    """新增 added"""
    return STATUS_LABELS[Status(status)].text


def status_symbol(status: str) -> str:
    return STATUS_LABELS[Status(status)].symbol


def target_label(change: str) -> str:
    """收紧 tightened"""
    return TARGET_LABELS[TargetChangeKind(change)].text


def target_symbol(change: str) -> str:
    return TARGET_LABELS[TargetChangeKind(change)].symbol
