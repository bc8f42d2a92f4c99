"""policy_drift: the repository's live policy matches its declared policy."""

from __future__ import annotations

from maturity.gates.file_evidence import FileEvidenceGate
from maturity.gates.interface import GateName


class PolicyDriftGate(FileEvidenceGate):
    name = GateName.POLICY_DRIFT
    title = "No policy drift"
    remediation = (
        "bring the live repository settings back to the declared policy (or change the "
        "declaration in a reviewed pull request), then re-run"
    )
