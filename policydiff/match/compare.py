"""Compute the change model of two versions: align clauses, diff inside pairs, pair targets.

This is the one pure per-pair function shared by `compare`, `report`, `lineage` and `batch`.
"""

from __future__ import annotations

from collections import Counter

from policydiff.match.align import Alignment, Match, _lis, align
from policydiff.match.tokens import diff_tokens
from policydiff.model.changes import STATUSES, TARGET_CHANGES, ClauseChange, Comparison, DocInfo, TargetChange
from policydiff.model.document import Clause, Document, Target
from policydiff.model.quantity import display_value
from policydiff.read.targets import compatible_subjects, metric_key, same_metric

_TIME_UNITS = {"工作日", "日", "小时", "分钟", "秒", "个月"}


def doc_info(doc: Document) -> DocInfo:
    m = doc.meta
    return DocInfo(ref=m.ref or m.sha256[:12], series=m.series, year=m.year, kind=m.kind, doc_no=m.doc_no,
                   title=m.title, date=m.date, issuer=m.issuer)


# --------------------------------------------------------------------------- token diff


def _dmp(a: list[str], b: list[str]) -> list[tuple[int, list[str]]]:
    """diff-match-patch over token lists: each distinct token becomes one private-use character."""
    import diff_match_patch as dmp_module

    table: dict[str, str] = {}
    back: list[str] = []

    def encode(tokens: list[str]) -> str:
        out = []
        for t in tokens:
            ch = table.get(t)
            if ch is None:
                n = len(back)
                # supplementary private-use planes: no clash with any character of the text
                ch = chr(0xF0000 + n) if n < 0xFFFE else chr(0x100000 + n - 0xFFFE)
                table[t] = ch
                back.append(t)
            out.append(ch)
        return "".join(out)

    dmp = dmp_module.diff_match_patch()
    dmp.Diff_Timeout = 0  # clauses are short; a timeout would make results depend on machine load
    diffs = dmp.diff_main(encode(a), encode(b), False)
    dmp.diff_cleanupSemantic(diffs)
    return [(op, [back[(ord(c) - 0xF0000) if ord(c) < 0x100000 else ord(c) - 0x100000 + 0xFFFE] for c in chars])
            for op, chars in diffs]


def _sentences(tokens: list[str]) -> list[str]:
    out, cur = [], []
    for t in tokens:
        cur.append(t)
        if t in ("。", "；", "\n"):
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def _similar(a: str, b: str) -> float:
    x = {a[i:i + 2] for i in range(len(a) - 1)}
    y = {b[i:i + 2] for i in range(len(b) - 1)}
    return len(x & y) / len(x | y) if x and y else 0.0


def token_diff(old: str, new: str) -> list[list[str]]:
    """Redline of two clause texts: [[op, text], …] with op "=", "-" or "+".

    Like diff-match-patch's own line mode, it works coarse to fine: sentences first; inside a
    replaced run, sentences are paired with their most similar counterpart (still in order); only
    paired sentences are diffed token by token, where a number with its unit is one token
    (1500万 → 1.1亿 is one replacement). A sentence with no counterpart is deleted or inserted
    whole: a character-level redline of a rewritten sentence is noise, and skipping it keeps
    compare fast.
    """
    if old == new:
        return [["=", old]] if old else []
    ops = {0: "=", -1: "-", 1: "+"}
    out: list[list[str]] = []

    def put(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1][1] += text
        else:
            out.append([op, text])

    coarse = _dmp(_sentences(diff_tokens(old)), _sentences(diff_tokens(new)))
    i = 0
    while i < len(coarse):
        op, sents = coarse[i]
        if op == 0:
            put("=", "".join(sents))
            i += 1
            continue
        deleted: list[str] = []
        inserted: list[str] = []
        while i < len(coarse) and coarse[i][0] != 0:
            (deleted if coarse[i][0] == -1 else inserted).extend(coarse[i][1])
            i += 1
        for kind, a, b in _pair_sentences(deleted, inserted):
            if kind == "pair":
                for fop, toks in _dmp(diff_tokens(a), diff_tokens(b)):
                    put(ops[fop], "".join(toks))
            else:
                put("-" if kind == "del" else "+", a)
    return out


def _pair_sentences(deleted: list[str], inserted: list[str]) -> list[tuple[str, str, str]]:
    """Pair rewritten sentences (bigram Jaccard ≥ 0.3, one to one, order kept): pair/del/ins steps."""
    cands = sorted(((_similar(d, n), -abs(x - y), x, y) for x, d in enumerate(deleted)
                    for y, n in enumerate(inserted)), reverse=True)
    partner: dict[int, int] = {}
    taken: set[int] = set()
    for sim, _d, x, y in cands:
        if sim < 0.3:
            break
        if x not in partner and y not in taken:
            partner[x] = y
            taken.add(y)
    # keep only pairs that preserve order (a longest increasing run of partners)
    xs = sorted(partner)
    keep_idx = sorted(_lis([partner[x] for x in xs]))
    kept = {xs[k]: partner[xs[k]] for k in keep_idx}
    steps: list[tuple[str, str, str]] = []
    y = 0
    for x, d in enumerate(deleted):
        if x in kept:
            while y < kept[x]:
                steps.append(("ins", inserted[y], ""))
                y += 1
            steps.append(("pair", d, inserted[y]))
            y += 1
        else:
            steps.append(("del", d, ""))
    steps.extend(("ins", n, "") for n in inserted[y:])
    return steps


# --------------------------------------------------------------------------- targets


def _direction(t: Target) -> str:
    if t.comparator in ("ge", "gt"):
        return "floor"
    if t.comparator in ("le", "lt"):
        return "ceiling"
    if t.comparator == "reduce_by":
        return "cut"
    if t.comparator == "eq":  # a stated scope: more is more ambitious, except for time taken
        return "ceiling" if t.unit in _TIME_UNITS else "floor"
    return "approx"


def classify(old: Target, new: Target) -> tuple[str, str]:
    """tightened / loosened / unchanged / incomparable / deadline_earlier / deadline_later, and why."""
    if old.unit != new.unit:
        return "incomparable", f"unit changed: {old.unit or '—'} → {new.unit or '—'}"
    if not same_metric(old.metric, new.metric):
        return "incomparable", f"metric changed: {old.metric} → {new.metric}"
    d_old, d_new = _direction(old), _direction(new)
    if d_old != d_new:
        return "incomparable", f"comparator changed: {old.comparator} → {new.comparator}"
    if "approx" in (d_old, d_new):
        return ("unchanged", "same approximate value") if old.value == new.value else (
            "incomparable", "approximate values")
    if old.value != new.value:
        higher = new.value > old.value
        tighter = higher if d_old in ("floor", "cut") else not higher
        return ("tightened" if tighter else "loosened"), f"{display_value(old.value, old.unit)} → " \
                                                         f"{display_value(new.value, new.unit)}"
    strict = {"gt": "ge", "lt": "le"}
    if old.comparator != new.comparator:
        if strict.get(new.comparator) == old.comparator:
            return "tightened", f"{old.comparator} → {new.comparator} at the same value"
        if strict.get(old.comparator) == new.comparator:
            return "loosened", f"{old.comparator} → {new.comparator} at the same value"
    if old.deadline and new.deadline and old.deadline != new.deadline:
        if new.deadline < old.deadline:
            return "deadline_earlier", f"{old.deadline} → {new.deadline}"
        return "deadline_later", f"{old.deadline} → {new.deadline}"
    return "unchanged", ""


def _pair_score(a: Target, b: Target) -> float:
    s = 0.0
    if a.unit == b.unit:
        s += 1.0
    if a.subject and a.subject == b.subject:
        s += 1.0
    if same_metric(a.metric, b.metric):
        s += 2.0
    return s


def _pair_targets(old: list[Target], new: list[Target], *, loose: bool) -> tuple[list[tuple[Target, Target]], list[Target], list[Target]]:
    """Greedy pairing by score; `loose` also pairs same subject+unit with another metric (incomparable).

    Identical targets pair first (linear, and all of a copied clause); the rest are scored only
    within one unit, since a pair always shares its unit.
    """
    pairs: list[tuple[Target, Target]] = []
    used_o: set[int] = set()
    used_n: set[int] = set()
    exact: dict[tuple, list[int]] = {}
    for j, b in enumerate(new):
        exact.setdefault((b.text, b.metric, b.subject, b.unit, b.value, b.comparator), []).append(j)
    for i, a in enumerate(old):
        js = exact.get((a.text, a.metric, a.subject, a.unit, a.value, a.comparator))
        if js:
            j = js.pop(0)
            used_o.add(i)
            used_n.add(j)
            pairs.append((a, new[j]))
    by_unit: dict[str, list[int]] = {}
    for j, b in enumerate(new):
        if j not in used_n:
            by_unit.setdefault(b.unit, []).append(j)
    cands = []
    for i, a in enumerate(old):
        if i in used_o:
            continue
        for j in by_unit.get(a.unit, []):
            b = new[j]
            if not compatible_subjects(a.subject, b.subject):
                continue  # 粤省事's count is never 粤商通's, whatever the metric says
            good = same_metric(a.metric, b.metric)
            if good or (loose and a.subject and a.subject == b.subject):
                cands.append((_pair_score(a, b), -abs(i - j), i, j))
    cands.sort(reverse=True)
    for _s, _d, i, j in cands:
        if i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((old[i], new[j]))
    return pairs, [t for i, t in enumerate(old) if i not in used_o], [t for j, t in enumerate(new) if j not in used_n]


def compare_targets(matches: list[ClauseChange], old_c: dict[str, Clause], new_c: dict[str, Clause],
                    *, old_is_news: bool, new_is_news: bool) -> list[TargetChange]:
    """Pair targets of matched clauses, then across the document by subject and metric."""
    out: list[TargetChange] = []
    left_old: list[Target] = []
    left_new: list[Target] = []
    for m in matches:
        ot = [t for e in m.old for t in old_c[e].targets]
        nt = [t for e in m.new for t in new_c[e].targets]
        if m.old and m.new:
            pairs, lo, ln = _pair_targets(ot, nt, loose=False)
            for a, b in pairs:
                change, why = classify(a, b)
                out.append(TargetChange(a, b, change, why, a.clause, b.clause))
            # another metric for the same subject and unit: say so, never call it a loosening
            pairs2, lo, ln = _pair_targets(lo, ln, loose=True)
            for a, b in pairs2:
                change, why = classify(a, b)
                out.append(TargetChange(a, b, change, why, a.clause, b.clause))
            left_old += lo
            left_new += ln
        elif m.old and m.status != "not_mentioned":
            left_old += ot
        elif m.new and m.status != "not_mentioned":
            left_new += nt
    # across the document: the same subject and metric, wherever the clause went
    strict_old = [t for t in left_old if len(metric_key(t.metric)) >= 3]
    strict_new = [t for t in left_new if len(metric_key(t.metric)) >= 3]
    pairs, _lo, _ln = _pair_targets(strict_old, strict_new, loose=False)
    paired = {id(a) for a, _ in pairs} | {id(b) for _, b in pairs}
    for a, b in pairs:
        if not compatible_subjects(a.subject, b.subject):
            paired -= {id(a), id(b)}
            continue
        change, why = classify(a, b)
        out.append(TargetChange(a, b, change, why + " (across clauses)", a.clause, b.clause))
    for t in left_old:
        if id(t) not in paired and not new_is_news:
            out.append(TargetChange(t, None, "dropped", "", t.clause, ""))
    for t in left_new:
        if id(t) not in paired and not old_is_news:
            out.append(TargetChange(None, t, "added", "", "", t.clause))
    return out


# --------------------------------------------------------------------------- clauses


def _departments(olds: list[Clause], news: list[Clause]) -> dict:
    ol, nl = {x for c in olds for x in c.lead}, {x for c in news for x in c.lead}
    os_, ns = {x for c in olds for x in c.support}, {x for c in news for x in c.support}
    d = {"lead_added": sorted(nl - ol), "lead_removed": sorted(ol - nl),
         "support_added": sorted(ns - os_), "support_removed": sorted(os_ - ns)}
    return {k: v for k, v in d.items() if v}


def _clause_change(m: Match, old_c: dict[str, Clause], new_c: dict[str, Clause],
                   sections: tuple[dict[str, str], dict[str, str]]) -> ClauseChange:
    """sections: (old section headings, new section headings); a dropped clause keeps its old one."""
    olds = [old_c[e] for e in m.old]
    news = [new_c[e] for e in m.new]
    old_text = "\n".join(c.full_text for c in olds)
    new_text = "\n".join(c.full_text for c in news)
    status, ev = m.status, dict(m.evidence)
    if status in ("matched", "moved"):
        identical = old_text == new_text
        if status == "matched":
            status = "unchanged" if identical else "modified"
        else:
            ev["modified"] = not identical
    diff = token_diff(old_text, new_text) if olds and news else []
    anchor = news[0] if news else olds[0]
    sec = anchor.section
    section_heading = sections[1 if news else 0].get(sec, "")
    return ClauseChange(
        old=m.old, new=m.new, status=status, score=m.score, evidence=ev, diff=diff,
        old_num=" ".join(c.label or c.num for c in olds), new_num=" ".join(c.label or c.num for c in news),
        old_heading=" ".join(c.heading for c in olds), new_heading=" ".join(c.heading for c in news),
        old_text=old_text, new_text=new_text, section=sec, section_heading=section_heading,
        departments=_departments(olds, news) if olds and news else {},
    )


def _new_order(changes: list[ClauseChange], old_c: dict[str, Clause], new_c: dict[str, Clause]) -> list[ClauseChange]:
    """The new document's order, each dropped clause placed after where its predecessor went."""
    pos_of_old: dict[str, float] = {}
    for ch in changes:
        if ch.new:
            p = min(new_c[e].order for e in ch.new)
            for e in ch.old:
                pos_of_old[e] = p
    # for each old clause, the furthest new position reached by the old clauses before it
    reached: dict[str, float] = {}
    best = -1.0
    for c in sorted(old_c.values(), key=lambda c: c.order):
        reached[c.eid] = best
        if c.eid in pos_of_old:
            best = max(best, pos_of_old[c.eid])
    keyed = []
    for ch in changes:
        if ch.new:
            keyed.append(((min(new_c[e].order for e in ch.new), 0, 0), ch))
        else:
            o = old_c[ch.old[0]]
            keyed.append(((reached[o.eid], 1, o.order), ch))
    keyed.sort(key=lambda x: x[0])
    return [ch for _, ch in keyed]


def summarize(matches: list[ClauseChange], targets: list[TargetChange]) -> dict:
    """Counts and the lists a researcher reads first."""
    counts = Counter(m.status for m in matches)
    tcounts = Counter(t.change for t in targets)

    def tline(t: TargetChange) -> dict:
        o, n = t.old, t.new
        ref = n or o
        assert ref is not None
        return {"subject": ref.subject, "metric": ref.metric,
                "old": display_value(o.value, o.unit) if o else None,
                "new": display_value(n.value, n.unit) if n else None,
                "old_text": o.text if o else None, "new_text": n.text if n else None,
                "old_clause": t.old_clause, "new_clause": t.new_clause, "change": t.change, "reason": t.reason}

    return {
        "counts": {s: counts.get(s, 0) for s in STATUSES},
        "target_changes": {c: tcounts.get(c, 0) for c in TARGET_CHANGES},
        "new_tasks": [{"clause": m.new[0], "num": m.new_num, "heading": m.new_heading}
                      for m in matches if m.status == "added"],
        "dropped_tasks": [{"clause": m.old[0], "num": m.old_num, "heading": m.old_heading}
                          for m in matches if m.status == "dropped"],
        "tightened": [tline(t) for t in targets if t.change == "tightened"],
        "loosened": [tline(t) for t in targets if t.change == "loosened"],
        "responsibilities": [{"old": m.old, "new": m.new, "heading": m.new_heading or m.old_heading, **m.departments}
                             for m in matches if m.departments and m.old and m.new],
    }


def compare(old_doc: Document, new_doc: Document, alignment: Alignment | None = None) -> Comparison:
    """The change model of old → new."""
    al = alignment or align(old_doc, new_doc)
    old_all, new_all = old_doc.clauses(), new_doc.clauses()
    old_c = {c.eid: c for c in old_all}
    new_c = {c.eid: c for c in new_all}
    sections = ({c.eid: c.heading for c in old_all if c.tag == "section"},
                {c.eid: c.heading for c in new_all if c.tag == "section"})
    changes = [_clause_change(m, old_c, new_c, sections) for m in al.matches]
    changes = _new_order(changes, old_c, new_c)
    containers = [_clause_change(m, old_c, new_c, sections) for m in al.containers]
    targets = compare_targets(changes, old_c, new_c, old_is_news=old_doc.meta.kind == "news",
                              new_is_news=new_doc.meta.kind == "news")
    return Comparison(doc_info(old_doc), doc_info(new_doc), changes, containers, targets,
                      summarize(changes, targets))


def compare_cached(old_doc: Document, new_doc: Document, cache: dict | None) -> Comparison:
    """compare(), remembered in `cache` for the documents of one run (lineage and trajectories
    re-check the same non-adjacent pairs)."""
    if cache is None:
        return compare(old_doc, new_doc)
    key = (id(old_doc), id(new_doc))
    if key not in cache:
        cache[key] = compare(old_doc, new_doc)
    return cache[key]
