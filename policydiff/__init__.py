"""policydiff: compare versions of Chinese government plans clause by clause.

Pipeline: ingest → normalize → structure → targets → planxml → align → changes → renderers,
with the archive and the CLI at the edges.

The Python API (`policydiff.api`) is exported lazily, so `import policydiff` and `policydiff --help`
stay instant::

    import policydiff
    arch = policydiff.open_archive("docs_archive")
    cmp = policydiff.compare(arch.load("gd-digital-gov@2019"), arch.load("gd-digital-gov@2021"))
    cmp.to_frame()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policydiff.errors import ArchiveNotFound, MissingDependency, NotFound, PolicydiffError, UsageProblem

if TYPE_CHECKING:
    from policydiff.api import Archive, compare, load, open_archive, targets

__version__ = "0.1.0"

_API = ("Archive", "compare", "load", "open_archive", "targets")

__all__ = ["Archive", "compare", "load", "open_archive", "targets", "ArchiveNotFound", "MissingDependency",
           "NotFound", "PolicydiffError", "UsageProblem", "__version__"]


def __getattr__(name: str):
    if name in _API:
        from policydiff import api

        return getattr(api, name)
    raise AttributeError(f"module 'policydiff' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
