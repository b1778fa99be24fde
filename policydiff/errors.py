"""Errors the CLI turns into one line on stderr and an exit code."""


class PolicydiffError(Exception):
    """A failure the user can act on; exit code 1."""

    exit_code = 1


class UsageProblem(PolicydiffError):
    """The command was called wrongly (bad REF, bad year, unknown series …); exit code 2."""

    exit_code = 2
