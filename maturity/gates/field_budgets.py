"""field_budgets: the performance/SLO budgets are locked and met."""

from __future__ import annotations

from maturity.gates.file_evidence import FileEvidenceGate
from maturity.gates.interface import GateName


class FieldBudgetsGate(FileEvidenceGate):
    name = GateName.FIELD_BUDGETS
    title = "Field budgets met"
    remediation = (
        "get the release within its locked performance/SLO budgets (or re-baseline them "
        "in a reviewed change), then re-run"
    )
