"""Run the pipeline on one text: clean → structure → targets → suspects → `Document`."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from policydiff.model.document import DocMeta, Document, Step
from policydiff.model.tree import Node, insert_span
from policydiff.read import clean as normalize
from policydiff.read import metadata, structure, targets, traditional
from policydiff.read.text import check_script_config
from policydiff.read.version import NORMALIZER_VERSION


def process(text: str, meta: DocMeta | None = None, *, is_html: bool = False, script_config: str = "t2s",
            source_bytes: bytes | None = None, extracted: tuple[tuple[str, int, str], ...] = ()) -> Document:
    """Normalize one document. Never raises on any text: the worst case is one paragraph."""
    check_script_config(script_config)
    meta = replace(meta) if meta else DocMeta()
    # Traditional output (s2t): every rule reads Simplified, so convert the finished document only
    output = script_config in traditional.OUTPUT_CONFIGS
    cleaned = normalize.clean(text, is_html=is_html, script_config="t2s" if output else script_config)
    parsed = structure.parse(cleaned.text, kind=meta.kind if meta.kind == "news" else "")
    if not (meta.doc_no and meta.date and meta.title and meta.issuer and meta.year):
        # what the caller (the catalog) did not say, read before furniture lines are dropped: a
        # portal's 文号/发布日期 bar and a news dateline hold metadata
        found = metadata.detect(cleaned.text if is_html else normalize.strip_controls(text))
        meta.doc_no = meta.doc_no or found.doc_no
        meta.date = meta.date or found.date
        meta.title = meta.title or found.title
        meta.issuer = meta.issuer or found.issuer
        meta.year = meta.year or found.year
    if parsed.layout == "news" and meta.kind == "plan" and not meta.doc_no:
        meta.kind = "news"
    meta.layout = parsed.layout
    meta.source_script = cleaned.source_script
    meta.normalizer = NORMALIZER_VERSION
    if source_bytes is not None and not meta.sha256:
        meta.sha256 = hashlib.sha256(source_bytes).hexdigest()
    skipped: list[str] = []  # malformed numbers and dates: skipped, and said in the step's detail
    n_targets = targets.annotate(parsed.root, cleaned.text, plan_year=meta.year, warnings=skipped)
    for s in cleaned.suspects:
        insert_span(parsed.root, Node("suspect", s.start, s.end, {"reason": s.reason}), text_only=True)
    # a PDF's or DOCX's extraction steps come first, like the cleaning steps (`normalize --explain`)
    steps = [Step(name, n, detail) for name, n, detail in extracted] + cleaned.steps + [
        Step("structure", sum(1 for n in parsed.root.iter() if "eId" in n.attrs), parsed.layout),
        Step("targets", n_targets, ("skipped: " + "; ".join(skipped))[:500] if skipped else ""),
    ]
    doc = Document(meta=meta, text=cleaned.text, root=parsed.root, steps=steps, layout=parsed.layout)
    return traditional.to_traditional(doc, script_config) if output else doc
