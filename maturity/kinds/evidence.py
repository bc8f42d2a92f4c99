"""The evidence kind: a gate decided by ``{"ok": ...}`` evidence files.

The four built-in gates other than promotion_guard are of this kind, and so is any gate a
stages file declares with ``kind: evidence``. Its only setting, ``evidence:`` (a path or a list),
is the one every gate has, so its own settings model is empty.
"""

from __future__ import annotations

from pydantic import BaseModel

from maturity.core import GateInputs, GateResult
from maturity.evidence.files import judge_files
from maturity.kinds.interface import GateKind, KindSettings, RunContext


class EvidenceSettings(KindSettings):
    """No settings beyond the ``evidence:`` every gate has."""


def evaluate(settings: EvidenceSettings, inputs: GateInputs, run: RunContext) -> GateResult:
    return judge_files(inputs)


def _details() -> type[BaseModel]:
    """The report's details model: imported by the schema generator, not when a gate runs."""
    from maturity.evidence.details import EvidenceFilesDetails

    return EvidenceFilesDetails


KIND: GateKind[EvidenceSettings] = GateKind(
    name="evidence",
    title="Evidence ok",
    remediation="make the step that writes the evidence file succeed, so that it says ok, "
    "then re-run",
    description='Evidence files ({"ok": true|false, ...}) that must all be present and ok.',
    settings=EvidenceSettings,
    evaluate=evaluate,
    details=_details,
)
