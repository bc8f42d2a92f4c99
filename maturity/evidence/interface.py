"""The evidence-source family: something that hands a gate bytes plus a record of where they came from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from maturity.errors import MaturityError


class EvidenceError(MaturityError):
    """Evidence that could not be used. Gates turn it into a result with ``code``."""

    def __init__(
        self, code: str, message: str, remediation: str = "", *, missing: bool = False
    ) -> None:
        super().__init__(message, remediation)
        self.code = code
        self.missing = missing


@dataclass(frozen=True)
class EvidenceRecord:
    """One piece of evidence a gate read: where it came from and exactly what it was."""

    source: str
    sha256: str
    size: int
    kind: str = "file"


@dataclass(frozen=True)
class EvidenceBlob:
    data: bytes
    record: EvidenceRecord


class EvidenceSource(ABC):
    @abstractmethod
    def read(self, locator: str) -> EvidenceBlob:
        """Return the evidence named by *locator*, or raise :class:`EvidenceError`."""
