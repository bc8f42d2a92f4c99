"""break_glass policy: each rule refuses with its name, and who may override (pure, no network).

Team look-ups through GitHub are in test_breakglass_teams.py; here the look-up is a plain
function, which is what :func:`authorise_actor` takes.
"""

from __future__ import annotations

import pytest

from maturity.breakglass.policy import (
    Membership,
    OverrideRefused,
    OverrideRequest,
    authorise_actor,
    check_request,
)
from maturity.config.types import BreakGlass
from maturity.errors import UsageError

REASON = "INC-4711: payment outage, hotfix must ship"
POLICY = BreakGlass(
    allowed_actors=("OctoCat", "hubot", "octo-org/release"),
    min_reason_length=20,
    reason_pattern="(INC|CHG)-[0-9]+",
    stages={
        "GA": ("promotion_guard", "observability_verify"),
        "PRE_GA": ("*",),
        "RC": ("freeze", "deps_approval"),
    },
)


def request(*gates: str, reason: str = REASON, actor: str | None = "octocat") -> OverrideRequest:
    return OverrideRequest(gates=gates, reason=reason, actor=actor)


def refusal(policy: BreakGlass | None, req: OverrideRequest, stage: str) -> OverrideRefused:
    with pytest.raises(OverrideRefused) as caught:
        check_request(policy, req, stage)
    return caught.value


# --- check_request: one rule at a time ---------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "gates"),
    [
        ("GA", ("promotion_guard",)),
        ("GA", ("promotion_guard", "observability_verify")),
        ("PRE_GA", ("policy_drift", "freeze")),  # "*": every gate, and the freeze
        ("RC", ("freeze",)),
        ("RC", ("deps_approval", "freeze")),
    ],
)
def test_an_allowed_request_passes(stage: str, gates: tuple[str, ...]) -> None:
    check_request(POLICY, request(*gates), stage)  # no exception


def test_no_break_glass_section_allows_no_override() -> None:
    refused = refusal(None, request("promotion_guard"), "GA")
    assert refused.rule == "break_glass"
    assert refused.message.startswith("break_glass: ")
    assert "no override is allowed anywhere" in refused.message
    assert "add a break_glass section" in refused.remediation


def test_a_stage_not_listed_allows_nothing() -> None:
    refused = refusal(POLICY, request("promotion_guard"), "BETA")
    assert refused.rule == "stages"
    assert refused.message == (
        "break_glass.stages: stage BETA is not listed, so nothing may be overridden there "
        "(listed: GA, PRE_GA, RC)"
    )


def test_a_gate_not_listed_for_the_stage_is_refused() -> None:
    refused = refusal(POLICY, request("promotion_guard", "deps_approval"), "GA")
    assert refused.rule == "gate"
    assert refused.message == (
        "break_glass.stages.GA: gate deps_approval may not be overridden at GA (allowed there: "
        "promotion_guard, observability_verify)"
    )
    assert "add deps_approval to break_glass.stages.GA" in refused.remediation


def test_the_freeze_is_overridable_only_where_listed() -> None:
    refused = refusal(POLICY, request("freeze"), "GA")
    assert refused.rule == "gate"
    assert "the freeze may not be overridden at GA" in refused.message
    check_request(POLICY, request("freeze"), "RC")


def test_a_reason_shorter_than_the_minimum_is_refused() -> None:
    refused = refusal(POLICY, request("promotion_guard", reason="INC-1 x"), "GA")
    assert refused.rule == "min_reason_length"
    assert refused.message == (
        "break_glass.min_reason_length: the reason has 7 characters, the policy asks for at "
        "least 20"
    )


def test_padding_does_not_count_towards_the_reason_length() -> None:
    refused = refusal(POLICY, request("promotion_guard", reason=f"   INC-1 x{' ' * 40}"), "GA")
    assert (refused.rule, "has 7 characters" in refused.message) == ("min_reason_length", True)


def test_a_reason_without_the_pattern_is_refused_and_the_pattern_is_searched() -> None:
    refused = refusal(POLICY, request("promotion_guard", reason="x" * 40), "GA")
    assert refused.rule == "reason_pattern"
    assert refused.message == (
        "break_glass.reason_pattern: the reason does not contain a match for '(INC|CHG)-[0-9]+'"
    )
    # found anywhere in the reason, not only at the start
    check_request(POLICY, request("promotion_guard", reason="hotfix for the outage, CHG-12"), "GA")


def test_no_pattern_means_any_long_enough_reason() -> None:
    policy = BreakGlass(("octocat",), 5, None, {"GA": ("*",)})
    check_request(policy, request("promotion_guard", reason="hotfix"), "GA")


@pytest.mark.parametrize("actor", [None, "", "octo cat", "-octocat", "a" * 40, "octocat\n"])
def test_an_unset_or_invalid_actor_is_refused(actor: str | None) -> None:
    refused = refusal(POLICY, request("promotion_guard", actor=actor), "GA")
    assert refused.rule == "actor"
    assert "GITHUB_ACTOR" in refused.message
    assert "\n" not in refused.message


def test_an_app_login_is_a_valid_actor() -> None:
    check_request(POLICY, request("promotion_guard", actor="dependabot[bot]"), "GA")


def test_the_first_failing_rule_is_the_one_named() -> None:
    # stage not listed, reason too short and no actor: the stage is named
    assert refusal(POLICY, request("x", reason="short", actor=None), "BETA").rule == "stages"
    # gate not listed and reason too short: the gate
    assert refusal(POLICY, request("x", reason="short"), "GA").rule == "gate"


def test_a_refusal_is_a_usage_error_with_a_fix_line() -> None:
    refused = refusal(POLICY, request("promotion_guard", reason="short"), "GA")
    assert isinstance(refused, UsageError)
    rendered = refused.render()
    assert rendered.startswith("break_glass.min_reason_length: ")
    assert "\n  fix: " in rendered


def test_hostile_names_are_shown_cleaned() -> None:
    refused = refusal(POLICY, request("gate\u202e\n[x]"), "GA")
    assert "\u202e" not in refused.message
    assert "\n" not in refused.message


# --- authorise_actor ---------------------------------------------------------------------------


def no_lookup(org: str, team: str, user: str) -> Membership:
    raise AssertionError(f"no team look-up expected, got {org}/{team} {user}")


@pytest.mark.parametrize("actor", ["octocat", "OCTOCAT", "OctoCat"])
def test_a_user_entry_matches_case_insensitively_without_any_lookup(actor: str) -> None:
    assert authorise_actor(POLICY, actor, no_lookup) == "user OctoCat"


def test_a_team_entry_is_looked_up_with_org_slug_and_actor() -> None:
    asked: list[tuple[str, str, str]] = []

    def lookup(org: str, team: str, user: str) -> Membership:
        asked.append((org, team, user))
        return Membership.ACTIVE

    assert authorise_actor(POLICY, "mona", lookup) == "team octo-org/release"
    assert asked == [("octo-org", "release", "mona")]


@pytest.mark.parametrize(
    ("state", "said"),
    [(Membership.PENDING, "invitation pending"), (Membership.NOT_MEMBER, "not a member")],
)
def test_only_an_active_membership_allows(state: Membership, said: str) -> None:
    with pytest.raises(OverrideRefused) as caught:
        authorise_actor(POLICY, "mona", lambda org, team, user: state)
    assert caught.value.rule == "allowed_actors"
    assert f"octo-org/release: {said}" in caught.value.message


def test_offline_only_user_entries_can_match_and_the_refusal_says_why() -> None:
    teams_only = BreakGlass(("octo-org/release", "octo-org/sre"), 20, None, {"GA": ("*",)})
    with pytest.raises(OverrideRefused) as caught:
        authorise_actor(teams_only, "octocat", None)
    refused = caught.value
    assert refused.rule == "allowed_actors"
    assert refused.message == (
        "break_glass.allowed_actors: octocat is not a listed user (it lists only teams), and its "
        "team entries (octo-org/release, octo-org/sre) cannot be checked without GitHub access "
        "(GITHUB_TOKEN is not set, or the run is offline)"
    )
    assert "without GitHub access" in refused.message
    assert "list the user in break_glass.allowed_actors" in refused.remediation
    # a user entry still matches offline
    assert authorise_actor(POLICY, "hubot", None) == "user hubot"


def test_someone_not_listed_is_refused_when_there_are_no_teams() -> None:
    users_only = BreakGlass(("octocat",), 20, None, {"GA": ("*",)})
    with pytest.raises(OverrideRefused) as caught:
        authorise_actor(users_only, "mallory", no_lookup)
    assert caught.value.rule == "allowed_actors"
    assert caught.value.message == (
        "break_glass.allowed_actors: mallory is not among its users (octocat)"
    )


def test_a_failed_lookup_does_not_stop_a_later_team_from_allowing() -> None:
    two_teams = BreakGlass(("octo-org/a", "octo-org/b"), 20, None, {"GA": ("*",)})

    def lookup(org: str, team: str, user: str) -> Membership:
        if team == "a":
            raise OverrideRefused("allowed_actors", "break_glass.allowed_actors: 404", "fix")
        return Membership.ACTIVE

    assert authorise_actor(two_teams, "mona", lookup) == "team octo-org/b"


def test_when_no_team_allows_the_lookup_failure_is_reported_with_its_fix() -> None:
    two_teams = BreakGlass(("octo-org/a", "octo-org/b"), 20, None, {"GA": ("*",)})

    def lookup(org: str, team: str, user: str) -> Membership:
        if team == "a":
            raise OverrideRefused(
                "allowed_actors", "break_glass.allowed_actors: GitHub answered 404", "use read:org"
            )
        return Membership.PENDING

    with pytest.raises(OverrideRefused) as caught:
        authorise_actor(two_teams, "mona", lookup)
    refused = caught.value
    assert refused.message == (
        "break_glass.allowed_actors: mona is not a listed user (it lists only teams), nor an "
        "active member of its teams (octo-org/a: not checked; octo-org/b: invitation pending, "
        "not accepted). GitHub answered 404"
    )
    assert refused.remediation == "use read:org"
