"""The README's worked example is what the tool prints, line for line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

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
