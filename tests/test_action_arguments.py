"""The evaluate step of ``action.yml`` builds maturity's argument list from the inputs: each
input becomes exactly the arguments it should, every value stays one literal argument.

The step's own ``run:`` script is run under bash as the runner runs it, with a stand-in for
the venv's Python that records the argument vector it was given (NUL-separated).
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from action_runner import load_action
from helpers import parse_github_output

INPUT_VARIABLES = {
    "config": "INPUT_CONFIG",
    "ref": "INPUT_REF",
    "sha": "INPUT_SHA",
    "evidence-dir": "INPUT_EVIDENCE_DIR",
    "evidence": "INPUT_EVIDENCE",
    "wait": "INPUT_WAIT",
    "override": "INPUT_OVERRIDE",
    "override-freeze": "INPUT_OVERRIDE_FREEZE",
    "reason": "INPUT_REASON",
    "audit-log": "INPUT_AUDIT_LOG",
    "output-dir": "INPUT_OUTPUT_DIR",
}
DEFAULTS = {"wait": "false", "override-freeze": "false", "output-dir": "dist/maturity"}


def evaluate_step() -> Mapping[str, object]:
    steps = load_action()["runs"]["steps"]
    found = [s for s in steps if s.get("id") == "evaluate"]
    assert len(found) == 1
    step: Mapping[str, object] = found[0]
    return step


def maturity_args(
    tmp_path: Path, exit_code: int = 0, **inputs: str
) -> tuple[list[str], dict[str, str]]:
    """The arguments after ``-I -m maturity``, and the step's outputs."""
    recorder = tmp_path / "python"
    args_file = tmp_path / "args"
    recorder.write_text(
        f"#!/bin/bash\nprintf '%s\\0' \"$@\" > '{args_file}'\nexit {exit_code}\n", encoding="utf-8"
    )
    recorder.chmod(0o755)
    script = tmp_path / "step.sh"
    script.write_text(str(evaluate_step()["run"]), encoding="utf-8")
    output = tmp_path / "output"
    output.write_text("", encoding="utf-8")
    values = {**DEFAULTS, **{k.replace("_", "-"): v for k, v in inputs.items()}}
    env = {"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output), "MATURITY_PYTHON": str(recorder)}
    env.update({var: values.get(name, "") for name, var in INPUT_VARIABLES.items()})
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr  # the verdict never fails this step
    argv = args_file.read_text("utf-8").split("\0")[:-1]
    assert argv[:3] == ["-I", "-m", "maturity"]
    return argv[3:], parse_github_output(output.read_text("utf-8"))


def test_the_step_maps_every_input_it_reads_through_env() -> None:
    env = evaluate_step()["env"]
    assert isinstance(env, dict)
    for name, variable in INPUT_VARIABLES.items():
        assert env[variable] == f"${{{{ inputs.{name} }}}}"


def test_defaults_give_evaluate_and_the_output_dir_only(tmp_path: Path) -> None:
    args, outputs = maturity_args(tmp_path)
    assert args == ["evaluate", "--output-dir=dist/maturity"]
    assert outputs == {"exit-code": "0"}


def test_every_input_becomes_its_flag(tmp_path: Path) -> None:
    args, _ = maturity_args(
        tmp_path,
        config="ci/stages.yml",
        ref="refs/tags/v1.2.3",
        sha="0" * 40,
        evidence_dir="ev",
        evidence="promotion_guard=a.json\n\n  deps_approval = b.json  \r\n",
        wait="true",
        override="promotion_guard, observability_verify\nfreeze  deps_approval,,",
        override_freeze="true",
        reason="INC-1: why",
        audit_log="audit.jsonl",
        output_dir="out",
    )
    assert args == [
        "evaluate",
        "--config=ci/stages.yml",
        "--ref=refs/tags/v1.2.3",
        f"--sha={'0' * 40}",
        "--evidence-dir=ev",
        "--evidence=promotion_guard=a.json",
        "--evidence=deps_approval = b.json",
        "--wait",
        "--override=promotion_guard",
        "--override=observability_verify",
        "--override=freeze",
        "--override=deps_approval",
        "--override-freeze",
        "--reason=INC-1: why",
        "--audit-log=audit.jsonl",
        "--output-dir=out",
    ]


@pytest.mark.parametrize("value", ["*", "$(touch pwned)", "a b\nc", "--wait", "-h", "'\"`\\"])
def test_values_stay_literal_single_arguments(tmp_path: Path, value: str) -> None:
    """Globs are not expanded, nothing is evaluated, spaces and newlines do not split, and a
    value that looks like an option is still the flag's value (``--flag=value``)."""
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # what an expanded * would name
    args, _ = maturity_args(tmp_path, ref=value, reason=value, config=value, audit_log=value)
    assert args == [
        "evaluate",
        f"--config={value}",
        f"--ref={value}",
        f"--reason={value}",
        f"--audit-log={value}",
        "--output-dir=dist/maturity",
    ]
    assert not (tmp_path / "pwned").exists()


def test_an_override_glob_is_not_expanded(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    args, _ = maturity_args(tmp_path, override="* promotion_guard")
    assert args[1:3] == ["--override=*", "--override=promotion_guard"]


@pytest.mark.parametrize("code", [1, 2])
def test_the_exit_status_is_recorded_not_raised(tmp_path: Path, code: int) -> None:
    _, outputs = maturity_args(tmp_path, exit_code=code)
    assert outputs == {"exit-code": str(code)}
