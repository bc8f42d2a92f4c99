"""What is judged: commit id, run and actor from flags and the GitHub environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from maturity.cli import main
from maturity.errors import RefError, UsageError
from maturity.refs import Ref, RefType, parse_ref, validate_sha
from maturity.subject import CommitSource, RunInfo, Subject, subject_from

REF = parse_ref("refs/tags/v1.2.3")
SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "0123456789abcdef" * 4


def test_no_environment_gives_a_bare_subject() -> None:
    assert subject_from({}, REF) == Subject(ref=REF)
    assert Subject(ref=REF).run == RunInfo(None, None, None)


def test_a_full_github_environment() -> None:
    env = {
        "GITHUB_REPOSITORY": "octo-org/my_repo.js",
        "GITHUB_SHA": SHA1,
        "GITHUB_RUN_ID": "123456789",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_WORKFLOW": "Release GA",
        "GITHUB_JOB": "evaluate",
    }
    assert subject_from(env, REF) == Subject(
        ref=REF,
        repository="octo-org/my_repo.js",
        sha=SHA1,
        sha_source=CommitSource.ENV,
        run=RunInfo(
            id="123456789",
            attempt="1",
            url="https://github.com/octo-org/my_repo.js/actions/runs/123456789",
        ),
        actor="octocat",
        event="push",
        workflow="Release GA",
        job="evaluate",
    )


@pytest.mark.parametrize(
    ("extra", "url"),
    [
        ({}, "https://github.com/o/r/actions/runs/7"),
        ({"GITHUB_RUN_ATTEMPT": "1"}, "https://github.com/o/r/actions/runs/7"),
        ({"GITHUB_RUN_ATTEMPT": "2"}, "https://github.com/o/r/actions/runs/7/attempts/2"),
        ({"GITHUB_RUN_ATTEMPT": "10"}, "https://github.com/o/r/actions/runs/7/attempts/10"),
        (
            {"GITHUB_SERVER_URL": "https://ghe.example.com"},
            "https://ghe.example.com/o/r/actions/runs/7",
        ),
        (
            {"GITHUB_SERVER_URL": "https://ghe.example.com/", "GITHUB_RUN_ATTEMPT": "3"},
            "https://ghe.example.com/o/r/actions/runs/7/attempts/3",
        ),
        (
            {"GITHUB_SERVER_URL": "http://ghe.internal:8080/github"},
            "http://ghe.internal:8080/github/o/r/actions/runs/7",
        ),
    ],
)
def test_run_url(extra: dict[str, str], url: str) -> None:
    env = {"GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "7", **extra}
    assert subject_from(env, REF).run.url == url


@pytest.mark.parametrize(
    "env",
    [
        {"GITHUB_REPOSITORY": "o/r"},
        {"GITHUB_RUN_ID": "7"},
        {"GITHUB_RUN_ID": "7", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_SERVER_URL": "https://x.y"},
    ],
)
def test_no_run_url_without_both_repository_and_run_id(env: dict[str, str]) -> None:
    assert subject_from(env, REF).run.url is None


def test_blank_values_count_as_unset() -> None:
    env = {"GITHUB_REPOSITORY": "  ", "GITHUB_RUN_ID": "", "GITHUB_SHA": " ", "GITHUB_ACTOR": ""}
    assert subject_from(env, REF) == Subject(ref=REF)


MALFORMED = [
    ("GITHUB_REPOSITORY", "octo", "owner/name"),
    ("GITHUB_REPOSITORY", "octo/repo/extra", "owner/name"),
    ("GITHUB_REPOSITORY", "-octo/repo", "owner/name"),
    ("GITHUB_REPOSITORY", "octo/re po", "owner/name"),
    ("GITHUB_REPOSITORY", "octo/repo\x1b[2J", "owner/name"),
    ("GITHUB_REPOSITORY", "octo/repo%0A::error::x", "owner/name"),
    ("GITHUB_REPOSITORY", "o" * 40 + "/r", "owner/name"),
    ("GITHUB_RUN_ID", "12a", "a number"),
    ("GITHUB_RUN_ID", "-1", "a number"),
    ("GITHUB_RUN_ID", "1.5", "a number"),
    ("GITHUB_RUN_ID", "1" * 21, "a number"),
    ("GITHUB_RUN_ATTEMPT", "x", "a number"),
    ("GITHUB_RUN_ATTEMPT", "2/../../evil", "a number"),
    ("GITHUB_SERVER_URL", "javascript:alert(1)", "an http(s) URL"),
    ("GITHUB_SERVER_URL", "ftp://ghe.example.com", "an http(s) URL"),
    ("GITHUB_SERVER_URL", "https://ghe.example.com/a b", "an http(s) URL"),
    ("GITHUB_SERVER_URL", 'https://x.y/"><script>', "an http(s) URL"),
    ("GITHUB_SERVER_URL", "https://user@x.y", "an http(s) URL"),
    ("GITHUB_SERVER_URL", "https://x.y/?q=1", "an http(s) URL"),
    ("GITHUB_EVENT_NAME", "Push", "an event name"),
    ("GITHUB_EVENT_NAME", "pull-request", "an event name"),
    ("GITHUB_EVENT_NAME", "push\x07", "an event name"),
]


@pytest.mark.parametrize(("name", "value", "what"), MALFORMED)
def test_malformed_environment_values_are_usage_errors(name: str, value: str, what: str) -> None:
    env = {"GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "7", name: value}
    with pytest.raises(UsageError) as info:
        subject_from(env, REF)
    err = info.value
    assert err.message.startswith(f"{name} is not {what}: ")
    assert f"unset {name}" in err.remediation
    rendered = err.render()
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in rendered), repr(rendered)
    assert "\n" not in err.message


def test_malformed_values_are_shown_escaped_and_bounded() -> None:
    with pytest.raises(UsageError) as info:
        subject_from({"GITHUB_REPOSITORY": "x\x1b[31m" + "y" * 300}, REF)
    assert "x\\u001b[31m" in info.value.message
    assert len(info.value.message) < 160


@pytest.mark.parametrize(
    "sha",
    [
        "0123456",  # short SHAs are refused
        SHA1[:-1],
        SHA1 + "0",
        SHA1[:-1] + "g",
        SHA256[:-1],
        "",
        "0x" + SHA1[2:],
        SHA1[:20] + " " + SHA1[21:],
        SHA1[:-1] + "\x1b",
    ],
)
def test_bad_commit_ids_are_refused(sha: str) -> None:
    with pytest.raises(RefError) as info:
        validate_sha(sha)
    assert info.value.message.startswith("invalid commit id in --sha: '")
    assert "\x1b" not in info.value.message
    assert "git rev-parse HEAD" in info.value.remediation


@pytest.mark.parametrize(
    ("sha", "expected"),
    [
        (SHA1, SHA1),
        (SHA1.upper(), SHA1),
        (f"  {SHA1.upper()}\n", SHA1),
        (SHA256, SHA256),
        (SHA256.upper(), SHA256),
    ],
)
def test_good_commit_ids_are_lower_cased(sha: str, expected: str) -> None:
    assert validate_sha(sha) == expected


def test_sha_flag_wins_over_github_sha() -> None:
    env = {"GITHUB_SHA": "f" * 40}
    assert subject_from(env, REF, sha=SHA1.upper()).sha == SHA1
    assert subject_from(env, REF).sha == "f" * 40
    # The environment is not consulted when the flag is given.
    assert subject_from({"GITHUB_SHA": "nonsense"}, REF, sha=SHA1).sha == SHA1


def test_bad_github_sha_names_its_source() -> None:
    with pytest.raises(RefError, match="invalid commit id in GITHUB_SHA: 'abc'"):
        subject_from({"GITHUB_SHA": "abc"}, REF)
    with pytest.raises(RefError, match="invalid commit id in --sha: 'abc'"):
        subject_from({"GITHUB_SHA": SHA1}, REF, sha="abc")


@pytest.mark.parametrize("name", ["GITHUB_ACTOR", "GITHUB_WORKFLOW", "GITHUB_JOB"])
def test_free_text_values_are_cleaned(name: str) -> None:
    env = {name: "a\x1b[31mb\u202ec\nd\te\x85f"}
    subject = subject_from(env, REF)
    value = {"GITHUB_ACTOR": subject.actor, "GITHUB_WORKFLOW": subject.workflow}.get(
        name, subject.job
    )
    assert value == "a\\u001b[31mb\\u202ec d e\\u0085f"


def test_free_text_values_are_bounded() -> None:
    subject = subject_from({"GITHUB_ACTOR": "a" * 500, "GITHUB_WORKFLOW": "w" * 500}, REF)
    assert subject.actor is not None
    assert subject.workflow is not None
    assert len(subject.actor) == 100
    assert subject.actor.endswith("…")
    assert len(subject.workflow) == 200


def test_subject_keeps_the_ref() -> None:
    ref = Ref("refs/heads/main", "main", RefType.BRANCH)
    assert subject_from({}, ref).ref is ref


# --- through the CLI ---------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("GITHUB_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


_CLI_CASES = [
    *((name, value, f"{name} is not {what}") for name, value, what in MALFORMED),
    ("GITHUB_SHA", "0123456", "invalid commit id in GITHUB_SHA"),
    ("GITHUB_SHA", SHA1 + "\x1b", "invalid commit id in GITHUB_SHA"),
]


@pytest.mark.parametrize(
    "case", _CLI_CASES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(_CLI_CASES)]
)
def test_cli_evaluate_exits_2_on_malformed_environment(
    case: tuple[str, str, str],
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name, value, fragment = case
    monkeypatch.setenv(name, value)
    code = main(["evaluate", "--tag", "v1.2.3", "--builtin-config"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert f"maturity: error: {fragment}" in err
    assert "fix:" in err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert list(cli_env.iterdir()) == [], "no report may be written"


def test_cli_evaluate_refuses_a_short_sha_flag(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["evaluate", "--tag", "v1.2.3", "--sha", "abc1234", "--builtin-config"])
    assert code == 2
    assert "invalid commit id in --sha: 'abc1234'" in capsys.readouterr().err
    assert list(cli_env.iterdir()) == []


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(extra)
    return env


def test_cli_process_refuses_a_malformed_repository(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "maturity", "evaluate", "--ref", "main", "--builtin-config"],
        cwd=tmp_path,
        env=_clean_env(GITHUB_REPOSITORY="octo/repo\x1b]0;pwned\x07"),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "GITHUB_REPOSITORY is not owner/name: 'octo/repo\\u001b]0;pwned\\u0007'" in proc.stderr
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_cli_process_reports_the_run_and_cleaned_subject(tmp_path: Path) -> None:
    env = _clean_env(
        GITHUB_REPOSITORY="octo/repo",
        GITHUB_RUN_ID="42",
        GITHUB_RUN_ATTEMPT="3",
        GITHUB_SERVER_URL="https://ghe.example.com/",
        GITHUB_SHA=SHA1.upper(),
        GITHUB_ACTOR="bad\x1b[31mguy\u202e",
        GITHUB_EVENT_NAME="push",
        GITHUB_WORKFLOW="wf\nx",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "maturity", "evaluate", "--ref", "main", "--builtin-config"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr  # PILOT: every gate report_only, so GO
    report = json.loads((tmp_path / "dist/maturity/maturity-eval.json").read_text("utf-8"))
    assert report["subject"] == {
        "repository": "octo/repo",
        "ref": "main",
        "ref_name": "main",
        "ref_type": "unknown",
        "sha": SHA1,
        "sha_source": "GITHUB_SHA",
        "commit": "from GITHUB_SHA",
        "run": {
            "id": "42",
            "attempt": "3",
            "url": "https://ghe.example.com/octo/repo/actions/runs/42/attempts/3",
        },
        "actor": "bad\\u001b[31mguy\\u202e",
        "event": "push",
        "workflow": "wf x",
        "job": None,
    }
