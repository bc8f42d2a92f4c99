"""One error family for everything the user must fix before a verdict is possible.

Every error carries a *remediation*: the concrete next step. The CLI turns any
``MaturityError`` into one message on stderr and exit code 2 (no verdict).
"""

from __future__ import annotations


class MaturityError(Exception):
    """Base class: a problem that prevents a verdict (exit code 2)."""

    def __init__(self, message: str, remediation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.remediation = remediation

    def render(self) -> str:
        if self.remediation:
            return f"{self.message}\n  fix: {self.remediation}"
        return self.message


class UsageError(MaturityError):
    """Bad command-line usage or environment."""


class ConfigError(MaturityError):
    """The stages file is unreadable, hostile or invalid."""


class RefError(MaturityError):
    """A ref that git would refuse, or that no mapping resolves."""


class OutputError(MaturityError):
    """Reports could not be written; nothing was left behind."""


class EvidenceError(MaturityError):
    """Evidence (a file, an API answer) that could not be used.

    Never reaches the CLI: a gate turns it into an ``error`` (or ``missing``) result with
    ``code``, so it fails that gate, not the run.
    """

    def __init__(
        self, code: str, message: str, remediation: str = "", *, missing: bool = False
    ) -> None:
        super().__init__(message, remediation)
        self.code = code
        self.missing = missing
