"""The dependency-free core: the words every layer shares.

Levels, statuses and verdicts; what a gate returns (:class:`GateResult`, made of
:class:`Finding` and :class:`EvidenceRecord`). This module imports nothing from maturity, so
config, sources, kinds, the engine and the reports can all use it without importing each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    """How much a gate's result counts at a stage."""

    REQUIRED = "required"
    REPORT_ONLY = "report_only"
    OFF = "off"

    @property
    def strength(self) -> int:
        return {"off": 0, "report_only": 1, "required": 2}[self.value]


class GateStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    PENDING = "pending"
    MISSING = "missing"
    ERROR = "error"
    SKIPPED = "skipped"
    #: every failing finding is covered by a valid waiver: does not block, never a plain pass
    WAIVED = "waived"


class Verdict(StrEnum):
    GO = "GO"
    NO_GO = "NO-GO"


@dataclass(frozen=True)
class EvidenceRecord:
    """One piece of evidence a gate read: where it came from and exactly what it was."""

    source: str
    sha256: str
    size: int
    kind: str = "file"


@dataclass(frozen=True)
class Finding:
    """One specific thing a gate looked at (a check, a dependency, an evidence file) and its status.

    ``id`` is stable across runs, so a waiver can name it: ``check:<name>@<app>`` for a check,
    ``evidence:<path>`` for an evidence file, a purl for a dependency, ``rule:<id>@<path>:<line>``
    for a code-scanning result, ``budget:<name>`` for a budget.
    """

    code: str
    message: str
    location: str = ""
    status: GateStatus = GateStatus.FAIL
    remediation: str = ""
    id: str = ""
    #: where the waiver that covers this (still failing) finding is, ``file:line``; "" if none
    waiver: str = ""


@dataclass(frozen=True)
class GateResult:
    gate: str
    status: GateStatus
    code: str
    message: str
    remediation: str = ""
    findings: tuple[Finding, ...] = ()
    evidence: tuple[EvidenceRecord, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    duration_ms: float = 0.0

    @property
    def evidence_digest(self) -> str | None:
        """One digest of everything the gate read (a waiver's ``evidence_sha256`` names it).

        One record: its sha256. Several: the sha256 of their ``"<sha256>  <source>\n"`` lines,
        sorted (as ``sha256sum`` prints them). None when the gate read nothing.
        """
        if not self.evidence:
            return None
        if len(self.evidence) == 1:
            return self.evidence[0].sha256
        lines = sorted(f"{e.sha256}  {e.source}\n" for e in self.evidence)
        return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()

    def timed(self, started: float) -> GateResult:
        return replace(self, duration_ms=round((time.perf_counter() - started) * 1000, 3))


@dataclass(frozen=True)
class CollectedFile:
    """One evidence file the engine read for a gate: its bytes and digest, or why not."""

    locator: str  # as given (flag, folder or config)
    shown: str  # cleaned for messages
    data: bytes | None = None
    record: EvidenceRecord | None = None
    error_code: str = ""
    error_message: str = ""
    error_remediation: str = ""
    missing: bool = False


@dataclass(frozen=True)
class GateInputs:
    """A gate's inputs, collected by the engine before the kind runs."""

    gate: str  # the instance's name
    title: str
    remediation: str  # the instance's fix when the evidence gives none better
    origin: str  # where the evidence paths came from: --evidence, --evidence-dir, config, none
    files: tuple[CollectedFile, ...] = ()

    @property
    def records(self) -> tuple[EvidenceRecord, ...]:
        return tuple(f.record for f in self.files if f.record is not None)


def utc_timestamp(when: dt.datetime) -> str:
    """*when* as the reports and the audit log write times: ISO 8601 in UTC, to the second,
    with ``Z`` (``2026-12-24T10:00:00Z``)."""
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
