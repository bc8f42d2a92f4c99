"""The evidence-source family: something that hands a gate bytes plus a record of where they came from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from maturity.core import EvidenceRecord


@dataclass(frozen=True)
class EvidenceBlob:
    data: bytes
    record: EvidenceRecord


class EvidenceSource(ABC):
    @abstractmethod
    def read(self, locator: str) -> EvidenceBlob:
        """Return the evidence named by *locator*, or raise :class:`EvidenceError`."""
