"""Break glass during ``evaluate``: authorise the overrides asked for, then apply them.

Before any gate runs, a request is checked against ``break_glass`` (stage, gates, reason) and
its actor authorised (a user entry, or a team through the API), so a refused override costs
nothing and writes no report. After the gates ran, each overridden gate must actually block
(an override is for a held release, never a blanket pass), and with ``follow_up`` configured
its GitHub issue is filed first: an override whose follow-up cannot be filed does not apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from maturity.breakglass.policy import (
    Membership,
    OverrideRefused,
    OverrideRequest,
    authorise_actor,
    check_request,
)
from maturity.config.types import FREEZE_GATE, Config
from maturity.core import utc_timestamp
from maturity.engine import (
    Decision,
    NothingToOverride,
    Override,
    apply_overrides,
    check_overridable,
)
from maturity.errors import UsageError
from maturity.github.access import GitHubAccess
from maturity.subject import Subject
from maturity.text import clean_text

if TYPE_CHECKING:
    from maturity.config.types import FollowUp
    from maturity.core import GateResult
    from maturity.github.client import GitHubClient

#: seconds for the API calls of break glass (team membership, follow-up issue) together
API_BUDGET_S = 60.0


@dataclass(frozen=True)
class AuthorisedOverrides:
    request: OverrideRequest
    actor: str
    allowed_by: str


@dataclass(frozen=True)
class OverrideFailure:
    gate: str
    why: str


def overridden_names(gates: Sequence[str], override_freeze: bool) -> tuple[str, ...]:
    """``--override`` gates, each once, then ``freeze`` for ``--override-freeze``."""
    names = list(dict.fromkeys(gates))
    if override_freeze and FREEZE_GATE not in names:
        names.append(FREEZE_GATE)
    return tuple(names)


def requested(
    config: Config,
    gates: Sequence[str],
    override_freeze: bool,
    reason: str | None,
    actor: str | None,
) -> OverrideRequest | None:
    """The request from the flags, or None when nothing is asked; unknown gates are usage errors."""
    names = overridden_names(gates, override_freeze)
    if not names:
        if reason is not None:
            raise UsageError(
                "--reason is given but nothing is overridden",
                "add --override GATE or --override-freeze, or drop --reason",
            )
        return None
    for name in names:
        if name != FREEZE_GATE and name not in config.gates:
            raise UsageError(
                f"--override names the unknown gate {clean_text(name, 80)!r}",
                f"use one of the gates of {config.source}: {', '.join(config.gates)} "
                "(or --override-freeze for a freeze window)",
            )
    if reason is None or not reason.strip():
        raise UsageError(
            "an override needs a reason: --reason is missing or empty",
            "say why this release cannot wait, with the incident or change id, e.g. "
            "--reason 'INC-123: hotfix for the login outage'",
        )
    return OverrideRequest(gates=tuple(names), reason=reason.strip(), actor=actor)


def _client(access: GitHubAccess) -> GitHubClient:
    from maturity.github.client import GitHubClient
    from maturity.github.deadline import Deadline

    return GitHubClient(access, Deadline(API_BUDGET_S))


def authorise(
    config: Config, stage: str, request: OverrideRequest, access: GitHubAccess
) -> AuthorisedOverrides:
    """Check the request against ``break_glass`` and authorise its actor, or raise
    :class:`OverrideRefused` naming the rule."""
    policy = config.break_glass
    check_request(policy, request, stage)
    assert policy is not None  # noqa: S101 - check_request refuses a missing policy
    assert request.actor is not None  # noqa: S101 - and a missing actor
    membership = None
    client = None
    if policy.teams and access.token:
        client = _client(access)

        def membership_of(org: str, team: str, user: str) -> Membership:
            from maturity.breakglass.teams import team_membership

            return team_membership(client, org, team, user)

        membership = membership_of
    try:
        allowed_by = authorise_actor(policy, request.actor, membership)
    finally:
        if client is not None:
            client.close()
    return AuthorisedOverrides(request, request.actor, allowed_by)


def refuse_not_blocking(decision: Decision, request: OverrideRequest) -> None:
    """Every gate asked for must block: otherwise the whole request is refused (exit 2)."""
    try:
        check_overridable(decision, request.gates)
    except NothingToOverride as exc:
        raise OverrideRefused(
            "nothing_to_override",
            f"--override {exc.gate}: nothing to override: {exc.why}",
            "override only a gate that blocks this release (see the NO-GO report); "
            "drop the --override for this gate",
        ) from None


@dataclass(frozen=True)
class OverrideContext:
    config: Config
    stage: str
    subject: Subject
    access: GitHubAccess


def apply(
    decision: Decision,
    authorised: AuthorisedOverrides,
    context: OverrideContext,
    now: dt.datetime,
) -> tuple[Decision, tuple[OverrideFailure, ...]]:
    """Apply the authorised overrides, each after its follow-up issue (when configured) is
    filed; one whose follow-up fails keeps blocking, and the report says why. *now* is when
    the override happened (the real time, even when ``--now`` sets the judging clock)."""
    at = utc_timestamp(now)
    applied: list[Override] = []
    failures: list[OverrideFailure] = []
    policy = context.config.break_glass
    follow_up = policy.follow_up if policy is not None else None
    client = _client(context.access) if follow_up is not None and context.access.token else None
    try:
        for gate in authorised.request.gates:
            outcome = decision.outcome(gate)
            assert outcome is not None  # noqa: S101 - refuse_not_blocking checked it
            result = outcome.result
            url = None
            if follow_up is not None:
                url, why = _file(client, follow_up, authorised, result, context)
                if url is None:
                    failures.append(OverrideFailure(gate, why))
                    continue
            applied.append(
                Override(
                    gate=gate,
                    actor=authorised.actor,
                    allowed_by=authorised.allowed_by,
                    reason=authorised.request.reason,
                    at=at,
                    status_before=result.status,
                    code_before=result.code,
                    message_before=result.message,
                    follow_up_url=url,
                )
            )
    finally:
        if client is not None:
            client.close()
    if failures:
        decision = _mark_failures(decision, failures)
    return apply_overrides(decision, applied), tuple(failures)


@dataclass(frozen=True)
class BreakGlassRun:
    """The overrides of one evaluation: authorised at :meth:`start`, applied at :meth:`finish`."""

    config: Config
    stage: str
    access: GitHubAccess
    authorised: AuthorisedOverrides

    @classmethod
    def start(
        cls,
        config: Config,
        stage: str,
        subject: Subject,
        access: GitHubAccess,
        *,
        gates: Sequence[str],
        override_freeze: bool,
        reason: str | None,
    ) -> BreakGlassRun | None:
        """Check the flags and authorise them (``OverrideRefused`` names the rule that refuses);
        None when nothing is asked (``--reason`` alone is a usage error)."""
        request = requested(config, gates, override_freeze, reason, subject.actor)
        if request is None:
            return None
        return cls(config, stage, access, authorise(config, stage, request, access))

    def finish(
        self, decision: Decision, subject: Subject, now: dt.datetime
    ) -> tuple[Decision, tuple[OverrideFailure, ...]]:
        """Refuse a gate that does not block, then apply the rest (follow-ups first)."""
        refuse_not_blocking(decision, self.authorised.request)
        context = OverrideContext(self.config, self.stage, subject, self.access)
        return apply(decision, self.authorised, context, now)


def _mark_failures(decision: Decision, failures: Sequence[OverrideFailure]) -> Decision:
    """The gates whose override did not apply say so in their message (they still block)."""
    why = {f.gate: f.why for f in failures}
    outcomes = []
    for outcome in decision.outcomes:
        result = outcome.result
        if result.gate in why:
            message = clean_text(
                f"{result.message} [override not applied: {why[result.gate]}]", 1500
            )
            outcomes.append(replace(outcome, result=replace(result, message=message)))
        else:
            outcomes.append(outcome)
    return replace(decision, outcomes=tuple(outcomes))


def _file(
    client: GitHubClient | None,
    follow_up: FollowUp,
    authorised: AuthorisedOverrides,
    result: GateResult,
    context: OverrideContext,
) -> tuple[str | None, str]:
    """The follow-up issue's URL, or None and why it could not be filed."""
    from maturity.breakglass.follow_up import FollowUpFailed, FollowUpRequest, file_follow_up

    subject = context.subject
    if client is None or subject.repository is None:
        return None, (
            "break_glass.follow_up is configured, but GITHUB_TOKEN or GITHUB_REPOSITORY is not "
            "set, so the follow-up issue cannot be opened"
        )
    request = FollowUpRequest(
        repository=subject.repository,
        gate=result.gate,
        stage=context.stage,
        ref=subject.ref.name,
        run_id=subject.run.id,
        run_url=subject.run.url,
        actor=authorised.actor,
        reason=authorised.request.reason,
        gate_status=result.status.value,
        gate_code=result.code,
        gate_message=result.message,
        findings=result.findings,
        labels=follow_up.labels,
        assignees=follow_up.assignees,
    )
    try:
        return file_follow_up(client, request), ""
    except FollowUpFailed as exc:
        return None, f"the follow-up issue could not be filed: {exc.message} ({exc.remediation})"
