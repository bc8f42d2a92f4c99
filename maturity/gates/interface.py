"""The gate family: what a gate is, what it returns.

A gate looks at evidence for one commit and returns a :class:`GateResult`. It knows nothing of
stages or levels; the engine applies those. Gates never raise for bad evidence: they return an
``error`` result that says what was wrong and how to fix it.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from maturity.evidence.interface import EvidenceRecord
from maturity.github.access import GitHubAccess
from maturity.refs import Ref


class GateName(StrEnum):
    """The built-in gates, in the order reports list them."""

    PROMOTION_GUARD = "promotion_guard"
    OBSERVABILITY_VERIFY = "observability_verify"
    DEPS_APPROVAL = "deps_approval"
    POLICY_DRIFT = "policy_drift"
    FIELD_BUDGETS = "field_budgets"


class GateStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    PENDING = "pending"
    MISSING = "missing"
    ERROR = "error"
    SKIPPED = "skipped"


class Level(StrEnum):
    """How much a gate's result counts at a stage."""

    REQUIRED = "required"
    REPORT_ONLY = "report_only"
    OFF = "off"

    @property
    def strength(self) -> int:
        return {"off": 0, "report_only": 1, "required": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One specific thing a gate looked at (a check, a dependency, an evidence file) and its status."""

    code: str
    message: str
    location: str = ""
    status: GateStatus = GateStatus.FAIL
    remediation: str = ""


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

    def timed(self, started: float) -> GateResult:
        return replace(self, duration_ms=round((time.perf_counter() - started) * 1000, 3))


@dataclass(frozen=True)
class RunEnvironment:
    """What the run knows beyond files: the commit, GitHub access and run-wide options.

    Built once from flags and the environment by ``evaluate``; gates get it through the context.
    """

    ref: Ref | None = None
    sha: str | None = None  # --sha or GITHUB_SHA; None: resolve the ref through the API
    github: GitHubAccess | None = None
    checks_file: Path | None = None  # --checks-file: promotion_guard reads this, not the API
    checks_file_shown: str = ""
    wait: bool = False  # --wait: poll until required checks settle


@dataclass(frozen=True)
class GateContext:
    """Everything a gate may look at. Built by the engine; gates must not read the environment."""

    gate: str
    workspace: Path
    evidence_paths: tuple[str, ...]
    evidence_origin: str  # where the paths came from, for messages ("--evidence", "config", ...)
    settings: object = None  # the gate's own settings object from the stages file, if it has one
    run: RunEnvironment = field(default_factory=RunEnvironment)


class Gate(ABC):
    """One release gate. Subclasses set ``name``, ``title`` and ``remediation``."""

    name: ClassVar[GateName]
    title: ClassVar[str]
    #: what a maintainer does when this gate does not pass (used when evidence gives no better fix)
    remediation: ClassVar[str]
    #: where the gate reads evidence of its own when given no file (None: evidence files only);
    #: with --evidence-dir it falls back to this when the folder has no <gate>.json
    native_source: ClassVar[str | None] = None

    @abstractmethod
    def evaluate(self, context: GateContext) -> GateResult:
        """Judge the evidence. Must not raise for bad evidence: return an ``error`` result."""
