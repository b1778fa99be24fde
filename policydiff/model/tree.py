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


def insert_span(parent: Node, span: Node, *, text_only: bool = False) -> None:
    """Insert an inline span into the tree at the deepest node that holds it.

    Children fully inside the span move under it, unless the span holds only text (`text_only`:
    a suspect span, which the schema lets hold no element): then it is cut at those children and
    each piece goes into the child it covers, or stays between them. A span that crosses a
    child's boundary is split at that boundary, so that nesting stays strict and no character is
    lost. Children are kept sorted by start and found by bisection, so a clause with thousands of
    targets (or a one-line document) stays fast.
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
            insert_span(child, span, text_only=text_only)
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
                insert_span(parent, part, text_only=text_only)
        return
    inside = [c for c in kids[lo:hi] if span.start <= c.start and c.end <= span.end and c.end > c.start
              or span.start < c.start < span.end]
    if inside and text_only:
        _spread(parent, span, [c for c in inside if c.end > c.start])
    elif inside:
        span.children = sorted(inside + span.children, key=lambda n: n.start)
        first, last = kids.index(inside[0], lo), kids.index(inside[-1], lo)
        kids[first:last + 1] = [span]
    else:
        at = bisect_left(kids, (span.start, -span.end), key=lambda n: (n.start, -n.end))
        kids.insert(at, span)


def _spread(parent: Node, span: Node, inside: list[Node]) -> None:
    """A text-only span over whole children: a piece in each child, and the gaps between them
    (if any) as spans of their own at this level."""
    pos = span.start
    for c in sorted(inside, key=lambda n: n.start):
        if c.start > pos:
            insert_span(parent, Node(span.tag, pos, c.start, dict(span.attrs)), text_only=True)
        insert_span(c, Node(span.tag, c.start, c.end, dict(span.attrs)), text_only=True)
        pos = c.end
    if span.end > pos:
        insert_span(parent, Node(span.tag, pos, span.end, dict(span.attrs)), text_only=True)
