"""A GitHub client on the stand-in for the break-glass tests: pauses recorded, not slept."""

from __future__ import annotations

from github_standin import REPO, TOKEN, GitHubStandIn

from maturity.github.access import access_from_env
from maturity.github.client import GitHubClient
from maturity.github.deadline import Deadline

TOKEN_TAIL = TOKEN.partition("_")[2]  # also found where Markdown escapes the underscore


class Pauses(list[float]):
    """The client's ``sleep``: records each pause instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_on(base_url: str, pauses: Pauses | None = None, *, budget: float = 30.0) -> GitHubClient:
    """A client for *base_url* with the stand-in's token, as ``evaluate`` builds it."""
    env = {"GITHUB_API_URL": base_url, "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO}
    return GitHubClient(
        access_from_env(env),
        Deadline(budget),
        sleep=pauses if pauses is not None else Pauses(),
        jitter=lambda: 0.0,
    )


def standin_client(standin: GitHubStandIn, pauses: Pauses | None = None) -> GitHubClient:
    return client_on(standin.base_url, pauses)
