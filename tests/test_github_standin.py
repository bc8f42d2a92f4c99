"""The GitHub stand-in behaves like GitHub.com: shapes, pagination, ETag/304, rate limit, faults."""

from __future__ import annotations

import importlib
import json
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from github_standin import (
    REPO,
    REPO_ID,
    SHA,
    TOKEN,
    GitHubStandIn,
    Reply,
    RequestInfo,
    check_run,
    commit_status,
    fixture,
    openapi_schema,
)
from pytest_httpserver import HTTPServer

#: jsonschema ships no type information (and the stubs are not a dependency): typed as Any.
jsonschema: Any = importlib.import_module("jsonschema")

AUTH = {"Authorization": f"token {TOKEN}"}
RUNS = f"/repos/{REPO}/commits/{SHA}/check-runs"
STATUS = f"/repos/{REPO}/commits/{SHA}/status"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def get(standin: GitHubStandIn, path: str, **kwargs: Any) -> requests.Response:
    headers = {**AUTH, **kwargs.pop("headers", {})}
    return requests.get(standin.base_url + path, headers=headers, timeout=5, **kwargs)


def assert_valid(body: Any, schema_name: str) -> None:
    validator = jsonschema.Draft202012Validator(openapi_schema(schema_name))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors


@pytest.mark.parametrize("name", ["check-runs", "combined-status", "git-ref", "git-tag"])
def test_github_examples_validate_against_the_converted_schemas(name: str) -> None:
    assert_valid(fixture(f"{name}.example.json"), name)


def test_served_bodies_validate_against_githubs_schemas(standin: GitHubStandIn) -> None:
    runs = [check_run(1, "build"), check_run(2, "lint", status="in_progress")]
    standin.set_check_runs([*runs, check_run(3, "scan", conclusion="failure", app="codeql")])
    standin.set_statuses([commit_status(1, "ci/jenkins"), commit_status(2, "deploy", "pending")])
    standin.set_ref("tags/v1.2.3", annotated=True)
    body = get(standin, RUNS).json()
    assert_valid(body, "check-runs")
    assert [r["conclusion"] for r in body["check_runs"]] == ["success", None, "failure"]
    assert [(r["app"]["slug"], r["app"]["id"] == 15368) for r in body["check_runs"]] == [
        ("github-actions", True),
        ("github-actions", True),
        ("codeql", False),
    ]
    status = get(standin, STATUS).json()
    assert_valid(status, "combined-status")
    assert (status["state"], status["sha"], status["total_count"]) == ("pending", SHA, 2)
    assert status["repository"]["full_name"] == REPO
    ref = get(standin, f"/repos/{REPO}/git/ref/tags/v1.2.3").json()
    assert_valid(ref, "git-ref")
    assert_valid(requests.get(ref["object"]["url"], headers=AUTH, timeout=5).json(), "git-tag")


def test_250_check_runs_come_in_3_pages_linked_like_github(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(i, f"job {i}") for i in range(1, 251)])
    first = get(standin, RUNS, params={"per_page": "100"})
    page_url = f"{standin.base_url}/repositories/{REPO_ID}/commits/{SHA}/check-runs?per_page=100"
    expected = f'<{page_url}&page=2>; rel="next", <{page_url}&page=3>; rel="last"'
    assert first.headers["link"] == expected
    seen, rels, url = [], [], standin.base_url + RUNS + "?per_page=100"
    while url:
        answer = requests.get(url, headers=AUTH, timeout=5)
        assert answer.json()["total_count"] == 250
        seen += [r["id"] for r in answer.json()["check_runs"]]
        rels.append(sorted(answer.links))
        url = answer.links.get("next", {}).get("url", "")
    assert seen == list(range(1, 251))
    assert rels == [["last", "next"], ["first", "last", "next", "prev"], ["first", "prev"]]
    assert get(standin, RUNS).headers["link"].endswith('page=9>; rel="last"')  # 30 a page
    assert len(get(standin, RUNS, params={"per_page": "500"}).json()["check_runs"]) == 100


def test_a_single_page_has_no_link_and_filters_apply(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "scan", app="codeql")])
    answer = get(standin, RUNS, params={"check_name": "scan"})
    assert "link" not in answer.headers
    assert [r["id"] for r in answer.json()["check_runs"]] == [2]
    assert get(standin, RUNS, params={"app_id": "15368"}).json()["total_count"] == 1


def test_304_on_a_matching_etag_costs_no_rate_limit(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "build")])
    first = get(standin, RUNS)
    etag = first.headers["etag"]
    assert (etag[:3], first.headers["x-ratelimit-remaining"]) == ('W/"', "4999")
    again = get(standin, RUNS, headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert (again.headers["x-ratelimit-remaining"], standin.cost) == ("4999", 1)
    assert "content-type" not in again.headers
    standin.set_check_runs([check_run(1, "build", status="queued")])
    changed = get(standin, RUNS, headers={"If-None-Match": etag})
    assert (changed.status_code, standin.cost, standin.rate_remaining) == (200, 2, 4998)
    assert changed.headers["etag"] != etag


def test_every_answer_carries_rate_limit_headers_and_costs_one(standin: GitHubStandIn) -> None:
    answers = [
        get(standin, RUNS),
        get(standin, f"/repos/{REPO}/commits/{'0' * 40}/check-runs"),
        get(standin, f"/repos/{REPO}/pulls"),
        requests.get(standin.base_url + RUNS, timeout=5),
    ]
    assert [a.status_code for a in answers] == [200, 422, 404, 401]
    for answer in answers:
        assert all(name in answer.headers for name in RATE_HEADERS)
        assert answer.headers["x-ratelimit-resource"] == "core"
        assert answer.headers["x-github-request-id"]
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answers[1].json()["message"] == f"No commit found for SHA: {'0' * 40}"
    assert answers[2].json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }
    assert answers[3].json()["message"] == "Bad credentials"
    assert (standin.cost, answers[3].headers["x-ratelimit-used"]) == (4, "4")
    assert [r.status for r in standin.log] == [200, 422, 404, 401]


@pytest.mark.parametrize("authorization", ["", "token wrong", f"Basic {TOKEN}", TOKEN])
def test_anything_but_the_token_is_bad_credentials(
    standin: GitHubStandIn, authorization: str
) -> None:
    assert get(standin, RUNS, headers={"Authorization": authorization}).status_code == 401
    assert get(standin, RUNS, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_scripted_replies_come_first_in_order_then_normal_answers(standin: GitHubStandIn) -> None:
    faults = (Reply.server_error(), Reply.server_error(500), Reply.truncated())
    standin.script(r"/check-runs$", *faults)
    unicorn, server_error, truncated, normal = (get(standin, RUNS) for _ in range(4))
    assert (unicorn.status_code, unicorn.headers["content-type"][:9]) == (502, "text/html")
    assert all(name in unicorn.headers for name in RATE_HEADERS)
    assert (server_error.status_code, server_error.json()) == (500, {"message": "Server Error"})
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.text)
    assert (truncated.status_code, truncated.text[:17]) == (200, '{"total_count": 3')
    assert (normal.status_code, normal.json()["total_count"]) == (200, 0)
    assert get(standin, STATUS).status_code == 200  # other paths were never scripted
    assert [r.status for r in standin.requests_to("check-runs")] == [502, 500, 200, 200]


def test_rate_limits_primary_and_secondary(httpserver: HTTPServer) -> None:
    standin = GitHubStandIn(httpserver, rate_limit=2)
    before = int(time.time())  # the reset is whole seconds from when the reply is made
    limits = (Reply.secondary_rate_limit(retry_after=7), Reply.primary_rate_limit(60))
    standin.script("check-runs", *limits)
    secondary, primary = get(standin, RUNS), get(standin, RUNS)
    assert (secondary.status_code, secondary.headers["retry-after"]) == (403, "7")
    assert "secondary rate limit" in secondary.json()["message"]
    assert secondary.headers["x-ratelimit-remaining"] == "1"  # not the primary limit
    assert (primary.status_code, primary.headers["x-ratelimit-remaining"]) == (403, "0")
    assert before + 60 <= int(primary.headers["x-ratelimit-reset"]) <= time.time() + 60
    assert primary.json()["message"].startswith("API rate limit exceeded for ")
    assert get(standin, RUNS).status_code == 200  # the last point of the stand-in's counter
    exhausted = get(standin, RUNS)
    assert (exhausted.status_code, exhausted.headers["x-ratelimit-used"]) == (403, "2")
    assert "API rate limit exceeded" in exhausted.json()["message"]
    assert standin.cost == 2


def test_enterprise_server_prefix(httpserver: HTTPServer) -> None:
    standin = GitHubStandIn(httpserver, prefix="/api/v3")
    standin.set_check_runs([check_run(i, f"job {i}") for i in range(1, 4)])
    assert standin.base_url.endswith("/api/v3")
    answer = get(standin, RUNS, params={"per_page": "2"})
    assert (answer.status_code, answer.json()["total_count"]) == (200, 3)
    next_url = answer.links["next"]["url"]
    assert next_url.startswith(f"{standin.base_url}/repositories/{REPO_ID}/commits/{SHA}/")
    assert requests.get(next_url, headers=AUTH, timeout=5).status_code == 200
    bare = requests.get(standin.base_url.removesuffix("/api/v3") + RUNS, headers=AUTH, timeout=5)
    assert bare.status_code == 404
    assert (standin.log[0].path, len(standin.requests_to("^/repos/"))) == (f"/api/v3{RUNS}", 2)


def test_tags_resolve_through_git_tags_when_annotated(standin: GitHubStandIn) -> None:
    other = "1" * 40
    standin.set_ref("tags/v1.2.3", annotated=True)
    standin.set_ref("tags/light", other)
    annotated = get(standin, f"/repos/{REPO}/git/ref/tags/v1.2.3").json()["object"]
    assert (annotated["type"], annotated["sha"] == SHA) == ("tag", False)
    tag = get(standin, f"/repos/{REPO}/git/tags/{annotated['sha']}").json()
    assert (tag["tag"], tag["object"]["type"], tag["object"]["sha"]) == ("v1.2.3", "commit", SHA)
    light = get(standin, f"/repos/{REPO}/git/ref/tags/light").json()["object"]
    assert (light["type"], light["sha"]) == ("commit", other)
    assert get(standin, f"/repos/{REPO}/commits/light/status").json()["sha"] == other
    assert get(standin, f"/repos/{REPO}/git/ref/tags/nope").status_code == 404


@pytest.mark.parametrize(
    ("states", "combined"),
    [
        ([], "pending"),
        (["success", "success"], "success"),
        (["success", "pending"], "pending"),
        (["pending", "error"], "failure"),
        (["failure", "success"], "failure"),
    ],
)
def test_combined_state_is_computed_like_github(
    standin: GitHubStandIn, states: list[str], combined: str
) -> None:
    standin.set_statuses([commit_status(i, f"ctx {i}", s) for i, s in enumerate(states, 1)])
    assert get(standin, STATUS).json()["state"] == combined


def test_combined_status_shows_the_newest_status_per_context(standin: GitHubStandIn) -> None:
    standin.set_statuses([commit_status(9, "ci", "success"), commit_status(3, "ci", "failure")])
    body = get(standin, STATUS).json()
    assert (body["state"], [s["id"] for s in body["statuses"]]) == ("success", [9])


def test_before_each_can_complete_a_check_mid_run(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "build", status="in_progress")])

    def complete_on_third_poll(request: RequestInfo) -> None:
        if request.path.endswith("/check-runs") and len(standin.requests_to("check-runs")) == 2:
            standin.set_check_runs([check_run(1, "build")])

    standin.before_each = complete_on_third_poll
    polls = [get(standin, RUNS).json()["check_runs"][0]["status"] for _ in range(3)]
    assert polls == ["in_progress", "in_progress", "completed"]


def test_link_override_points_next_at_a_foreign_host(
    standin: GitHubStandIn, foreign_server: HTTPServer
) -> None:
    foreign = foreign_server.url_for(f"/repositories/{REPO_ID}/commits/{SHA}/check-runs?page=2")
    standin.link_override(foreign)
    assert get(standin, RUNS).links["next"]["url"] == foreign
    assert urlsplit(foreign).hostname != urlsplit(standin.base_url).hostname
    requests.get(foreign, timeout=5)  # a client following it must not send the token
    assert [r.headers.get("Authorization") for r, _ in foreign_server.log] == [None]
