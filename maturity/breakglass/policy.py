"""May this override happen? ``break_glass`` in the stages file against the request (pure).

:func:`check_request` checks everything but who asks (policy, stage, gates, reason, that an
actor is known); :func:`authorise_actor` then checks who: a user entry by name, a team entry
through a membership look-up the caller supplies (the API, in :mod:`maturity.breakglass.teams`).
Each refusal is one :class:`OverrideRefused` naming the rule and the file's setting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from maturity.config.regex import compile_regex
from maturity.config.types import ALL_GATES, FREEZE_GATE, BreakGlass
from maturity.errors import UsageError
from maturity.text import clean_text

#: a GitHub login as ``GITHUB_ACTOR`` gives it; apps act as ``name[bot]``
ACTOR_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?")
_RULE_PREFIX = "break_glass.allowed_actors:"


@dataclass(frozen=True)
class OverrideRequest:
    """``--override GATE`` (repeated) with the one ``--reason``, by ``GITHUB_ACTOR``."""

    gates: tuple[str, ...]
    reason: str
    actor: str | None


class OverrideRefused(UsageError):
    """An override the policy does not allow: exit 2, no verdict. ``rule`` names the setting."""

    def __init__(self, rule: str, message: str, remediation: str) -> None:
        super().__init__(message, remediation)
        self.rule = rule


class Membership(StrEnum):
    """A user's membership of a team, as GitHub's team membership endpoint states it."""

    ACTIVE = "active"
    PENDING = "pending"  # invited, not yet accepted: not a member
    NOT_MEMBER = "not_member"


#: (org, team_slug, user) -> the user's membership; may raise :class:`OverrideRefused`
MembershipLookup = Callable[[str, str, str], Membership]


def _gate_list(listed: tuple[str, ...]) -> str:
    return "every gate" if ALL_GATES in listed else ", ".join(listed)


def check_request(policy: BreakGlass | None, request: OverrideRequest, stage: str) -> None:
    """Raise :class:`OverrideRefused` for the first rule the request breaks (all but who)."""
    if policy is None:
        raise OverrideRefused(
            "break_glass",
            "break_glass: the stages file has no break_glass section, so no override is allowed "
            "anywhere",
            "fix what blocks the release, or add a break_glass section to the stages file "
            "(allowed_actors, stages, min_reason_length) and have it reviewed",
        )
    shown_stage = clean_text(stage, 80)
    listed = policy.stages.get(stage)
    if not listed:
        where = ", ".join(clean_text(s, 80) for s in policy.stages) or "none"
        raise OverrideRefused(
            "stages",
            f"break_glass.stages: stage {shown_stage} is not listed, so nothing may be "
            f"overridden there (listed: {where})",
            f"fix what blocks the release, or list {shown_stage} under break_glass.stages",
        )
    for gate in request.gates:
        if not policy.allows(stage, gate):
            what = "the freeze" if gate == FREEZE_GATE else f"gate {clean_text(gate, 80)}"
            raise OverrideRefused(
                "gate",
                f"break_glass.stages.{shown_stage}: {what} may not be overridden at "
                f"{shown_stage} (allowed there: {_gate_list(listed)})",
                f"fix what blocks the release, or add {clean_text(gate, 80)} to "
                f"break_glass.stages.{shown_stage}",
            )
    reason = request.reason.strip()
    if len(reason) < policy.min_reason_length:
        raise OverrideRefused(
            "min_reason_length",
            f"break_glass.min_reason_length: the reason has {len(reason)} characters, the "
            f"policy asks for at least {policy.min_reason_length}",
            "say in --reason why this release cannot wait (what broke, the incident or change id)",
        )
    pattern = policy.reason_pattern
    if pattern is not None and not compile_regex(pattern).search(reason):
        raise OverrideRefused(
            "reason_pattern",
            f"break_glass.reason_pattern: the reason does not contain a match for "
            f"'{clean_text(pattern, 200)}'",
            "put the incident or change id the pattern asks for in --reason",
        )
    actor = request.actor
    if not actor or not ACTOR_RE.fullmatch(actor):
        shown = f"is not a GitHub login: '{clean_text(actor, 80)}'" if actor else "is not set"
        raise OverrideRefused(
            "actor",
            f"break_glass.allowed_actors: GITHUB_ACTOR {shown}, so who asks for the override "
            "cannot be checked",
            "run the override in GitHub Actions (which sets GITHUB_ACTOR), or set GITHUB_ACTOR "
            "to your GitHub login",
        )


def authorise_actor(policy: BreakGlass, actor: str, membership: MembershipLookup | None) -> str:
    """What in ``allowed_actors`` lets *actor* override: ``"user octocat"`` or ``"team org/slug"``.

    User entries match case-insensitively (GitHub logins are case-insensitive). Team entries are
    looked up with *membership* (None: offline, so no team entry can match); only an active
    membership counts. A look-up that raises :class:`OverrideRefused` (the token cannot read
    the team, say) does not stop the other entries from being tried; if none allows, the
    refusal says what each team look-up found.
    """
    wanted = actor.casefold()
    for user in policy.users:
        if user.casefold() == wanted:
            return f"user {user}"
    teams = policy.teams
    shown_actor = clean_text(actor, 80)
    users = (
        f"{shown_actor} is not among its users ({_listed(policy.users)})"
        if policy.users
        else f"{shown_actor} is not a listed user (it lists only teams)"
    )
    if not teams:
        raise OverrideRefused(
            "allowed_actors",
            f"break_glass.allowed_actors: {users}",
            f"ask someone listed in break_glass.allowed_actors, or add {shown_actor} there",
        )
    if membership is None:
        raise OverrideRefused(
            "allowed_actors",
            f"break_glass.allowed_actors: {users}, and its team entries ({_listed(teams)}) "
            "cannot be checked without GitHub access (GITHUB_TOKEN is not set, or the run is "
            "offline)",
            "run online with a token that can read team membership (a GitHub App token with "
            "organization Members: read, or a personal token with read:org), or list the user "
            "in break_glass.allowed_actors",
        )
    found: list[str] = []
    refusal: OverrideRefused | None = None
    for team in teams:
        org, _, slug = team.partition("/")
        try:
            state = membership(org, slug, actor)
        except OverrideRefused as exc:
            refusal = refusal or exc
            found.append(f"{team}: not checked")
            continue
        if state is Membership.ACTIVE:
            return f"team {team}"
        found.append(
            f"{team}: invitation pending, not accepted"
            if state is Membership.PENDING
            else f"{team}: not a member"
        )
    summary = "; ".join(clean_text(f, 200) for f in found)
    message = f"break_glass.allowed_actors: {users}, nor an active member of its teams ({summary})"
    if refusal is not None:
        why = refusal.message.removeprefix(f"{_RULE_PREFIX} ")
        raise OverrideRefused("allowed_actors", f"{message}. {why}", refusal.remediation)
    raise OverrideRefused(
        "allowed_actors",
        message,
        f"ask someone listed in break_glass.allowed_actors, or add {shown_actor} to it (or to "
        "one of its teams)",
    )


def _listed(entries: tuple[str, ...], limit: int = 5) -> str:
    shown = ", ".join(clean_text(e, 140) for e in entries[:limit])
    return shown + (f" and {len(entries) - limit} more" if len(entries) > limit else "")
