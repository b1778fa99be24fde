"""The comparison as JSON (`--format json`): the documented contract, `Comparison.to_dict()`.

UTF-8 text with Chinese kept readable, indented by two; `</` is escaped so the JSON stays inert
when embedded in HTML (the same bytes as `policydiff.model.formats.to_json`).
"""

from __future__ import annotations

import json

from policydiff.model.changes import Comparison


def render(cmp: Comparison) -> str:
    return json.dumps(cmp.to_dict(), ensure_ascii=False, indent=2).replace("</", "<\\/")
