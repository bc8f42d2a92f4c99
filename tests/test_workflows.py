"""The workflows in .github/workflows: least privilege, pinning, and the release jobs' wiring.

Read as GitHub reads them (YAML) and as reviewers read them (the raw text, for comments).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
RELEASES = {"release-ga.yml": "GA", "release-rc.yml": "PRE_GA"}
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"# v\d+\.\d+\.\d+\s*$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    if True in data:
        data["on"] = data.pop(True)
    return data


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    found = load(path)["jobs"]
    assert isinstance(found, dict)
    assert found
    return found


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def test_the_expected_workflows_and_no_reusable_evaluate_workflow() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert names == {
        "ci.yml",
        "maturity-config.yml",
        "release-ga.yml",
        "release-rc.yml",
        "tag-verification.yml",
    }
    for path in WORKFLOW_FILES:
        assert "maturity-evaluate.yml" not in path.read_text(), path.name


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_permission_at_the_top_and_a_timeout_on_every_job(path: Path) -> None:
    assert load(path)["permissions"] == {}
    for name, job in jobs(path).items():
        timeout = job.get("timeout-minutes")
        assert isinstance(timeout, int), (path.name, name)
        assert 0 < timeout <= 30, (path.name, name)
        assert isinstance(job.get("permissions"), dict), (path.name, name)
        assert job["permissions"], (path.name, name)


def permission_blocks(text: str) -> list[list[str]]:
    """The lines of every block-style ``permissions:`` mapping in the raw text."""
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)permissions:\s*$", line)
        if not match:
            continue
        indent = len(match.group(1))
        block = []
        for following in lines[i + 1 :]:
            if len(following) - len(following.lstrip()) <= indent:
                break
            block.append(following)
        blocks.append(block)
    return blocks


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_permission_says_why(path: Path) -> None:
    blocks = permission_blocks(path.read_text())
    granted = [job["permissions"] for job in jobs(path).values()]
    assert [len(b) for b in blocks] == [len(p) for p in granted]
    for block in blocks:
        for line in block:
            assert re.match(r"^\s+[a-z-]+: (read|write) # \S", line), (path.name, line)


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actions_are_the_local_action_or_pinned_by_commit_with_their_version(path: Path) -> None:
    for name, job in jobs(path).items():
        assert "uses" not in job, f"{path.name}: {name} calls a reusable workflow"
        for step in steps(job):
            uses = step.get("uses")
            if uses is not None:
                assert uses == "./" or PINNED.match(uses), (path.name, uses)
    for line in path.read_text().splitlines():
        if re.search(r"\buses: [^.]", line):
            assert VERSION_COMMENT.search(line), (path.name, line)


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_expression_inside_a_script_and_no_persisted_credentials(path: Path) -> None:
    for name, job in jobs(path).items():
        for step in steps(job):
            assert "${{" not in step.get("run", ""), (path.name, name, step.get("name"))
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, (path.name, name)


def test_write_permissions_only_where_they_are_needed() -> None:
    writes: dict[str, set[tuple[str, str]]] = {}
    for path in WORKFLOW_FILES:
        for name, job in jobs(path).items():
            for permission, level in job["permissions"].items():
                if level == "write":
                    writes.setdefault(permission, set()).add((path.name, name))
    releases = sorted(RELEASES)
    assert writes == {
        "contents": {(r, "audit") for r in releases},
        "id-token": {(r, "build") for r in releases},
        "attestations": {(r, "build") for r in releases},
    }


@pytest.mark.parametrize(("name", "stage"), sorted(RELEASES.items()))
def test_the_build_runs_only_on_go_at_its_stage_after_the_audit_line(name: str, stage: str) -> None:
    build = jobs(WORKFLOWS / name)["build"]
    assert build["needs"] == ["gate", "audit"]
    condition = " ".join(build["if"].split())
    assert condition == (
        f"needs.gate.outputs.verdict == 'GO' && needs.gate.outputs.stage == '{stage}' "
        "&& needs.audit.result == 'success'"
    )
    attest = [s for s in steps(build) if "attest-build-provenance" in str(s.get("uses"))]
    assert len(attest) == 1
    subjects = attest[0]["with"]["subject-path"].split()
    assert {"dist/*.whl", "dist/*.tar.gz"} <= set(subjects)
    assert any("maturity-eval.json" in s for s in subjects)


@pytest.mark.parametrize("name", sorted(RELEASES))
def test_the_gate_feeds_the_audit_job_whatever_the_verdict(name: str) -> None:
    workflow = jobs(WORKFLOWS / name)
    gate, audit = workflow["gate"], workflow["audit"]
    fetch, evaluate = (
        next(i for i, s in enumerate(steps(gate)) if s.get(key) == value)
        for key, value in (("id", "fetch"), ("uses", "./"))
    )
    assert fetch < evaluate
    assert "audit-log-fetch.sh" in steps(gate)[fetch]["run"]
    assert steps(gate)[evaluate]["with"]["audit-log"] == steps(gate)[fetch]["env"]["AUDIT_LOG"]
    handoff = next(s for s in steps(gate) if s.get("id") == "handoff")
    assert handoff["if"].startswith("always()")
    assert gate["outputs"]["audit-appended"] == "${{ steps.handoff.outputs.appended }}"
    assert audit["needs"] == "gate"
    assert audit["if"] == "always() && needs.gate.outputs.audit-appended == 'true'"
    pushes = [s for s in steps(audit) if "audit-log-push.sh" in s.get("run", "")]
    assert len(pushes) == 1
    assert pushes[0]["env"]["AUDIT_TOKEN"] == "${{ github.token }}"  # noqa: S105
    # The token is given to the one step that pushes, and to no other step of the job.
    others = [s for s in steps(audit) if s is not pushes[0]]
    assert all("github.token" not in str(s) for s in others)


def test_release_runs_share_one_queue_for_the_audit_branch() -> None:
    for name in RELEASES:
        assert load(WORKFLOWS / name)["concurrency"] == {
            "group": "maturity-audit",
            "cancel-in-progress": False,
        }
        for job in jobs(WORKFLOWS / name).values():
            assert "concurrency" not in job


def test_ga_can_be_run_by_hand_with_break_glass_inputs() -> None:
    workflow = load(WORKFLOWS / "release-ga.yml")
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert inputs["tag"]["required"] is True
    assert inputs["override_freeze"]["type"] == "boolean"
    assert set(inputs) == {"tag", "override", "override_freeze", "reason"}
    ref = workflow["env"]["RELEASE_REF"]
    assert "format('refs/tags/{0}', inputs.tag)" in ref
    for job in workflow["jobs"].values():
        checkout = steps(job)[0]
        assert checkout["with"]["ref"] == "${{ env.RELEASE_REF }}"
    evaluate = next(s for s in steps(workflow["jobs"]["gate"]) if s.get("uses") == "./")
    assert evaluate["with"]["reason"] == "${{ inputs.reason }}"
    assert evaluate["with"]["override"] == "${{ inputs.override }}"


def github_filter(pattern: str) -> re.Pattern[str]:
    """A tag filter as GitHub's filter pattern cheat sheet describes it (whole-name match)."""
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if c == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
            continue
        out += {"*": "[^/]*", "+": "+", "?": "?"}.get(c, re.escape(c))
        i += 1
    return re.compile(out)


@pytest.mark.parametrize(
    ("name", "matching", "not_matching"),
    [
        ("release-ga.yml", ["v1.2.3", "v10.20.30"], ["v1.2.3-rc.1", "v1.2", "v1.2.3.4", "x1.2.3"]),
        ("release-rc.yml", ["v1.2.3-rc.1", "v2.0.0-rc.10"], ["v1.2.3", "v1.2.3-beta.1"]),
    ],
)
def test_release_tag_filters(name: str, matching: list[str], not_matching: list[str]) -> None:
    patterns = [github_filter(p) for p in load(WORKFLOWS / name)["on"]["push"]["tags"]]
    for tag in matching:
        assert any(p.fullmatch(tag) for p in patterns), tag
    for tag in not_matching:
        assert not any(p.fullmatch(tag) for p in patterns), tag


def test_tag_verification_evaluates_every_tag_and_writes_no_audit_log() -> None:
    workflow = load(WORKFLOWS / "tag-verification.yml")
    assert workflow["on"] == {"push": {"tags": ["**"]}}
    (job,) = workflow["jobs"].values()
    (evaluate,) = [s for s in steps(job) if s.get("uses") == "./"]
    assert "audit-log" not in evaluate["with"]
    assert set(job["permissions"].values()) == {"read"}


def test_the_stages_file_check_honours_its_label() -> None:
    workflow = load(WORKFLOWS / "maturity-config.yml")
    trigger = workflow["on"]["pull_request"]
    assert {"labeled", "unlabeled", "synchronize"} <= set(trigger["types"])
    assert set(trigger["paths"]) == {"ci/maturity-stages.yml", "ci/maturity-waivers.yml"}
    (job,) = workflow["jobs"].values()
    (check,) = [s for s in steps(job) if "maturity" in s.get("run", "") and "validate" in s["run"]]
    label = re.fullmatch(
        r"\$\{\{ contains\(github\.event\.pull_request\.labels\.\*\.name, '([a-z-]+)'\) \}\}",
        check["env"]["WEAKER_OK"],
    )
    assert label is not None
    assert f"label {label.group(1)}" in check["run"]
    assert "--fail-on-weaker" in check["run"]
    assert "--base-ref" in check["run"]
    assert '--format markdown >> "$GITHUB_STEP_SUMMARY"' in check["run"]


def test_the_scripts_the_workflows_run_exist() -> None:
    for path in WORKFLOW_FILES:
        for script in re.findall(r"bash (\.[\w./-]+)", path.read_text()):
            assert (REPO_ROOT / script).is_file(), (path.name, script)
