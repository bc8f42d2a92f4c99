"""The evidence-file form shared by every gate: judge one or more ``{"ok": ...}`` files.

Several files for one gate must all be present and ok. The worst file decides the status
(error, then fail, then missing); each file is one finding, so nothing is hidden.
"""

from __future__ import annotations

import time
from typing import Any

from maturity.evidence.file_format import parse_evidence
from maturity.evidence.interface import EvidenceError, EvidenceRecord
from maturity.evidence.local_file import LocalFileSource
from maturity.gates.interface import (
    Finding,
    Gate,
    GateContext,
    GateResult,
    GateStatus,
)
from maturity.text import clean_text

_SEVERITY = {GateStatus.ERROR: 3, GateStatus.FAIL: 2, GateStatus.MISSING: 1, GateStatus.PASS: 0}


class FileEvidenceGate(Gate):
    """A gate decided by evidence files. Later, native evidence sources sit beside this form."""

    def how_to_provide(self, gate: str) -> str:
        return (
            f"give evidence for {gate}: set gates.{gate}.evidence in the stages file, "
            f"pass --evidence {gate}=PATH, or put {gate}.json in --evidence-dir"
        )

    def evaluate(self, context: GateContext) -> GateResult:
        started = time.perf_counter()
        gate = context.gate
        if not context.evidence_paths:
            return GateResult(
                gate=gate,
                status=GateStatus.MISSING,
                code="MISSING_EVIDENCE",
                message=f"no evidence was given for {gate}",
                remediation=self.how_to_provide(gate),
            ).timed(started)
        source = LocalFileSource(context.workspace)
        findings: list[Finding] = []  # one per file, in the order given
        records: list[EvidenceRecord] = []
        evidence_details: list[dict[str, Any]] = []
        for locator in context.evidence_paths:
            shown = clean_text(locator, 300)
            try:
                blob = source.read(locator)
                records.append(blob.record)
                evidence = parse_evidence(blob.data, shown)
            except EvidenceError as exc:
                status = GateStatus.MISSING if exc.missing else GateStatus.ERROR
                findings.append(
                    Finding(exc.code, clean_text(exc.message), shown, status, exc.remediation)
                )
                continue
            message = clean_text(evidence.message or "")
            evidence_details.append(
                {"source": blob.record.source, "ok": evidence.ok, "details": evidence.details or {}}
            )
            if evidence.ok:
                findings.append(
                    Finding(evidence.code or "OK", message or "evidence ok", shown, GateStatus.PASS)
                )
            else:
                findings.append(
                    Finding(
                        evidence.code or "EVIDENCE_NOT_OK",
                        message or f"the evidence in {shown} says the gate does not hold",
                        shown,
                        GateStatus.FAIL,
                        self.remediation,
                    )
                )
        worst = max(findings, key=lambda f: _SEVERITY[f.status])  # the first of the worst
        status, code, message = worst.status, worst.code, worst.message
        if len(findings) > 1:
            not_ok = sum(f.status is not GateStatus.PASS for f in findings)
            message = (
                f"{not_ok} of {len(findings)} evidence files not ok; worst: {worst.location}: {message}"
                if not_ok
                else f"all {len(findings)} evidence files ok"
            )
        return GateResult(
            gate=gate,
            status=status,
            code=code,
            message=message,
            remediation=worst.remediation,
            findings=tuple(findings),
            evidence=tuple(records),
            details={"evidence_origin": context.evidence_origin, "evidence": evidence_details},
        ).timed(started)
