"""Apply waivers to gate results: the pure step the engine's exceptions step calls.

For each failing finding with an id, the gate's waivers whose glob matches it are tried in file
order; the first valid one applies (the finding keeps its status and names the waiver in
``waiver``). A matching waiver is not valid when

- it expired: the UTC day of *now* is after ``expires`` (``WAIVER_EXPIRED``);
- it runs too long for the stage: ``expires`` is more than ``max_days`` days after that day
  (``WAIVER_TOO_LONG``);
- it lapsed: it names an ``evidence_sha256`` and the gate's evidence digest is another one, or
  the gate read nothing (``WAIVER_LAPSED``): it was granted for that evidence, not whatever
  comes next.

When none applies, each matching invalid waiver adds a failing finding saying why, so a stale
exception is seen where it stopped working. A gate whose every failing finding is waived gets
the status ``waived`` (code ``WAIVED``), which does not block but is never a plain pass.

What is never waived (fail closed: a waiver accepts a known failure, never an unknown one):

- a gate that errored (it could not verify, so nobody knows what would be accepted), passed
  or was skipped;
- a finding that errored, passed or was skipped, or has no id;
- a finding that reports a waiver's own problem (``WAIVER_*``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from maturity.core import Finding, GateResult, GateStatus
from maturity.text import clean_text
from maturity.waivers.checks import utc_day
from maturity.waivers.types import Waiver, WaiverSet


class WaiverState(StrEnum):
    APPLIED = "applied"
    EXPIRED = "expired"
    LAPSED = "lapsed"
    TOO_LONG = "too_long"


#: the finding code each state that does not count adds
WAIVER_CODES: Mapping[WaiverState, str] = {
    WaiverState.EXPIRED: "WAIVER_EXPIRED",
    WaiverState.LAPSED: "WAIVER_LAPSED",
    WaiverState.TOO_LONG: "WAIVER_TOO_LONG",
}
WAIVED_CODE = "WAIVED"

#: a gate in one of these may have its findings waived
_WAIVABLE_GATES = frozenset({GateStatus.FAIL, GateStatus.MISSING, GateStatus.PENDING})
#: a finding in one of these may be waived ...
_WAIVABLE_FINDINGS = frozenset({GateStatus.FAIL, GateStatus.MISSING, GateStatus.PENDING})
#: ... and one in these fails (an errored finding fails and is never waived)
_FAILING_FINDINGS = _WAIVABLE_FINDINGS | {GateStatus.ERROR}
_OWN_CODES = frozenset(WAIVER_CODES.values())
_MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class WaiverUse:
    """One waiver meeting one finding: applied, or why it did not count."""

    gate: str
    finding: str  # the finding's id
    waiver: str  # where the waiver is, file:line
    owner: str
    reason: str
    expires: str  # ISO date
    state: WaiverState


def apply_waivers(
    results: Mapping[str, GateResult],
    waivers: WaiverSet,
    *,
    now: dt.datetime,
    max_days: int | None,
) -> tuple[dict[str, GateResult], tuple[WaiverUse, ...]]:
    """*results* (keyed by gate name, order kept) with *waivers* applied, and every use made.

    *now*: the evaluation time, aware; its UTC day is what ``expires`` is compared with.
    *max_days*: the stage's ``waivers.max_days`` (None: no cap).
    """
    today = utc_day(now)
    by_gate: dict[str, list[Waiver]] = {}
    for waiver in waivers.waivers:
        by_gate.setdefault(waiver.gate, []).append(waiver)
    uses: list[WaiverUse] = []
    out: dict[str, GateResult] = {}
    for name, result in results.items():
        candidates = by_gate.get(name)
        if candidates and result.status in _WAIVABLE_GATES:
            out[name] = _GateWaiving(result, candidates, today, max_days, uses).run()
        else:
            out[name] = result
    return out, tuple(uses)


class _GateWaiving:
    """Waivers applied to one gate's findings (collecting the uses in *uses*)."""

    def __init__(
        self,
        result: GateResult,
        candidates: Sequence[Waiver],
        today: dt.date,
        max_days: int | None,
        uses: list[WaiverUse],
    ) -> None:
        self.result = result
        self.candidates = candidates
        self.today = today
        self.max_days = max_days
        self.uses = uses
        self.digest: Callable[[], str | None] = cache(lambda: result.evidence_digest)

    def run(self) -> GateResult:
        result = self.result
        findings: list[Finding] = []
        failing = waived = 0
        changed = False
        for finding in result.findings:
            if finding.status not in _FAILING_FINDINGS:
                findings.append(finding)
                continue
            failing += 1
            if finding.waiver:  # waived already
                waived += 1
                findings.append(finding)
                continue
            outcome = self._waive(finding)
            findings.extend(outcome)
            if outcome[0].waiver:
                waived += 1
            changed = changed or len(outcome) > 1 or bool(outcome[0].waiver)
        if not changed:
            return result
        if failing and waived == failing:
            was = clean_text(f"{result.code}: {result.message}", _MESSAGE_LIMIT)
            return replace(
                result,
                status=GateStatus.WAIVED,
                code=WAIVED_CODE,
                message=f"all {failing} failing finding(s) waived (was {was})",
                findings=tuple(findings),
            )
        message = result.message
        if waived:
            message = f"{message} ({waived} of {failing} failing findings waived)"
        return replace(result, message=message, findings=tuple(findings))

    def _waive(self, finding: Finding) -> list[Finding]:
        """The finding (waived, if a valid waiver matches), then one finding per matching
        waiver that does not count, when none does."""
        if finding.status not in _WAIVABLE_FINDINGS or not finding.id or finding.code in _OWN_CODES:
            return [finding]
        refused: list[tuple[Waiver, WaiverState]] = []
        for waiver in self.candidates:
            if not waiver.matches(finding.id):
                continue
            state = self._state(waiver)
            if state is WaiverState.APPLIED:
                self._use(finding, waiver, state)
                return [replace(finding, waiver=waiver.where)]
            refused.append((waiver, state))
        out = [finding]
        for waiver, state in refused:
            self._use(finding, waiver, state)
            out.append(self._refusal(finding, waiver, state))
        return out

    def _state(self, waiver: Waiver) -> WaiverState:
        if self.today > waiver.expires:
            return WaiverState.EXPIRED
        if self.max_days is not None and (waiver.expires - self.today).days > self.max_days:
            return WaiverState.TOO_LONG
        if waiver.evidence_sha256 is not None and waiver.evidence_sha256 != self.digest():
            return WaiverState.LAPSED
        return WaiverState.APPLIED

    def _use(self, finding: Finding, waiver: Waiver, state: WaiverState) -> None:
        self.uses.append(
            WaiverUse(
                gate=self.result.gate,
                finding=finding.id,
                waiver=waiver.where,
                owner=waiver.owner,
                reason=waiver.reason,
                expires=waiver.expires.isoformat(),
                state=state,
            )
        )

    def _refusal(self, finding: Finding, waiver: Waiver, state: WaiverState) -> Finding:
        """The failing finding that says why *waiver* does not count for *finding*."""
        shown = f"waiver {clean_text(waiver.where, 200)} (owner {waiver.owner})"
        expires = waiver.expires.isoformat()
        subject = clean_text(finding.id, 200)
        if state is WaiverState.EXPIRED:
            message = f"{shown} for {subject} expired on {expires} (today is {self.today}, UTC)"
            fix = "renew the waiver after a fresh review (a later expires), or fix the finding"
        elif state is WaiverState.TOO_LONG:
            days = (waiver.expires - self.today).days
            latest = self.today + dt.timedelta(days=self.max_days or 0)
            message = (
                f"{shown} for {subject} expires {expires}, {days} day(s) from today (UTC): "
                f"longer than the {self.max_days} this stage allows (waivers.max_days)"
            )
            fix = f"after a fresh review, set expires to {latest} or earlier; or fix the finding"
        else:
            digest = self.digest()
            now_read = f"is now {digest}" if digest else "is absent (the gate read nothing)"
            message = (
                f"{shown} for {subject} was granted for evidence {waiver.evidence_sha256}; "
                f"the gate's evidence {now_read}"
            )
            fix = (
                f"review the new evidence; if the exception still holds, set evidence_sha256 to "
                f"{digest}; else fix the finding"
                if digest
                else "fix the finding, or grant a new waiver after a review"
            )
        return Finding(
            code=WAIVER_CODES[state],
            message=message,
            location=waiver.where,
            status=GateStatus.FAIL,
            remediation=fix,
            id=finding.id,
        )
