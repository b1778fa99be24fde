"""DOC and WPS (OLE compound files): converted to DOCX by LibreOffice, then read as DOCX.

The binary Word and Kingsoft formats are not parsed here: LibreOffice's filters are the only
maintained open reader of both. It runs headless in a private temporary folder with its own HOME
and user profile (so a LibreOffice the user has open neither receives the job nor is disturbed),
with no standard input, for at most 120 s; its whole process group is killed on timeout. The
import filter is named, never detected: left to itself LibreOffice imports a damaged .doc as
plain text and "converts" the binary garbage. Without
`soffice` (or `libreoffice`) on PATH the file is refused with what to do instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from policydiff.errors import PolicydiffError
from policydiff.read.formats import Extracted
from policydiff.read.formats.detect import WORD_STREAM
from policydiff.read.formats.docx import extract_docx

TIMEOUT = 120.0
MAX_LEGACY = 100 * 1024 * 1024


def find_soffice() -> str | None:
    """LibreOffice's command line program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def extract_legacy(data: bytes, where: str, kind: str = "doc") -> Extracted:
    """Text of a .doc or .wps file through LibreOffice and the DOCX extractor."""
    soffice = find_soffice()
    if soffice is None:
        raise PolicydiffError(f"{where}: a legacy Word/WPS file; install LibreOffice (soffice) or save it as DOCX or PDF")
    if len(data) > MAX_LEGACY:
        raise PolicydiffError(f"{where}: refused: {len(data) / 2**20:,.0f} MB (limit {MAX_LEGACY // 2**20} MB for {kind.upper()})")
    started = time.monotonic()
    docx = convert(soffice, data, kind, where)
    extracted = extract_docx(docx, where, kind)
    seconds = time.monotonic() - started
    extracted.steps.insert(0, (f"{kind}_converted", 1, f"{kind.upper()} → DOCX by LibreOffice in {seconds:.1f} s"))
    return extracted


def convert(soffice: str, data: bytes, kind: str, where: str) -> bytes:
    """The DOCX LibreOffice makes of `data`; a one-line error when it makes none."""
    with tempfile.TemporaryDirectory(prefix="policydiff-lo-") as tmp:
        folder = Path(tmp)
        # A fixed name: the user's file name never reaches a command line or a path.
        source = folder / f"document.{kind}"
        source.write_bytes(data)
        home = folder / "home"
        home.mkdir()
        # Word 97-2003 binary, which Kingsoft's .wps also is; otherwise a Works-style .wps.
        infilter = "MS Word 97" if WORD_STREAM in data else "MS_Works"
        command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                   f"-env:UserInstallation={(folder / 'profile').as_uri()}", f"--infilter={infilter}",
                   "--convert-to", "docx", "--outdir", str(folder / "out"), str(source)]
        env = {**os.environ, "HOME": str(home), "TMPDIR": str(folder)}
        log = _run(command, env, folder, where)
        out = folder / "out" / "document.docx"
        if not out.is_file() or out.stat().st_size == 0:
            reason = log.strip().splitlines()[-1][:160] if log.strip() else "no output"
            raise PolicydiffError(f"{where}: LibreOffice could not convert this {kind.upper()} file ({reason})")
        return out.read_bytes()


def _run(command: list[str], env: dict[str, str], cwd: Path, where: str) -> str:
    """Run LibreOffice in its own process group; kill the whole group if it overruns."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PolicydiffError(f"{where}: refused: LibreOffice took over {TIMEOUT:.0f} s to convert it") from None
    return output.decode("utf-8", "replace")
