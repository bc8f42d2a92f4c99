"""A version 1 ``pattern:`` that is a regular expression in disguise is an error, located and
explained (``validate`` exit 1, ``evaluate`` and ``resolve`` exit 2); ordinary globs are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from maturity.config.load import parse_document
from maturity.config.regex_like_glob import regex_reason
from maturity.config.types import Severity
from maturity.config.yaml_loader import load_yaml_text
from maturity.kinds import CATALOG

_LEVELS = "{promotion_guard: off, observability_verify: off, deps_approval: off, policy_drift: off, field_budgets: off}"


def stages_file(pattern: str) -> str:
    return (
        "version: 1\n"
        "stages:\n"
        f"  GA:\n    gates: {_LEVELS}\n"
        f"  PILOT:\n    gates: {_LEVELS}\n"
        "mappings:\n"
        f"  - pattern: {json.dumps(pattern)}\n"
        "    stage: GA\n"
        "  - pattern: '*'\n"
        "    stage: PILOT\n"
    )


@pytest.mark.parametrize(
    ("pattern", "word"),
    [
        (r"^v[0-9]+\.[0-9]+\.[0-9]+$", "'^'"),
        ("^main", "'^'"),
        ("release-[^x]*", "'^'"),  # our negation is [!x]
        (r"v*\.*", "'\\'"),
        ("main$", "'$'"),
        ("v[0-9]+.*", "'+' after a class"),
        (".*-rc", "'.*'"),
        ("release/.*", "'.*'"),
        ("main|develop", "'|'"),
        ("(main|master)", "'|'"),
    ],
)
def test_regex_looking_globs_are_named(pattern: str, word: str) -> None:
    reason = regex_reason(pattern)
    assert reason is not None
    assert word in reason
    text = stages_file(pattern)
    config, problems = parse_document(load_yaml_text(text, "s.yml"), text.encode(), CATALOG)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert len(errors) == 1
    assert errors[0].where == "s.yml:8:14"
    assert "looks like a regular expression, not a glob" in errors[0].message
    assert "regex:" in errors[0].remediation
    assert "maturity migrate s.yml --write" in errors[0].remediation
    assert config is not None


@pytest.mark.parametrize(
    "pattern",
    [
        "v*.*",
        "release-1.*",
        "v*-rc.*",
        "v[0-9]*",
        "*.x",
        "v$money",
        "[a-z]*+x",
        "v*.+",
        "release/*",
        "hotfix/**",
        "live/[!x]*",
        "a.*b",
    ],
)
def test_ordinary_globs_are_not_flagged(pattern: str) -> None:
    assert regex_reason(pattern) is None
    text = stages_file(pattern)
    _, problems = parse_document(load_yaml_text(text, "s.yml"), text.encode(), CATALOG)
    assert [p.render() for p in problems if p.severity is Severity.ERROR] == []


def test_validate_and_evaluate_refuse_it(tmp_path: Path) -> None:
    (tmp_path / "s.yml").write_text(stages_file("^main$"), encoding="utf-8")
    validate = run_cli(["validate", "s.yml"], tmp_path)
    assert validate.code == 1
    assert "s.yml:8:14: error: mappings[0] pattern '^main$' looks like a regular expression" in (
        validate.stdout
    )
    evaluate = run_cli(["evaluate", "--config", "s.yml", "--ref", "refs/heads/main"], tmp_path)
    assert evaluate.code == 2
    assert "looks like a regular expression" in evaluate.stderr
    assert not (tmp_path / "dist").exists()


def test_a_file_without_version_names_migrate(tmp_path: Path) -> None:
    text = stages_file("^main$").replace("version: 1\n", "")
    (tmp_path / "old.yml").write_text(text, encoding="utf-8")
    result = run_cli(["validate", "old.yml"], tmp_path)
    assert result.code == 1
    assert "missing required field 'version'" in result.stdout
    assert "TypeScript evaluator" in result.stdout
    assert "maturity migrate old.yml --write" in result.stdout
    assert "add `version: 1` if the patterns are globs" in result.stdout
