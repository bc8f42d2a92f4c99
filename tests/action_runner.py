"""Run ``action.yml`` the way a GitHub runner runs a composite action, on this machine.

For each step in order: its ``if:`` is evaluated (:mod:`action_expressions`); ``${{ }}`` is
substituted in ``env:`` and ``with:`` only (a ``run:`` holding one is refused: the action must
not have any); a ``run:`` step runs as ``bash --noprofile --norc -eo pipefail FILE`` (what the
runner runs for ``shell: bash``) in the workspace, with a clean base environment, the step's
``env:``, and ``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_PATH`` and ``GITHUB_STEP_SUMMARY`` as
fresh real files per step, parsed afterwards and applied to later steps as the runner does.
Workflow commands on stdout and stderr (``::error``, ``::set-output``, ``::stop-commands``...)
are parsed too, so an injected one would show. ``uses:`` steps are simulated:
``actions/setup-python`` reports a Python, ``actions/upload-artifact`` copies its ``path:``
into an artifacts folder under its ``name:``. Finally the action's outputs are resolved.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from action_expressions import Status, step_condition, substitute, to_text
from helpers import REPO_ROOT, parse_github_output

ACTION_FILE = REPO_ROOT / "action.yml"
#: where the action keeps its venv, under RUNNER_TEMP (action.yml's install step)
VENV_UNDER_TEMP = Path("maturity-action") / "venv"
#: a PATH on which the action finds this interpreter's Python (and bash, git)
PATH_WITH_PYTHON = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
STAMP_NAME = "maturity-action.stamp"


class HarnessError(AssertionError):
    """The action does something a runner would refuse, or this harness does not model."""


@dataclass(frozen=True)
class Annotation:
    kind: str  # error, warning, notice
    message: str
    properties: Mapping[str, str]


@dataclass
class StepRun:
    id: str
    name: str
    outcome: str  # success, failure, skipped
    env: Mapping[str, str] = field(default_factory=dict)  # the step's env:, substituted
    with_: Mapping[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    annotations: list[Annotation]
    summary: str
    artifacts: dict[str, Path]  # artifact name -> its folder
    uses_calls: list[str]  # each `uses:` that ran

    @property
    def failed(self) -> bool:
        return any(s.outcome == "failure" for s in self.steps)

    def step(self, step_id: str) -> StepRun:
        found = [s for s in self.steps if s.id == step_id]
        assert len(found) == 1, f"no step {step_id!r}"
        return found[0]

    def errors(self) -> list[str]:
        return [a.message for a in self.annotations if a.kind == "error"]


def load_action(path: Path = ACTION_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _scalar(value: object) -> str:
    """A YAML scalar as the runner reads it: a string (``true``, not Python's ``True``)."""
    return to_text(value) if isinstance(value, bool | None) else str(value)


def _unescape(value: str, prop: bool = False) -> str:
    if prop:
        value = value.replace("%3A", ":").replace("%2C", ",")
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def parse_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands in a step's output (``::cmd k=v,k=v::data`` and the legacy
    ``##[cmd k=v;]data``), honouring ``::stop-commands::TOKEN`` ... ``::TOKEN::``."""
    found: list[tuple[str, dict[str, str], str]] = []
    stop_token: str | None = None
    for line in text.splitlines():
        body = line.strip()
        if stop_token is not None:
            if body == f"::{stop_token}::":
                stop_token = None
            continue
        if body.startswith("::"):
            head, sep, data = body[2:].partition("::")
        elif "##[" in body:
            head, sep, data = body.split("##[", 1)[1].partition("]")
            head = head.replace(";", ",").rstrip(",")
        else:
            continue
        if not sep:
            continue
        name, _, props_text = head.partition(" ")
        props = {}
        for item in filter(None, props_text.split(",")):
            key, _, value = item.partition("=")
            props[key.strip()] = _unescape(value, prop=True)
        if name == "stop-commands":
            stop_token = data
            continue
        found.append((name, props, _unescape(data)))
    return found


@dataclass
class ActionRunner:
    """One job's runner: a workspace, RUNNER_TEMP, an artifacts folder and a base environment.

    *setup_python* is the interpreter the simulated ``actions/setup-python`` reports.
    """

    workspace: Path
    runner_temp: Path
    artifacts_dir: Path
    base_env: Mapping[str, str]
    action_path: Path = REPO_ROOT
    github: Mapping[str, str] = field(default_factory=dict)
    check_run_id: str | None = None
    setup_python: str = sys.executable
    timeout: float = 300

    def run(self, inputs: Mapping[str, str]) -> ActionRun:
        action = load_action(self.action_path / "action.yml")
        assert action["runs"]["using"] == "composite"
        declared = action.get("inputs") or {}
        unknown = set(inputs) - set(declared)
        if unknown:
            raise HarnessError(f"inputs the action does not declare: {sorted(unknown)}")
        contexts: dict[str, Any] = {
            "github": {
                "token": "",
                "action_path": str(self.action_path.resolve()),
                "workspace": str(self.workspace),
                **self.github,
            },
            "runner": {"temp": str(self.runner_temp), "os": "Linux"},
            "job": {"check_run_id": self.check_run_id},
            "steps": {},
        }
        contexts["inputs"] = {
            name: inputs[name]
            if name in inputs
            else substitute(str(spec.get("default", "")), contexts)
            for name, spec in declared.items()
        }
        result = ActionRun([], {}, [], "", {}, [])
        exported: dict[str, str] = {}  # GITHUB_ENV
        path_additions: list[str] = []  # GITHUB_PATH, newest first
        for index, step in enumerate(action["runs"]["steps"]):
            step_id = str(step.get("id") or f"__step{index}")
            record = StepRun(step_id, str(step.get("name", step_id)), "skipped")
            result.steps.append(record)
            if not step_condition(step.get("if"), contexts, Status(failed=result.failed)):
                contexts["steps"][step_id] = {"outputs": {}, "outcome": "skipped"}
                continue
            record.env = {
                k: substitute(_scalar(v), contexts) for k, v in (step.get("env") or {}).items()
            }
            record.with_ = {
                k: substitute(_scalar(v), contexts) for k, v in (step.get("with") or {}).items()
            }
            start = time.perf_counter()
            if "uses" in step:
                self._uses(str(step["uses"]), record, result)
            else:
                self._run(step, record, result, exported, path_additions)
            record.seconds = time.perf_counter() - start
            contexts["steps"][step_id] = {
                "outputs": dict(record.outputs),
                "outcome": record.outcome,
            }
        for name, spec in (action.get("outputs") or {}).items():
            result.outputs[name] = substitute(str(spec["value"]), contexts)
        return result

    def _base(self, exported: Mapping[str, str], path_additions: list[str]) -> dict[str, str]:
        env = dict(self.base_env)
        env.update(exported)
        if path_additions:
            env["PATH"] = os.pathsep.join([*path_additions, env.get("PATH", "")])
        env.update(
            GITHUB_ACTIONS="true",
            GITHUB_ACTION_PATH=str(self.action_path.resolve()),
            GITHUB_WORKSPACE=str(self.workspace),
            RUNNER_TEMP=str(self.runner_temp),
        )
        return env

    def _run(
        self,
        step: Mapping[str, Any],
        record: StepRun,
        result: ActionRun,
        exported: dict[str, str],
        path_additions: list[str],
    ) -> None:
        script = str(step["run"])
        if "${{" in script:
            raise HarnessError(f"step {record.id}: ${{{{ }}}} inside run: (use env:)")
        if step.get("shell") != "bash":
            raise HarnessError(f"step {record.id}: only shell: bash is modelled")
        files_dir = self.runner_temp / "_runner_file_commands"
        files_dir.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        files = {
            name: files_dir / f"{name.lower()}_{token}"
            for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
        }
        for path in files.values():
            path.write_text("", encoding="utf-8")
        script_file = self.runner_temp / f"{token}.sh"
        script_file.write_text(script, encoding="utf-8")
        env = self._base(exported, path_additions)
        env.update(record.env)
        env.update({name: str(path) for name, path in files.items()})
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=self.timeout,
            check=False,
        )
        record.exit_code, record.stdout, record.stderr = proc.returncode, proc.stdout, proc.stderr
        record.outcome = "success" if proc.returncode == 0 else "failure"
        for stream in (proc.stdout, proc.stderr):
            for name, props, data in parse_commands(stream):
                if name == "set-output":
                    record.outputs[props.get("name", "")] = data
                elif name in ("error", "warning", "notice"):
                    result.annotations.append(Annotation(name, data, props))
                elif name in ("set-env", "add-path"):  # disabled by the runner: the step fails
                    record.outcome = "failure"
        record.outputs.update(parse_github_output(files["GITHUB_OUTPUT"].read_text("utf-8")))
        exported.update(parse_github_output(files["GITHUB_ENV"].read_text("utf-8")))
        for line in files["GITHUB_PATH"].read_text("utf-8").splitlines():
            if line.strip():
                path_additions.insert(0, line.strip())
        result.summary += files["GITHUB_STEP_SUMMARY"].read_text("utf-8")

    def _uses(self, uses: str, record: StepRun, result: ActionRun) -> None:
        result.uses_calls.append(uses)
        action = uses.split("@", 1)[0]
        if action == "actions/setup-python":
            version = ".".join(map(str, sys.version_info[:3]))
            record.outputs = {"python-path": self.setup_python, "python-version": version}
            record.outcome = "success"
        elif action == "actions/upload-artifact":
            self._upload(record, result)
        else:
            raise HarnessError(f"no simulation for {uses}")

    def _upload(self, record: StepRun, result: ActionRun) -> None:
        name = record.with_["name"]
        if name in result.artifacts or (self.artifacts_dir / name).exists():
            record.outcome = "failure"  # v4: an artifact name is taken once per run
            result.annotations.append(Annotation("error", f"artifact {name} exists", {}))
            return
        target = self.artifacts_dir / name
        searched = [
            Path(os.path.normpath(self.workspace / line.strip()))
            for line in record.with_["path"].splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
        root = upload_root(searched)
        files = sorted(
            {f for p in searched for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()}
        )
        if record.with_.get("include-hidden-files", "false") != "true":  # v4.4+: left out
            files = [
                f
                for f in files
                if not any(part.startswith(".") for part in f.relative_to(root).parts)
            ]
        for source in files:
            (target / source.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / source.relative_to(root))
        copied = len(files)
        if not copied and record.with_.get("if-no-files-found", "warn") != "ignore":
            kind = "error" if record.with_.get("if-no-files-found") == "error" else "warning"
            result.annotations.append(Annotation(kind, f"no files found for {name}", {}))
            record.outcome = "failure" if kind == "error" else "success"
            return
        result.artifacts[name] = target
        record.outcome = "success"


def upload_root(searched: list[Path]) -> Path:
    """The folder upload-artifact stores paths relative to (its ``search.ts``): for one path,
    that folder itself (or a file's folder); for several, their longest common ancestor."""
    if len(searched) == 1:
        return searched[0] if searched[0].is_dir() else searched[0].parent
    return Path(os.path.commonpath(searched))


def runner_env(home: Path, path: str, **extra: str) -> dict[str, str]:
    """A clean base environment, as a hosted runner would give a job (no variables of this
    process leak in), plus *extra*."""
    env = {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": str(home),
    }
    env.update(extra)
    return env


def offline_pip_env() -> dict[str, str]:
    """pip's settings (PIP_* variables) for installing the action's folder without a network:
    no index, and the build backend (setuptools) taken from the environment instead of an
    isolated build environment (``PIP_NO_BUILD_ISOLATION=0`` turns isolation *off*: pip reads
    the variable as the value of ``build_isolation``)."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def prepare_offline_venv(runner_temp: Path) -> Path:
    """Create the venv where the action will look for it, seeing this interpreter's packages.

    ``python -m venv --without-pip`` plus a ``.pth`` file listing this interpreter's
    site-packages: pip, the dependencies and the build backend count as installed there, so
    the action's own ``pip install $GITHUB_ACTION_PATH`` builds and installs offline. The
    venv's identity (base prefix, version) is this interpreter's, so the action keeps it.
    """
    spec = importlib.util.find_spec("setuptools")
    try:
        major = int(importlib.metadata.version("setuptools").split(".")[0])
    except importlib.metadata.PackageNotFoundError:
        major = 0
    if spec is None or spec.origin is None or major < 77:
        raise HarnessError(
            "building maturity needs setuptools>=77 (the SPDX license field); "
            "install it into the test environment: pip install 'setuptools>=77'"
        )
    venv = runner_temp / VENV_UNDER_TEMP
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-I",
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    paths = sysconfig.get_paths()
    # setuptools first: where it was found may be ahead of an older copy in site-packages
    entries = [str(Path(spec.origin).resolve().parent.parent), paths["purelib"], paths["platlib"]]
    Path(purelib, "test-interpreter.pth").write_text(
        "\n".join(dict.fromkeys(entries)) + "\n", encoding="utf-8"
    )
    return venv
