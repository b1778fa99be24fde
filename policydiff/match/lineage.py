"""Clause lineages across every version of a series (2016 → 2019 → 2020 → 2021).

Consecutive versions are compared; their matches link clauses into chains. A clause that is not
carried into the next plan (dropped, or only summarised by a news report in between) is re-checked
against the later plans, so a task that comes back after a gap joins its old lineage. A news
paragraph is shown in every lineage it mentions but never joins two lineages.
"""

from __future__ import annotations

from policydiff.match.chains import Chains
from policydiff.match.compare import compare, compare_cached
from policydiff.model.changes import Comparison
from policydiff.model.document import Document, news_labels
from policydiff.model.series import Lineage, SeriesLineage, VersionInfo

#: how many versions ahead a clause that disappeared is looked for
MAX_GAP = 3


def _label(doc: Document, seen: dict[str, int]) -> str:
    base = str(doc.meta.year or "?")
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}#{seen[base]}"


class _Links:
    """The links a series' comparisons make between clauses, and the chains they join.

    A news summary covers part of a plan and one paragraph may summarise several tasks: it is
    attached to the lineages it mentions, never used to join them, and plans are compared with
    each other across it.
    """

    def __init__(self, nodes: list[tuple[int, str]], is_news: list[bool]):
        self.chains = Chains(nodes)
        self.is_news = is_news
        self.links: list[tuple[tuple[int, str], tuple[int, str], str, float]] = []
        self.forward: set[tuple[int, str]] = set()
        self.backward: set[tuple[int, str]] = set()
        self.mentions: dict[tuple[int, str], set[tuple[int, str]]] = {}

    def connect(self, k: int, j: int, cmp: Comparison, only: tuple[set, set] | None, status: str | None) -> None:
        for m in cmp.matches:
            if not (m.old and m.new):
                continue
            for o in m.old:
                for n in m.new:
                    if only and (o not in only[0] or n not in only[1]):
                        continue
                    self._link(k, o, j, n)
                    self.links.append(((k, o), (j, n), status or m.status, m.score))

    def _link(self, k: int, o: str, j: int, n: str) -> None:
        if self.is_news[k] or self.is_news[j]:
            news_node, plan_node = ((k, o), (j, n)) if self.is_news[k] else ((j, n), (k, o))
            self.mentions.setdefault(news_node, set()).add(plan_node)
        else:
            self.chains.link((k, o), (j, n))
            self.forward.add((k, o))
            self.backward.add((j, n))


def build(series: str, docs: list[Document], comparisons: list[Comparison] | None = None,
          cache: dict | None = None) -> SeriesLineage:
    """Lineages of `docs` (already in version order); consecutive comparisons may be passed in,
    and `cache` shares the non-adjacent comparisons with `trajectory.trajectories`."""
    seen: dict[str, int] = {}
    labels = [_label(d, seen) for d in docs]
    infos = [VersionInfo(lb, d.meta.ref, d.meta.year, d.meta.kind, d.meta.title, d.meta.doc_no, d.meta.date)
             for lb, d in zip(labels, docs, strict=True)]
    if comparisons is None:
        comparisons = [compare(docs[k], docs[k + 1]) for k in range(len(docs) - 1)]
    leaves = [[c for c in d.clauses() if c.is_leaf] for d in docs]
    nodes = [(k, c.eid) for k, ls in enumerate(leaves) for c in ls]
    links = _Links(nodes, [d.meta.kind == "news" for d in docs])
    for k, cmp in enumerate(comparisons):
        links.connect(k, k + 1, cmp, None, None)
    plan_pairs = _after_gaps(docs, leaves, links, cache)
    out = _lineages(_groups(nodes, links), leaves, labels, links)
    # the name a reader cites: a plan clause's printed number, a news paragraph's heading and place
    numbers = {label: {c.eid: c.label for c in ls} | (news_labels(d) if d.meta.kind == "news" else {})
               for label, ls, d in zip(labels, leaves, docs, strict=True)}
    plan_comparisons = [(k, j, comparisons[k] if j == k + 1 else compare_cached(docs[k], docs[j], cache))
                        for k, j in plan_pairs]
    return SeriesLineage(series, infos, out, comparisons, numbers, plan_comparisons, _mentions(links, labels))


def _mentions(links: _Links, labels: list[str]) -> list[dict]:
    """Each link between a news paragraph and a plan clause, with the score of its match: the plan
    tasks a news paragraph mentions (in the news version's order, best evidence first)."""
    out = []
    for a, b, status, score in links.links:
        if links.is_news[a[0]] == links.is_news[b[0]]:
            continue
        news, plan = (a, b) if links.is_news[a[0]] else (b, a)
        out.append({"news": f"{labels[news[0]]}:{news[1]}", "plan": f"{labels[plan[0]]}:{plan[1]}",
                    "status": str(status), "score": score, "_order": (news, -score)})
    out.sort(key=lambda d: d.pop("_order"))
    return out


def _after_gaps(docs: list[Document], leaves: list[list], links: _Links, cache: dict | None) -> list[tuple[int, int]]:
    """Clauses that come back after a gap (a news summary in between, or a year without them).

    Consecutive plans are linked first (2019 → 2021 across the 2020 news summary: the comparison
    `compare` makes of the two plans), then plans further apart, nearest first, for what is still
    unlinked. Returns the consecutive plan pairs (indexes into `docs`)."""
    plans = [k for k in range(len(docs)) if not links.is_news[k]]
    for gap in range(1, MAX_GAP + 1):
        for a_i, k in enumerate(plans[:max(0, len(plans) - gap)]):  # not plans[:-1] when gap > len
            j = plans[a_i + gap]
            if j == k + 1:
                continue
            lost = {c.eid for c in leaves[k] if (k, c.eid) not in links.forward}
            fresh = {c.eid for c in leaves[j] if (j, c.eid) not in links.backward}
            if lost and fresh:
                links.connect(k, j, compare_cached(docs[k], docs[j], cache), (lost, fresh),
                              "plan" if gap == 1 else "after_gap")
    return list(zip(plans, plans[1:], strict=False))


def _groups(nodes: list[tuple[int, str]], links: _Links) -> dict[tuple[int, str], list[tuple[int, str]]]:
    """The members of each chain; a news paragraph joins every chain it mentions."""
    groups: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for node in nodes:
        if node in links.mentions:
            continue  # placed below, in every lineage it mentions
        groups.setdefault(links.chains.root(node), []).append(node)
    for news_node, plan_nodes in links.mentions.items():
        for root in {links.chains.root(p) for p in plan_nodes}:
            groups[root].append(news_node)
    return groups


def _lineages(groups: dict, leaves: list[list], labels: list[str], links: _Links) -> list[Lineage]:
    """One lineage per chain, in the order of its first plan clause."""
    is_news = links.is_news
    order = {(k, c.eid): (k, c.order) for k, ls in enumerate(leaves) for c in ls}
    heading_of = {(k, c.eid): (c.heading or c.text[:30]) for k, ls in enumerate(leaves) for c in ls}

    def first(ms: list[tuple[int, str]]) -> tuple[int, int]:
        plan = [m for m in ms if not is_news[m[0]]]
        return min(order[m] for m in (plan or ms))

    out: list[Lineage] = []
    for members in sorted(groups.values(), key=first):
        cells: dict[str, list[str]] = {}
        for k, eid in sorted(members, key=lambda m: order[m]):
            cells.setdefault(labels[k], []).append(eid)
        plan_members = [m for m in members if not is_news[m[0]]] or members
        last = max(plan_members, key=lambda m: order[m])
        member_set = set(members)
        ln_links = [{"from": f"{labels[a[0]]}:{a[1]}", "to": f"{labels[b[0]]}:{b[1]}", "status": s, "score": sc}
                    for a, b, s, sc in links.links if a in member_set]
        out.append(Lineage(f"L{len(out) + 1}", cells, heading_of[last], ln_links))
    return out
