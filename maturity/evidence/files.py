"""Evidence files: read them for a gate (the engine's collect step), and judge the
``{"ok": ...}`` form every gate accepts.

Several files for one gate must all be present and ok. The worst file decides the status
(error, then fail, then missing); each file is one finding (id ``evidence:<path>``), so nothing
is hidden.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from maturity.core import CollectedFile, Finding, GateInputs, GateResult, GateStatus
from maturity.errors import EvidenceError
from maturity.text import clean_text

_SEVERITY = {GateStatus.ERROR: 3, GateStatus.FAIL: 2, GateStatus.MISSING: 1, GateStatus.PASS: 0}


def collect_files(workspace: Path, locators: Sequence[str]) -> tuple[CollectedFile, ...]:
    """Read each file (workspace-confined, bounded); a file that cannot be read says why."""
    from maturity.evidence.local_file import LocalFileSource

    source = LocalFileSource(workspace)
    out: list[CollectedFile] = []
    for locator in locators:
        shown = clean_text(locator, 300)
        try:
            blob = source.read(locator)
        except EvidenceError as exc:
            out.append(
                CollectedFile(
                    locator,
                    shown,
                    error_code=exc.code,
                    error_message=clean_text(exc.message),
                    error_remediation=exc.remediation,
                    missing=exc.missing,
                )
            )
            continue
        out.append(CollectedFile(locator, shown, data=blob.data, record=blob.record))
    return tuple(out)


def how_to_provide(gate: str) -> str:
    return (
        f"give evidence for {gate}: set gates.{gate}.evidence in the stages file, "
        f"pass --evidence {gate}=PATH, or put {gate}.json in --evidence-dir"
    )


def judge_files(inputs: GateInputs) -> GateResult:
    """The gate's status from its evidence files (``missing`` when it was given none)."""
    from maturity.evidence.file_format import parse_evidence

    started = time.perf_counter()
    gate = inputs.gate
    if not inputs.files:
        return GateResult(
            gate=gate,
            status=GateStatus.MISSING,
            code="MISSING_EVIDENCE",
            message=f"no evidence was given for {gate}",
            remediation=how_to_provide(gate),
        ).timed(started)
    findings: list[Finding] = []  # one per file, in the order given
    evidence_details: list[dict[str, Any]] = []
    for file in inputs.files:
        shown, fid = file.shown, f"evidence:{file.shown}"
        if file.data is None or file.record is None:
            status = GateStatus.MISSING if file.missing else GateStatus.ERROR
            findings.append(
                Finding(
                    file.error_code,
                    file.error_message,
                    shown,
                    status,
                    file.error_remediation,
                    fid,
                )
            )
            continue
        try:
            evidence = parse_evidence(file.data, shown)
        except EvidenceError as exc:
            findings.append(
                Finding(
                    exc.code, clean_text(exc.message), shown, GateStatus.ERROR, exc.remediation, fid
                )
            )
            continue
        message = clean_text(evidence.message or "")
        evidence_details.append(
            {"source": file.record.source, "ok": evidence.ok, "details": evidence.details or {}}
        )
        if evidence.ok:
            findings.append(
                Finding(
                    evidence.code or "OK", message or "evidence ok", shown, GateStatus.PASS, "", fid
                )
            )
        else:
            findings.append(
                Finding(
                    evidence.code or "EVIDENCE_NOT_OK",
                    message or f"the evidence in {shown} says the gate does not hold",
                    shown,
                    GateStatus.FAIL,
                    inputs.remediation,
                    fid,
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
        evidence=inputs.records,
        details={"evidence_origin": inputs.origin, "evidence": evidence_details},
    ).timed(started)
