"""The GitHub checks kind: every required check on the commit completed successfully.

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

from maturity.core import EvidenceRecord, GateInputs, GateResult, GateStatus
from maturity.errors import EvidenceError
from maturity.evidence.files import judge_files
from maturity.github.access import PERMISSIONS_HINT
from maturity.kinds.github_checks.settings import GitHubChecksSettings
from maturity.kinds.interface import RunContext

if TYPE_CHECKING:  # the judge and model load when a gate of this kind runs, not with KIND
    from maturity.kinds.github_checks.judge import Judgement
    from maturity.kinds.github_checks.model import CommitChecks

MAX_CHECKS_IN_REPORT = 5000
_OFFLINE_HINT = "or judge offline from a saved answer with --checks-file, or from an evidence file"


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


NATIVE_SOURCE = "it reads the commit's checks from GitHub (or --checks-file) instead"


def time_budget(settings: GitHubChecksSettings, run: RunContext) -> float:
    """Seconds one evaluation may take: the wait timeout with --wait, else the time budget."""
    return float(settings.wait.timeout if run.wait else settings.time_budget)


def evaluate(settings: GitHubChecksSettings, inputs: GateInputs, run: RunContext) -> GateResult:
    if inputs.files:
        return judge_files(inputs)
    started = time.perf_counter()
    if run.checks_file is not None:
        result = _offline(settings, inputs, run)
    else:
        result = _online(settings, inputs, run)
    if inputs.origin.startswith("--evidence-dir"):  # the folder had no file for it
        result = replace(result, details={**result.details, "evidence_origin": inputs.origin})
    return result.timed(started)


# -- sources ---------------------------------------------------------------------------------


def _offline(settings: GitHubChecksSettings, inputs: GateInputs, run: RunContext) -> GateResult:
    from maturity.kinds.github_checks.judge import judge
    from maturity.kinds.github_checks.saved_answer import read_checks_file

    assert run.checks_file is not None  # noqa: S101 - evaluate() checked
    details: dict[str, Any] = {"source": "checks-file", "checks_file": run.checks_file_shown}
    try:
        checks, record = read_checks_file(run.checks_file, run.checks_file_shown, run.sha)
    except EvidenceError as exc:
        return _error(inputs.gate, exc, details)
    details["sha"] = checks.sha
    me = run.github.me if run.github else None  # MATURITY_CHECK_RUN_ID applies here too
    return _judged(inputs.gate, judge(checks, settings, me), details, (record,))


def _online(settings: GitHubChecksSettings, inputs: GateInputs, run: RunContext) -> GateResult:
    access = run.github
    details: dict[str, Any] = {"source": "github-api"}
    if access is None or access.token is None:
        return _error(
            inputs.gate,
            EvidenceError(
                "GITHUB_TOKEN_MISSING",
                "no GITHUB_TOKEN: the checks of the commit cannot be read from GitHub",
                f"set GITHUB_TOKEN; {PERMISSIONS_HINT}; {_OFFLINE_HINT}",
            ),
            details,
        )
    details["api_url"] = access.endpoint.url
    if access.repository is None:
        return _error(
            inputs.gate,
            EvidenceError(
                "GITHUB_REPOSITORY_MISSING",
                "no GITHUB_REPOSITORY: which repository's checks to read is unknown",
                f"set GITHUB_REPOSITORY=owner/name; {_OFFLINE_HINT}",
            ),
            details,
        )
    details["repository"] = access.repository
    from maturity.github.client import GitHubClient
    from maturity.github.deadline import Deadline
    from maturity.kinds.github_checks.judge import judge
    from maturity.kinds.github_checks.polling import Polled, PollFailed, poll
    from maturity.kinds.github_checks.source import GitHubChecksSource

    budget = time_budget(settings, run)
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
            interval_s=float(settings.wait.interval),
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
        return _error(inputs.gate, failure, details)
    if polled.timed_out:
        details["wait_timed_out"] = True
    result = _judged(inputs.gate, polled.judgement, details, (_checks_digest(polled.checks),))
    if not polled.timed_out:
        return result
    message = (
        f"{result.message}; still so after waiting {deadline.elapsed():.0f}s "
        f"(wait timeout {budget:g}s)"
    )
    return replace(result, message=message)


# -- results ---------------------------------------------------------------------------------


def _error(gate: str, exc: EvidenceError, details: dict[str, Any]) -> GateResult:
    return GateResult(
        gate=gate,
        status=GateStatus.ERROR,
        code=exc.code,
        message=exc.message,
        remediation=exc.remediation,
        details=details,
    )


def _judged(
    gate: str,
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
        gate=gate,
        status=judgement.status,
        code=judgement.code,
        message=judgement.message,
        remediation=judgement.remediation,
        findings=judgement.findings,
        evidence=evidence,
        details=details,
    )
