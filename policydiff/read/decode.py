"""Bytes → text: detect the encoding of a government document and decode it.

Only decoding happens here. No OpenCC, no NFKC, no line-ending changes: the archive keeps the
raw bytes and everything downstream must see exactly what the file said (minus a BOM).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from policydiff.errors import PolicydiffError
from policydiff.read import formats
from policydiff.read.text import is_cjk

MAX_BYTES = 20 * 1024 * 1024

# UTF-32 BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive that is not DOCX or OFD"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"%PDF-", "a PDF file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old MS Office file that is not DOC or WPS"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)

# How much of a long text is enough to judge which legacy codec fits better.
_SCORE_SAMPLE = 200_000


@dataclass(frozen=True)
class Decoded:
    """Decoded text and the name of the codec (or the format: pdf, docx, ofd …) that produced it."""

    text: str
    encoding: str
    steps: tuple[tuple[str, int, str], ...] = ()  # what a format extractor did (for --explain)
    warnings: tuple[str, ...] = ()


def decode(data: bytes, name: str = "") -> Decoded:
    """Decode a document; raise PolicydiffError if it is empty, binary, too large or undecodable."""
    label = name or "input"
    if len(data) > MAX_BYTES:
        raise PolicydiffError(f"{label}: too large: {len(data)} bytes (limit {MAX_BYTES // (1024 * 1024)} MB)")
    if not data.strip():
        raise PolicydiffError(f"{label}: empty input (no text)")
    if formats.sniff(data) is not None:  # PDF, DOCX, OFD, DOC/WPS: their text, in reading order
        extracted = formats.extract(data, name)
        assert extracted is not None
        _check_text(extracted.text, label)
        return Decoded(extracted.text, extracted.format, tuple(extracted.steps), tuple(extracted.warnings))
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise PolicydiffError(f"{label}: binary file ({what}), not a text document")

    decoded = _decode_bom(data, label)
    if decoded is None:
        # Legacy encodings and UTF-8 never contain NUL in real text; UTF-16 without BOM is not supported.
        if b"\x00" in data:
            if _looks_like_utf16(data):
                raise PolicydiffError(f"{label}: looks like UTF-16 text without a byte-order mark, which is not "
                                      "supported: save it as UTF-8 (or UTF-16 with a BOM)")
            raise PolicydiffError(f"{label}: binary file (contains NUL bytes), not a text document")
        decoded = _decode_legacy(data, label)
    _check_text(decoded.text, label)
    return decoded


def _looks_like_utf16(data: bytes) -> bool:
    """NUL bytes (almost) only at even or only at odd offsets, and the whole decodes as UTF-16 text."""
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) < 0.7 * (even + odd):  # 一 (U+4E00) and friends put a few NULs on the other side
        return False
    try:
        text = data.decode("utf-16-be" if even > odd else "utf-16-le")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\n\r\f" for ch in text[:4096])


def _decode_bom(data: bytes, label: str) -> Decoded | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                # utf-8-sig drops the BOM itself; the others are decoded without it.
                text = data.decode(codec) if codec == "utf-8-sig" else body.decode(codec)
            except UnicodeDecodeError as exc:
                raise PolicydiffError(f"{label}: starts with a {codec} BOM but is not valid {codec} ({exc.reason})") from None
            if not text.strip():
                raise PolicydiffError(f"{label}: empty input (no text)")
            return Decoded(text, codec)
    return None


def _decode_legacy(data: bytes, label: str) -> Decoded:
    truncated = f"{label}: the file ends in the middle of a character (truncated {{}} text: incomplete download?)"
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        # valid UTF-8 with Chinese in it up to a cut in its last character
        if exc.reason == "unexpected end of data" and not data[: exc.start].isascii():
            raise PolicydiffError(truncated.format("UTF-8")) from None
    candidates: list[Decoded] = []
    cut_gb = False
    for codec in ("gb18030", "big5"):
        try:
            candidates.append(Decoded(data.decode(codec), codec))
        except UnicodeDecodeError as exc:
            cut_gb = cut_gb or (codec == "gb18030" and exc.end == len(data) and "incomplete" in exc.reason)
            continue
    if not candidates:
        if cut_gb:
            raise PolicydiffError(truncated.format("GB18030"))
        raise PolicydiffError(f"{label}: cannot decode: not UTF-8, UTF-16, GB18030/GBK or Big5 text")
    if len(candidates) == 1:
        return candidates[0]
    # Most Big5 byte pairs are also valid GB18030 (and vice versa for GB2312 text): both strict
    # decodes succeed, so pick the one that reads like real Chinese. Ties go to GB18030.
    return max(candidates, key=lambda d: plausibility(d.text))


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation.

    A GBK text decoded as Big5, or a Big5 text decoded as GB18030, turns into rare
    characters, private-use code points and odd symbols, so its share drops sharply.
    """
    counts = Counter(text[:_SCORE_SAMPLE])
    total = common = 0
    for ch, n in counts.items():
        if ch.isascii():
            continue
        total += n
        if _is_common(ch):
            common += n
    return common / total if total else 1.0


@lru_cache(maxsize=65536)
def _is_common(ch: str) -> bool:
    code = ord(ch)
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E or 0x2010 <= code <= 0x2027:
        return True  # CJK and full-width punctuation, dashes, quotes
    try:
        gb = ch.encode("gb2312")
        if 0xB0 <= gb[0] <= 0xD7:  # GB2312 level 1: the 3755 most used Simplified characters
            return True
    except UnicodeEncodeError:
        pass
    try:
        b5 = ch.encode("big5")
        if len(b5) == 2 and 0xA440 <= int.from_bytes(b5, "big") <= 0xC67E:  # Big5 frequent characters
            return True
    except UnicodeEncodeError:
        pass
    return False


def _check_text(text: str, label: str) -> None:
    if not text.strip():
        raise PolicydiffError(f"{label}: empty input (no text)")
    sample = text[:_SCORE_SAMPLE]
    if any(is_cjk(ch) for ch in sample):
        return
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    # Without a single Chinese character, a text made largely of control codes is binary data
    # that happened to decode (e.g. random bytes that are valid GB18030).
    if controls / len(sample) > 0.3:
        raise PolicydiffError(f"{label}: binary data (mostly control characters, no Chinese text)")
