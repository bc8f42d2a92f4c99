"""``.pre-commit-hooks.yaml``: the maturity-validate hook, run the way pre-commit runs it (its
entry and args as one command from the root of a git repository, no file names passed)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO_ROOT

HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"
VALID = REPO_ROOT / "ci" / "maturity-stages.yml"


def the_hook() -> dict[str, object]:
    hooks = yaml.safe_load(HOOKS.read_text("utf-8"))
    assert [h["id"] for h in hooks] == ["maturity-validate"]
    hook: dict[str, object] = hooks[0]
    return hook


def run_hook(repo: Path) -> subprocess.CompletedProcess[str]:
    """What pre-commit does for a python hook: the entry (from the hook's venv, where the
    package's console script is) plus args, in the repository's root."""
    hook = the_hook()
    command = [*shlex.split(str(hook["entry"])), *map(str, hook["args"])]  # type: ignore[call-overload]
    bin_dir = str(Path(sys.executable).parent)
    env = {"PATH": os.pathsep.join([bin_dir, "/usr/bin", "/bin"]), "HOME": str(repo)}
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "ci").mkdir()
    shutil.copy(VALID, tmp_path / "ci" / "maturity-stages.yml")
    return tmp_path


def test_the_hook_is_a_python_hook_run_once_on_the_maturity_files() -> None:
    hook = the_hook()
    assert hook["language"] == "python"
    assert hook["entry"] == "maturity validate"
    assert hook["pass_filenames"] is False
    files = re.compile(str(hook["files"]))
    for name in ("stages", "waivers", "budgets"):
        for ext in ("yml", "yaml"):
            assert files.search(f"ci/maturity-{name}.{ext}"), name
    for other in ("ci/maturity-stages.yml.bak", "docs/ci/maturity-stages.yml", "ci/other.yml"):
        assert not files.search(other), other


def test_a_valid_stages_file_passes(repo: Path) -> None:
    result = run_hook(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ci/maturity-stages.yml: 0 error(s)" in result.stdout


def test_an_invalid_stages_file_fails(repo: Path) -> None:
    (repo / "ci" / "maturity-stages.yml").write_text("version: 1\nstages: {}\n", encoding="utf-8")
    result = run_hook(repo)
    assert result.returncode == 1
    assert "missing required field 'mappings'" in result.stdout


def test_an_invalid_waivers_file_fails(repo: Path) -> None:
    (repo / "ci" / "maturity-waivers.yml").write_text(
        "version: 1\nwaivers:\n  - gate: promotion_guard\n", encoding="utf-8"
    )
    result = run_hook(repo)
    assert result.returncode == 1
    assert "ci/maturity-waivers.yml" in result.stdout


def test_without_a_stages_file_the_hook_says_so(repo: Path) -> None:
    (repo / "ci" / "maturity-stages.yml").unlink()
    result = run_hook(repo)
    assert result.returncode == 2
    assert "maturity init" in result.stderr
