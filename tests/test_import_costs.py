"""Commands import only what they use (start-up time is part of the product).

Checked with ``python -X importtime``, which lists every module a process imports:
``resolve`` and ``validate`` load no kind module beyond what the stages file names, and no
gate code at all on the built-in defaults; ``evaluate`` loads the kinds of the gates it runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GATE_NAMES, clean_env, run_importtime

from maturity.cli import COMMAND_MODULES
from maturity.cli.parser import build_parser

ROOT = Path(__file__).resolve().parent.parent
GATES = GATE_NAMES
#: the GitHub-checks kind's run-time code: loaded only when one of its gates runs
CHECKS_RUNTIME = {
    "maturity.kinds.github_checks.judge",
    "maturity.kinds.github_checks.model",
    "maturity.kinds.github_checks.polling",
    "maturity.kinds.github_checks.source",
    "maturity.kinds.github_checks.saved_answer",
    "maturity.kinds.github_checks.answers",
    "maturity.github.client",
}


def imported(cwd: Path, *args: str) -> set[str]:
    proc, modules = run_importtime(["-m", "maturity", *args], cwd)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return modules


def kinds(modules: set[str]) -> set[str]:
    return {m for m in modules if m.startswith("maturity.kinds.")}


def stages(levels: str, gates: str = "") -> str:
    rows = "".join(f"      {g}: {levels}\n" for g in GATES)
    return (
        f"version: 1\nstages:\n  S:\n    gates:\n{rows}mappings:\n"
        f"  - pattern: '*'\n    stage: S\n{gates}"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("resolve", "v1.2.3", "--builtin-config"),
        ("resolve", "--tag", "v1.2.3"),  # ci/maturity-stages.yml: the defaults, as a file
        ("validate", "ci/maturity-stages.yml"),
    ],
)
def test_no_gate_code_on_the_defaults(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_bytes(
        (ROOT / "ci" / "maturity-stages.yml").read_bytes()
    )
    modules = imported(tmp_path, *args)
    assert "maturity.config.load" in modules  # the command did run
    assert kinds(modules) == set()
    assert not modules & CHECKS_RUNTIME


def test_a_settings_block_loads_that_kind_s_settings_only(tmp_path: Path) -> None:
    block = "gates:\n  promotion_guard:\n    required_checks: [test]\n"
    (tmp_path / "s.yml").write_text(stages("required", block), encoding="utf-8")
    for args in (("validate", "s.yml"), ("resolve", "main", "--config", "s.yml")):
        modules = imported(tmp_path, *args)
        assert "maturity.kinds.github_checks.settings" in modules
        assert "maturity.kinds.evidence" not in modules
        assert not modules & CHECKS_RUNTIME, sorted(modules & CHECKS_RUNTIME)


def test_a_custom_gate_loads_its_kind_and_no_other(tmp_path: Path) -> None:
    text = stages("off").replace(
        "      field_budgets: off\n", "      field_budgets: off\n      mine: required\n"
    )
    text += "gates:\n  mine:\n    kind: evidence\n"
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    modules = imported(tmp_path, "resolve", "main", "--config", "s.yml")
    assert kinds(modules) == {"maturity.kinds.evidence", "maturity.kinds.interface"}


def test_evaluate_loads_only_the_kinds_of_gates_it_runs(tmp_path: Path) -> None:
    text = stages("off").replace("      deps_approval: off\n", "      deps_approval: required\n")
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    (tmp_path / "d.json").write_text('{"ok": true}', encoding="utf-8")
    args = ("evaluate", "--config", "s.yml", "--ref", "main", "--evidence", "deps_approval=d.json")
    modules = imported(tmp_path, *args)
    assert "maturity.kinds.evidence" in modules
    assert not {m for m in modules if m.startswith("maturity.kinds.github_checks")}
    assert "maturity.config.reach" not in modules  # validate's advisory analyses


def test_help_schema_and_init_import_no_pydantic(tmp_path: Path) -> None:
    for args in (("--help",), ("schema", "config"), ("init", "--path", "x.yml")):
        modules = imported(tmp_path, *args)
        assert "pydantic" not in modules, args
        assert "maturity.kinds" not in modules, args


#: break glass: loaded only by a run that uses it
EXCEPTION_CODE = ("maturity.overrides", "maturity.breakglass", "maturity.waivers", "maturity.audit")


def test_evaluate_without_exceptions_loads_no_break_glass_code(tmp_path: Path) -> None:
    """No freeze window, waivers file, override or audit log: none of their code is loaded,
    nor the freeze windows' time logic."""
    modules = imported(tmp_path, "evaluate", "--builtin-config", "--tag", "v1.2.3")
    assert "maturity.engine" in modules  # the command did run
    assert not {m for m in modules if m.startswith(EXCEPTION_CODE)}
    assert "maturity.config.freeze" not in modules


def test_evaluate_with_freeze_windows_and_waivers_loads_only_what_they_need(
    tmp_path: Path,
) -> None:
    windows = (
        "freeze_windows:\n  - name: weekend\n    stages: [S]\n"
        "    weekly: {from: 'Fri 16:00', to: 'Mon 08:00'}\n    timezone: Europe/Berlin\n"
    )
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text(stages("off", windows), encoding="utf-8")
    modules = imported(tmp_path, "evaluate", "--tag", "v1.2.3", "--now", "2026-12-02T12:00:00Z")
    assert "maturity.config.freeze" in modules
    assert not {m for m in modules if m.startswith(EXCEPTION_CODE)}


def test_every_command_has_its_module_and_loads_no_other_command() -> None:
    """The dispatch table names a module for each subcommand the parser knows, and running one
    command imports that command's module alone."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(COMMAND_MODULES) == set(sub.choices)
    code = (
        "import sys\n"
        "from maturity.cli import main\n"
        "main(['schema', 'config'])\n"
        "print(sorted(m for m in sys.modules if m.endswith('_cmd')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), check=True
    )
    assert proc.stdout.splitlines()[-1] == "['maturity.cli.schema_cmd']"
