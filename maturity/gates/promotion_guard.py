"""promotion_guard: every required check on the commit completed successfully.

In this form the verdict comes from an evidence file; reading the GitHub Checks API natively
comes in a later issue, behind the same interface."""

from __future__ import annotations

from maturity.gates.file_evidence import FileEvidenceGate
from maturity.gates.interface import GateName


class PromotionGuardGate(FileEvidenceGate):
    name = GateName.PROMOTION_GUARD
    title = "Required checks passed"
    remediation = (
        "make every required check (tests, lint, security scan) pass on this commit, "
        "then re-run the release workflow"
    )
