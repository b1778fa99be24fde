"""Responsibility statements: who leads a task and who supports it.

Formats read (domain notes): （A、B牵头，C配合）, （A负责）, （A牵头，B等有关单位按职责分工负责）,
[A牵头], 【A牵头】, （责任单位：A、B）, a line "责任单位：A（牵头），B、C", and lists under the note
"责任单位排在首位的为牵头单位，下同" (the first unit leads). Org names may hold brackets of their own
(各县（市、区）人民政府), and a list may share one suffix (广州、深圳、珠海出入境边防检查总站 are
three stations). Role words, labels, notes and prefixes are lexicon data.
"""

from __future__ import annotations

import re
from functools import lru_cache

from policydiff import lexicon
from policydiff.model.tree import Node

_OPEN, _CLOSE = "（[【", "）]】"
_SPLIT = "、，,；"


@lru_cache(maxsize=1)
def _vocab() -> dict[str, object]:
    roles = lexicon.mapping("responsibility_roles")
    markers = lexicon.table("responsibility_markers")
    by_kind = {k: [r[0] for r in markers if r[1] == k]
               for k in ("label", "lead_label", "support_label", "lead_first", "list_end")}
    labels = {w: "" for w in by_kind["label"]} | {w: "lead" for w in by_kind["lead_label"]} \
        | {w: "support" for w in by_kind["support_label"]}
    return {
        "roles": roles,
        "role_rx": re.compile("(" + "|".join(re.escape(w) for w in sorted(roles, key=len, reverse=True)) + ")"),
        "any_role": re.compile("|".join(re.escape(w) for w in roles)),
        "labels": labels,
        "label_rx": re.compile(r"(" + "|".join(map(re.escape, sorted(labels, key=len, reverse=True))) + r")\s*[:：]"),
        "lead_first": tuple(by_kind["lead_first"]),
        "list_end": re.compile("(?:" + "|".join(map(re.escape, by_kind["list_end"])) + ")$"),
        "suffix": re.compile(f"(?:{lexicon.alternation('department_suffixes')})$"),
        "unprefixed": re.compile(f"^(?:{lexicon.alternation('unprefixed_orgs')})"),
        "prefix": re.compile(f"^(?:{lexicon.alternation('org_prefixes')})"),
        "not_prefix": re.compile(f"^(?:{lexicon.alternation('org_prefix_exceptions')})"),
        "places": lexicon.pattern("places"),
    }


def lead_first_note(text: str) -> bool:
    """Whether the document says that the first unit of each list leads (下同 notes)."""
    return any(note in text for note in _vocab()["lead_first"])


def is_statement(inner: str) -> bool:
    """Whether the inside of a bracket (or a line) names responsible units."""
    v = _vocab()
    return bool(v["label_rx"].match(inner) or v["any_role"].search(inner))


def is_note(line: str) -> bool:
    """A 下同 note about how lists are read: not a statement of its own."""
    return any(note in line for note in _vocab()["lead_first"])


def tail_statement(text: str, end: int, floor: int) -> tuple[int, int] | None:
    """The bracketed statement that closes at text[end-1] ((start, end), brackets included), or a
    last line that is one ("责任单位：…")."""
    v = _vocab()
    line_a = text.rfind("\n", floor, end) + 1
    labelled_line = line_a > floor and v["label_rx"].match(text, line_a, end)
    span = _tail_bracket(text, end, floor)
    if span and span[1] - span[0] <= 300 and is_statement(text[span[0] + 1:span[1] - 1]):
        if text[span[0] + 1:span[1] - 1].strip() not in v["roles"]:
            return span
        # "A、B（按职责分工负责）": the bracket holds only the role; the units stand before it
        if labelled_line:
            return line_a, end
        start = max(text.rfind(ch, max(floor, line_a), span[0]) for ch in "。；：") + 1
        if start > max(floor, line_a) and span[0] - start <= 120:
            return start, end
        return span
    if labelled_line:
        return line_a, end
    return None


def _tail_bracket(text: str, end: int, floor: int) -> tuple[int, int] | None:
    """The bracket pair that closes at text[end-1], nested pairs balanced."""
    if end <= floor or text[end - 1] not in _CLOSE:
        return None
    depth, i = 0, end - 1
    while i >= floor:
        c = text[i]
        if c in _CLOSE:
            depth += 1
        elif c in _OPEN:
            depth -= 1
            if depth == 0:
                return i, end
        elif c == "\n":
            return None
        i -= 1
    return None


def parse(text: str, a: int, b: int, *, lead_first: bool = False) -> Node:
    """A responsibility node over text[a:b] with lead and support groups of org nodes."""
    resp = Node("responsibility", a, b)
    inner_a, inner_b = (a + 1, b - 1) if text[a] in _OPEN and text[b - 1] in _CLOSE else (a, b)
    for tag, role, ga, gb, names_b in _labelled_groups(text, inner_a, inner_b, lead_first=lead_first):
        node = Node(tag, ga, gb, {"role": role})
        node.children = org_nodes(text, ga, names_b)
        if node.children:
            resp.children.append(node)
    return resp


def _labelled_groups(text: str, a: int, b: int, *, lead_first: bool) -> list[tuple[str, str, int, int, int]]:
    """Split on labels (牵头单位：…；配合单位：…; 责任单位：…): a labelled run takes the label's role,
    a neutral one is read by its role words."""
    v = _vocab()
    marks = list(v["label_rx"].finditer(text, a, b))
    if not marks:
        return _role_groups(text, a, b, lead_first=lead_first)
    out: list[tuple[str, str, int, int, int]] = []
    for k, m in enumerate(marks):
        seg_b = marks[k + 1].start() if k + 1 < len(marks) else b
        while seg_b > m.end() and text[seg_b - 1] in _SPLIT + " ":
            seg_b -= 1
        role = v["labels"][m.group(1)]
        if role:
            # "牵头单位：A、B，按职责分工负责": the role phrase after the units names no unit
            names_b = next((r.start() for r in v["role_rx"].finditer(text, m.end(), seg_b)), seg_b)
            while names_b > m.end() and text[names_b - 1] in _SPLIT + " ":
                names_b -= 1
            out.append((role, m.group(1), m.end(), seg_b, names_b))
        else:
            out.extend(_role_groups(text, m.end(), seg_b, lead_first=lead_first))
    return out


def _role_groups(text: str, a: int, b: int, *, lead_first: bool) -> list[tuple[str, str, int, int, int]]:
    """(lead|support, role word, start, end, end of the names) for each run of units."""
    v = _vocab()
    out: list[tuple[str, str, int, int, int]] = []
    prev = a
    for m in v["role_rx"].finditer(text, a, b):
        seg_a = _skip_separators(text, prev, m.start())
        names_b, end = m.start(), m.end()
        if text.startswith("（", m.start() - 1) and text.startswith("）", m.end()):
            names_b, end = m.start() - 1, m.end() + 1  # "A、B（按职责分工负责）": the role in brackets
        tag = v["roles"].get(m.group(1), "lead")
        if tag == "lead" and m.group(1) not in ("牵头", "分别牵头", "按职责分别牵头") and any(g[0] == "lead" for g in out):
            tag = "support"  # "…牵头，各市政府负责落实": those who deliver under the leads
        if m.group(1) == "按职责分工负责" and not any(g[0] == "lead" for g in out):
            tag = "lead"  # no lead named: every unit is responsible for its own part
        out.append((tag, m.group(1), seg_a, end, names_b))
        prev = end
        while prev < b and text[prev] not in _SPLIT:  # "负责落实": words after the role name no unit
            prev += 1
    rest_a = _skip_separators(text, prev, b)
    if rest_a < b:
        out.extend(_unlabelled(text, rest_a, b, lead_first=lead_first, after_roles=bool(out)))
    return out


def _unlabelled(text: str, a: int, b: int, *, lead_first: bool, after_roles: bool) -> list[tuple[str, str, int, int, int]]:
    """A list without role words: "A（牵头），B、C", or the first leads under a 下同 note."""
    marker = text.find("（牵头）", a, b)
    if marker >= 0:
        cut = marker + len("（牵头）")
        groups = [("lead", "牵头", a, cut, marker)]
        rest = _skip_separators(text, cut, b)
        return groups + ([("support", "", rest, b, b)] if rest < b else [])
    if after_roles:
        return [("support", "", a, b, b)]
    if lead_first:
        first = org_nodes(text, a, b)
        if len(first) > 1:
            return [("lead", "", a, first[0].end, first[0].end),
                    ("support", "", _skip_separators(text, first[0].end, b), b, b)]
    return [("lead", "", a, b, b)]


def _skip_separators(text: str, a: int, b: int) -> int:
    while a < b and text[a] in _SPLIT + " ":
        a += 1
    return a


def _segments(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split a list on 、，; outside brackets (各县（市、区）人民政府 is one name)."""
    out, depth, start = [], 0, a
    for i in range(a, b):
        c = text[i]
        if c in "（‹<[【":
            depth += 1
        elif c in "）›>]】":
            depth = max(0, depth - 1)
        elif depth == 0 and c in _SPLIT:
            out.append((start, i))
            start = i + 1
    out.append((start, b))
    return [(s, e) for s, e in out if text[s:e].strip()]


def org_nodes(text: str, a: int, b: int) -> list[Node]:
    """One org node per named unit, with the full name it stands for."""
    v = _vocab()
    segs = _segments(text, a, b)
    names = [text[s:e].strip() for s, e in segs]
    names = [v["list_end"].sub("", n) or n for n in names]
    names = _share_suffixes(names)
    out: list[Node] = []
    prefix = ""
    for (s, e), name in zip(segs, names, strict=True):
        own = v["prefix"].match(name)
        if own and not v["not_prefix"].match(name):
            prefix = own.group(0)
        elif prefix and v["suffix"].search(name) and not v["unprefixed"].match(name) and not _has_place(name):
            name = prefix + name
        out.append(Node("org", s, e, {"name": name}))
    return _join_each(out, text)


def _has_place(name: str) -> bool:
    """A name that says where it is (河南省电力公司, 汕尾市分行, 郑州海关) takes no shared prefix."""
    if any(ch in name[1:] for ch in "省市县区") and not name.startswith(("市场",)):
        return True
    return bool(_vocab()["places"].search(name))


def _share_suffixes(names: list[str]) -> list[str]:
    """广州、深圳、珠海出入境边防检查总站 → three stations; 南京、苏州、南通市人民政府 → three governments."""
    v = _vocab()
    out = list(names)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and not v["suffix"].search(out[j]) and not out[j].startswith("各"):
            j += 1
        if j > i and j < len(out) and v["suffix"].search(out[j]) and not out[j].startswith("各"):
            suffix = _shared_suffix(out[i:j], out[j])
            if suffix:
                out[i:j] = [n + suffix for n in out[i:j]]
        i = j + 1
    return out


def _shared_suffix(bare: list[str], last: str) -> str:
    """What the last name adds to a place name that the bare names share."""
    if all(len(n) <= 3 for n in bare):
        k = len(bare[-1])
        return last[k:] if len(last) > k + 1 else ""
    end = bare[-1][-1]
    cut = last.rfind(end)
    return last[cut + 1:] if 0 <= cut < len(last) - 1 else ""


def _join_each(orgs: list[Node], text: str) -> list[Node]:
    """各市、县（市、区）政府 is one name: a short 各X without a department ending joins the next."""
    v = _vocab()
    out: list[Node] = []
    for org in orgs:
        prev = out[-1] if out else None
        if prev is not None and prev.attrs["name"].startswith("各") and len(prev.attrs["name"]) <= 3 \
                and not v["suffix"].search(prev.attrs["name"]):
            out[-1] = Node("org", prev.start, org.end, {"name": text[prev.start:org.end].strip()})
        else:
            out.append(org)
    return out
