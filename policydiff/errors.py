"""Errors the CLI turns into one line on stderr and an exit code, and the Python API raises.

Every error policydiff raises on purpose is a `PolicydiffError`; the subclasses say what kind of
problem it is, so a script can catch the one it expects (`except policydiff.NotFound`).
"""


class PolicydiffError(Exception):
    """A failure the user can act on; exit code 1."""

    exit_code = 1


class UsageProblem(PolicydiffError):
    """The command was called wrongly (bad REF, bad year, unknown series …); exit code 2."""

    exit_code = 2


class NotFound(UsageProblem):
    """A REF, series, version id or file that does not exist; the message suggests the nearest."""


class ArchiveNotFound(PolicydiffError):
    """The archive folder does not exist; exit code 1."""


class ArchiveBusy(PolicydiffError):
    """Another process held the archive's catalog (or search index) locked for longer than the busy
    timeout: nothing was changed, try again; exit code 1. Never a sign of damage."""


class MissingDependency(PolicydiffError, ImportError):
    """An optional extra is not installed (e.g. pandas for `to_frame()`); exit code 1."""
