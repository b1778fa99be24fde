"""Traditional output (`--script-config s2t`): a normalized document written in Traditional script.

Every rule of the pipeline (numbering, responsibility labels, target phrases, units, the suspect
detector) reads Simplified text, so a document is normalized as usual and only its finished text
is converted. The conversion keeps every character's position, so the element tree, its clauses
and targets stay exactly where they were and the XML stays schema-valid; suspect spans (mojibake)
are kept as found, and the suspects are the ones found in the Simplified text.
"""

from __future__ import annotations

from dataclasses import replace

from policydiff.model.document import Document, Step
from policydiff.model.tree import Node
from policydiff.read.text import converter

#: the configurations that write Traditional output; the others read Traditional into Simplified
OUTPUT_CONFIGS = ("s2t",)

#: attributes that hold words of the text (the others are numbers, codes and ids)
_WORD_ATTRS = ("name", "subject", "metric", "phrase", "role", "unit", "deadline")


def _same_length(text: str, config: str) -> str:
    """`text` converted, one character for one: a line whose phrase conversion changes its length
    is converted character by character, and a character that would become two stays as it is."""
    conv = converter(config)
    out = []
    for line in text.split("\n"):
        new = conv.convert(line)
        if len(new) != len(line):
            new = "".join(c if len(c) == 1 else ch for ch in line for c in (conv.convert(ch),))
        out.append(new)
    return "\n".join(out)


def _keep_spans(before: str, after: str, spans: list[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        parts += [after[pos:start], before[start:end]]
        pos = end
    return "".join(parts) + after[pos:]


def _convert_attrs(root: Node, config: str) -> None:
    conv = converter(config)
    for node in root.iter():
        if node.tag == "suspect":
            continue
        for key in _WORD_ATTRS:
            value = node.attrs.get(key)
            if value:
                node.attrs[key] = conv.convert(value)


def to_traditional(doc: Document, config: str = "s2t") -> Document:
    """The document with its text and word attributes in Traditional script (in place), and a step
    saying how many characters changed."""
    conv = converter(config)
    before = doc.text
    after = _same_length(before, config)
    after = _keep_spans(before, after, [(n.start, n.end) for n in doc.root.iter("suspect")])
    changed = sum(1 for a, b in zip(before, after, strict=True) if a != b)
    doc.text = after
    _convert_attrs(doc.root, config)
    m = doc.meta
    doc.meta = replace(m, title=conv.convert(m.title), issuer=conv.convert(m.issuer), doc_no=conv.convert(m.doc_no))
    doc.steps = [*doc.steps, Step("output_script", changed, f"simplified → traditional with OpenCC {config}")]
    return doc
