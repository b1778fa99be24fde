"""Tell a document's container format from its bytes (never its name), and open ZIPs within bounds.

A name can lie (a .doc that is really RTF, a .pdf saved from a web page), so sniff() reads magic
numbers and, for ZIP and OLE containers, the names of the parts inside. The ZIP reader below is
shared by DOCX and OFD: it refuses archive bombs from the central directory before inflating
anything, never writes to disk, and caps every read at the size the directory declared.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from lxml import etree

from policydiff.errors import PolicydiffError

PDF_MAGIC = b"%PDF-"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_TOTAL = 200 * 1024 * 1024
# Deflate tops out near 1,030:1; office XML rarely passes 30:1. Past this on a part of any size
# worth worrying about, the part is a bomb, not a document.
MAX_RATIO = 300
RATIO_FLOOR = 1024 * 1024
# One XML part is parsed into a tree several times its size; a 2,000-page plan's body is ~20 MB.
MAX_XML_PART = 64 * 1024 * 1024

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


# OLE directory entries store stream names in UTF-16LE; property sets may use either encoding.
WORD_STREAM = _utf16("WordDocument")
_WORKS_STREAMS = (_utf16("MatOST"), _utf16("CONTENTS"))
_KINGSOFT_MARKS = (b"KSOProductBuildVer", _utf16("KSOProductBuildVer"), b"WPS Office", _utf16("WPS Office"),
                   b"Kingsoft", _utf16("Kingsoft"))


def label(name: str) -> str:
    """The document's name as it goes into a one-line error message."""
    clean = _CONTROL.sub(" ", name).strip()
    if len(clean) > 120:
        clean = clean[:60] + "…" + clean[-59:]
    return clean or "document"


def sniff(data: bytes) -> str | None:
    """"pdf", "docx", "ofd", "doc" or "wps" from the content; None for anything else (text, HTML)."""
    head = data[:1024]
    at = head.find(PDF_MAGIC)
    # Readers accept junk before the header; a "<" before it means markup that mentions PDFs.
    if at == 0 or (at > 0 and b"<" not in head[:at]):
        return "pdf"
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    return None


def looks_like_container(data: bytes) -> bool:
    """True for ZIP and OLE files that sniff() could not place: extract() refuses those."""
    return data.startswith(ZIP_MAGICS) or data.startswith(OLE_MAGIC)


def _sniff_zip(data: bytes) -> str | None:
    try:
        names = {_normalize(n).casefold() for n in zipfile.ZipFile(io.BytesIO(data)).namelist()}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, UnicodeDecodeError):
        # A damaged archive still carries its part names in the local headers: enough to say which
        # extractor should report the damage.
        names = {n.decode("ascii", "replace").casefold() for n in re.findall(rb"[\w/\[\]\.]{5,64}", data[:65536])}
    if "word/document.xml" in names:
        return "docx"
    if "ofd.xml" in names:
        return "ofd"
    return None


def _sniff_ole(data: bytes) -> str | None:
    if any(mark in data for mark in _KINGSOFT_MARKS):
        return "wps"
    if WORD_STREAM in data:
        return "doc"
    if all(stream in data for stream in _WORKS_STREAMS):
        return "wps"
    return None


def _normalize(name: str) -> str:
    return name.replace("\\", "/").lstrip("/")


class SafeZip:
    """A read-only, bounded view of a ZIP archive held in memory."""

    def __init__(self, data: bytes, where: str, kind: str) -> None:
        self.where, self.kind = where, kind
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, UnicodeDecodeError) as exc:
            raise self.error(f"a damaged {kind.upper()} file (not a readable ZIP archive: {exc})") from None
        _check_bounds(infos, self)
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not info.is_dir():
                self._infos.setdefault(_normalize(info.filename), info)
        self._folded = {name.casefold(): name for name in self._infos}

    def error(self, message: str) -> PolicydiffError:
        return PolicydiffError(f"{self.where}: {message}")

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def find(self, name: str) -> str | None:
        """The stored name for a part, matched exactly first and then without case."""
        name = _normalize(name)
        return name if name in self._infos else self._folded.get(name.casefold())

    def read(self, name: str) -> bytes:
        """One part's bytes, inflated in memory and never beyond its declared size."""
        stored = self.find(name)
        if stored is None:
            raise self.error(f"a damaged {self.kind.upper()} file (part {name} is missing)")
        info = self._infos[stored]
        if info.file_size > MAX_XML_PART:
            raise self.error(f"refused: part {stored} is {info.file_size / 2**20:,.0f} MB (limit {MAX_XML_PART // 2**20} MB)")
        try:
            with self._zip.open(info) as stream:
                return stream.read(info.file_size + 1)[: info.file_size]
        except RuntimeError:
            raise self.error(f"an encrypted {self.kind.upper()} file; save it without a password") from None
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError) as exc:
            raise self.error(f"a damaged {self.kind.upper()} file (part {stored}: {exc})") from None


def _check_bounds(infos: list[zipfile.ZipInfo], archive: SafeZip) -> None:
    """Refuse archive bombs before inflating anything: entry count, total size, ratio."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise archive.error(f"refused: {len(infos):,} entries in the archive (limit {MAX_ZIP_ENTRIES:,})")
    total = sum(info.file_size for info in infos)
    if total > MAX_ZIP_TOTAL:
        raise archive.error(f"refused: {total / 2**20:,.0f} MB uncompressed (limit {MAX_ZIP_TOTAL // 2**20} MB)")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise archive.error(f"refused: part {info.filename[:60]} inflates {ratio:,.0f} times (a zip bomb)")


def parse_xml(data: bytes, archive: SafeZip, part: str) -> etree._Element:
    """Parse one XML part with no entities, no network, no DTD and libxml2's size limits on."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise archive.error(f"a damaged {archive.kind.upper()} file (part {part}: {exc})") from None
    # Neither OOXML nor OFD uses a DTD; one in a part is an attempt at entity tricks.
    if root.getroottree().docinfo.doctype:
        raise archive.error(f"refused: part {part} declares a DTD, which {archive.kind.upper()} never does")
    return root
