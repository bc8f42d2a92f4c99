"""deps_approval: an SBOM exists and every dependency in it is approved."""

from __future__ import annotations

from maturity.gates.file_evidence import FileEvidenceGate
from maturity.gates.interface import GateName


class DepsApprovalGate(FileEvidenceGate):
    name = GateName.DEPS_APPROVAL
    title = "Dependencies approved"
    remediation = (
        "produce the SBOM and get every listed dependency approved (or removed), then re-run"
    )
