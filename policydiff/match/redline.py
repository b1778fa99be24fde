"""The redline of two clause texts: a token diff in which a number with its unit is one token.

`token_diff` works coarse to fine (sentences, then tokens inside paired sentences) with
diff-match-patch over token lists. diff-match-patch runs without a timeout (results must not
depend on machine load), and its worst case is quadratic: two 20,000-character clauses without a
sentence mark took minutes. So `_diff` bounds the work: runs too long for it are first cut at
anchors (patience diff: units found exactly once on each side, kept in order), and a gap still too
long is shown as one deletion and one insertion. A long redline gets coarser, never slower than
near-linear.
"""

from __future__ import annotations

from policydiff.match.align import _lis
from policydiff.match.tokens import diff_tokens

#: distinct tokens the supplementary private-use planes can encode (U+F0000–U+FFFFD, U+100000–U+10FFFF)
_CAPACITY = 0xFFFE + 0x10000
#: above this many deleted × inserted sentences in one run, sentences are not paired (quadratic)
_MAX_PAIRINGS = 250_000
#: diff-match-patch is given runs of at most this many old × new units (≈ 0.1 s at worst)
FINE_MAX = 160_000
#: cuts at anchors inside gaps that are still too long, before a gap is replaced whole
_MAX_DEPTH = 6


def _dmp(a: list[str], b: list[str]) -> list[tuple[int, list[str]]]:
    """diff-match-patch over token lists: each distinct token becomes one private-use character.

    More distinct tokens than there are such characters (a clause of 131,000+ distinct sentences)
    get a coarser diff instead: the common start and end kept, the middle deleted and inserted whole."""
    if len(set(a) | set(b)) > _CAPACITY:
        return _coarse(a, b)
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


def _coarse(a: list[str], b: list[str]) -> list[tuple[int, list[str]]]:
    """Common prefix and suffix kept, the rest one deletion and one insertion (linear time)."""
    p, q = _affixes(a, b)
    steps = [(0, a[:p]), (-1, a[p:len(a) - q]), (1, b[p:len(b) - q]), (0, a[len(a) - q:])]
    return [(op, toks) for op, toks in steps if toks]


def _affixes(a: list[str], b: list[str]) -> tuple[int, int]:
    """Lengths of the common start and the common end (not overlapping)."""
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    q = 0
    while q < n - p and a[len(a) - 1 - q] == b[len(b) - 1 - q]:
        q += 1
    return p, q


#: anchor lengths tried in turn: single units first; runs of units where no unit is unique
_ANCHOR_SIZES = (1, 4, 12)


def _anchors(a: list[str], b: list[str], k: int = 1) -> list[tuple[int, int]]:
    """(i, j) starts of the runs of k units found exactly once in a and once in b, the longest
    series in order, not overlapping."""
    def once(seq: list[str]) -> dict[tuple[str, ...], int]:
        seen: dict[tuple[str, ...], int] = {}
        for i in range(len(seq) - k + 1):
            key = tuple(seq[i:i + k])
            seen[key] = -1 if key in seen else i
        return {key: i for key, i in seen.items() if i >= 0}

    in_b = once(b)
    pairs = sorted((i, in_b[key]) for key, i in once(a).items() if key in in_b)
    keep = _lis([j for _, j in pairs])
    out: list[tuple[int, int]] = []
    for n, (i, j) in enumerate(pairs):
        if n in keep and (not out or (i >= out[-1][0] + k and j >= out[-1][1] + k)):
            out.append((i, j))
    return out


def _diff(a: list[str], b: list[str], depth: int = 0) -> list[tuple[int, list[str]]]:
    """`_dmp` with bounded work: common start and end first, then anchors, then whole replacement."""
    if len(a) * len(b) <= FINE_MAX:
        return _dmp(a, b)
    p, q = _affixes(a, b)
    mid_a, mid_b = a[p:len(a) - q], b[p:len(b) - q]
    out: list[tuple[int, list[str]]] = [(0, a[:p])] if p else []
    k, anchors = 1, []
    if len(mid_a) * len(mid_b) > FINE_MAX and depth < _MAX_DEPTH:
        k, anchors = next(((k, found) for k in _ANCHOR_SIZES if (found := _anchors(mid_a, mid_b, k))), (1, []))
    if len(mid_a) * len(mid_b) <= FINE_MAX:
        out += _dmp(mid_a, mid_b) if mid_a or mid_b else []
    elif anchors:
        i = j = 0
        for x, y in anchors:
            out += _diff(mid_a[i:x], mid_b[j:y], depth + 1) + [(0, mid_a[x:x + k])]
            i, j = x + k, y + k
        out += _diff(mid_a[i:], mid_b[j:], depth + 1)
    else:
        out += [(op, toks) for op, toks in ((-1, mid_a), (1, mid_b)) if toks]
    return out + ([(0, a[len(a) - q:])] if q else [])


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


def _bigram_set(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _similar(x: set[str], y: set[str]) -> float:
    """Jaccard similarity of two sentences' bigram sets."""
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

    coarse = _diff(_sentences(diff_tokens(old)), _sentences(diff_tokens(new)))
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
                for fop, toks in _diff(diff_tokens(a), diff_tokens(b)):
                    put(ops[fop], "".join(toks))
            else:
                put("-" if kind == "del" else "+", a)
    return out


def _pair_sentences(deleted: list[str], inserted: list[str]) -> list[tuple[str, str, str]]:
    """Pair rewritten sentences (bigram Jaccard ≥ 0.3, one to one, order kept): pair/del/ins steps.
    Runs too long to pair (more than _MAX_PAIRINGS candidate pairs) are deleted and inserted whole."""
    if len(deleted) * len(inserted) > _MAX_PAIRINGS:
        return [("del", d, "") for d in deleted] + [("ins", n, "") for n in inserted]
    grams_new = [_bigram_set(n) for n in inserted]
    cands = sorted(((_similar(d, n), -abs(x - y), x, y) for x, d in enumerate(map(_bigram_set, deleted))
                    for y, n in enumerate(grams_new)), reverse=True)
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
