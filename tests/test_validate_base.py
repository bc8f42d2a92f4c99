"""`maturity validate FILE --base OLD`: explaining what a change to the stages file does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.load import load_builtin, parse_document
from maturity.config.types import Config
from maturity.config.yaml_loader import load_yaml_text
from maturity.kinds import CATALOG
from maturity.kinds.changes import all_changes as changes

GA_FIELD_REQUIRED = "      policy_drift: required\n      field_budgets: required\n"
GA_FIELD_REPORT = "      policy_drift: required\n      field_budgets: report_only\n"


def config_of(text: str) -> Config:
    doc = load_yaml_text(text, "head.yml")
    config, problems = parse_document(doc, text.encode(), CATALOG)
    assert config is not None, [p.render() for p in problems]
    return config


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def weaken_ga_field_budgets(text: str) -> str:
    assert text.count(GA_FIELD_REQUIRED) == 1
    return text.replace(GA_FIELD_REQUIRED, GA_FIELD_REPORT)


def test_no_change_in_effect_when_the_files_agree() -> None:
    assert changes(load_builtin(CATALOG), config_of(DEFAULT_STAGES_YAML)) == []


def test_a_weakened_gate_is_reported_as_weaker_at_its_line() -> None:
    head_text = weaken_ga_field_budgets(DEFAULT_STAGES_YAML)
    found = changes(load_builtin(CATALOG), config_of(head_text))
    assert len(found) == 1
    change = found[0]
    assert change.kind == "level"
    assert change.weaker
    assert change.message == "stage GA: field_budgets required -> report_only (weaker)"
    assert change.line == line_of(head_text, "field_budgets: report_only", 3)


def test_a_strengthened_gate_is_not_weaker() -> None:
    head_text = DEFAULT_STAGES_YAML.replace(
        "      deps_approval: report_only\n      policy_drift: report_only\n      field_budgets: report_only\n  GA:",
        "      deps_approval: required\n      policy_drift: report_only\n      field_budgets: report_only\n  GA:",
    )
    assert head_text != DEFAULT_STAGES_YAML
    (change,) = changes(load_builtin(CATALOG), config_of(head_text))
    assert change.message == "stage PRE_GA: deps_approval report_only -> required (stronger)"
    assert not change.weaker


def test_a_mapping_change_is_shown_as_its_effect_on_refs() -> None:
    """Moving the catch-all first sends every release to PILOT: each probe ref says so."""
    head_text = DEFAULT_STAGES_YAML.replace(
        "mappings:\n",
        "mappings:\n  - pattern: 'v*'\n    stage: PILOT\n",
        1,
    )
    found = changes(load_builtin(CATALOG), config_of(head_text))
    by_ref = {c.message.split(":", 1)[0]: c for c in found if c.kind == "resolution"}
    ga = by_ref["v1.2.3"]
    assert ga.weaker
    assert ga.message.startswith("v1.2.3: GA -> PILOT (now mappings[0] pattern 'v*'); weaker: ")
    assert "promotion_guard required -> report_only" in ga.message
    assert by_ref["v1.2.3-rc.1"].weaker
    assert "main" not in by_ref  # main does not start with v: unchanged
    assert ga.line == line_of(head_text, "- pattern: 'v*'")


def test_refs_left_without_a_stage_are_named() -> None:
    head_text = DEFAULT_STAGES_YAML.replace(
        "  - pattern: '*'\n    stage: PILOT\n    examples: [feature/x, v1.2.3-beta.1, v1.2, vfoo, 1.2.3]\n",
        "",
    )
    found = changes(load_builtin(CATALOG), config_of(head_text))
    messages = [c.message for c in found]
    assert "feature/x: PILOT -> no stage (evaluate will stop on it with exit 2)" in messages


def test_stages_added_and_removed() -> None:
    head_text = DEFAULT_STAGES_YAML.replace("PRE_GA", "RC")
    found = {c.kind: c for c in changes(load_builtin(CATALOG), config_of(head_text))}
    assert found["stage-added"].message == "stage RC added"
    assert found["stage-added"].line == line_of(head_text, "  RC:")
    assert found["stage-removed"].message == "stage PRE_GA removed"
    # the rc tag now resolves to a stage of another name with the same levels: not weaker
    assert not found["resolution"].weaker


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "base.yml").write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    (tmp_path / "head.yml").write_text(
        weaken_ga_field_budgets(DEFAULT_STAGES_YAML), encoding="utf-8"
    )
    return tmp_path


def test_cli_text(files: Path) -> None:
    result = run_cli(["validate", "head.yml", "--base", "base.yml", "--format", "text"], files)
    assert result.code == 0
    assert (
        "changes from base.yml:\n"
        "  warning: stage GA: field_budgets required -> report_only (weaker)\n"
        "head.yml: 0 error(s), 1 warning(s) (1 of them weaker than base.yml): valid\n"
    ) in result.stdout


def test_cli_github_annotates_weakening_as_warning(files: Path) -> None:
    result = run_cli(["validate", "head.yml", "--base", "base.yml", "--format", "github"], files)
    assert result.code == 0
    line = line_of((files / "head.yml").read_text(), "field_budgets: report_only", 3)
    expected = (
        f"::warning file=head.yml,line={line},title=maturity%3A weaker release gate::"
        "stage GA: field_budgets required -> report_only (weaker)"
    )
    assert expected in result.stdout.splitlines()


def test_cli_json(files: Path) -> None:
    result = run_cli(["validate", "head.yml", "--base", "base.yml", "--format", "json"], files)
    assert result.code == 0
    data = json.loads(result.stdout)
    assert data["base"] == {"file": "base.yml", "note": ""}
    assert [(c["kind"], c["weaker"]) for c in data["changes"]] == [("level", True)]


@pytest.mark.parametrize(
    ("base_text", "note"),
    [
        (None, "(no base file: the stages file is new)"),
        ("version: 1\nversion: 1\n", "(the base file cannot be read, so changes are not shown"),
        (
            "version: 1\nstages: {}\nmappings: []\n",
            "(the base file is not valid, so changes are not shown)",
        ),
    ],
    ids=["absent", "unreadable", "invalid"],
)
def test_a_bad_base_never_changes_the_verdict_on_the_file(
    files: Path, base_text: str | None, note: str
) -> None:
    base = files / "base.yml"
    if base_text is None:
        base.unlink()
    else:
        base.write_text(base_text, encoding="utf-8")
    result = run_cli(["validate", "head.yml", "--base", "base.yml", "--format", "text"], files)
    assert result.code == 0
    assert f"changes from base.yml: {note}" in result.stdout


def test_an_invalid_head_still_fails_and_shows_no_changes(files: Path) -> None:
    (files / "head.yml").write_text(
        DEFAULT_STAGES_YAML.replace("stage: GA", "stage: GAA"), encoding="utf-8"
    )
    result = run_cli(["validate", "head.yml", "--base", "base.yml", "--format", "json"], files)
    assert result.code == 1
    assert json.loads(result.stdout)["changes"] == []


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_a_pull_requests_yaml_cannot_smuggle_legacy_workflow_commands(
    tmp_path: Path, fmt: str
) -> None:
    """The runner obeys '##[command]' anywhere in a line of stdout or stderr; a fork's YAML
    shows up in our messages (unknown keys, stage names in examples), so it must be defused."""
    hostile = DEFAULT_STAGES_YAML.replace(
        "version: 1\n", "version: 1\n'##[set-output name=verdict;]GO': 1\n"
    ).replace("examples: [main, refs/heads/main]", "examples: ['##[add-mask]x']")
    (tmp_path / "head.yml").write_text(hostile, encoding="utf-8")
    result = run_cli(["validate", "head.yml", "--format", fmt], tmp_path)
    assert result.code == 1
    assert "##[" not in result.stdout
    assert "##[" not in result.stderr
    assert "##\\u005bset-output" in result.stdout  # still shown, only defused
    evaluated = run_cli(["evaluate", "--config", "head.yml", "--tag", "v1.2.3"], tmp_path)
    assert evaluated.code == 2
    assert "##[" not in evaluated.stdout + evaluated.stderr
    assert "##\\u005bset-output" in evaluated.stderr


def with_guard(settings: str) -> str:
    return DEFAULT_STAGES_YAML.replace("gates: {}\n", "gates:\n  promotion_guard:\n" + settings, 1)


@pytest.mark.parametrize(
    ("base", "head", "messages"),
    [
        (
            "",
            "    required_checks: [lint]\n",
            ["promotion_guard now requires only 'lint'; other checks no longer block (weaker)"],
        ),
        ("    required_checks: [lint]\n", "", ["promotion_guard now requires every check"]),
        (
            "    required_checks: [lint, e2e]\n",
            "    required_checks: [lint, {name: 'tests (*)', app: github-actions}]\n",
            [
                "promotion_guard no longer requires 'e2e' (weaker)",
                "promotion_guard now also requires 'tests (*)' (app github-actions)",
            ],
        ),
        ("", "    ignore: [codecov/*]\n", ["promotion_guard now ignores 'codecov/*' (weaker)"]),
        (
            "    pass_conclusions: [success]\n",
            "    pass_conclusions: [success, neutral]\n",
            ["promotion_guard now passes conclusion neutral (weaker)"],
        ),
        (
            "",
            "    allow_missing: true\n",
            [
                "promotion_guard now accepts required checks that never appeared (allow_missing) (weaker)"
            ],
        ),
        (
            "    min_checks: 5\n",
            "    min_checks: 2\n",
            ["promotion_guard min_checks 5 -> 2 (weaker)"],
        ),
        (
            "",
            "    evidence: checks.json\n",
            [
                "gate promotion_guard is now decided by evidence files instead of its kind's own "
                "source (github_checks)"
            ],
        ),
        ("    pass_conclusions: [success, skipped]\n", "    pass_conclusions: [success]\n", []),
        ("", "    wait: {timeout: 30}\n    time_budget: 10\n", []),
    ],
)
def test_promotion_guard_settings_that_let_more_through_are_weaker(
    base: str, head: str, messages: list[str]
) -> None:
    base_text = with_guard(base) if base else DEFAULT_STAGES_YAML
    head_text = with_guard(head) if head else DEFAULT_STAGES_YAML
    found = changes(config_of(base_text), config_of(head_text))
    assert [c.message for c in found] == messages
    for change in found:
        assert change.kind == "setting"
        # settings messages say "(weaker)"; evidence replacing the kind's source always is
        evidence_now = change.message.startswith("gate promotion_guard is now decided")
        assert change.weaker is (evidence_now or change.message.endswith("(weaker)"))
        # the line shows the setting, or promotion_guard:/gates: when the setting is gone
        assert change.line is not None
        key = head_text.splitlines()[change.line - 1].split(":", maxsplit=1)[0].strip()
        assert key in {*head.split(":", maxsplit=1)[0].split(), "promotion_guard", "gates"}


LICENCES = "  licences:\n    kind: evidence\n    evidence: licences.json\n"


def with_licences(text: str) -> str:
    """*text* with a custom gate, licences, declared and required at every stage."""
    text = text.replace("gates: {}\n", "gates:\n" + LICENCES, 1)
    return text.replace("      field_budgets: ", "      licences: required\n      field_budgets: ")


def test_a_custom_gate_added_or_removed() -> None:
    plain = config_of(DEFAULT_STAGES_YAML)
    custom_text = with_licences(DEFAULT_STAGES_YAML)
    custom = config_of(custom_text)
    assert list(custom.gates)[-1] == "licences"
    (added,) = changes(plain, custom)
    assert (added.kind, added.message, added.weaker) == (
        "gate-added",
        "gate licences (kind evidence) added",
        False,
    )
    assert added.line == custom_text.splitlines().index("  licences:") + 1
    (removed,) = changes(custom, plain)
    assert (removed.kind, removed.weaker) == ("gate-removed", True)
    assert removed.message == (
        "gate licences (kind evidence) removed: it no longer counts at any stage"
    )
