"""Clause XML: write a `Document` as schema-valid XML and read it back.

The XML is lossless by construction: every element covers a range of the cleaned text and
metadata lives only in attributes, so `"".join(root.itertext())` is the cleaned text.
Every document written is validated against `schema/plan.rng`; reading never resolves entities
or touches the network.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lxml import etree

from policydiff.errors import PolicydiffError
from policydiff.model.document import DocMeta, Document, Step
from policydiff.model.layouts import BLOCKS, LAYOUTS
from policydiff.model.tree import Node

_META_ATTRS = [
    ("series", "series"), ("year", "year"), ("kind", "kind"), ("docNo", "doc_no"), ("date", "date"),
    ("title", "title"), ("issuer", "issuer"), ("sha256", "sha256"), ("sourceScript", "source_script"),
    ("layout", "layout"), ("normalizer", "normalizer"), ("encoding", "encoding"), ("ref", "ref"),
]


@lru_cache(maxsize=1)
def schema() -> etree.RelaxNG:
    """The RelaxNG schema shipped inside the package."""
    data = resources.files("policydiff.model").joinpath("schema/plan.rng").read_text(encoding="utf-8")
    # the block elements come from the layout registry: a new numbering level is a data change
    blocks = "".join(f'<element name="{tag}"><ref name="blockBody"/></element>' for tag in BLOCKS)
    data = data.replace("<!-- blocks from policydiff.model.layouts -->", blocks)
    names = "".join(f"<value>{name}</value>" for name in LAYOUTS)
    data = data.replace("<!-- layouts from policydiff.model.layouts -->", names)
    return etree.RelaxNG(etree.fromstring(data.encode("utf-8"), _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    # no entity expansion, no DTD loading, no network: a hostile XML cannot reach out or blow up
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=False)


def _element(node: Node, text: str) -> etree._Element:
    el = etree.Element(node.tag, {k: v for k, v in node.attrs.items()})
    pos = node.start
    prev: etree._Element | None = None
    for child in node.children:
        gap = text[pos:child.start]
        if prev is None:
            el.text = (el.text or "") + gap if gap else el.text
        elif gap:
            prev.tail = (prev.tail or "") + gap
        prev = _element(child, text)
        el.append(prev)
        pos = child.end
    gap = text[pos:node.end]
    if gap:
        if prev is None:
            el.text = gap
        else:
            prev.tail = (prev.tail or "") + gap
    return el


def to_tree(doc: Document) -> etree._Element:
    """The XML element tree of a document (not yet validated)."""
    root = _element(doc.root, doc.text)
    meta = etree.Element("meta")
    m = doc.meta
    for attr, field in _META_ATTRS:
        value = getattr(m, field)
        if attr in ("encoding", "ref") and not value:
            continue
        meta.set(attr, "" if value is None else str(value))
    for step in doc.steps:
        s = etree.SubElement(meta, "step", name=step.name, changes=str(step.changes))
        if step.detail:
            s.set("detail", step.detail[:500])
    # meta goes first and carries no text, so the leading text must move to its tail
    meta.tail, root.text = root.text, None
    root.insert(0, meta)
    return root


#: libxml2's RelaxNG validation is quadratic in the number of children of one element (40,000 take
#: seconds, 400,000 an hour); no real plan comes near this, a hostile one is refused instead
MAX_CHILDREN = 20_000


def validate(root: etree._Element) -> None:
    """Raise PolicydiffError naming the first schema error."""
    for el in root.iter():
        if len(el) > MAX_CHILDREN:
            eid = next((e.get("eId") for e in (el, *el.iterancestors()) if e.get("eId")), "")
            where = f" in {eid}" if eid else ""
            raise PolicydiffError(f"document too fragmented: <{el.tag}>{where} holds {len(el):,} elements (limit "
                                  f"{MAX_CHILDREN:,} targets, clauses or paragraphs in one place)")
    rng = schema()
    if not rng.validate(root):
        err = rng.error_log.last_error
        raise PolicydiffError(f"XML does not validate against plan.rng: {err.message if err else 'unknown'}")


def to_bytes(doc: Document) -> bytes:
    """Serialize and validate (validate on write: nothing invalid leaves this module)."""
    root = to_tree(doc)
    validate(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _read_node(el: etree._Element, pos: int) -> tuple[Node, int, list[str]]:
    node = Node(el.tag, pos, pos, dict(el.attrib))
    parts: list[str] = []
    if el.text:
        parts.append(el.text)
        pos += len(el.text)
    for child in el:
        if not isinstance(child.tag, str):
            raise PolicydiffError("XML holds comments or processing instructions; not a policydiff document")
        sub, pos, sub_parts = _read_node(child, pos)
        node.children.append(sub)
        parts.extend(sub_parts)
        if child.tail:
            parts.append(child.tail)
            pos += len(child.tail)
    node.end = pos
    return node, pos, parts


def from_bytes(data: bytes) -> Document:
    """Read a policydiff XML document back into a `Document` (validated)."""
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise PolicydiffError(f"not well-formed XML: {exc}") from None
    if root.tag != "document":
        raise PolicydiffError(f"not a policydiff document (root element <{root.tag}>)")
    validate(root)
    meta_el = root.find("meta")
    assert meta_el is not None
    kwargs = {field: meta_el.get(attr, "") for attr, field in _META_ATTRS}
    kwargs["year"] = int(kwargs["year"]) if kwargs["year"] else None
    meta = DocMeta(**kwargs)
    steps = [Step(s.get("name", ""), int(s.get("changes", "0")), s.get("detail", "")) for s in meta_el]
    # the document's own text starts after <meta>
    start_text = meta_el.tail or ""
    meta_el.tail = None
    root.remove(meta_el)
    root.text = start_text + (root.text or "")
    node, _end, parts = _read_node(root, 0)
    text = "".join(parts)
    return Document(meta=meta, text=text, root=node, steps=steps, layout=meta.layout)
