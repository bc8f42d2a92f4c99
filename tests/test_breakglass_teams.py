"""Team entries of break_glass.allowed_actors, checked through GitHub (the stand-in on 127.0.0.1).

``GET /orgs/{org}/teams/{team_slug}/memberships/{username}``: 200 active allows, 200 pending
does not, a 404 (not a member, or a token that cannot see the team) and a 403 refuse naming the
permission; any other failure refuses too.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import pytest
import requests
from breakglass_helpers import TOKEN_TAIL, Pauses, standin_client
from github_standin import TOKEN, GitHubStandIn, Reply, fixture, openapi_schema

from maturity.breakglass.policy import Membership, OverrideRefused, authorise_actor
from maturity.breakglass.teams import team_membership
from maturity.config.types import BreakGlass

jsonschema: Any = importlib.import_module("jsonschema")

MEMBERSHIP = r"^/orgs/octo-org/teams/release/memberships/"
POLICY = BreakGlass(
    allowed_actors=("hubot", "octo-org/release"),
    min_reason_length=20,
    reason_pattern=None,
    stages={"GA": ("*",)},
)


def authorise(standin: GitHubStandIn, actor: str, policy: BreakGlass = POLICY) -> str:
    client = standin_client(standin)
    try:
        return authorise_actor(policy, actor, functools.partial(team_membership, client))
    finally:
        client.close()


def refused(standin: GitHubStandIn, actor: str, policy: BreakGlass = POLICY) -> OverrideRefused:
    with pytest.raises(OverrideRefused) as caught:
        authorise(standin, actor, policy)
    assert caught.value.rule == "allowed_actors"
    assert TOKEN_TAIL not in caught.value.render()
    return caught.value


def test_the_served_membership_matches_githubs_schema(standin: GitHubStandIn) -> None:
    validator = jsonschema.Draft202012Validator(openapi_schema("team-membership"))
    assert not list(validator.iter_errors(fixture("team-membership.example.json")))
    standin.teams.set_member("octo-org", "release", "mona", state="pending")
    answer = requests.get(
        f"{standin.base_url}/orgs/octo-org/teams/release/memberships/mona",
        headers={"Authorization": f"token {TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert not list(validator.iter_errors(answer.json()))
    assert answer.json()["state"] == "pending"


def test_an_active_member_is_allowed_by_the_team(standin: GitHubStandIn) -> None:
    standin.teams.set_member("octo-org", "release", "Mona")
    assert authorise(standin, "mona") == "team octo-org/release"
    [asked] = standin.log
    assert (asked.method, asked.path, asked.status) == (
        "GET",
        "/orgs/octo-org/teams/release/memberships/mona",
        200,
    )
    assert asked.headers["authorization"] == f"token {TOKEN}"


def test_a_user_entry_needs_no_request(standin: GitHubStandIn) -> None:
    assert authorise(standin, "HUBOT") == "user hubot"
    assert standin.log == []


def test_a_pending_invitation_does_not_allow(standin: GitHubStandIn) -> None:
    standin.teams.set_member("octo-org", "release", "mona", state="pending")
    refusal = refused(standin, "mona")
    assert "octo-org/release: invitation pending, not accepted" in refusal.message
    assert client_membership(standin, "mona") is Membership.PENDING


def client_membership(standin: GitHubStandIn, user: str) -> Membership:
    client = standin_client(standin)
    try:
        return team_membership(client, "octo-org", "release", user)
    finally:
        client.close()


def test_a_404_refuses_and_names_the_permission_and_the_alternative(
    standin: GitHubStandIn,
) -> None:
    standin.teams.set_member("octo-org", "release", "someone-else")
    refusal = refused(standin, "mona")
    assert "GitHub answered 404" in refusal.message
    assert "mona is not a member or that the token cannot see the team" in refusal.message
    for needed in ("Members: read", "read:org", "default GITHUB_TOKEN", "list users"):
        assert needed in refusal.remediation
    assert [r.status for r in standin.log] == [404]  # not retried


@pytest.mark.parametrize(
    "reply",
    [Reply.forbidden(), Reply.forbidden("Must have admin rights to Repository.")],
    ids=["not-accessible-by-integration", "admin-rights"],
)
def test_a_403_refuses_and_names_the_permission(standin: GitHubStandIn, reply: Reply) -> None:
    standin.teams.set_member("octo-org", "release", "mona")  # a member, but the token may not see
    standin.script(MEMBERSHIP, reply)
    refusal = refused(standin, "mona")
    assert "GitHub refused the token (HTTP 403)" in refusal.message
    assert "Members: read" in refusal.remediation
    assert "read:org" in refusal.remediation
    assert len(standin.log) == 1


def test_a_server_failure_after_retries_refuses(standin: GitHubStandIn) -> None:
    standin.teams.set_member("octo-org", "release", "mona")
    standin.script(MEMBERSHIP, *[Reply.server_error(502)] * 6)
    pauses = Pauses()
    client = standin_client(standin, pauses)
    with pytest.raises(OverrideRefused) as caught:
        team_membership(client, "octo-org", "release", "mona")
    assert caught.value.rule == "allowed_actors"
    assert "could not be checked, so the override is refused" in caught.value.message
    assert "after 6 attempts" in caught.value.message
    assert len(standin.log) == 6
    assert len(pauses) == 5


def test_a_token_echoed_by_the_server_is_not_shown(standin: GitHubStandIn) -> None:
    standin.script(MEMBERSHIP, Reply.forbidden(f"token {TOKEN} lacks read:org"))
    refusal = refused(standin, "mona")
    assert "***" in refusal.message


def test_an_answer_without_a_state_refuses(standin: GitHubStandIn) -> None:
    standin.script(MEMBERSHIP, Reply(200, '{"url": "x", "role": "member"}'))
    refusal = refused(standin, "mona")
    assert "holds no state active or pending" in refusal.message


def test_a_failed_team_does_not_hide_a_later_team_that_allows(standin: GitHubStandIn) -> None:
    policy = BreakGlass(("octo-org/sre", "octo-org/release"), 20, None, {"GA": ("*",)})
    standin.teams.set_member("octo-org", "release", "mona")
    assert authorise(standin, "mona", policy) == "team octo-org/release"
    assert [r.status for r in standin.log] == [404, 200]


def test_when_no_team_allows_the_404_explanation_is_kept(standin: GitHubStandIn) -> None:
    policy = BreakGlass(("octo-org/sre", "octo-org/release"), 20, None, {"GA": ("*",)})
    standin.teams.set_member("octo-org", "release", "mona", state="pending")
    refusal = refused(standin, "mona", policy)
    assert "octo-org/sre: not checked; octo-org/release: invitation pending" in refusal.message
    assert "GitHub answered 404" in refusal.message
    assert "read:org" in refusal.remediation


def test_an_app_login_is_sent_path_escaped_and_found(standin: GitHubStandIn) -> None:
    standin.teams.set_member("octo-org", "release", "release-bot[bot]")
    assert client_membership(standin, "release-bot[bot]") is Membership.ACTIVE
    assert standin.log[0].path == "/orgs/octo-org/teams/release/memberships/release-bot[bot]"
