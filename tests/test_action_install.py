"""The action's install step: pip runs only when what would be installed changed (the stamp),
and the caller's working directory and PYTHON* variables never reach the install or the run.

Each test works on a copy of the action's folder (so it may change a file) with its own
RUNNER_TEMP, and installs cold, offline (tests/action_runner.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
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
from helpers import EXAMPLES, GITHUB_ENV, REPO_ROOT


def copy_action(target: Path) -> Path:
    target.mkdir()
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, target / name)
    shutil.copytree(
        REPO_ROOT / "maturity", target / "maturity", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


def make_runner(tmp_path: Path, action_path: Path, **env: str) -> ActionRunner:
    runner_temp, ws, home = tmp_path / "temp", tmp_path / "ws", tmp_path / "home"
    for folder in (runner_temp, ws, home):
        folder.mkdir(exist_ok=True)
    if not (runner_temp / VENV_UNDER_TEMP).exists():
        prepare_offline_venv(runner_temp)
    shutil.copytree(EXAMPLES / "ga-pass", ws / "evidence", dirs_exist_ok=True)
    base = runner_env(home, PATH_WITH_PYTHON, **GITHUB_ENV, **offline_pip_env(), **env)
    return ActionRunner(
        ws, runner_temp, tmp_path / "artifacts", base, action_path=action_path,
        github={"run_id": "1", "run_attempt": "1"},
    )  # fmt: skip


def run_go(runner: ActionRunner, attempt: int) -> ActionRun:
    runner.github = {**runner.github, "run_attempt": str(attempt)}
    run = runner.run({"ref": "v1.2.3", "evidence-dir": "evidence"})
    assert run.outputs["verdict"] == "GO", [(s.id, s.stderr) for s in run.steps]
    return run


def installed_file(runner: ActionRunner, module: str) -> Path:
    python = runner.runner_temp / VENV_UNDER_TEMP / "bin" / "python"
    out = subprocess.run(
        [str(python), "-I", "-c", f"import {module}; print({module}.__file__)"],
        cwd=runner.runner_temp,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def test_pip_runs_again_only_when_the_installed_files_change(tmp_path: Path) -> None:
    action = copy_action(tmp_path / "action")
    runner = make_runner(tmp_path, action)
    stamp = runner.runner_temp / VENV_UNDER_TEMP / STAMP_NAME

    cold = run_go(runner, 1)
    assert "pip not run" not in cold.step("install").stdout
    first = stamp.read_text("utf-8")
    warm = run_go(runner, 2)
    assert "pip not run" in warm.step("install").stdout
    assert stamp.read_text("utf-8") == first

    # a byte-cache file is not what pip installs: still warm
    (action / "maturity" / "__pycache__").mkdir()
    (action / "maturity" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert "pip not run" in run_go(runner, 3).step("install").stdout

    with (action / "maturity" / "text.py").open("a", encoding="utf-8") as fh:
        fh.write("# changed\n")
    changed = run_go(runner, 4)
    assert "pip not run" not in changed.step("install").stdout
    assert stamp.read_text("utf-8") != first
    assert installed_file(runner, "maturity.text").read_text("utf-8").endswith("# changed\n")

    (action / "maturity" / "new_module.py").write_text("", encoding="utf-8")
    assert "pip not run" not in run_go(runner, 5).step("install").stdout

    # the build happened in a copy: the action's folder has no build/ or *.egg-info
    assert sorted(p.name for p in action.iterdir()) == [
        "README.md", "action.yml", "maturity", "pyproject.toml",
    ]  # fmt: skip


@pytest.mark.parametrize("via", ["working directory", "PYTHONPATH"])
def test_the_callers_modules_are_never_imported(tmp_path: Path, via: str) -> None:
    """Modules named like the ones the install and the run import, each leaving a marker if
    imported, in the workspace (the steps' working directory) or on PYTHONPATH."""
    action = copy_action(tmp_path / "action")
    shadow = tmp_path / "ws" if via == "working directory" else tmp_path / "shadow"
    markers = tmp_path / "markers"
    markers.mkdir()
    modules = ["venv", "ensurepip", "hashlib", "pip", "setuptools", "maturity", "yaml", "pydantic"]
    for name in modules:
        (shadow / name).mkdir(parents=True)
        (shadow / name / "__init__.py").write_text(
            f"open({str(markers / name)!r}, 'w').close()\n", encoding="utf-8"
        )
    env = {"PYTHONPATH": str(shadow)} if via == "PYTHONPATH" else {}
    runner = make_runner(tmp_path, action, **env)

    run = run_go(runner, 1)

    assert "pip not run" not in run.step("install").stdout
    assert list(markers.iterdir()) == []
    assert installed_file(runner, "maturity").is_relative_to(runner.runner_temp)
