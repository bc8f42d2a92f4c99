"""The five built-in gates: instances every stages file has, bound to default kinds.

Their names need no ``kind:`` line in the stages file, so every version 1 file keeps working.
Kinds are named, not imported: the config layer sits below the kinds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinGate:
    kind: str
    title: str
    remediation: str


#: In report order. promotion_guard reads the commit's checks; the others read evidence files.
BUILTIN_GATES: dict[str, BuiltinGate] = {
    "promotion_guard": BuiltinGate(
        "github_checks",
        "Required checks passed",
        "make every required check (tests, lint, security scan) pass on this commit, "
        "then re-run the release workflow",
    ),
    "observability_verify": BuiltinGate(
        "evidence",
        "Observability verified",
        "fix the metrics/logging probe for this release (see the evidence details), then re-run",
    ),
    "deps_approval": BuiltinGate(
        "evidence",
        "Dependencies approved",
        "produce the SBOM and get every listed dependency approved (or removed), then re-run",
    ),
    "policy_drift": BuiltinGate(
        "evidence",
        "No policy drift",
        "bring the live repository settings back to the declared policy (or change the "
        "declaration in a reviewed pull request), then re-run",
    ),
    "field_budgets": BuiltinGate(
        "evidence",
        "Field budgets met",
        "get the release within its locked performance/SLO budgets (or re-baseline them "
        "in a reviewed change), then re-run",
    ),
}
