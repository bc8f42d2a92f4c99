"""promotion_guard waits, survives faults and fails closed: ``maturity evaluate`` end to end.

The CLI runs as a subprocess against the GitHub stand-in (real HTTP on 127.0.0.1) in a workspace
whose stages file gives promotion_guard small waits and budgets and every other gate an ok
evidence file, so the verdict and exit code are promotion_guard's alone.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import guard_helpers
import pytest
import requests
from github_standin import REPO, SHA, TOKEN, GitHubStandIn, Reply, RequestInfo, check_run
from github_standin import commit_status as status
from guard_helpers import make_workspace
from helpers import (
    CliResult,
    assert_valid_report,
    clean_env,
    gate,
    reports,
    run_cli,
)
from pytest_httpserver import HTTPServer

GA, PILOT = "v1.2.3", "v1.2.3-beta.1"
BUDGET, WAIT_TIMEOUT = 3.0, 2.0
OTHER_SHA = "0" * 39 + "1"
RUNS = r"/check-runs$"
TOKEN_TAIL = TOKEN.partition("_")[2]  # also found where Markdown escapes the underscore


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace whose stages file gives promotion_guard small waits and budgets, and every
    other gate an ok evidence file."""
    return make_workspace(tmp_path, BUDGET, wait=(WAIT_TIMEOUT, 0.2))


def online_env(standin: GitHubStandIn, **extra: str) -> dict[str, str]:
    return clean_env(**guard_helpers.online_env(standin, **extra))


def evaluate(
    ws: Path, env: dict[str, str], *args: str, tag: str = GA
) -> tuple[CliResult, dict[str, Any], float]:
    """Run ``evaluate``; the CLI result, the promotion_guard entry of the report, wall time."""
    started = time.monotonic()
    result = run_cli(["evaluate", "--tag", tag, "--sha", SHA, *args], ws, env)
    elapsed = time.monotonic() - started
    assert result.code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    data, _ = reports(ws)
    assert_valid_report(data)  # promotion_guard's details included (checks_details in the schema)
    entry = gate(data, "promotion_guard")
    assert entry["kind"] == "github_checks"
    return result, entry, elapsed


def showing_token(ws: Path, result: CliResult) -> list[str]:
    """Which of stdout, stderr and the workspace's files hold the token."""
    texts = {"stdout": result.stdout, "stderr": result.stderr}
    for path in ws.rglob("*"):
        if path.is_file():
            texts[str(path.relative_to(ws))] = path.read_text(encoding="utf-8")
    return [name for name, text in texts.items() if TOKEN_TAIL in text]


def passing(standin: GitHubStandIn) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "lint")])
    standin.set_statuses([status(1, "ci/jenkins")])


# --- waiting ----------------------------------------------------------------------------------


def test_pending_checks_complete_under_wait_with_free_polls(
    standin: GitHubStandIn, ws: Path
) -> None:
    runs = [check_run(i, f"job {i}") for i in range(1, 151)]  # two pages
    standin.set_check_runs([*runs[:-1], check_run(150, "e2e", status="in_progress")])
    standin.set_statuses([status(1, "ci/jenkins")])
    reads = 0

    def complete_on_fourth_read(request: RequestInfo) -> None:
        nonlocal reads
        if request.path.endswith("/check-runs") and "page" not in request.query:
            reads += 1
            if reads == 4:  # the check on page 2 finishes; page 1 stays as it was
                standin.set_check_runs([*runs[:-1], check_run(150, "e2e")])

    standin.before_each = complete_on_fourth_read
    result, pg, _ = evaluate(ws, online_env(standin), "--wait")
    assert result.code == 0, result.stdout
    assert (pg["status"], pg["code"]) == ("pass", "CHECKS_PASSED")
    api = pg["details"]["api"]
    assert (api["polls"], api["requests"]) == (4, 12)
    assert api["not_modified"] == 8  # all 3 pages on reads 2-3; page 1 and the status on read 4
    assert api["poll_wait_s"] > 0
    # the first read cost 3 points and the changed page 2 one: the 304s cost nothing
    assert standin.cost == 4
    assert [r.status for r in standin.requests_to(RUNS)] == [200, 200, *[304] * 5, 200]


def test_pending_past_the_deadline_is_no_go(standin: GitHubStandIn, ws: Path) -> None:
    standin.set_check_runs([check_run(1, "build"), check_run(2, "e2e", status="queued")])
    result, pg, elapsed = evaluate(ws, online_env(standin), "--wait")
    assert result.code == 1
    assert (pg["status"], pg["code"]) == ("pending", "CHECKS_PENDING")
    assert pg["details"]["wait_timed_out"] is True
    assert pg["details"]["api"]["polls"] > 2
    assert "e2e" in pg["message"]
    assert [(f["id"], f["status"]) for f in pg["findings"]] == [
        ("check:e2e@github-actions", "pending")
    ]
    assert WAIT_TIMEOUT - 0.5 < pg["details"]["api"]["elapsed_s"] <= WAIT_TIMEOUT + 0.5
    assert elapsed < WAIT_TIMEOUT + 5


# --- faults the client rides out --------------------------------------------------------------


@pytest.mark.parametrize(
    ("replies", "retries", "least_s"),
    [
        ((Reply.server_error(502), Reply.server_error(502)), 2, 0.7),
        ((Reply.secondary_rate_limit(retry_after=1),), 1, 0.9),
        ((Reply.secondary_rate_limit(retry_after=1, status=429),), 1, 0.9),
        ((Reply.primary_rate_limit(reset_in=1),), 1, 0.9),
    ],
    ids=["502s", "secondary-403", "secondary-429", "primary"],
)
def test_transient_faults_are_retried_then_pass(
    standin: GitHubStandIn, ws: Path, replies: tuple[Reply, ...], retries: int, least_s: float
) -> None:
    passing(standin)
    standin.script(RUNS, *replies)
    result, pg, elapsed = evaluate(ws, online_env(standin))
    assert result.code == 0, result.stdout
    assert pg["status"] == "pass"
    api = pg["details"]["api"]
    assert api["retries"] == retries
    assert api["retry_wait_s"] >= least_s
    assert api["requests"] == 2 + len(replies)
    assert elapsed < BUDGET + 5


def test_a_retry_after_past_the_budget_fails_at_once(standin: GitHubStandIn, ws: Path) -> None:
    passing(standin)
    standin.script(RUNS, Reply.secondary_rate_limit(retry_after=600))
    result, pg, elapsed = evaluate(ws, online_env(standin))
    assert result.code == 1
    assert (pg["status"], pg["code"]) == ("error", "RATE_LIMITED")
    assert "600s" in pg["message"]
    assert pg["details"]["api"]["retry_wait_s"] == 0
    assert elapsed < BUDGET  # no sleeping: it gave up before the budget could run out


def test_persistent_500_is_no_go_within_the_budget(standin: GitHubStandIn, ws: Path) -> None:
    passing(standin)
    standin.script(RUNS, *[Reply.server_error(500)] * 20)
    result, pg, elapsed = evaluate(ws, online_env(standin))
    assert result.code == 1
    assert pg["status"] == "error"
    assert pg["code"] in ("API_UNAVAILABLE", "API_TIMEOUT")
    assert pg["remediation"]
    assert pg["details"]["api"]["retries"] >= 2
    assert elapsed < BUDGET + 5


def test_connection_refused_is_an_error_not_a_crash(standin: GitHubStandIn, ws: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = online_env(standin, GITHUB_API_URL=f"http://127.0.0.1:{port}")
    result, pg, elapsed = evaluate(ws, env)
    assert result.code == 1
    assert pg["status"] == "error"
    assert pg["code"] in ("API_UNAVAILABLE", "API_TIMEOUT")
    assert "connection refused" in pg["message"]
    assert elapsed < BUDGET + 5


def test_a_host_that_does_not_resolve_fails_fast(standin: GitHubStandIn, ws: Path) -> None:
    # .invalid never resolves (RFC 2606): one retry, not six, then a fix naming GITHUB_API_URL
    env = online_env(standin, GITHUB_API_URL="https://maturity-test.invalid/api/v3")
    result, pg, _ = evaluate(ws, env)
    assert result.code == 1
    assert pg["code"] == "API_UNAVAILABLE"
    assert pg["message"].endswith("the host name does not resolve (2 attempts)")
    assert pg["details"]["api"]["requests"] == 2
    assert "GITHUB_API_URL (https://maturity-test.invalid/api/v3)" in pg["remediation"]


# --- answers that are refused ----------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply.truncated(),
        Reply(200, json.dumps({"total_count": 1, "check_runs": {"id": 1}})),
        Reply(200, json.dumps([{"total_count": 0, "check_runs": []}])),
    ],
    ids=["truncated", "check_runs-not-a-list", "top-level-list"],
)
def test_malformed_answers_are_errors(standin: GitHubStandIn, ws: Path, reply: Reply) -> None:
    passing(standin)
    standin.script(RUNS, reply)
    result, pg, _ = evaluate(ws, online_env(standin))
    assert result.code == 1
    assert (pg["status"], pg["code"]) == ("error", "MALFORMED_ANSWER")


@pytest.mark.parametrize(
    ("how", "code"), [("link", "FOREIGN_LINK"), ("redirect", "MALFORMED_ANSWER")]
)
def test_the_client_never_goes_to_a_foreign_host(
    standin: GitHubStandIn, ws: Path, foreign_server: HTTPServer, how: str, code: str
) -> None:
    passing(standin)
    elsewhere = foreign_server.url_for(f"/repos/{REPO}/commits/{SHA}/check-runs?page=2")
    if how == "link":
        standin.link_override(elsewhere)
    else:
        standin.script(RUNS, Reply(302, "", {"location": elsewhere}))
    result, pg, _ = evaluate(ws, online_env(standin))
    assert result.code == 1
    assert (pg["status"], pg["code"]) == ("error", code)
    assert foreign_server.log == []
    assert showing_token(ws, result) == []


@pytest.mark.parametrize(
    ("env", "code", "hint"),
    [
        ({"GITHUB_TOKEN": "ghs_wrong0123456789"}, "GITHUB_AUTH_FAILED", "checks: read"),
        ({"GITHUB_REPOSITORY": "octo-org/gone"}, "GITHUB_NOT_FOUND", "checks: read"),
    ],
)
def test_refused_access_says_which_permissions(
    standin: GitHubStandIn, ws: Path, env: dict[str, str], code: str, hint: str
) -> None:
    passing(standin)
    result, pg, _ = evaluate(ws, online_env(standin, **env))
    assert result.code == 1
    assert (pg["status"], pg["code"]) == ("error", code)
    assert hint in pg["remediation"]
    assert len(standin.log) == 1  # not retried


def test_no_token_is_an_error_without_any_request(standin: GitHubStandIn, ws: Path) -> None:
    env = online_env(standin)
    del env["GITHUB_TOKEN"]
    result, pg, _ = evaluate(ws, env)
    assert result.code == 1
    assert (pg["status"], pg["code"]) == ("error", "GITHUB_TOKEN_MISSING")
    assert "GITHUB_TOKEN" in pg["remediation"]
    assert standin.log == []


def test_report_only_never_blocks_but_records_the_error(standin: GitHubStandIn, ws: Path) -> None:
    standin.script(RUNS, Reply(401, json.dumps({"message": "Bad credentials"})))
    result, pg, _ = evaluate(ws, online_env(standin), tag=PILOT)
    assert result.code == 0
    assert (pg["level"], pg["status"], pg["code"]) == ("report_only", "error", "GITHUB_AUTH_FAILED")
    assert reports(ws)[0]["verdict"] == "GO"


# --- the token stays secret -------------------------------------------------------------------


def test_the_token_appears_in_no_output_file_or_foreign_host(
    standin: GitHubStandIn, ws: Path, foreign_server: HTTPServer
) -> None:
    passing(standin)
    echo = json.dumps({"message": f"token {TOKEN} is not accepted here"})
    runs = [  # each: scripted check-runs answers, the gate's expected code
        ((Reply(500, echo), Reply.secondary_rate_limit(retry_after=1)), "CHECKS_PASSED"),
        ((Reply(500, echo),), "FOREIGN_LINK"),  # the retried page links to the foreign host
        ((Reply(403, echo),), "GITHUB_FORBIDDEN"),
    ]
    leaks: list[str] = []
    for replies, code in runs:
        standin.link_override(foreign_server.url_for("/steal") if code == "FOREIGN_LINK" else None)
        standin.script(RUNS, *replies)
        result, pg, _ = evaluate(ws, online_env(standin))
        assert pg["code"] == code
        assert (ws / "dist" / "maturity" / "maturity-eval.md").is_file()
        leaks += showing_token(ws, result)
    assert "***" in pg["message"]  # the echoed token, scrubbed
    assert leaks == []
    assert all(r.headers.get("authorization") == f"token {TOKEN}" for r in standin.log)
    assert foreign_server.log == []


# A Link URL carrying the token must not show it in any message (it once did: links.py, _show).
@pytest.mark.parametrize(
    ("then", "code"),
    [
        (None, "FOREIGN_LINK"),  # the link leads to the foreign host
        (Reply(404, json.dumps({"message": "Not Found"})), "LINKED_PAGE_NOT_FOUND"),
        (Reply.truncated(), "MALFORMED_ANSWER"),
    ],
    ids=["foreign-link", "next-page-404", "next-page-truncated"],
)
def test_a_token_echoed_in_a_link_is_not_shown(
    standin: GitHubStandIn, ws: Path, foreign_server: HTTPServer, then: Reply | None, code: str
) -> None:
    passing(standin)
    host = foreign_server.url_for("") if then is None else standin.base_url
    standin.link_override(f"{host.rstrip('/')}/repos/{REPO}/next?t={TOKEN}")
    if then is not None:  # the link stays on the API: what its page answers
        standin.script(r"/next$", then)
    result, pg, _ = evaluate(ws, online_env(standin))
    assert pg["code"] == code
    assert foreign_server.log == []
    assert showing_token(ws, result) == []


@pytest.mark.parametrize("url", ["ftp://x", "http://example.com", "https://user:pw@x.test"])
def test_a_malformed_api_url_is_a_usage_error(standin: GitHubStandIn, ws: Path, url: str) -> None:
    result = run_cli(
        ["evaluate", "--tag", GA, "--sha", SHA], ws, online_env(standin, GITHUB_API_URL=url)
    )
    assert result.code == 2
    assert "GITHUB_API_URL" in result.stderr
    assert not (ws / "dist").exists()
    assert standin.log == []


# --- offline: a saved answer ------------------------------------------------------------------


def saved_pages(standin: GitHubStandIn, sha: str = SHA) -> tuple[list[str], list[str]]:
    """The check-runs and status page bodies, every page, as `gh api --paginate` gets them."""
    bodies: tuple[list[str], list[str]] = ([], [])
    for endpoint, pages in zip(("check-runs", "status"), bodies, strict=True):
        url: str | None = f"{standin.base_url}/repos/{REPO}/commits/{sha}/{endpoint}?per_page=100"
        while url:
            answer = requests.get(url, headers={"Authorization": f"token {TOKEN}"}, timeout=5)
            answer.raise_for_status()
            pages.append(answer.text)
            url = answer.links.get("next", {}).get("url")
    return bodies


@pytest.fixture
def many_checks(standin: GitHubStandIn) -> GitHubStandIn:
    runs = [check_run(i, f"job {i}") for i in range(1, 151)]
    runs[120] = check_run(121, "job 121", conclusion="timed_out")
    standin.set_check_runs(runs)
    standin.set_statuses([status(1, "ci/jenkins")])
    return standin


@pytest.mark.parametrize("slurp", [False, True])
def test_a_saved_answer_gives_the_online_decision(
    many_checks: GitHubStandIn, ws: Path, slurp: bool
) -> None:
    runs, statuses = saved_pages(many_checks)
    assert len(runs) == 2
    if slurp:  # gh api --paginate --slurp: one array of pages per call
        text = "\n".join(json.dumps([json.loads(p) for p in pages]) for pages in (runs, statuses))
    else:  # gh api --paginate > file; gh api --paginate >> file
        text = "".join(runs + statuses)
    (ws / "checks.json").write_text(text, encoding="utf-8")
    online, online_pg, _ = evaluate(ws, online_env(many_checks))
    requests_made = len(many_checks.log)
    offline, offline_pg, _ = evaluate(ws, clean_env(), "--checks-file", "checks.json")
    assert len(many_checks.log) == requests_made  # offline: no request
    assert offline.code == online.code == 1
    assert offline_pg["details"]["source"] == "checks-file"
    for key in ("status", "code", "message", "findings", "kind"):
        assert offline_pg[key] == online_pg[key]
    assert offline_pg["findings"]
    assert all(f["id"].startswith("check:") for f in offline_pg["findings"])
    assert offline_pg["details"]["checks"] == online_pg["details"]["checks"]
    assert offline_pg["evidence"][0]["kind"] == "checks-file"


@pytest.mark.parametrize(
    ("sha", "code", "said"),
    [
        (SHA, "INVALID_EVIDENCE", "holds no statuses"),  # the status answer left out
        (OTHER_SHA, "WRONG_COMMIT", OTHER_SHA),  # both answers, of another commit than --sha
    ],
)
def test_a_saved_answer_that_cannot_be_judged(
    standin: GitHubStandIn, ws: Path, sha: str, code: str, said: str
) -> None:
    standin.set_check_runs([check_run(1, "build", sha=sha)], sha=sha)
    standin.set_statuses([status(1, "ci/jenkins")], sha=sha)
    runs, statuses = saved_pages(standin, sha)
    text = "".join(runs if sha == SHA else runs + statuses)
    (ws / "checks.json").write_text(text, encoding="utf-8")
    result, pg, _ = evaluate(ws, clean_env(), "--checks-file", "checks.json")
    assert result.code == 1
    assert (pg["status"], pg["code"]) == ("error", code)
    assert said in pg["message"]


def test_a_checks_file_that_does_not_exist_is_a_usage_error(ws: Path) -> None:
    result = run_cli(["evaluate", "--tag", GA, "--sha", SHA, "--checks-file", "nope.json"], ws)
    assert result.code == 2
    assert "--checks-file" in result.stderr
    assert not (ws / "dist").exists()


def test_a_saved_answer_is_read_by_every_gate_of_the_kind(
    many_checks: GitHubStandIn, ws: Path
) -> None:
    """A second gate of the GitHub checks kind, declared in the stages file, judges the same
    saved answer with its own required checks; --evidence for it conflicts with --checks-file."""
    stages = ws / "ci" / "maturity-stages.yml"
    text = stages.read_text(encoding="utf-8")
    text = text.replace(
        "      field_budgets: required\n",
        "      field_budgets: required\n      first_jobs: required\n",
    )
    text = text.replace(
        "      field_budgets: report_only\n",
        "      field_budgets: report_only\n      first_jobs: off\n",
    )
    text = text.replace(
        "gates:\n  promotion_guard:",
        "gates:\n  first_jobs:\n    kind: github_checks\n    required_checks: ['job ?']\n  promotion_guard:",
    )
    stages.write_text(text, encoding="utf-8")
    runs, statuses = saved_pages(many_checks)
    (ws / "checks.json").write_text("".join(runs + statuses), encoding="utf-8")
    result, pg, _ = evaluate(ws, clean_env(), "--checks-file", "checks.json")
    assert result.code == 1
    data, _ = reports(ws)
    first = gate(data, "first_jobs")
    assert (first["kind"], first["status"], first["code"]) == (
        "github_checks",
        "pass",
        "CHECKS_PASSED",
    )
    assert first["details"]["source"] == "checks-file"
    assert "all 9 required checks passed" in first["message"]
    assert pg["code"] == "CHECKS_FAILED"  # job 121 timed out; first_jobs does not require it
    clash = run_cli(
        [
            "evaluate",
            "--tag",
            GA,
            "--sha",
            SHA,
            "--checks-file",
            "checks.json",
            "--evidence",
            "first_jobs=x.json",
        ],
        ws,
    )
    assert clash.code == 2
    assert "give --checks-file or --evidence first_jobs=..., not both" in clash.stderr
