"""The element tree: nodes over character ranges of one text, nesting strictly (lossless by construction)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field


@dataclass(slots=True)
class Node:
    """An element over text[start:end]; children nest strictly inside and do not overlap."""

    tag: str
    start: int
    end: int
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    def iter(self, tag: str | None = None):
        """Depth-first, document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            if tag is None or node.tag == tag:
                yield node
            stack.extend(reversed(node.children))

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)


def insert_span(parent: Node, span: Node) -> None:
    """Insert an inline span into the tree at the deepest node that holds it.

    Children fully inside the span move under it. A span that crosses a child's boundary is
    split at that boundary, so that nesting stays strict and no character is lost. Children are
    kept sorted by start and found by bisection, so a clause with thousands of targets (or a
    one-line document) stays fast.
    """
    kids = parent.children
    # the children that overlap the span: those starting before its end and ending after its start
    lo = bisect_right(kids, span.start, key=lambda n: n.start) - 1
    lo = max(lo, 0)
    while lo > 0 and kids[lo - 1].end > span.start:
        lo -= 1
    hi = bisect_left(kids, span.end, key=lambda n: n.start)
    for child in kids[lo:hi]:
        if child.start <= span.start and span.end <= child.end and child.end > child.start:
            insert_span(child, span)
            return
    overlapping = [c for c in kids[lo:hi] if c.start < span.end and span.start < c.end]
    crossing = [c for c in overlapping if not (span.start <= c.start and c.end <= span.end)]
    if crossing:
        c = crossing[0]
        cut = c.start if span.start < c.start else c.end
        left = Node(span.tag, span.start, cut, dict(span.attrs))
        right = Node(span.tag, cut, span.end, dict(span.attrs))
        for part in (left, right):
            if part.end > part.start:
                insert_span(parent, part)
        return
    inside = [c for c in kids[lo:hi] if span.start <= c.start and c.end <= span.end and c.end > c.start
              or span.start < c.start < span.end]
    if inside:
        span.children = sorted(inside + span.children, key=lambda n: n.start)
        first, last = kids.index(inside[0], lo), kids.index(inside[-1], lo)
        kids[first:last + 1] = [span]
    else:
        at = bisect_left(kids, (span.start, -span.end), key=lambda n: (n.start, -n.end))
        kids.insert(at, span)
