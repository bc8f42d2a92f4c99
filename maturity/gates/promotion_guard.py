"""promotion_guard: every required check on the commit completed successfully.

Three sources, most explicit first: evidence files (``--evidence``/``--evidence-dir``/config, the
form every gate has), a saved API answer (``--checks-file``), else the GitHub API itself. Online,
``--wait`` polls until nothing required is pending or missing, or the wait deadline passes; each
poll re-reads every page conditionally, so unchanged pages cost no rate limit.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from maturity.checks.settings import PromotionGuardSettings
from maturity.evidence.interface import EvidenceError, EvidenceRecord
from maturity.gates.file_evidence import FileEvidenceGate
from maturity.gates.interface import GateContext, GateName, GateResult, GateStatus
from maturity.github.access import PERMISSIONS_HINT

if TYPE_CHECKING:  # the judge imports this package's interface: imported when a gate runs
    from maturity.checks.judge import Judgement
    from maturity.checks.model import CommitChecks

MAX_CHECKS_IN_REPORT = 5000
_OFFLINE_HINT = "or judge offline from a saved answer with --checks-file, or from an evidence file"


def _settings(context: GateContext) -> PromotionGuardSettings:
    given = context.settings
    return given if isinstance(given, PromotionGuardSettings) else PromotionGuardSettings()


def _checks_digest(checks: CommitChecks) -> EvidenceRecord:
    body = json.dumps(
        [c.as_dict() for c in (*checks.check_runs, *checks.statuses)], sort_keys=True
    ).encode()
    return EvidenceRecord(
        source=f"commit {checks.sha}: check runs and statuses",
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        kind="github-api",
    )


class PromotionGuardGate(FileEvidenceGate):
    name = GateName.PROMOTION_GUARD
    title = "Required checks passed"
    remediation = (
        "make every required check (tests, lint, security scan) pass on this commit, "
        "then re-run the release workflow"
    )
    native_source = "it reads the commit's checks from GitHub (or --checks-file) instead"

    def evaluate(self, context: GateContext) -> GateResult:
        if context.evidence_paths:
            return super().evaluate(context)
        started = time.perf_counter()
        if context.run.checks_file is not None:
            result = self._offline(context)
        else:
            result = self._online(context)
        if context.evidence_origin.startswith("--evidence-dir"):  # the folder had no file for it
            result = replace(
                result, details={**result.details, "evidence_origin": context.evidence_origin}
            )
        return result.timed(started)

    # -- sources -------------------------------------------------------------------------------

    def _offline(self, context: GateContext) -> GateResult:
        from maturity.checks.judge import judge
        from maturity.checks.saved_answer import read_checks_file

        run = context.run
        assert run.checks_file is not None  # noqa: S101 - evaluate() checked
        details: dict[str, Any] = {"source": "checks-file", "checks_file": run.checks_file_shown}
        try:
            checks, record = read_checks_file(run.checks_file, run.checks_file_shown, run.sha)
        except EvidenceError as exc:
            return self._error(context.gate, exc, details)
        details["sha"] = checks.sha
        me = run.github.me if run.github else None  # MATURITY_CHECK_RUN_ID applies here too
        return self._judged(context, judge(checks, _settings(context), me), details, (record,))

    def _online(self, context: GateContext) -> GateResult:
        run, settings = context.run, _settings(context)
        access = run.github
        details: dict[str, Any] = {"source": "github-api"}
        if access is None or access.token is None:
            return self._error(
                context.gate,
                EvidenceError(
                    "GITHUB_TOKEN_MISSING",
                    "no GITHUB_TOKEN: the checks of the commit cannot be read from GitHub",
                    f"set GITHUB_TOKEN; {PERMISSIONS_HINT}; {_OFFLINE_HINT}",
                ),
                details,
            )
        details["api_url"] = access.endpoint.url
        if access.repository is None:
            return self._error(
                context.gate,
                EvidenceError(
                    "GITHUB_REPOSITORY_MISSING",
                    "no GITHUB_REPOSITORY: which repository's checks to read is unknown",
                    f"set GITHUB_REPOSITORY=owner/name; {_OFFLINE_HINT}",
                ),
                details,
            )
        details["repository"] = access.repository
        from maturity.checks.judge import judge
        from maturity.checks.polling import Polled, PollFailed, poll
        from maturity.github.checks_source import GitHubChecksSource
        from maturity.github.client import GitHubClient
        from maturity.github.deadline import Deadline

        budget = settings.wait.timeout_s if run.wait else settings.time_budget_s
        deadline = Deadline(budget)
        client = GitHubClient(access, deadline)
        source = GitHubChecksSource(client, access.repository)
        polled: Polled | None = None
        try:
            sha = run.sha
            if sha is None:
                if run.ref is None:
                    raise EvidenceError("NO_COMMIT", "no commit to judge", "pass --sha")
                sha = source.resolve_commit(run.ref)
                details["sha_resolved_from"] = run.ref.full
            details["sha"] = sha
            commit = sha
            polled = poll(
                lambda: source.read(commit),
                lambda checks: judge(checks, settings, access.me),
                wait=run.wait,
                interval_s=settings.wait.interval_s,
                deadline=deadline,
            )
        except EvidenceError as exc:
            failure: EvidenceError | None = exc
        else:
            failure = None
        finally:
            client.close()
        progress = polled or (failure if isinstance(failure, PollFailed) else None)
        details["api"] = {
            **client.stats.as_dict(),
            "polls": progress.polls if progress else 0,
            "poll_wait_s": round(progress.waited_s if progress else 0.0, 3),
            "elapsed_s": round(deadline.elapsed(), 3),
            "time_budget_s": budget,
        }
        if polled is None:
            assert failure is not None  # noqa: S101 - one of the two is always set
            return self._error(context.gate, failure, details)
        if polled.timed_out:
            details["wait_timed_out"] = True
        result = self._judged(context, polled.judgement, details, (_checks_digest(polled.checks),))
        if not polled.timed_out:
            return result
        message = (
            f"{result.message}; still so after waiting {deadline.elapsed():.0f}s "
            f"(wait timeout {budget:g}s)"
        )
        return replace(result, message=message)

    # -- results -------------------------------------------------------------------------------

    def _error(self, gate: str, exc: EvidenceError, details: dict[str, Any]) -> GateResult:
        return GateResult(
            gate=gate,
            status=GateStatus.ERROR,
            code=exc.code,
            message=exc.message,
            remediation=exc.remediation,
            details=details,
        )

    def _judged(
        self,
        context: GateContext,
        judgement: Judgement,
        details: dict[str, Any],
        evidence: tuple[EvidenceRecord, ...],
    ) -> GateResult:
        verdicts = judgement.verdicts
        details["required_checks"] = [
            {**pattern.as_dict(), "matched": count} for pattern, count in judgement.patterns
        ] or "every check on the commit"
        details["outcomes"] = dict(Counter(v.outcome.value for v in verdicts))
        details["self_exclusion"] = judgement.self_exclusion.as_dict()
        details["checks"] = [v.as_dict() for v in verdicts[:MAX_CHECKS_IN_REPORT]]
        if len(verdicts) > MAX_CHECKS_IN_REPORT:
            details["checks_left_out"] = len(verdicts) - MAX_CHECKS_IN_REPORT
        return GateResult(
            gate=context.gate,
            status=judgement.status,
            code=judgement.code,
            message=judgement.message,
            remediation=judgement.remediation,
            findings=judgement.findings,
            evidence=evidence,
            details=details,
        )
