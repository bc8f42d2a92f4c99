"""GitHubClient.post against the stand-in: JSON out, one attempt unless nothing was sent.

A POST is repeated only when it certainly never reached GitHub (no connection) or GitHub said
with rate-limit headers that it did not process it; after a 5xx or a timeout it fails at once,
saying GitHub may have acted on it. The token goes to the API host only.
"""

from __future__ import annotations

import json
import socket
import threading

import pytest
from breakglass_helpers import TOKEN_TAIL, Pauses, client_on, standin_client
from github_standin import REPO, TOKEN, GitHubStandIn, Reply, RequestInfo
from pytest_httpserver import HTTPServer

from maturity.errors import EvidenceError
from maturity.github.client import MAX_ATTEMPTS, GitHubClient

ISSUES = f"/repos/{REPO}/issues"


def post(client: GitHubClient, path: str, body: dict[str, object]) -> EvidenceError:
    with pytest.raises(EvidenceError) as caught:
        client.post(client.url(path), body)
    error = caught.value
    assert TOKEN_TAIL not in error.message + error.remediation
    return error


def test_a_post_sends_json_with_the_token_and_returns_the_answer(standin: GitHubStandIn) -> None:
    client = standin_client(standin)
    answer = client.post(client.url(ISSUES), {"title": "Grüße ✓", "labels": ["a"]})
    assert (answer.data["number"], answer.data["title"]) == (1347, "Grüße ✓")
    [sent] = standin.log
    assert (sent.method, sent.status, sent.body) == (
        "POST",
        201,
        {"title": "Grüße ✓", "labels": ["a"]},
    )
    assert sent.headers["authorization"] == f"token {TOKEN}"
    assert sent.headers["content-type"] == "application/json; charset=utf-8"
    assert sent.headers["x-github-api-version"] == "2022-11-28"
    assert client.stats.requests == 1


def test_a_lone_surrogate_is_sent_escaped_not_crashing(standin: GitHubStandIn) -> None:
    standin.script(ISSUES, Reply(201, '{"number": 1}'), method="POST")
    client = standin_client(standin)
    assert client.post(client.url(ISSUES), {"title": "bad \udcff byte"}).data == {"number": 1}
    assert standin.log[0].body == {"title": "bad \udcff byte"}  # sent as the escape \\udcff


def test_a_body_that_is_not_json_is_refused_before_sending(standin: GitHubStandIn) -> None:
    error = post(standin_client(standin), ISSUES, {"title": float("nan")})
    assert error.code == "MALFORMED_REQUEST"
    assert standin.log == []


def test_a_connection_refused_is_retried_since_nothing_was_sent() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pauses = Pauses()
    error = post(client_on(f"http://127.0.0.1:{port}", pauses), ISSUES, {"title": "t"})
    assert error.code == "API_UNAVAILABLE"
    assert f"after {MAX_ATTEMPTS} attempts: connection refused" in error.message
    assert len(pauses) == MAX_ATTEMPTS - 1


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_5xx_is_not_repeated(standin: GitHubStandIn, status: int) -> None:
    standin.script(ISSUES, Reply.server_error(status), method="POST")
    pauses = Pauses()
    error = post(standin_client(standin, pauses), ISSUES, {"title": "t"})
    assert error.code == "API_OUTCOME_UNKNOWN"
    assert f"POST {ISSUES} failed: HTTP {status}" in error.message
    assert "GitHub may have carried it out all the same, so it is not repeated" in error.message
    assert (len(standin.log), pauses) == (1, [])
    assert standin.issues.all() == []


def test_a_get_is_still_retried_after_a_5xx(standin: GitHubStandIn) -> None:
    standin.script(ISSUES, Reply.server_error(500), method="GET")
    pauses = Pauses()
    client = standin_client(standin, pauses)
    assert client.get(client.url(ISSUES)).data == []
    assert ([r.status for r in standin.log], pauses) == ([500, 200], [0.25])


def test_no_answer_in_time_is_not_repeated(httpserver: HTTPServer) -> None:
    standin = GitHubStandIn(httpserver)
    release = threading.Event()

    def hold_posts(info: RequestInfo) -> None:
        if info.method == "POST":
            release.wait(10)

    standin.before_each = hold_posts
    client = client_on(standin.base_url, budget=0.5)
    try:
        error = post(client, ISSUES, {"title": "t"})
    finally:
        release.set()
    assert error.code == "API_OUTCOME_UNKNOWN"
    assert "no answer within" in error.message
    assert client.stats.requests == 1


def test_a_rate_limit_stated_in_headers_is_waited_out(standin: GitHubStandIn) -> None:
    standin.script(ISSUES, Reply.primary_rate_limit(reset_in=2), method="POST")
    pauses = Pauses()
    client = standin_client(standin, pauses)
    assert client.post(client.url(ISSUES), {"title": "t"}).data["number"] == 1347
    assert [r.status for r in standin.log] == [403, 201]
    [pause] = pauses
    assert 1.0 <= pause <= 4.0


@pytest.mark.parametrize("status", [403, 429])
def test_a_rate_limit_without_headers_is_not_retried(standin: GitHubStandIn, status: int) -> None:
    body = json.dumps({"message": "You have exceeded a secondary rate limit."})
    standin.script(ISSUES, Reply(status, body), method="POST")
    error = post(standin_client(standin), ISSUES, {"title": "t"})
    assert error.code == ("GITHUB_FORBIDDEN" if status == 403 else "GITHUB_UNEXPECTED_STATUS")
    assert len(standin.log) == 1


def test_a_refused_token_is_not_retried(standin: GitHubStandIn) -> None:
    standin.script(ISSUES, Reply(401, json.dumps({"message": "Bad credentials"})), method="POST")
    error = post(standin_client(standin), ISSUES, {"title": "t"})
    assert (error.code, len(standin.log)) == ("GITHUB_AUTH_FAILED", 1)


def test_a_validation_failure_names_githubs_errors(standin: GitHubStandIn) -> None:
    error = post(standin_client(standin), ISSUES, {"body": "no title"})
    assert error.code == "GITHUB_UNPROCESSABLE"
    assert "HTTP 422 (Invalid request." in error.message
    assert '"title" wasn\'t supplied.)' in error.message


def test_a_post_to_another_host_is_refused_and_nothing_is_sent(
    standin: GitHubStandIn, foreign_server: HTTPServer
) -> None:
    client = standin_client(standin)
    with pytest.raises(EvidenceError) as caught:
        client.post(foreign_server.url_for(ISSUES), {"title": "t"})
    assert caught.value.code == "FOREIGN_LINK"
    assert "refused to send POST" in caught.value.message
    assert foreign_server.log == []
    assert standin.log == []


def test_a_redirect_on_post_is_not_followed(
    standin: GitHubStandIn, foreign_server: HTTPServer
) -> None:
    location = foreign_server.url_for(ISSUES)
    standin.script(ISSUES, Reply(307, "", {"location": location}), method="POST")
    error = post(standin_client(standin), ISSUES, {"title": "t"})
    assert error.code == "API_OUTCOME_UNKNOWN"
    assert "no redirect is followed" in error.message
    assert foreign_server.log == []
    assert len(standin.log) == 1


def test_an_echoed_token_is_scrubbed(standin: GitHubStandIn) -> None:
    echo = json.dumps({"message": f"token {TOKEN} is not allowed"})
    for reply in (Reply(403, echo), Reply(500, echo), Reply(422, echo)):
        standin.script(ISSUES, reply, method="POST")
        error = post(standin_client(standin), ISSUES, {"title": "t"})
        assert "***" in error.message


def test_nothing_is_sent_once_the_budget_is_spent(standin: GitHubStandIn) -> None:
    client = client_on(standin.base_url, budget=0.0)
    error = post(client, ISSUES, {"title": "t"})
    assert error.code == "API_TIMEOUT"
    assert standin.log == []
