"""policydiff: compare versions of Chinese government plans clause by clause.

Stages (see the README's "How the code is laid out"): read → model → match → store → series →
renderers → cli, each importing only the stages before it.

The Python API (`policydiff.api`) is exported lazily, so `import policydiff` and `policydiff --help`
stay instant::

    import policydiff
    arch = policydiff.open_archive("docs_archive")
    cmp = policydiff.compare(arch.load("gd-digital-gov@2019"), arch.load("gd-digital-gov@2021"))
    cmp.to_frame()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policydiff.errors import (
    ArchiveBusy,
    ArchiveNotFound,
    MissingDependency,
    NotFound,
    PolicydiffError,
    UsageProblem,
)
from policydiff.release import __version__

if TYPE_CHECKING:
    from policydiff.api import Archive, compare, load, open_archive, targets

_API = ("Archive", "compare", "load", "open_archive", "targets")

__all__ = ["Archive", "compare", "load", "open_archive", "targets", "ArchiveBusy", "ArchiveNotFound",
           "MissingDependency", "NotFound", "PolicydiffError", "UsageProblem", "__version__"]


def __getattr__(name: str):
    if name in _API:
        from policydiff import api

        return getattr(api, name)
    raise AttributeError(f"module 'policydiff' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
