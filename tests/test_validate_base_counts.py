"""`validate --base`: every weakening is a warning, in the summary, under `--strict` and in JSON.

Before, the weaker change was printed (a `::warning` under Actions) while the summary said
0 warnings and `--strict` exited 0. Each kind of weakening is tried: a gate level, a
promotion_guard setting that lets more through, and a ref that now lands on a weaker stage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from maturity.config.defaults import DEFAULT_STAGES_YAML

WITH_GUARD = DEFAULT_STAGES_YAML.replace(
    "gates: {}\n", "gates:\n  promotion_guard:\n    required_checks: [lint, tests]\n", 1
)

# (id, base text, head text, weakenings expected, semantic warnings of head)
CASES = [
    (
        "level",
        DEFAULT_STAGES_YAML,
        DEFAULT_STAGES_YAML.replace(
            "      policy_drift: required\n      field_budgets: required\n",
            "      policy_drift: required\n      field_budgets: report_only\n",
        ),
        1,
        0,
    ),
    (
        # off at GA is also below PRE_GA's report_only: the file's own warning, plus two changes
        "two-levels",
        DEFAULT_STAGES_YAML,
        DEFAULT_STAGES_YAML.replace(
            "      policy_drift: required\n      field_budgets: required\n",
            "      policy_drift: report_only\n      field_budgets: off\n",
        ),
        2,
        1,
    ),
    (
        "setting",
        WITH_GUARD,
        WITH_GUARD.replace("[lint, tests]", "[lint]"),
        1,
        0,
    ),
    (
        # a glob for some release candidates, to PILOT, above the release-candidate mapping
        "resolution",
        DEFAULT_STAGES_YAML,
        DEFAULT_STAGES_YAML.replace(
            "mappings:\n", "mappings:\n  - pattern: 'v2.*-rc.*'\n    stage: PILOT\n", 1
        ).replace("examples: [v1.2.3-rc.1, v2.0.0-rc.10]", "examples: [v1.2.3-rc.1]"),
        1,  # v2.0.0-rc.10: PRE_GA -> PILOT
        0,
    ),
]


@pytest.fixture(params=CASES, ids=[c[0] for c in CASES])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, int, int]:
    _, base, head, weaker, warnings = request.param
    assert base != head
    (tmp_path / "base.yml").write_text(base, encoding="utf-8")
    (tmp_path / "head.yml").write_text(head, encoding="utf-8")
    return tmp_path, weaker, warnings


def test_text_counts_each_weakening_and_strict_fails(case: tuple[Path, int, int]) -> None:
    cwd, weaker, warnings = case
    args = ["validate", "head.yml", "--base", "base.yml", "--format", "text"]
    plain = run_cli(args, cwd)
    assert plain.code == 0, plain.stdout
    total = weaker + warnings
    summary = f"head.yml: 0 error(s), {total} warning(s) ({weaker} of them weaker than base.yml)"
    assert plain.stdout.splitlines()[-1] == summary + ": valid"
    marked = [ln for ln in plain.stdout.splitlines() if ln.startswith("  warning: ")]
    assert len(marked) == weaker
    strict = run_cli([*args, "--strict"], cwd)
    assert strict.code == 1
    assert strict.stdout.splitlines()[-1] == summary


def test_json_valid_agrees_with_the_exit_code(case: tuple[Path, int, int]) -> None:
    cwd, weaker, _ = case
    args = ["validate", "head.yml", "--base", "base.yml", "--format", "json"]
    plain = run_cli(args, cwd)
    assert plain.code == 0
    assert json.loads(plain.stdout)["valid"] is True
    strict = run_cli([*args, "--strict"], cwd)
    assert strict.code == 1
    data = json.loads(strict.stdout)
    assert data["valid"] is False
    assert sum(c["weaker"] for c in data["changes"]) == weaker


def test_github_warns_once_per_weakening_and_strict_fails(case: tuple[Path, int, int]) -> None:
    cwd, weaker, warnings = case
    args = ["validate", "head.yml", "--base", "base.yml", "--format", "github", "--strict"]
    result = run_cli(args, cwd)
    assert result.code == 1
    lines = result.stdout.splitlines()
    titled = [ln for ln in lines if ln.startswith("::warning ") and "weaker release gate" in ln]
    assert len(titled) == weaker
    assert len([ln for ln in lines if ln.startswith("::warning ")]) == weaker + warnings


def test_a_stronger_change_is_not_a_warning(tmp_path: Path) -> None:
    (tmp_path / "base.yml").write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    stronger = DEFAULT_STAGES_YAML.replace(
        "      deps_approval: report_only\n      policy_drift: report_only\n"
        "      field_budgets: report_only\n  GA:",
        "      deps_approval: required\n      policy_drift: report_only\n"
        "      field_budgets: report_only\n  GA:",
    )
    assert stronger != DEFAULT_STAGES_YAML
    (tmp_path / "head.yml").write_text(stronger, encoding="utf-8")
    for fmt in ("text", "json", "github"):
        args = ["validate", "head.yml", "--base", "base.yml", "--strict", "--format", fmt]
        result = run_cli(args, tmp_path)
        assert result.code == 0, result.stdout
    text = run_cli(["validate", "head.yml", "--base", "base.yml", "--strict"], tmp_path)
    assert "  stage PRE_GA: deps_approval report_only -> required (stronger)" in text.stdout
    assert text.stdout.splitlines()[-1] == "head.yml: 0 error(s), 0 warning(s): valid"


@pytest.mark.parametrize("base_text", [None, "version: 1\nstages: {}\nmappings: []\n"])
def test_without_a_usable_base_nothing_is_counted(tmp_path: Path, base_text: str | None) -> None:
    if base_text is not None:
        (tmp_path / "base.yml").write_text(base_text, encoding="utf-8")
    (tmp_path / "head.yml").write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    result = run_cli(["validate", "head.yml", "--base", "base.yml", "--strict"], tmp_path)
    assert result.code == 0
    assert result.stdout.splitlines()[-1] == "head.yml: 0 error(s), 0 warning(s): valid"


def test_weakenings_add_to_the_files_own_warnings(tmp_path: Path) -> None:
    """A head with a warning of its own (no catch-all) and one weakening: 2 warnings."""
    (tmp_path / "base.yml").write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    catch_all = (
        "  - pattern: '*'\n    stage: PILOT\n"
        "    examples: [feature/x, v1.2.3-beta.1, v1.2, vfoo, 1.2.3]\n"
    )
    assert catch_all in DEFAULT_STAGES_YAML
    head = DEFAULT_STAGES_YAML.replace(catch_all, "")
    (tmp_path / "head.yml").write_text(head, encoding="utf-8")
    result = run_cli(["validate", "head.yml", "--base", "base.yml"], tmp_path)
    assert result.code == 0
    # no weakening: refs left without a stage are said, and the missing catch-all is the warning
    assert result.stdout.splitlines()[-1] == "head.yml: 0 error(s), 1 warning(s): valid"
    assert head.count("      deps_approval: required\n") == 1
    weaker_head = head.replace("deps_approval: required\n", "deps_approval: report_only\n")
    (tmp_path / "head.yml").write_text(weaker_head, encoding="utf-8")
    result = run_cli(["validate", "head.yml", "--base", "base.yml"], tmp_path)
    assert result.stdout.splitlines()[-1] == (
        "head.yml: 0 error(s), 2 warning(s) (1 of them weaker than base.yml): valid"
    )
    assert run_cli(["validate", "head.yml", "--base", "base.yml", "--strict"], tmp_path).code == 1
