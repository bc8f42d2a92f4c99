"""The runner stand-in itself (tests/action_runner.py), on a small composite action of its own:
what ``action.yml`` does not use today must still behave as on a runner, or a later change to
the action could pass here and fail there."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from action_runner import ActionRunner, HarnessError, runner_env

STEPS: list[dict[str, Any]] = [
    {
        "id": "export",
        "shell": "bash",
        "run": 'mkdir -p tools && printf "#!/bin/sh\\necho tool\\n" > tools/tool && '
        "chmod +x tools/tool\n"
        'echo "FOO=bar" >> "$GITHUB_ENV"\n'
        'printf "MULTI<<EOF\\none\\ntwo\\nEOF\\n" >> "$GITHUB_ENV"\n'
        'echo "$PWD/tools" >> "$GITHUB_PATH"\n'
        'echo "## hello" >> "$GITHUB_STEP_SUMMARY"\n',
    },
    {
        "id": "read",
        "shell": "bash",
        "env": {"GREETING": "${{ inputs.greeting }}"},
        "run": '{ echo "foo=$FOO"; echo "tool=$(tool)"; echo "greeting=$GREETING"; '
        'echo "multi<<X"; echo "$MULTI"; echo X; } >> "$GITHUB_OUTPUT"\n'
        "echo '::set-output name=legacy::from%0Astdout'\n"
        "echo '::stop-commands::tok'\n"
        "echo '::set-output name=ignored::yes'\n"
        "echo '::tok::'\n"
        "echo '::warning title=t::a warning' >&2\n",
    },
    {"id": "fail", "shell": "bash", "run": "exit 3"},
    {"id": "after", "shell": "bash", "run": "true"},
    {"id": "on-failure", "if": "failure()", "shell": "bash", "run": "echo ran=1 >> $GITHUB_OUTPUT"},
]
ACTION: dict[str, Any] = {
    "name": "t",
    "description": "t",
    "inputs": {"greeting": {"description": "g", "default": "hi ${{ github.run_id }}"}},
    "outputs": {"foo": {"value": "${{ steps.read.outputs.foo }}"}},
    "runs": {"using": "composite", "steps": STEPS},
}


def runner(tmp_path: Path, action: Mapping[str, Any]) -> ActionRunner:
    folder = tmp_path / "action"
    folder.mkdir()
    (folder / "action.yml").write_text(yaml.safe_dump(dict(action)), encoding="utf-8")
    for name in ("ws", "temp", "home"):
        (tmp_path / name).mkdir()
    env = runner_env(tmp_path / "home", "/usr/bin:/bin")
    return ActionRunner(
        tmp_path / "ws",
        tmp_path / "temp",
        tmp_path / "artifacts",
        env,
        action_path=folder,
        github={"run_id": "7"},
    )


def test_file_commands_workflow_commands_and_failure_flow(tmp_path: Path) -> None:
    run = runner(tmp_path, ACTION).run({})

    assert run.step("read").outputs == {
        "foo": "bar",
        "tool": "tool",
        "greeting": "hi 7",
        "multi": "one\ntwo",
        "legacy": "from\nstdout",
    }
    assert run.outputs == {"foo": "bar"}
    assert [(a.kind, a.message, dict(a.properties)) for a in run.annotations] == [
        ("warning", "a warning", {"title": "t"})
    ]
    assert run.summary == "## hello\n"
    assert run.step("fail").exit_code == 3
    assert [s.outcome for s in run.steps] == ["success", "success", "failure", "skipped", "success"]
    assert run.failed


def test_an_expression_inside_run_is_refused(tmp_path: Path) -> None:
    action = {**ACTION, "runs": {"using": "composite", "steps": [
        {"id": "bad", "shell": "bash", "run": "echo ${{ inputs.greeting }}"},
    ]}}  # fmt: skip
    with pytest.raises(HarnessError, match="inside run"):
        runner(tmp_path, action).run({})


def test_an_undeclared_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="does not declare"):
        runner(tmp_path, ACTION).run({"greting": "typo"})
