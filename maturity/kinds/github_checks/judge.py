"""The decision of promotion_guard, as a pure function of a commit's checks and the settings.

Order of work: keep only the newest run per (name, app) and the newest status per context (so a
re-run's success replaces its failure and an old success never hides a newer failure), drop the
evaluator's own run (at most one, by the narrow rule of ``self_exclusion.py``) and ignored checks,
pick the required ones, then judge each. A gate where no required check succeeded is never a pass,
whatever ``pass_conclusions`` accepts: all-skipped is not evidence of anything. GitHub hands
out check run and status ids in increasing order, so the highest id is the newest; ``started_at``
is not used because the app that posts a run may set it to anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from maturity.core import Finding, GateStatus
from maturity.github.access import SelfIdentity
from maturity.kinds.github_checks.model import COMPLETED, CheckItem, CheckKind, CommitChecks
from maturity.kinds.github_checks.self_exclusion import SelfExclusion, find_self
from maturity.kinds.github_checks.settings import CheckPattern, GitHubChecksSettings

MAX_FINDINGS = 50
SUCCESS = "success"

FIX_FAILED = (
    "open each failed check's log (its link), fix the cause and re-run it on this commit; "
    "a re-run's success replaces the failure"
)
FIX_PENDING = (
    "let the checks finish and evaluate again, or evaluate with --wait so maturity polls until "
    "they settle (timeout and interval: gates.promotion_guard.wait in the stages file)"
)
FIX_MISSING = (
    "make sure the workflow that runs the check triggers on this tag or commit (its `on:` "
    "filters), or correct gates.promotion_guard.required_checks (matched against check run "
    "names and status contexts); allow_missing: true accepts absent checks"
)
FIX_NONE_SUCCEEDED = (
    "make at least one required check run and succeed on this commit; neutral and skipped "
    "conclusions (when gates.promotion_guard.pass_conclusions accepts them) never pass a gate alone"
)
FIX_TOO_FEW = (
    "run the release's checks (tests, lint, security scan) on this commit before releasing; "
    "maturity never passes a commit without checks (gates.promotion_guard.min_checks)"
)


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    PENDING = "pending"
    NOT_REQUIRED = "not_required"  # matched by no required pattern: recorded only
    SUPERSEDED = "superseded"  # an older run of the same check
    SELF = "self"  # the evaluator's own check run
    IGNORED = "ignored"


@dataclass(frozen=True)
class CheckVerdict:
    item: CheckItem
    outcome: Outcome
    matched_by: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            **self.item.as_dict(),
            "required": self.outcome in (Outcome.PASS, Outcome.FAIL, Outcome.PENDING),
            "matched_by": list(self.matched_by),
            "outcome": self.outcome.value,
        }


@dataclass(frozen=True)
class Judgement:
    status: GateStatus
    code: str
    message: str
    remediation: str
    findings: tuple[Finding, ...]
    verdicts: tuple[CheckVerdict, ...]
    patterns: tuple[tuple[CheckPattern, int], ...]  # each required pattern and how many it matched
    self_exclusion: SelfExclusion

    @property
    def waitable(self) -> bool:
        """Could polling change this? (Something required is still running or not there yet.)"""
        return self.status in (GateStatus.PENDING, GateStatus.MISSING)


def _newest(items: Iterable[CheckItem]) -> tuple[list[CheckItem], list[CheckItem]]:
    """(newest per name and app, the older ones they supersede)."""
    best: dict[tuple[str, str | None], CheckItem] = {}
    older: list[CheckItem] = []
    for item in items:
        key = (item.name, item.app)
        kept = best.get(key)
        if kept is None or item.id > kept.id:
            if kept is not None:
                older.append(kept)
            best[key] = item
        else:
            older.append(item)
    return list(best.values()), older


def _pass_outcome(item: CheckItem, settings: GitHubChecksSettings) -> Outcome:
    if item.status != COMPLETED:
        return Outcome.PENDING
    if item.kind is CheckKind.STATUS:
        return Outcome.PASS if item.conclusion == SUCCESS else Outcome.FAIL
    return Outcome.PASS if item.conclusion in settings.pass_conclusions else Outcome.FAIL


def check_id(item: CheckItem) -> str:
    """The finding id a waiver names: ``check:<name>@<app>`` (a status has the app ``status``)."""
    return f"check:{item.name}@{item.app or 'status'}"


def _listed(items: list[CheckItem], limit: int = 5) -> str:
    shown = ", ".join(f"{i.shown}: {i.state}" for i in items[:limit])
    return shown + (f", and {len(items) - limit} more" if len(items) > limit else "")


def _findings(
    failed: list[CheckItem], pending: list[CheckItem], absent: list[CheckPattern]
) -> list[Finding]:
    """One finding per check that blocks, capped so a report stays readable."""
    findings: list[Finding] = []
    for item in failed:
        findings.append(
            Finding(
                "CHECK_FAILED",
                f"{item.shown}: {item.state}",
                item.url or "",
                GateStatus.FAIL,
                FIX_FAILED,
                check_id(item),
            )
        )
    for item in pending:
        findings.append(
            Finding(
                "CHECK_PENDING",
                f"{item.shown}: {item.state}",
                item.url or "",
                GateStatus.PENDING,
                FIX_PENDING,
                check_id(item),
            )
        )
    for pattern in absent:
        findings.append(
            Finding(
                "CHECK_MISSING",
                f"no check matches the required {pattern.label}",
                "",
                GateStatus.MISSING,
                FIX_MISSING,
                f"check:{pattern.name}@{pattern.app or '*'}",
            )
        )
    if len(findings) > MAX_FINDINGS:
        rest = len(findings) - MAX_FINDINGS + 1
        findings = [
            *findings[: MAX_FINDINGS - 1],
            Finding(
                "MORE_FINDINGS",
                f"and {rest} more (all are in the JSON report)",
                status=findings[-1].status,
            ),
        ]

    return findings


def _overall(
    required: list[CheckItem],
    failed: list[CheckItem],
    pending: list[CheckItem],
    absent: list[CheckPattern],
    *,
    min_checks: int,
    commit: str,
    scope: str,
) -> tuple[GateStatus, str, str, str]:
    """(status, code, message, fix) of the gate: the worst of fail, pending, missing, too few,
    nothing succeeded; else a pass."""
    if failed:
        message = f"{len(failed)} of {len(required)} required checks failed: {_listed(failed)}"
        return GateStatus.FAIL, "CHECKS_FAILED", message, FIX_FAILED
    if pending:
        message = (
            f"{len(pending)} of {len(required)} required checks not finished: {_listed(pending)}"
        )
        return GateStatus.PENDING, "CHECKS_PENDING", message, FIX_PENDING
    if absent:
        names = ", ".join(p.label for p in absent[:5])
        message = f"required checks never appeared on {commit}: {names}" + (
            f", and {len(absent) - 5} more" if len(absent) > 5 else ""
        )
        return GateStatus.MISSING, "CHECKS_MISSING", message, FIX_MISSING
    if len(required) < min_checks:
        message = (
            f"{len(required)} required checks on {commit} ({scope}); at least "
            f"{min_checks} must pass (zero checks is never a pass)"
        )
        return GateStatus.MISSING, "TOO_FEW_CHECKS", message, FIX_TOO_FEW
    if not any(item.conclusion == SUCCESS for item in required):
        message = (
            f"none of the {len(required)} required checks on {commit} succeeded "
            f"({_listed(required)}): a gate where nothing succeeded is not a pass"
        )
        return GateStatus.FAIL, "NO_CHECK_SUCCEEDED", message, FIX_NONE_SUCCEEDED
    return (
        GateStatus.PASS,
        "CHECKS_PASSED",
        f"all {len(required)} required checks passed ({scope})",
        "",
    )


def judge(
    checks: CommitChecks, settings: GitHubChecksSettings, me: SelfIdentity | None = None
) -> Judgement:
    runs, superseded = _newest(checks.check_runs)
    statuses, old_statuses = _newest(checks.statuses)
    verdicts = [CheckVerdict(i, Outcome.SUPERSEDED) for i in (*superseded, *old_statuses)]
    own = find_self(runs, me, settings.required)
    candidates: list[CheckItem] = []
    for item in (*runs, *statuses):
        if item is own.excluded:
            verdicts.append(CheckVerdict(item, Outcome.SELF))
        elif any(p.matches(item.name, item.app) for p in settings.ignored):
            verdicts.append(CheckVerdict(item, Outcome.IGNORED))
        else:
            candidates.append(item)

    counts = dict.fromkeys(settings.required, 0)
    judged: list[CheckVerdict] = []
    for item in candidates:
        if settings.required:
            matched = tuple(p for p in settings.required if p.matches(item.name, item.app))
            for p in matched:
                counts[p] += 1
            if not matched:
                verdicts.append(CheckVerdict(item, Outcome.NOT_REQUIRED))
                continue
            labels = tuple(p.label for p in matched)
        else:
            labels = ("(every check)",)
        judged.append(CheckVerdict(item, _pass_outcome(item, settings), labels))
    verdicts.extend(judged)

    required = [v.item for v in judged]
    failed = [v.item for v in judged if v.outcome is Outcome.FAIL]
    pending = [v.item for v in judged if v.outcome is Outcome.PENDING]
    absent = [p for p, n in counts.items() if n == 0] if not settings.allow_missing else []

    findings = _findings(failed, pending, absent)
    commit = checks.sha[:12]
    scope = f"{len(runs)} check runs and {len(statuses)} statuses on {commit}"
    status, code, message, fix = _overall(
        required,
        failed,
        pending,
        absent,
        min_checks=settings.min_checks,
        commit=commit,
        scope=scope,
    )
    if code in ("TOO_FEW_CHECKS", "NO_CHECK_SUCCEEDED"):  # no single check to blame: say it once
        findings.append(Finding(code, message, "", status, fix))
    return Judgement(
        status=status,
        code=code,
        message=message,
        remediation=fix,
        findings=tuple(findings),
        verdicts=tuple(verdicts),
        patterns=tuple(counts.items()),
        self_exclusion=own,
    )
