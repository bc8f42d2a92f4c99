"""Is the actor an active member of an ``org/team-slug`` entry? Asked of GitHub, failing closed.

``GET /orgs/{org}/teams/{team_slug}/memberships/{username}`` answers 200 with ``state`` active or
pending for a member, and 404 both for someone who is not a member and for a token that cannot
see the team: the two cannot be told apart, so a 404 refuses the override and names the
permission a token needs. Any other failure (403, 5xx after retries, the time budget) refuses too.
"""

from __future__ import annotations

from urllib.parse import quote

from maturity.breakglass.policy import Membership, OverrideRefused
from maturity.errors import EvidenceError
from maturity.github.client import GitHubClient
from maturity.text import clean_text

#: what reading team membership takes, and what to do when the token cannot
TEAM_PERMISSION_HINT = (
    "reading team membership needs a GitHub App installation token with the organization "
    "permission Members: read, or a personal access token with read:org; the default "
    "GITHUB_TOKEN of GitHub Actions cannot read team membership, so either list users (not "
    "teams) in break_glass.allowed_actors or pass an app token as GITHUB_TOKEN"
)


def team_membership(client: GitHubClient, org: str, team_slug: str, user: str) -> Membership:
    """*user*'s membership of *org*/*team_slug*; raises :class:`OverrideRefused` when GitHub
    does not say active or pending."""
    team = clean_text(f"{org}/{team_slug}", 140)
    who = clean_text(user, 80)
    path = "/orgs/{}/teams/{}/memberships/{}".format(
        *(quote(p, safe="") for p in (org, team_slug, user))
    )
    try:
        answer = client.get(client.url(path))
    except EvidenceError as exc:
        raise _refusal(exc, team, who) from None
    state = answer.data.get("state") if isinstance(answer.data, dict) else None
    if state == "active":
        return Membership.ACTIVE
    if state == "pending":
        return Membership.PENDING
    raise OverrideRefused(
        "allowed_actors",
        f"break_glass.allowed_actors: GitHub's answer about {who}'s membership of team {team} "
        f"holds no state active or pending (state: '{clean_text(str(state), 40)}'), so it "
        "cannot allow the override",
        "check GITHUB_API_URL points at the GitHub REST API and re-run",
    )


def _refusal(exc: EvidenceError, team: str, who: str) -> OverrideRefused:
    prefix = f"break_glass.allowed_actors: {who}'s membership of team {team}"
    if exc.code == "GITHUB_NOT_FOUND":
        return OverrideRefused(
            "allowed_actors",
            f"{prefix} could not be confirmed: GitHub answered 404, which means either that "
            f"{who} is not a member or that the token cannot see the team",
            f"if {who} is in the team, give the evaluation a token that can see it: "
            f"{TEAM_PERMISSION_HINT}",
        )
    if exc.code in ("GITHUB_FORBIDDEN", "GITHUB_AUTH_FAILED"):
        status = "403" if exc.code == "GITHUB_FORBIDDEN" else "401"
        return OverrideRefused(
            "allowed_actors",
            f"{prefix} could not be read: GitHub refused the token (HTTP {status}), which lacks "
            f"the permission to read team membership ({exc.message})",
            TEAM_PERMISSION_HINT,
        )
    return OverrideRefused(
        "allowed_actors",
        f"{prefix} could not be checked, so the override is refused: {exc.message}",
        exc.remediation or "re-run the evaluation",
    )
