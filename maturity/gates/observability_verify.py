"""observability_verify: the release's metrics and logging work."""

from __future__ import annotations

from maturity.gates.file_evidence import FileEvidenceGate
from maturity.gates.interface import GateName


class ObservabilityVerifyGate(FileEvidenceGate):
    name = GateName.OBSERVABILITY_VERIFY
    title = "Observability verified"
    remediation = (
        "fix the metrics/logging probe for this release (see the evidence details), then re-run"
    )
