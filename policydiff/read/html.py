"""HTML pages as text: one line per block, scripts, styles and navigation dropped.

Deeply nested or XHTML pages that libxml2 cannot take whole are read as a flat stream of tags in
one forward scan, so hostile markup cannot make reading quadratic or lose text.
"""

from __future__ import annotations

import re


def html_text(page: str) -> tuple[str, int, str]:
    """The text of a page, one line per block: (text, elements dropped, what was done)."""
    from lxml import etree
    from lxml import html as lhtml

    parser = lhtml.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
    try:
        root = lhtml.document_fromstring(page, parser=parser)
    except (etree.ParserError, ValueError):  # e.g. an XHTML page with an <?xml encoding=…?> declaration
        root = None
    if root is None or any(e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message
                           for e in parser.error_log):
        # libxml2 stops at 256 levels of nesting and silently drops the rest (and lxml takes no str with an
        # encoding declaration): read the page as a flat stream of tags instead
        text, dropped = _html_text_flat(page)
        return text, dropped, (f"markup removed (read as a flat stream of tags), {dropped} script/style/"
                               "navigation elements dropped")
    dropped = 0
    for bad in root.xpath("//script|//style|//nav|//header|//footer|//noscript|//iframe|//form|//select"):
        bad.drop_tree()
        dropped += 1
    blocks = _HTML_BLOCKS
    parts: list[str] = []
    # iterwalk is iterative, so deeply nested pages cannot exhaust the stack
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag.lower() in blocks:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if tag.lower() in blocks:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
    return "".join(parts), dropped, f"markup removed, {dropped} script/style/navigation elements dropped"


_HTML_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                          "table", "ul", "ol", "td", "title", "dd", "dt", "blockquote", "pre"})
_HTML_DROPPED = frozenset({"script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "select"})


_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9:_-]*)")
_RAW_END = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in ("script", "style")}


def _html_text_flat(text: str) -> tuple[str, int]:
    """The text of a page read as a flat stream of tags: same blocks and drops, no tree, no depth limit.

    One forward scan (every search starts where the last one ended), so hostile markup such as
    thousands of unclosed `<a ` cannot make it quadratic.
    """
    from html import unescape

    parts: list[str] = []
    open_dropped: list[str] = []  # dropped elements (nav, form …) still open: their content is left out
    counts: dict[str, int] = {}
    dropped, i, n, gt = 0, 0, len(text), -1

    def data(chunk: str) -> None:
        if chunk and not open_dropped:
            parts.append(unescape(chunk))

    while i < n:
        lt = text.find("<", i)
        if lt < 0:
            data(text[i:])
            break
        data(text[i:lt])
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        if gt <= lt:  # (the last ">" found is reused until passed: stray "<"s cannot make this quadratic)
            gt = text.find(">", lt + 1)
        if gt < 0:  # a "<" that opens nothing: the rest is text
            data(text[lt:])
            break
        m = _TAG_NAME.match(text, lt, gt)
        if m is None and text[lt + 1:lt + 2] not in ("!", "?"):  # "a < b": text
            data("<")
            i = lt + 1
            continue
        i = gt + 1
        if m is None:  # <!DOCTYPE …>, <?xml …?>: dropped
            continue
        tag, closing = m.group(1).lower(), text[lt + 1] == "/"
        if not closing and tag in _RAW_END:  # script/style: skip their raw content up to the end tag
            end_m = _RAW_END[tag].search(text, i)
            i = n if end_m is None else end_m.end()
            dropped += 1
        elif closing and counts.get(tag):
            while open_dropped:  # close up to the innermost open element of that name
                top = open_dropped.pop()
                counts[top] -= 1
                if top == tag:
                    break
        elif not closing and tag in _HTML_DROPPED and not text[lt:i].endswith("/>"):
            open_dropped.append(tag)
            counts[tag] = counts.get(tag, 0) + 1
            dropped += 1
        elif tag in _HTML_BLOCKS and not open_dropped:
            parts.append("\n")
    return "".join(parts), dropped
