"""The exception policy in the stages file: every mistake is a located error (``file:line``)
for ``validate`` and exit 2 for ``evaluate`` (a freeze window that names a misspelt stage must
never silently freeze nothing); a file without the sections builds none of their models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO_ROOT, clean_env, run_cli

from maturity.config.exception_models import ExceptionPolicySpec
from maturity.config.exception_policy import POLICY_KEYS

EXAMPLE = (REPO_ROOT / "examples" / "stages" / "break-glass.yml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


MISTAKES = [
    # (old, new, line containing, message part)
    ("timezone: Europe/Berlin", "timezone: Europe/Berlinn", "timezone:", "Europe/Berlinn"),
    ("timezone: Europe/Berlin", "timezone: ../../etc/passwd", "timezone:", "passwd"),
    (
        'start: "2026-12-20T00:00:00+01:00"',
        'start: "2026-12-20T00:00:00"',
        "    start:",
        "offset",
    ),
    (
        'start: "2026-12-20T00:00:00+01:00"',
        "start: 2026-12-20T00:00:00",
        "    start:",
        "offset",
    ),
    (
        'end: "2027-01-04T08:00:00+01:00"',
        'end: "2026-12-01T08:00:00+01:00"',
        "- name: year-end",
        "end",
    ),
    ('from: "Fri 16:00"', 'from: "Fri 25:00"', "weekly:", "Fri 25:00"),
    ('from: "Fri 16:00"', 'from: "Mon 08:00"', "- name: weekend", ""),
    (
        "    stages: [GA]\n    start",
        "    stages: [GAA]\n    start",
        "stages: [GAA]",
        "unknown stage 'GAA'",
    ),
    ('    PRE_GA: "*"', '    BETA: "*"', "BETA:", "unknown stage 'BETA'"),
    (
        "[promotion_guard, observability_verify, freeze]",
        "[promotion_gaurd, freeze]",
        "promotion_gaurd",
        "unknown gate 'promotion_gaurd'",
    ),
    (
        'reason_pattern: "(INC|CHG)-[0-9]+"',
        'reason_pattern: "(?=INC)"',
        "reason_pattern",
        "lookahead",
    ),
    ("min_reason_length: 20", "min_reason_length: 0", "min_reason_length", "min_reason_length"),
    ("allowed_actors: [octocat,", "allowed_actors: [octo cat,", "allowed_actors", "allowed_actors"),
    ("    GA: 14", "    GAA: 14", "GAA: 14", "unknown stage 'GAA'"),
    ("    GA: 14", "    GA: -1", "GA: -1", "max_days"),
    (
        "  min_reason_length: 20",
        "  min_reason_length: 20\n  approvers: [x]",
        "approvers",
        "unknown field 'approvers'",
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "said"), MISTAKES)
def test_each_mistake_is_located(tmp_path: Path, old: str, new: str, where: str, said: str) -> None:
    assert old in EXAMPLE
    text = EXAMPLE.replace(old, new, 1)
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    result = run_cli(["validate", "s.yml"], tmp_path)
    assert result.code == 1, result.stdout
    assert f"s.yml:{line_of(text, where)}:" in result.stdout, result.stdout
    assert said in result.stdout
    evaluate = run_cli(["evaluate", "--config", "s.yml", "--tag", "v1.2.3"], tmp_path)
    assert evaluate.code == 2
    assert f"s.yml:{line_of(text, where)}:" in evaluate.stderr
    assert not (tmp_path / "dist").exists()


def test_a_gate_may_not_take_the_freeze_pseudo_gate_s_name(tmp_path: Path) -> None:
    text = EXAMPLE.replace("mappings:", "gates:\n  freeze:\n    kind: evidence\n\nmappings:", 1)
    for stage_line in ("      promotion_guard: report_only\n",):
        text = text.replace(stage_line, stage_line + "      freeze: off\n", 1)
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    result = run_cli(["validate", "s.yml"], tmp_path)
    assert result.code == 1
    assert "may not be named 'freeze'" in result.stdout


def test_a_file_without_the_policy_builds_none_of_its_models(tmp_path: Path) -> None:
    (tmp_path / "s.yml").write_text(EXAMPLE.split("\nfreeze_windows:")[0] + "\n", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "maturity", "validate", "s.yml"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout
    assert "maturity.config.models" in proc.stderr  # the file was validated
    assert "maturity.config.exception_models" not in proc.stderr
    assert "maturity.config.freeze" not in proc.stderr


def test_the_policy_keys_are_the_models_fields() -> None:
    assert tuple(ExceptionPolicySpec.model_fields) == POLICY_KEYS
