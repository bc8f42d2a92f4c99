"""Every decision records the commit it judged, and says what binds it to the released ref.

* ``--sha``/``GITHUB_SHA``: bound; a checks file saved for another commit is refused.
* the tag resolved through the GitHub API: recorded in ``subject.sha`` and both report headers.
* a checks file without ``--sha``: its own commit is recorded, and both reports say nothing
  binds it, naming ``--sha``.
* nothing at all: the report says plainly the decision is bound to no commit.

Also ``--evidence-dir``: outside the workspace is exit 2 at once; a folder without
``promotion_guard.json`` lets that gate read its own source, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from github_standin import REPO, SHA, TOKEN, GitHubStandIn, check_run, commit_status, fixture
from helpers import assert_valid_report, clean_env, run_cli, write_evidence

OTHER_GATES = ("observability_verify", "deps_approval", "policy_drift", "field_budgets")
OTHER_SHA = "f" * 40


def evidence_args(ws: Path) -> list[str]:
    args = []
    for gate in OTHER_GATES:
        write_evidence(ws / "ev" / f"{gate}.json")
        args += ["--evidence", f"{gate}=ev/{gate}.json"]
    return args


def evaluate(ws: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any, str]:
    result = run_cli(["evaluate", "--builtin-config", *args], ws, env or clean_env())
    assert result.code in (0, 1), result.stderr
    data = json.loads((ws / "dist/maturity/maturity-eval.json").read_text(encoding="utf-8"))
    assert_valid_report(data)
    markdown = (ws / "dist/maturity/maturity-eval.md").read_text(encoding="utf-8")
    return result.code, data, result.stdout + result.stderr + markdown


def commit_row(text: str) -> str:
    [row] = [line for line in text.splitlines() if line.startswith("| Commit |")]
    return row


def save_checks(ws: Path, sha: str = SHA, conclusion: str = "success") -> Path:
    runs = {"total_count": 1, "check_runs": [check_run(1, "build", conclusion=conclusion, sha=sha)]}
    combined = fixture("combined-status.example.json")
    combined.update(sha=sha, total_count=1, statuses=[commit_status(2, "ci")])
    path = ws / "checks.json"
    path.write_text(json.dumps(runs) + "\n" + json.dumps(combined), encoding="utf-8")
    return path


@pytest.mark.parametrize("annotated", [False, True])
def test_a_tag_resolved_through_the_api_is_the_recorded_commit(
    standin: GitHubStandIn, tmp_path: Path, annotated: bool
) -> None:
    standin.set_ref("tags/v1.2.3", annotated=annotated)
    standin.set_check_runs([check_run(1, "build")])
    standin.set_statuses([commit_status(1, "ci")])
    env = clean_env(GITHUB_API_URL=standin.base_url, GITHUB_TOKEN=TOKEN, GITHUB_REPOSITORY=REPO)
    code, data, shown = evaluate(tmp_path, "--tag", "v1.2.3", *evidence_args(tmp_path), env=env)
    assert code == 0  # GO, and the GO names its commit
    subject = data["subject"]
    assert (subject["sha"], subject["sha_source"]) == (SHA, "github-api")
    assert subject["commit"] == "refs/tags/v1.2.3 resolved through the GitHub API"
    assert f"`{SHA}`" in commit_row(shown)


def test_a_checks_file_without_sha_is_recorded_as_binding_nothing(tmp_path: Path) -> None:
    checks = save_checks(tmp_path, OTHER_SHA)
    code, data, shown = evaluate(
        tmp_path, "--tag", "v1.2.3", "--checks-file", str(checks), *evidence_args(tmp_path)
    )
    assert code == 0
    subject = data["subject"]
    assert (subject["sha"], subject["sha_source"]) == (OTHER_SHA, "checks-file")
    assert "nothing binds it to refs/tags/v1.2.3" in subject["commit"]
    assert "--sha" in subject["commit"]
    row = commit_row(shown)
    assert f"`{OTHER_SHA}`" in row
    assert "nothing binds it" in row


@pytest.mark.parametrize("how", ["--sha", "GITHUB_SHA"])
def test_a_checks_file_for_another_commit_is_refused(tmp_path: Path, how: str) -> None:
    checks = save_checks(tmp_path, OTHER_SHA)
    args = ["--tag", "v1.2.3", "--checks-file", str(checks), *evidence_args(tmp_path)]
    env = clean_env()
    if how == "--sha":
        args += ["--sha", SHA]
    else:
        env["GITHUB_SHA"] = SHA
    code, data, _ = evaluate(tmp_path, *args, env=env)
    assert code == 1
    guard = data["gates"][0]
    assert (guard["status"], guard["code"]) == ("error", "WRONG_COMMIT")
    assert (data["subject"]["sha"], data["subject"]["sha_source"]) == (SHA, how)


def test_no_commit_at_all_is_said_plainly(tmp_path: Path) -> None:
    write_evidence(tmp_path / "ev" / "promotion_guard.json")
    code, data, shown = evaluate(
        tmp_path, "--tag", "v1.2.3", "--evidence", "promotion_guard=ev/promotion_guard.json",
        *evidence_args(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert (data["subject"]["sha"], data["subject"]["sha_source"]) == (None, None)
    assert data["subject"]["commit"].startswith("none: this decision is bound to no commit")
    assert "--sha" in data["subject"]["commit"]
    assert "bound to no commit" in commit_row(shown)


# --- --evidence-dir ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["../outside", "/tmp", "link-out"])
def test_an_evidence_dir_outside_the_workspace_is_exit_2(tmp_path: Path, where: str) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (tmp_path / "outside").mkdir()
    (ws / "link-out").symlink_to(tmp_path / "outside")
    result = run_cli(
        ["evaluate", "--builtin-config", "--tag", "v1.2.3", "--evidence-dir", where], ws
    )
    assert result.code == 2
    assert f"--evidence-dir {where} resolves to" in result.stderr
    assert "outside the workspace" in result.stderr
    assert "fix:" in result.stderr
    assert not (ws / "dist").exists()  # no verdict, nothing written


def test_an_evidence_dir_without_promotion_guard_reads_github_and_says_so(
    standin: GitHubStandIn, tmp_path: Path
) -> None:
    standin.set_check_runs([check_run(1, "build", conclusion="failure")])
    standin.set_statuses([commit_status(1, "ci")])
    for gate in OTHER_GATES:
        write_evidence(tmp_path / "ev" / f"{gate}.json")
    env = clean_env(
        GITHUB_API_URL=standin.base_url, GITHUB_TOKEN=TOKEN, GITHUB_REPOSITORY=REPO, GITHUB_SHA=SHA
    )
    result = run_cli(
        ["evaluate", "--builtin-config", "--tag", "v1.2.3", "--evidence-dir", "ev"], tmp_path, env
    )
    assert result.code == 1  # the failing check on GitHub decides: not a missing file
    assert "promotion_guard: --evidence-dir has no promotion_guard.json" in result.stderr
    data = json.loads((tmp_path / "dist/maturity/maturity-eval.json").read_text(encoding="utf-8"))
    guard = data["gates"][0]
    assert (guard["code"], guard["details"]["source"]) == ("CHECKS_FAILED", "github-api")
    assert (guard["gate"], guard["kind"]) == ("promotion_guard", "github_checks")
    assert [f["id"] for f in guard["findings"]] == ["check:build@github-actions"]
    assert guard["details"]["evidence_origin"].startswith("--evidence-dir has no")
    # the gates without a source of their own stay missing: the rule is stated, not guessed
    (tmp_path / "ev" / "deps_approval.json").unlink()
    run_cli(
        ["evaluate", "--builtin-config", "--tag", "v1.2.3", "--evidence-dir", "ev"], tmp_path, env
    )
    data = json.loads((tmp_path / "dist/maturity/maturity-eval.json").read_text(encoding="utf-8"))
    deps = next(g for g in data["gates"] if g["gate"] == "deps_approval")
    assert (deps["status"], deps["code"]) == ("missing", "MISSING_EVIDENCE")
    assert deps["kind"] == "evidence"
    assert [(f["id"], f["status"]) for f in deps["findings"]] == [
        ("evidence:ev/deps_approval.json", "missing")
    ]
