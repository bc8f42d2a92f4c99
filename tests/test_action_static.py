"""The shape of ``action.yml``: its inputs and outputs, pinned actions, and the rule that no
``${{ }}`` ever reaches a script (zizmor and the JSON schema check run in .ci/run)."""

from __future__ import annotations

import re

import yaml
from action_runner import ACTION_FILE, load_action
from helpers import REPO_ROOT

INPUTS = {
    "config": "",
    "ref": "",
    "sha": "",
    "evidence-dir": "",
    "evidence": "",
    "wait": "false",
    "override": "",
    "override-freeze": "false",
    "reason": "",
    "audit-log": "",
    "output-dir": "dist/maturity",
    "token": "${{ github.token }}",
    "artifact-name": "maturity-eval",
}
OUTPUTS = (
    "verdict",
    "stage",
    "blocking-count",
    "overrides",
    "report-json",
    "report-md",
    "audit-line",
    "audit-sha256",
)
PINNED = re.compile(r"^\s*uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")


def test_inputs_are_exactly_the_documented_ones_with_their_defaults() -> None:
    inputs = load_action()["inputs"]
    assert {name: spec["default"] for name, spec in inputs.items()} == INPUTS
    for name, spec in inputs.items():
        assert spec["description"].strip(), name
        assert spec["required"] is False, name


def test_outputs_are_the_evaluate_steps_own() -> None:
    outputs = load_action()["outputs"]
    assert tuple(outputs) == OUTPUTS
    for name, spec in outputs.items():
        assert spec["value"] == f"${{{{ steps.evaluate.outputs.{name} }}}}"
        assert spec["description"].strip()


def test_no_script_holds_an_expression_and_every_input_is_used() -> None:
    steps = load_action()["runs"]["steps"]
    used = set()
    for step in steps:
        if "run" in step:
            assert "${{" not in step["run"], step.get("id")
            assert step["shell"] == "bash"
        for value in [*(step.get("env") or {}).values(), *(step.get("with") or {}).values()]:
            used.update(re.findall(r"inputs\.([\w-]+)", str(value)))
    assert used == set(INPUTS)


def test_every_action_is_pinned_by_full_sha_with_its_version() -> None:
    lines = [ln for ln in ACTION_FILE.read_text("utf-8").splitlines() if "uses:" in ln]
    pins = [PINNED.match(line) for line in lines]
    assert all(pins), lines
    assert {m.group(1): m.group(2) for m in pins if m} == {
        "actions/setup-python": "0b93645e9fea7318ecaed2b359559ac225c90a2b",
        "actions/upload-artifact": "ea165f8d65b6e75b540449e92b4886f43607fa02",
    }


def test_the_reports_are_uploaded_before_the_step_fails() -> None:
    ids = [step.get("id") for step in load_action()["runs"]["steps"]]
    assert ids[-2:] == ["upload", "verdict"]
    upload, verdict = load_action()["runs"]["steps"][-2:]
    for step in (upload, verdict):
        assert step["if"].startswith("always()")
    assert upload["with"]["name"] == (
        "${{ inputs.artifact-name }}-${{ github.run_id }}-${{ github.run_attempt }}"
    )


def test_the_reference_lists_every_input_with_its_default_and_its_example_is_valid() -> None:
    text = (REPO_ROOT / "docs" / "action.md").read_text("utf-8")
    rows = re.findall(r"^\| `([\w-]+)` \| (.*?) \|", text, flags=re.MULTILINE)
    documented = {name: default for name, default in rows if name in INPUTS}
    assert set(documented) == set(INPUTS)
    for name, default in documented.items():
        assert default == (f"`{INPUTS[name]}`" if INPUTS[name] else "(empty)"), name
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    steps = [s for b in blocks for job in yaml.safe_load(b)["jobs"].values() for s in job["steps"]]
    ours = [s for s in steps if s.get("uses", "").startswith("OWNER/REPO@")]
    assert ours
    assert all(set(s.get("with", {})) <= set(INPUTS) for s in ours)
