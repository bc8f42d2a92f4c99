"""Gates: one module per gate, the family's interface in ``interface.py``."""

from __future__ import annotations

from maturity.gates.deps_approval import DepsApprovalGate
from maturity.gates.field_budgets import FieldBudgetsGate
from maturity.gates.interface import Gate, GateName
from maturity.gates.observability_verify import ObservabilityVerifyGate
from maturity.gates.policy_drift import PolicyDriftGate
from maturity.gates.promotion_guard import PromotionGuardGate

#: Gate name -> implementation. Open on purpose: a later issue registers more kinds from config.
GATES: dict[str, type[Gate]] = {
    cls.name.value: cls
    for cls in (
        PromotionGuardGate,
        ObservabilityVerifyGate,
        DepsApprovalGate,
        PolicyDriftGate,
        FieldBudgetsGate,
    )
}

__all__ = ["GATES", "Gate", "GateName"]
