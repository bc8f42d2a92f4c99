"""The README's worked example is what the tool prints, line for line; its quick-start workflow
is the checked example file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from helpers import REPO_ROOT, run_cli

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_worked_example_is_the_real_output(tmp_path: Path) -> None:
    block = re.search(r"## Worked example\n\n```console\n(.*?)```", README, re.DOTALL)
    assert block is not None
    lines = block.group(1).splitlines()
    command = lines[0]
    assert command.startswith("$ maturity evaluate ")
    expected = lines[1 : lines.index("$ echo $?")]
    shutil.copytree(REPO_ROOT / "examples", tmp_path / "examples")
    result = run_cli(command.removeprefix("$ maturity ").split(), tmp_path)
    assert result.stdout.splitlines() == expected
    assert str(result.code) == lines[lines.index("$ echo $?") + 1]


def test_the_quick_start_workflow_is_the_checked_example() -> None:
    """The README's quick-start workflow is examples/workflows/release.yml, which .ci/run
    audits with zizmor and validates against the workflow schema; and it gates on GO at GA."""
    blocks = re.findall(r"```yaml\n(# \.github/workflows/release\.yml\n.*?)```", README, re.S)
    example = (REPO_ROOT / "examples" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert blocks == [example]
    workflow = yaml.safe_load(example)
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["publish"]["needs"] == "gate"
    condition = workflow["jobs"]["publish"]["if"]
    assert "needs.gate.outputs.verdict == 'GO'" in condition
    assert "needs.gate.outputs.stage == 'GA'" in condition
    steps = workflow["jobs"]["gate"]["steps"]
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s][-1] == "OWNER/maturity"
