"""`policydiff report SERIES`: the whole story of a series in one folder.

The folder is written beside its destination under a temporary name and renamed into place
when complete, so a report folder is either complete or absent — never silently half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from policydiff.errors import PolicydiffError
from policydiff.match.lineage import SeriesLineage
from policydiff.match.trajectory import Trajectory

#: written last: its presence says the folder is complete
MANIFEST = "MANIFEST.json"


@dataclass
class SeriesReport:
    series: str
    lineage: SeriesLineage
    trajectories: list[Trajectory]


def compute(archive_dir: str, series: str, progress: Callable[[str], None] = lambda s: None) -> SeriesReport:
    """Load every version, compare consecutive ones, chain lineages and target trajectories."""
    from policydiff.match import lineage, trajectory

    progress("load")
    docs = lineage.series_documents(archive_dir, series)
    if len(docs) < 1:
        raise PolicydiffError(f"series {series!r} has no versions")
    progress("compare")
    cache: dict = {}
    lin = lineage.build(series, docs, cache=cache)
    progress("trajectories")
    trajs = trajectory.trajectories(docs, lin.comparisons, cache=cache)
    return SeriesReport(series, lin, trajs)


def summary_json(report: SeriesReport) -> dict:
    lin = report.lineage
    labels = [v.label for v in lin.versions]
    return {
        "series": report.series,
        "versions": [v.__dict__ for v in lin.versions],
        "pairs": [{"old": labels[k], "new": labels[k + 1], "summary": cmp.summary}
                  for k, cmp in enumerate(lin.comparisons)],
        "trajectories": [t.to_dict() for t in report.trajectories],
        "lineages": [ln.to_dict() for ln in lin.lineages],
    }


def summary_md(report: SeriesReport) -> str:
    from renderers import summary as summary_renderer
    from renderers.markdown import cell, escape

    lin = report.lineage
    labels = [v.label for v in lin.versions]
    parts = [f"# {escape(report.series)}: series summary", ""]
    multi = [t for t in report.trajectories if len(t.points) > 1]
    if multi:
        parts += ["## Target trajectories", "", "| subject | metric | trajectory | changes |", "|---|---|---|---|"]
        for t in multi:
            path = " → ".join(f"{p.year} {p.display}" for p in t.points)
            ch = ", ".join(c["change"] for c in t.changes)
            parts.append(f"| {cell(t.subject or '—')} | {cell(t.metric)} | {cell(path)} | {ch} |")
        parts.append("")
    for k, cmp in enumerate(lin.comparisons):
        parts += [f"## {labels[k]} → {labels[k + 1]}", "", summary_renderer.render(cmp), ""]
    return "\n".join(parts)


def write(report: SeriesReport, out_dir: str | os.PathLike[str], progress: Callable[[str], None] = lambda s: None,
          ) -> list[str]:
    """Render every file into a temporary folder, then move it into place. Returns the file names."""
    from renderers import html as html_renderer
    from renderers import markdown as md_renderer
    from renderers.series import pair_name, render_index

    dest = Path(out_dir)
    check_destination(dest)
    if dest.name in ("", ".", ".."):
        dest = Path(os.path.abspath(dest))  # a real name for the temp folder and the swap
    parent = dest.parent if str(dest.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.incomplete-", dir=parent))
        tmp.chmod(0o755)  # mkdtemp makes it private; a report is for reading
    except OSError as exc:
        raise PolicydiffError(f"cannot write report to {dest}: {exc.strerror or exc}") from None
    files: list[str] = []

    def put(name: str, text: str) -> None:
        with open(tmp / name, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        files.append(name)

    try:
        lin = report.lineage
        labels = [v.label for v in lin.versions]
        for k, cmp in enumerate(lin.comparisons):
            progress(f"redline {labels[k]} → {labels[k + 1]}")
            name = pair_name(labels[k], labels[k + 1])
            put(f"{name}.html", html_renderer.render(cmp))
            put(f"{name}.md", md_renderer.render(cmp))
        progress("index")
        put("index.html", render_index(report))
        put("summary.md", summary_md(report))
        put("summary.json", json.dumps(summary_json(report), ensure_ascii=False, indent=2))
        put(MANIFEST, json.dumps({"series": report.series, "files": sorted(files), "complete": True}, indent=2))
        _swap_into_place(tmp, dest)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise PolicydiffError(f"cannot write report to {dest}: {exc.strerror or exc}") from None
        raise
    return sorted(files)


def check_destination(dest: Path) -> None:
    """Only a report folder (or an empty one) is ever replaced: never a folder with other files in it."""
    if dest.exists() and not dest.is_dir():
        raise PolicydiffError(f"report destination is not a folder: {dest}")
    if not dest.exists():
        return
    here, there = Path.cwd().resolve(), dest.resolve()
    if here == there or here.is_relative_to(there):
        raise PolicydiffError(f"report destination {dest} is the current folder or contains it: choose another folder")
    try:
        has_files = any(dest.iterdir())
    except OSError as exc:
        raise PolicydiffError(f"cannot write report to {dest}: {exc.strerror or exc}") from None
    if has_files and not (dest / MANIFEST).is_file():
        raise PolicydiffError(f"report destination {dest} is a folder that is not a policydiff report "
                              f"(no {MANIFEST}): refusing to replace it; choose a new or empty folder")


def _swap_into_place(tmp: Path, dest: Path) -> None:
    """Replace dest by tmp with renames only; an older report is removed after the new one is in."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def is_complete(folder: str | os.PathLike[str]) -> bool:
    """A report folder is complete when its manifest lists files that are all there."""
    path = Path(folder)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(manifest.get("complete")) and all((path / f).is_file() for f in manifest.get("files", []))
