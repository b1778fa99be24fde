"""The plain data every stage after structure reads: a document, its clauses and their targets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from policydiff.model.layouts import BLOCKS
from policydiff.model.tree import Node

#: clause elements that hold the others and are cited by their own number only
CONTAINERS = ("chapter", "subchapter", "section")


@dataclass
class Step:
    """What one rule did: how many changes, and notable spans of the text it produced."""

    name: str
    changes: int = 0
    detail: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class DocMeta:
    """Metadata of one document version."""

    series: str = ""
    year: int | None = None
    kind: str = "plan"  # plan | news | city-plan
    doc_no: str = ""
    date: str = ""
    title: str = ""
    issuer: str = ""
    sha256: str = ""
    source_script: str = "simplified"
    layout: str = "numbered"
    normalizer: str = ""  # set by the pipeline: policydiff.read.version.NORMALIZER_VERSION
    encoding: str = ""
    ref: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Target:
    """A quantitative commitment: 实名用户总数达1500万 → ge 15000000.

    `value` is exact (Decimal: 1.1亿 is 110000000, 0.5 stays 0.5); a `range` has its upper end in
    `value_high`; `baseline` is a stated from-value (由60%提高到80% → ge 80, baseline 60); `implicit`
    says no comparator phrase was written (培育50家… is a floor, ge, by reading).
    """

    clause: str
    subject: str
    metric: str
    comparator: str  # ge gt le lt eq range approx reduce_by increase_by
    value: Decimal
    unit: str
    deadline: str
    phrase: str
    text: str
    start: int = 0
    end: int = 0
    value_high: Decimal | None = None
    baseline: Decimal | None = None
    implicit: bool = False

    def to_dict(self) -> dict:
        """The JSON form: exactly the documented keys (numbers as JSON numbers, null when absent)."""
        return {"clause": self.clause, "subject": self.subject, "metric": self.metric,
                "comparator": self.comparator, "value": json_number(self.value), "unit": self.unit,
                "deadline": self.deadline or None, "text": self.text, "value_high": json_number(self.value_high),
                "baseline": json_number(self.baseline), "implicit": self.implicit}


def json_number(value: Decimal | float | None) -> int | float | None:
    """A model number for JSON: 110000000 stays an integer, 1.5 a decimal (its shortest form)."""
    if value is None:
        return None
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def decimal_attr(text: str | None) -> Decimal | None:
    """A number attribute of the XML (value, valueHigh, baseline) → Decimal; None when absent."""
    if text is None or text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass
class Clause:
    """A clause as the matcher sees it: its own text, split into heading, content and departments."""

    eid: str
    tag: str
    num: str
    heading: str
    content: str
    lead: list[str]
    support: list[str]
    targets: list[Target]
    parent: str
    section: str
    order: int
    is_leaf: bool
    start: int
    end: int
    suspects: int = 0
    children: list[str] = field(default_factory=list)
    responsibility: str = ""
    label: str = ""  # printed numbers below the section, as a reader cites it: （十二）7.

    @property
    def text(self) -> str:
        """Heading and content: the words of the clause without its number and departments."""
        return self.heading + self.content

    @property
    def full_text(self) -> str:
        """The clause's own words with its responsibility parenthetical, without its number."""
        return self.heading + self.content + self.responsibility


@dataclass
class Document:
    """A normalized document: metadata, cleaned text and the element tree over it."""

    meta: DocMeta
    text: str
    root: Node
    steps: list[Step]
    layout: str = "numbered"
    #: the archive's corrections in force (policydiff.model.corrections.Correction), replayed by compare
    corrections: list = field(default_factory=list)

    def slice(self, node: Node | None) -> str:
        return self.text[node.start:node.end] if node else ""

    def clauses(self) -> list[Clause]:
        """Every clause in document order (sections, tasks, points; news sections and paragraphs)."""
        out: list[Clause] = []
        body = self.root.find("body")
        if body is None:
            return out

        def own(node: Node, tag: str) -> str:
            return "".join(self.slice(c) for c in node.children if c.tag == tag)

        labels: dict[str, str] = {}

        def walk(node: Node, parent: str, section: str) -> None:
            for child in node.children:
                if child.tag not in BLOCKS and child.tag != "p":
                    continue
                eid = child.attrs.get("eId", "")
                sec = section or (eid if child.tag in CONTAINERS else "")
                block_kids = [c for c in child.children if c.tag in BLOCKS or c.tag == "p"]
                if child.tag == "p":
                    heading, content = "", self.slice(child)
                else:
                    heading, content = own(child, "heading"), own(child, "content")
                    heading, content = self._heading_to_suspect(child, heading, content)
                    if child.tag in CONTAINERS and not block_kids:  # a section of prose is a task too
                        content += "".join(self.slice(c) for c in child.children if c.tag == "intro")
                resp = child.find("responsibility")
                lead = [o.attrs.get("name", self.slice(o)) for r in (resp.children if resp else []) if r.tag == "lead"
                        for o in r.children if o.tag == "org"]
                support = [o.attrs.get("name", self.slice(o)) for r in (resp.children if resp else [])
                           if r.tag == "support" for o in r.children if o.tag == "org"]
                inline = list(_own_inline(child))
                targets = [self._target(t, eid) for t in _own_targets(child, inline)]
                out.append(Clause(
                    eid=eid, tag=child.tag, num=child.attrs.get("num", ""), heading=heading, content=content,
                    lead=lead, support=support, targets=targets, parent=parent, section=sec, order=len(out),
                    is_leaf=not block_kids and (child.tag not in CONTAINERS or bool(content)),
                    start=child.start, end=child.end,
                    suspects=sum(1 for s in inline if s.tag == "suspect"),
                    children=[c.attrs.get("eId", "") for c in block_kids],
                    responsibility=self.slice(resp),
                    label=labels.setdefault(eid, labels.get(parent, "") + child.attrs.get("num", "")
                                            if child.tag not in CONTAINERS else ""),
                ))
                walk(child, eid, sec)

        walk(body, "", "")
        # provincial plans number tasks across sections (（十二）7. is unique); city plans restart in
        # each section, and there the section's number is needed to tell clauses apart
        cited = [c.label for c in out if c.label]
        restart = len(cited) != len(set(cited))
        nums = {c.eid: c.num for c in out if c.tag in CONTAINERS}
        for c in out:
            if c.tag in CONTAINERS:
                c.label = c.num
            elif restart:
                c.label = nums.get(c.section, "") + c.label
        return out

    def _heading_to_suspect(self, block: Node, heading: str, content: str) -> tuple[str, str]:
        """A heading stops where damaged text (a <suspect> span) starts: mojibake may have eaten the
        。 that ended it, and would make the whole sentence a heading. The rest is content."""
        for h in block.children:
            if h.tag != "heading":
                continue
            cut = next((s.start for s in h.iter("suspect")), None)
            if cut is not None:
                return self.text[h.start:cut], self.text[cut:h.end] + content
        return heading, content

    def targets(self) -> list[Target]:
        """Every target in document order: the preamble's paragraphs (a news lead, a plan's
        preface), then the clauses', then the closing's."""
        def outside(tag: str) -> list[Target]:
            part = self.root.find(tag)
            return [self._target(t, p.attrs.get("eId", tag)) for p in (part.children if part is not None else [])
                    if p.tag == "p" for t in _own_targets(p)]

        return outside("preamble") + [t for c in self.clauses() for t in c.targets] + outside("closing")

    def _target(self, node: Node, clause: str) -> Target:
        a = node.attrs
        return Target(clause=clause, subject=a.get("subject", ""), metric=a.get("metric", ""),
                      comparator=a.get("comparator", "eq"), value=decimal_attr(a.get("value")) or Decimal(0),
                      unit=a.get("unit", ""), deadline=a.get("deadline", ""), phrase=a.get("phrase", ""),
                      text=self.slice(node), start=node.start, end=node.end,
                      value_high=decimal_attr(a.get("valueHigh")), baseline=decimal_attr(a.get("baseline")),
                      implicit=a.get("implicit") == "true")


def news_labels(doc: Document) -> dict[str, str]:
    """eId → 「用大数据抗疫」第2段 for each unnumbered paragraph of a news summary: the heading of its
    section (clipped) and its place there (第1段 alone for a paragraph before any heading). The
    readable name of a news paragraph wherever one is shown (lineage, report)."""
    out: dict[str, str] = {}
    clauses = doc.clauses()
    heads = {c.eid: c.heading.strip().rstrip("。；;，,") for c in clauses if not c.is_leaf or c.heading}
    count: dict[str, int] = {}
    for c in clauses:
        if not c.is_leaf or c.num:
            continue
        count[c.parent] = count.get(c.parent, 0) + 1
        head = heads.get(c.parent, "")
        head = head if len(head) <= 16 else head[:15] + "…"
        out[c.eid] = (f"「{head}」" if head else "") + f"第{count[c.parent]}段"
    return out


def _own_inline(block: Node):
    """Inline descendants of a block that do not belong to a nested block."""
    stack = [c for c in block.children if c.tag not in BLOCKS and c.tag != "p"]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(c for c in n.children if c.tag not in BLOCKS)


def _own_targets(block: Node, inline: list[Node] | None = None) -> list[Node]:
    """The targets of a block itself (a paragraph's, wherever they sit), in text order."""
    if block.tag == "p":
        nodes = list(block.iter("target"))
    else:
        nodes = [n for n in (_own_inline(block) if inline is None else inline) if n.tag == "target"]
    return sorted(nodes, key=lambda n: n.start)
