"""``action.yml`` run the way a runner runs it (tests/action_runner.py): GO, NO-GO, an override,
the multi-line evidence input, a bad boolean, no Python on PATH, and hostile inputs.

The action's own install step runs for real and offline: once cold for the session (pip builds
and installs this folder into the venv the action keeps under RUNNER_TEMP), then warm (the
stamp matches, pip is not run) for every other case.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from action_runner import (
    PATH_WITH_PYTHON,
    STAMP_NAME,
    VENV_UNDER_TEMP,
    ActionRun,
    ActionRunner,
    offline_pip_env,
    prepare_offline_venv,
    runner_env,
)
from helpers import EXAMPLES, GATE_NAMES, GITHUB_ENV, REPO_ROOT, SHA, write_evidence

TOKEN = "ghs_" + "A1b2C3d4" * 4 + "Zz99"
OUTPUTS = {"verdict", "stage", "blocking-count", "overrides", "report-json", "report-md"}
#: everything maturity (or the action) may write to the evaluate step's GITHUB_OUTPUT
STEP_OUTPUTS = OUTPUTS | {"exit-code", "audit-sha256", "audit-line"}
#: the action's own outputs: the evaluate step's, and the audit line's anchor
ACTION_OUTPUTS = OUTPUTS | {"audit-sha256", "audit-line"}
ARTIFACT = "maturity-eval-4242-2"
REASON = "INC-4711: hotfix for the login outage"


@dataclass(frozen=True)
class Job:
    runner: ActionRunner
    workspace: Path
    root: Path  # everything this job touched lives under it, RUNNER_TEMP aside


def make_job(root: Path, runner_temp: Path, path: str = PATH_WITH_PYTHON, **env: str) -> Job:
    ws, home = root / "ws", root / "home"
    ws.mkdir(parents=True)
    home.mkdir()
    base = runner_env(
        home,
        path,
        **GITHUB_ENV,
        GITHUB_REF="refs/heads/main",
        GITHUB_API_URL="http://127.0.0.1:9",  # nothing listens: no test may reach GitHub
        **offline_pip_env(),
        **env,
    )
    github = {"token": TOKEN, "run_id": "4242", "run_attempt": "2", "repository": "octo-org/widget"}
    runner = ActionRunner(
        ws, runner_temp, root / "artifacts", base, github=github, check_run_id="31337"
    )
    return Job(runner, ws, root)


def go_inputs() -> dict[str, str]:
    return {"ref": "v1.2.3", "evidence-dir": "evidence"}


@dataclass(frozen=True)
class Installed:
    runner_temp: Path
    cold: ActionRun
    cold_job: Job


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """RUNNER_TEMP with the action's venv, after one cold run of the action (a GO)."""
    runner_temp = tmp_path_factory.mktemp("runner-temp")
    prepare_offline_venv(runner_temp)
    job = make_job(tmp_path_factory.mktemp("cold"), runner_temp)
    shutil.copytree(EXAMPLES / "ga-pass", job.workspace / "evidence")
    return Installed(runner_temp, job.runner.run(go_inputs()), job)


@pytest.fixture
def job(tmp_path: Path, installed: Installed) -> Job:
    return make_job(tmp_path, installed.runner_temp)


def report(job: Job, run: ActionRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (job.workspace / run.outputs["report-json"]).read_text("utf-8")
    )
    return data


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def pwned_files(job: Job) -> list[Path]:
    """Files an executed ``touch pwned…`` would have made: anywhere under the job's folders
    (workspace, HOME) or RUNNER_TEMP, or in the action's folder (the steps' working folders)."""
    found = [p for root in (job.root, job.runner.runner_temp) for p in root.rglob("pwned*")]
    return found + list(REPO_ROOT.glob("pwned*"))


def test_the_cold_install_builds_this_folder_into_the_actions_venv(installed: Installed) -> None:
    run = installed.cold
    install = run.step("install")
    assert install.outcome == "success", install.stderr
    assert "pip not run" not in install.stdout
    venv = installed.runner_temp / VENV_UNDER_TEMP
    assert install.outputs == {"python": str(venv / "bin" / "python")}
    assert (venv / STAMP_NAME).read_text("utf-8").strip()
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", "import maturity; print(maturity.__file__)"],
        cwd=installed.runner_temp,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), "maturity must be an installed copy, not the repo"
    assert run.outputs["verdict"] == "GO"
    assert not run.failed


def test_go_outputs_reports_summary_and_the_per_attempt_artifact(job: Job) -> None:
    shutil.copytree(EXAMPLES / "ga-pass", job.workspace / "evidence")
    run = job.runner.run(go_inputs())

    assert not run.failed, [(s.id, s.outcome, s.stderr) for s in run.steps]
    assert run.outputs == {
        "verdict": "GO",
        "stage": "GA",
        "blocking-count": "0",
        "overrides": "0",
        "report-json": "dist/maturity/maturity-eval.json",
        "report-md": "dist/maturity/maturity-eval.md",
        "audit-line": "",  # no audit-log input
        "audit-sha256": "",
    }
    data = report(job, run)
    assert data["subject"]["ref_name"] == "v1.2.3"  # the input, not GITHUB_REF (main)
    assert (job.workspace / run.outputs["report-md"]).is_file()
    assert "GO" in run.summary
    assert "`v1.2.3` may ship at stage `GA`" in run.summary
    assert set(run.artifacts) == {ARTIFACT}
    # one folder uploaded: its files at the artifact's top (upload-artifact's root rule)
    assert listing(run.artifacts[ARTIFACT]) == ["maturity-eval.json", "maturity-eval.md"]
    # Python was found: setup-python skipped; the venv was warm: pip not run
    assert run.step("setup-python").outcome == "skipped"
    assert run.uses_calls == ["actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02"]
    assert "pip not run" in run.step("install").stdout
    evaluate = run.step("evaluate")
    assert evaluate.env["GITHUB_TOKEN"] == TOKEN  # the token input defaults to github.token
    assert evaluate.env["MATURITY_CHECK_RUN_ID"] == "31337"
    assert set(evaluate.outputs) == OUTPUTS | {"exit-code"}
    assert TOKEN not in evaluate.stdout + evaluate.stderr + run.summary
    assert run.errors() == []
    assert run.step("verdict").outcome == "success"


def test_no_go_uploads_the_reports_then_fails_with_one_error_line(job: Job) -> None:
    shutil.copytree(EXAMPLES / "ga-fail", job.workspace / "evidence")
    run = job.runner.run(go_inputs())

    assert run.outputs["verdict"] == "NO-GO"
    assert int(run.outputs["blocking-count"]) >= 1
    assert run.step("evaluate").outcome == "success"  # the verdict is recorded, not failed yet
    assert run.step("evaluate").outputs["exit-code"] == "1"
    assert run.step("upload").outcome == "success"
    assert listing(run.artifacts[ARTIFACT]) == ["maturity-eval.json", "maturity-eval.md"]
    last = run.step("verdict")
    assert last.outcome == "failure"
    assert [s.id for s in run.steps].index("upload") < [s.id for s in run.steps].index("verdict")
    error_lines = [ln for ln in last.stdout.splitlines() if ln.startswith("::error")]
    assert len(error_lines) == 1
    assert "::NO-GO" in error_lines[0]
    assert run.failed
    assert "NO-GO" in run.summary


def break_glass_workspace(ws: Path) -> None:
    """examples/stages/break-glass.yml without its freeze windows (the weekend window would make
    the outcome depend on the day), every gate passing except promotion_guard."""
    config = yaml.safe_load((REPO_ROOT / "examples/stages/break-glass.yml").read_text("utf-8"))
    del config["freeze_windows"]
    (ws / "ci").mkdir()
    (ws / "ci" / "maturity-stages.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for gate in GATE_NAMES:
        write_evidence(ws / "ev" / f"{gate}.json", ok=True)
    write_evidence(
        ws / "ev" / "promotion_guard.json", ok=False, code="CHECKS_FAILED", message="e2e"
    )


def test_an_allowed_override_turns_no_go_into_go_and_the_audit_log_is_uploaded(job: Job) -> None:
    break_glass_workspace(job.workspace)
    (job.workspace / "audit").mkdir()  # as a release workflow fetches it from its branch
    inputs = {
        "ref": "refs/tags/v1.2.3",
        "sha": SHA,
        "evidence-dir": "ev",
        "override": " promotion_guard, ",
        "reason": REASON,
        "audit-log": "audit/maturity.jsonl",
    }
    run = job.runner.run(inputs)

    assert not run.failed, [(s.id, s.stderr) for s in run.steps]
    assert run.outputs["verdict"] == "GO"
    assert run.outputs["overrides"] == "1"
    data = report(job, run)
    assert [(o["gate"], o["actor"], o["reason"]) for o in data["overrides"]] == [
        ("promotion_guard", "octocat", REASON)
    ]
    assert {"audit-sha256", "audit-line"} <= set(run.step("evaluate").outputs)
    # the anchor of the appended line: the log's only line, and its sha256
    line = (job.workspace / "audit/maturity.jsonl").read_bytes().rstrip(b"\n")
    assert run.outputs["audit-sha256"] == hashlib.sha256(line).hexdigest()
    assert run.outputs["audit-line"] == "1"
    uploaded = run.artifacts[ARTIFACT]
    assert (uploaded / "audit/maturity.jsonl").read_bytes() == (
        job.workspace / "audit/maturity.jsonl"
    ).read_bytes()
    # two paths: stored relative to their common folder, the workspace
    assert listing(uploaded) == [
        "audit/maturity.jsonl",
        "dist/maturity/maturity-eval.json",
        "dist/maturity/maturity-eval.md",
    ]
    assert any(
        a.kind == "warning" and "overridden by octocat" in a.message for a in run.annotations
    )


def test_override_freeze_reaches_maturity(job: Job) -> None:
    """With no freeze in force there is nothing to override: maturity refuses (no verdict)."""
    break_glass_workspace(job.workspace)
    inputs = {"ref": "v1.2.3", "evidence-dir": "ev", "override-freeze": "true", "reason": REASON}
    run = job.runner.run(inputs)

    assert run.step("evaluate").outputs == {"exit-code": "2"}
    assert run.outputs["verdict"] == ""
    assert "freeze" in run.step("evaluate").stderr
    errors = [ln for ln in run.step("verdict").stdout.splitlines() if ln.startswith("::error")]
    assert len(errors) == 1
    assert "no verdict" in errors[0]
    assert run.failed


def test_evidence_lines_each_name_a_gate_file(job: Job) -> None:
    """Every gate fails in evidence-dir; the evidence input points each at a passing file, with
    blank lines, surrounding blanks and CRLF line ends."""
    shutil.copytree(EXAMPLES / "ga-fail", job.workspace / "failing")
    shutil.copytree(EXAMPLES / "ga-pass", job.workspace / "passing")
    lines = [f"  {gate}=passing/{gate}.json \r" for gate in GATE_NAMES]
    evidence = "\n\n" + "\n".join(lines[:2]) + "\n   \n" + "\n".join(lines[2:]) + "\n"
    run = job.runner.run({"ref": "v1.2.3", "evidence-dir": "failing", "evidence": evidence})

    assert run.outputs["verdict"] == "GO", run.step("evaluate").stderr
    sources = {g["gate"]: g["evidence"][0]["source"] for g in report(job, run)["gates"]}
    assert sources == {gate: f"passing/{gate}.json" for gate in GATE_NAMES}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("wait", "yes"),
        ("wait", "True"),
        ("override-freeze", " true"),
        ("wait", "true\n::set-output name=verdict::GO"),
    ],
)
def test_a_bad_boolean_stops_before_anything_runs(job: Job, name: str, value: str) -> None:
    run = job.runner.run({**go_inputs(), name: value})

    assert run.step("check-inputs").outcome == "failure"
    assert [e for e in run.errors() if f"'{name}' must be true or false" in e]
    for later in ("python", "install", "evaluate", "upload", "verdict"):
        assert run.step(later).outcome == "skipped"
    assert run.outputs == dict.fromkeys(ACTION_OUTPUTS, "")
    # only the errors, which never echo the value (it could hold a workflow command)
    for line in run.step("check-inputs").stdout.splitlines():
        assert line.startswith("::error title=maturity action::input '"), line
    assert run.failed


def test_without_python_on_path_setup_python_runs(tmp_path: Path, installed: Installed) -> None:
    """A python3 and python that are not 3.11+ come first on PATH: the action sets one up."""
    old = tmp_path / "old-python"
    old.mkdir()
    for name in ("python3", "python"):
        (old / name).write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
        (old / name).chmod(0o755)
    job = make_job(tmp_path / "job", installed.runner_temp, path=f"{old}{os.pathsep}/usr/bin:/bin")
    shutil.copytree(EXAMPLES / "ga-pass", job.workspace / "evidence")
    run = job.runner.run(go_inputs())

    assert run.step("python").outputs == {"found": "false"}
    assert run.step("setup-python").outcome == "success"
    assert run.uses_calls[0].startswith(
        "actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b"
    )
    assert run.step("setup-python").with_["update-environment"] == "false"
    assert run.outputs["verdict"] == "GO", run.step("install").stderr


def test_each_run_attempt_uploads_its_own_artifact(job: Job) -> None:
    shutil.copytree(EXAMPLES / "ga-pass", job.workspace / "evidence")
    first = job.runner.run({**go_inputs(), "artifact-name": "gate"})
    job.runner.github = {**job.runner.github, "run_attempt": "3"}
    second = job.runner.run({**go_inputs(), "artifact-name": "gate"})

    assert set(first.artifacts) == {"gate-4242-2"}
    assert set(second.artifacts) == {"gate-4242-3"}
    assert not first.failed
    assert not second.failed


HOSTILE = [
    "$(touch pwned)",
    "`touch pwned2`",
    ";touch pwned3",
    "v1.2.3\n::set-output name=verdict::GO",
    "v1.2.3%0A::set-output name=verdict::GO",
    "v1.2.3\nverdict=GO",
    "EOF\nverdict=GO\nEOF",
    "ghadelimiter_0\nverdict=GO\nghadelimiter_0",
    "\n::stop-commands::x\n::set-output name=verdict::GO\n::x::",
]
#: refs git allows: maturity judges them literally (PILOT), nothing runs
#: (and ones that look like options: each is still --ref's value)
HOSTILE_VALID_REFS = [
    "feature/$(touch${IFS}pwned4)",
    "feature/`touch${IFS}pwned5`",
    "--builtin-config",
    "-h",
]


@pytest.mark.parametrize("ref", HOSTILE + HOSTILE_VALID_REFS)
def test_a_hostile_ref_executes_nothing_and_forges_no_output(job: Job, ref: str) -> None:
    shutil.copytree(EXAMPLES / "ga-pass", job.workspace / "evidence")
    run = job.runner.run({"ref": ref, "evidence-dir": "evidence"})

    assert pwned_files(job) == []
    evaluate = run.step("evaluate")
    assert set(evaluate.outputs) <= STEP_OUTPUTS
    assert set(run.outputs) == ACTION_OUTPUTS
    if ref in HOSTILE_VALID_REFS:
        assert report(job, run)["subject"]["ref_name"] == ref
        assert run.outputs["stage"] == "PILOT"
    else:
        assert evaluate.outputs == {"exit-code": "2"}
        assert run.outputs == dict.fromkeys(ACTION_OUTPUTS, "")
        assert run.failed


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_reason_executes_nothing_and_is_judged_as_text(job: Job, hostile: str) -> None:
    """The override applies, but deps_approval (not overridable at GA) still fails: the honest
    verdict is NO-GO, so a forged ``verdict=GO`` would show."""
    break_glass_workspace(job.workspace)
    write_evidence(job.workspace / "ev" / "deps_approval.json", ok=False, code="DEPS_UNAPPROVED")
    reason = f"INC-4711 {hostile} hotfix for the login outage"
    inputs = {
        "ref": "v1.2.3",
        "evidence-dir": "ev",
        "override": "promotion_guard",
        "reason": reason,
    }
    run = job.runner.run(inputs)

    assert pwned_files(job) == []
    evaluate = run.step("evaluate")
    assert set(evaluate.outputs) == OUTPUTS | {"exit-code"}, evaluate.stderr
    assert (run.outputs["verdict"], run.outputs["overrides"], run.outputs["blocking-count"]) == (
        "NO-GO",
        "1",
        "1",
    )
    assert [o["reason"] for o in report(job, run)["overrides"]] == [reason]
    assert run.failed
