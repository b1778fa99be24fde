"""A ruler: an ordered list of small named rules run over one state (markdown-it-py's `Ruler`).

Cleaning, structure and targets are each such a list. A rule can be switched off, replaced, or a
new one inserted before or after another by name, without touching the rest; every run records
what each rule returned (a `Step`, a count …), so `normalize --explain` can show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Rule = Callable[[Any], Any]


@dataclass
class Ruler:
    """Named rules, each enabled or not, in the order they run."""

    rules: list[tuple[str, Rule, bool]] = field(default_factory=list)

    def push(self, name: str, fn: Rule) -> None:
        self.rules.append((name, fn, True))

    def _index(self, name: str) -> int:
        for i, (n, _fn, _on) in enumerate(self.rules):
            if n == name:
                return i
        raise KeyError(f"no rule named {name!r}")

    def before(self, anchor: str, name: str, fn: Rule) -> None:
        self.rules.insert(self._index(anchor), (name, fn, True))

    def after(self, anchor: str, name: str, fn: Rule) -> None:
        self.rules.insert(self._index(anchor) + 1, (name, fn, True))

    def at(self, name: str, fn: Rule) -> None:
        """Replace the rule of that name (keeping whether it is enabled)."""
        i = self._index(name)
        self.rules[i] = (name, fn, self.rules[i][2])

    def enable(self, *names: str) -> None:
        for name in names:
            i = self._index(name)
            self.rules[i] = (*self.rules[i][:2], True)

    def disable(self, *names: str) -> None:
        for name in names:
            i = self._index(name)
            self.rules[i] = (*self.rules[i][:2], False)

    def names(self, *, enabled_only: bool = True) -> list[str]:
        return [n for n, _fn, on in self.rules if on or not enabled_only]

    def run(self, state: Any) -> list[tuple[str, Any]]:
        """Run every enabled rule in order; (name, what it returned) for each."""
        return [(name, fn(state)) for name, fn, on in self.rules if on]
