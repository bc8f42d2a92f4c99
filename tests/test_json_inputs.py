"""Every JSON input goes through the one strict reader: saved checks files and GitHub's answers.

A later key must never win. Each attack below is a checks file or an API answer that Python's
``json`` would read as passing (the control proves it: the same data with only the later keys
goes GO); the strict reader refuses it, naming the line and column of the repeated key. Checks
files go through ``maturity evaluate --checks-file`` (NO-GO, the gate's error); API answers
through the GitHub stand-in on 127.0.0.1. Evidence files: test_strict_json.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from github_standin import SHA, GitHubStandIn, Reply, RequestInfo
from guard_helpers import (
    INTERNALS,
    check_run,
    commit_status,
    dumps,
    evaluate_cli,
    guard,
    make_workspace,
    online_env,
    runs_page,
    status_page,
)
from helpers import CliResult

from maturity.core import GateStatus

RUNS = r"/check-runs$"
STATUS = r"/status$"
BUILD = check_run(1, "build")
E2E_FAILED = check_run(2, "e2e", conclusion="failure")
E2E_PASSED = check_run(2, "e2e")
JENKINS = commit_status(1, "ci/jenkins")


def line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def marked(text: str) -> tuple[str, tuple[int, int]]:
    """*text* without its ``»`` mark, and the line and column where the mark was."""
    offset = text.index("»")
    return text.replace("»", "", 1), line_column(text, offset)


def insert_after(text: str, anchor: str, addition: str) -> str:
    """*text* with *addition* right after the only occurrence of *anchor*."""
    assert text.count(anchor) == 1, anchor
    return text.replace(anchor, anchor + addition)


# Each attack: the runs page and status page texts (with » before the repeated key), and what
# the repeated key is. Built from pages as `gh api` prints them (indented).
RUNS_FAILING = dumps(runs_page(BUILD, E2E_FAILED))
STATUS_OK = dumps(status_page(JENKINS))
_E2E_CONCLUSION = '"conclusion": "failure",'


def _attacks() -> dict[str, tuple[str, str, str]]:
    runs_passing = RUNS_FAILING.replace(_E2E_CONCLUSION, '"conclusion": "success",')
    failing_status = dumps(status_page(commit_status(1, "ci/jenkins", "failure")))
    return {
        # {"conclusion": "failure", "conclusion": "success"}: the failing run read as passed
        "run-conclusion": (
            insert_after(RUNS_FAILING, _E2E_CONCLUSION, '\n      »"conclusion": "success",'),
            STATUS_OK,
            "conclusion",
        ),
        # a second check_runs at page level hides the failing run
        "page-check_runs": (
            dumps(runs_page(E2E_FAILED))[:-2]
            + ',\n  »"check_runs": '
            + json.dumps([BUILD])
            + "\n}",
            STATUS_OK,
            "check_runs",
        ),
        # the same at the top of the status answer: its only (failing) status replaced
        "status-page-statuses": (
            runs_passing,
            failing_status[:-2] + ',\n  »"statuses": ' + json.dumps([JENKINS]) + "\n}",
            "statuses",
        ),
        # inside a status: {"state": "failure", "state": "success"}
        "status-state": (
            runs_passing,
            insert_after(failing_status, '"state": "failure",\n      "description"', "").replace(
                '"state": "failure",\n      "description"',
                '"state": "failure", »"state": "success",\n      "description"',
            ),
            "state",
        ),
        # an array of pages (gh api --paginate --slurp): the same, one level deeper
        "slurped-conclusion": (
            "[" + insert_after(RUNS_FAILING, _E2E_CONCLUSION, ' »"conclusion": "success",') + "]",
            "[" + STATUS_OK + "]",
            "conclusion",
        ),
    }


ATTACKS = _attacks()


def last_key_wins(text: str) -> str:
    """What Python's json (and the reader before this fix) made of *text*, written back."""
    values = []
    decoder, pos = json.JSONDecoder(), 0
    while pos < len(text.strip()):
        value, pos = decoder.raw_decode(text, pos)
        values.append(value)
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return "\n".join(json.dumps(v, indent=2) for v in values)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


def judge_file(ws: Path, text: str | bytes) -> tuple[CliResult, dict[str, Any], dict[str, Any]]:
    data = text.encode() if isinstance(text, str) else text
    (ws / "checks.json").write_bytes(data)
    return evaluate_cli(ws, {}, "--sha", SHA, "--checks-file", "checks.json")


# --- checks files, through maturity evaluate --checks-file -----------------------------------


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_checks_file_with_a_repeated_key_is_no_go(ws: Path, name: str) -> None:
    runs, statuses, key = ATTACKS[name]
    text, (line, column) = marked(runs + "\n" + statuses)
    # the control: with only the later keys, the same data is a pass
    result, data, pg = judge_file(ws, last_key_wins(text))
    assert (result.code, data["verdict"], pg["status"]) == (0, "GO", "pass"), pg["message"]
    # the attack itself is refused, naming the place
    result, data, pg = judge_file(ws, text)
    assert (result.code, data["verdict"]) == (1, "NO-GO")
    assert (pg["status"], pg["code"]) == ("error", "INVALID_EVIDENCE")
    assert pg["message"].startswith(
        f"checks file checks.json is not valid JSON at line {line}, column {column}: "
        f'duplicate key "{key}" (first at line '
    )
    assert "gh api" in pg["remediation"]
    assert "promotion_guard" in result.stdout
    assert not any(word in pg["message"] for word in INTERNALS)


BROKEN_FILES: dict[str, tuple[bytes, str]] = {
    "bom": (
        b"\xef\xbb\xbf" + (RUNS_FAILING + STATUS_OK).encode(),
        "starts with a UTF-8 byte-order mark; save it without one",
    ),
    "utf16": ((RUNS_FAILING + STATUS_OK).encode("utf-16"), "UTF-16 (little-endian)"),
    "utf16-no-bom": ((RUNS_FAILING + STATUS_OK).encode("utf-16-le"), "UTF-16 (little-endian)"),
    "nan": (
        (RUNS_FAILING.replace('"total_count": 2', '"total_count": NaN') + STATUS_OK).encode(),
        "at line 2, column 18: NaN is not JSON",
    ),
    "huge-int": (
        (RUNS_FAILING.replace('"id": 1,', '"id": ' + "1" * 5000 + ",", 1) + STATUS_OK).encode(),
        "at line 5, column 13: the integer 11111111111111111111… (5000 digits) is outside",
    ),
    "deep": (
        (RUNS_FAILING + STATUS_OK)
        .replace('"pull_requests": []', '"pull_requests": ' + "[" * 70 + "]" * 70, 1)
        .encode(),
        "nested more than 64 levels deep",
    ),
    "surrogate": (
        (RUNS_FAILING.replace('"name": "build"', '"name": "build\\ud800"') + STATUS_OK).encode(),
        "holds a lone surrogate (\\ud800)",
    ),
    "not-utf8": (
        (RUNS_FAILING.replace('"build"', '"b\xe9"')).encode("latin-1") + STATUS_OK.encode(),
        "the byte 0xE9 is not UTF-8",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_a_checks_file_that_is_not_strict_json_is_no_go(ws: Path, name: str) -> None:
    data, said = BROKEN_FILES[name]
    result, report, pg = judge_file(ws, data)
    assert (result.code, report["verdict"]) == (1, "NO-GO")
    assert (pg["status"], pg["code"]) == ("error", "INVALID_EVIDENCE")
    assert pg["message"].startswith("checks file checks.json is not valid JSON")
    assert said in pg["message"]
    assert not any(word in pg["message"] for word in INTERNALS)


# --- GitHub's answers, through the stand-in ----------------------------------------------------


def serve(standin: GitHubStandIn, runs: str, statuses: str) -> None:
    standin.script(RUNS, Reply(200, runs))
    standin.script(STATUS, Reply(200, statuses))


@pytest.mark.parametrize("name", sorted(set(ATTACKS) - {"slurped-conclusion"}))
def test_an_api_answer_with_a_repeated_key_is_refused(standin: GitHubStandIn, name: str) -> None:
    runs, statuses, key = ATTACKS[name]
    # the control: what Python's json makes of these answers passes
    plain_runs, plain_statuses = (last_key_wins(t.replace("»", "")) for t in (runs, statuses))
    serve(standin, plain_runs, plain_statuses)
    assert guard(standin).status is GateStatus.PASS
    which = "runs" if "»" in runs else "statuses"
    text, (line, column) = marked(runs if which == "runs" else statuses)
    serve(
        standin,
        text if which == "runs" else plain_runs,
        text if which == "statuses" else plain_statuses,
    )
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "MALFORMED_ANSWER")
    endpoint = "check-runs" if which == "runs" else "status"
    assert f"the answer to /repos/octo-org/octo-repo/commits/{SHA}/{endpoint}" in result.message
    assert (
        f'is not valid JSON at line {line}, column {column}: duplicate key "{key}"'
        in result.message
    )
    assert "re-run" in result.remediation


BROKEN_ANSWERS: dict[str, tuple[bytes, str]] = {
    "bom": (b"\xef\xbb\xbf" + RUNS_FAILING.encode(), "starts with a UTF-8 byte-order mark"),
    "utf16": (RUNS_FAILING.encode("utf-16"), "UTF-16 (little-endian)"),
    "utf32-no-bom": (RUNS_FAILING.encode("utf-32-be"), "UTF-32 (big-endian)"),
    "not-utf8": (
        RUNS_FAILING.replace("build", "b\xe9").encode("latin-1"),
        "the byte 0xE9 is not UTF-8",
    ),
    "nan": (
        RUNS_FAILING.replace('"total_count": 2', '"total_count": NaN').encode(),
        "NaN is not JSON",
    ),
    "infinity": (
        RUNS_FAILING.replace('"id": 2,', '"id": -Infinity,').encode(),
        "-Infinity is not JSON",
    ),
    "float-overflow": (
        RUNS_FAILING.replace('"id": 2,', '"id": 1e400,').encode(),
        "too large for a 64-bit float",
    ),
    "huge-int": (
        RUNS_FAILING.replace('"id": 2,', '"id": ' + "9" * 4301 + ",").encode(),
        "(4301 digits) is outside the 64-bit range",
    ),
    "deep": (("[" * 100_000).encode(), "nested more than 64 levels deep"),
    "surrogate": (RUNS_FAILING.replace('"e2e"', '"\\udfff"').encode(), "lone surrogate (\\udfff)"),
    "cut-off": (RUNS_FAILING[: len(RUNS_FAILING) // 2].encode(), "line "),
}


@pytest.mark.parametrize("name", sorted(BROKEN_ANSWERS))
def test_an_api_answer_that_is_not_strict_json_is_refused(
    standin: GitHubStandIn, name: str
) -> None:
    body, said = BROKEN_ANSWERS[name]
    standin.set_check_runs([BUILD, E2E_FAILED])
    standin.script(RUNS, Reply(200, body))
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "MALFORMED_ANSWER")
    assert said in result.message
    assert f"({len(body)} bytes)" in result.message
    assert not any(word in result.message for word in INTERNALS)


def test_a_repeated_key_in_an_answer_is_no_go_through_the_cli(
    standin: GitHubStandIn, tmp_path: Path
) -> None:
    ws = make_workspace(tmp_path)
    runs, _, _ = ATTACKS["run-conclusion"]
    text, (line, column) = marked(runs)
    standin.set_statuses([JENKINS])
    standin.script(RUNS, Reply(200, text))
    result, data, pg = evaluate_cli(ws, online_env(standin), "--sha", SHA)
    assert (result.code, data["verdict"]) == (1, "NO-GO")
    assert (pg["status"], pg["code"]) == ("error", "MALFORMED_ANSWER")
    assert f'at line {line}, column {column}: duplicate key "conclusion"' in pg["message"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"message": "first words", "message": "later words"}',
        b'\xef\xbb\xbf{"message": "later words"}',
        b'{"message": "later words", "n": NaN}',
    ],
    ids=["repeated-message", "bom", "nan"],
)
def test_an_error_body_that_is_not_strict_json_gives_no_server_message(
    standin: GitHubStandIn, body: bytes
) -> None:
    standin.script(RUNS, Reply(403, body))
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "GITHUB_FORBIDDEN")
    assert "words" not in result.message
    assert result.message.endswith("HTTP 403")


def test_every_page_of_a_listing_is_read_strictly(standin: GitHubStandIn) -> None:
    """Page 2, reached through the Link header, is read by the same reader as page 1."""
    standin.set_check_runs([check_run(i, f"job {i}") for i in range(1, 151)])
    standin.set_statuses([JENKINS])
    seen: list[str] = []

    def note(request: RequestInfo) -> None:
        seen.append(request.query.get("page", "1"))

    standin.before_each = note
    page_two = r"^/repositories/\d+/commits/.*/check-runs$"  # GitHub's Link URLs use this form
    body = dumps(runs_page(*[check_run(i, f"job {i}") for i in range(101, 151)]))
    standin.script(page_two, Reply(200, body.replace('"id": 150,', '"id": 150, "id": 150,')))
    result = guard(standin)
    assert (result.status, result.code) == (GateStatus.ERROR, "MALFORMED_ANSWER")
    assert 'duplicate key "id"' in result.message
    assert "2" in seen
