"""Documents in the formats they are published in (PDF, DOCX, OFD, DOC/WPS) as plain text.

    extract(data, name) -> Extracted | None

None means the bytes are not a container format (plain text, HTML: the caller reads those itself).
Anything that is a container but cannot be read — damaged, encrypted, scanned, too large, hostile —
raises PolicydiffError with a one-line message that starts with the document's name.

Each extractor returns text with one paragraph per line in reading order, plus the steps it took
(step name, count of changes, detail) for `normalize --explain`. The extractors are imported when
first needed, so reading a DOCX never loads PDFium.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from policydiff.errors import PolicydiffError
from policydiff.read.formats.detect import label, looks_like_container, sniff

__all__ = ["Extracted", "extract", "sniff"]

MAX_INPUT = 512 * 1024 * 1024  # bytes; a published plan with scans of every annex stays well under

_EXTRACTORS = {
    "pdf": ("policydiff.read.formats.pdf", "extract_pdf"),
    "docx": ("policydiff.read.formats.docx", "extract_docx"),
    "ofd": ("policydiff.read.formats.ofd", "extract_ofd"),
    "doc": ("policydiff.read.formats.legacy", "extract_legacy"),
    "wps": ("policydiff.read.formats.legacy", "extract_legacy"),
}


@dataclass
class Extracted:
    """Plain text taken out of a document, and how it was taken."""

    text: str  # one paragraph per line, reading order, ready for the cleaning stage
    format: str  # "pdf" | "docx" | "ofd" | "doc" | "wps"
    steps: list[tuple[str, int, str]] = field(default_factory=list)  # (step, count of changes, detail)
    warnings: list[str] = field(default_factory=list)


def extract(data: bytes, name: str = "") -> Extracted | None:
    """Text of a PDF, DOCX, OFD, DOC or WPS file; None when the bytes are not one (see sniff)."""
    where = label(name)
    kind = sniff(data)
    if kind is None:
        if looks_like_container(data):
            raise PolicydiffError(f"{where}: a ZIP or OLE file that is not DOCX, OFD, DOC or WPS")
        return None
    if kind == "doc" and name.lower().endswith(".wps"):
        kind = "wps"  # Kingsoft saves Word-compatible .wps files that carry no marker of their own
    if len(data) > MAX_INPUT:
        raise PolicydiffError(f"{where}: refused: {len(data) / 2**20:,.0f} MB (limit {MAX_INPUT // 2**20} MB)")
    module, function = _EXTRACTORS[kind]
    extractor = getattr(importlib.import_module(module), function)
    try:
        return extractor(data, where, kind)
    except PolicydiffError as exc:
        raise PolicydiffError(_one_line(str(exc))) from None
    except RecursionError:
        raise PolicydiffError(f"{where}: refused: structure nested too deeply to read") from None
    except MemoryError:
        raise PolicydiffError(f"{where}: refused: too large to read in memory") from None
    except Exception as exc:  # noqa: BLE001 - hostile input must end in one line, never a traceback
        detail = _one_line(f"{type(exc).__name__}: {exc}")[:200]
        raise PolicydiffError(f"{where}: cannot read this {kind.upper()} file ({detail})") from exc


def _one_line(message: str) -> str:
    return " ".join(message.split())
