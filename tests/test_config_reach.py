"""`validate` resolves typical refs and every example, and warns about what that shows.

A stages file can be free of provable mistakes and still send every release to the weakest
stage: a broad mapping to PILOT placed above the release mapping, without examples. These
tests cover that class (regexes and globs, broad and narrow, `v` and bare versions, a stage
weaker in some gates only) and its controls (the same mapping placed after, a later catch-all,
pre-release tags, equal stages), in the library and through the CLI with `--strict`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import GATE_NAMES, REPO_ROOT, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.cli import main
from maturity.config.defaults import DEFAULT_CONFIG_PATH, DEFAULT_STAGES_YAML
from maturity.config.load import check_config_file, load_builtin, parse_document
from maturity.config.types import Problem, Severity
from maturity.config.typical_refs import (
    BRANCHES,
    PRE_RELEASES,
    RELEASE_CANDIDATES,
    RELEASE_TAGS,
    TYPICAL_REFS,
    is_release_tag,
)
from maturity.config.yaml_loader import load_yaml_text
from maturity.kinds import CATALOG
from maturity.refs import ref_problem

GA_REGEX = r"v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
GA_LABEL = f"mappings[1] regex '{GA_REGEX}'"  # as written in the file: backslashes not doubled

# The built-in defaults without any `examples`: the issue's file has none on the GA mapping.
NO_EXAMPLES = re.sub(r"\n    examples: \[[^\]]*\]", "", DEFAULT_STAGES_YAML)
ALL_REPORT_ONLY = (
    "report_only, not required: promotion_guard, observability_verify, deps_approval, "
    "policy_drift, field_budgets"
)


def problems_of(text: str) -> list[Problem]:
    config, problems = parse_document(load_yaml_text(text, "stages.yml"), text.encode(), CATALOG)
    assert config is not None, [p.render() for p in problems]
    return problems


def warnings_of(text: str) -> list[Problem]:
    problems = problems_of(text)
    assert [p for p in problems if p.severity is Severity.ERROR] == []
    return problems


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def first_mapping(text: str, mapping: str) -> str:
    """*text* with *mapping* (YAML lines, indented as list items) placed first in `mappings`."""
    assert text.count("mappings:\n") == 1
    return text.replace("mappings:\n", f"mappings:\n{mapping}", 1)


def release_tag_warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if "full release tag" in p.message]


def reach_warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if "is reached by none of the refs" in p.message]


# --- the typical refs -----------------------------------------------------------------------------


def test_typical_refs_cover_each_kind_and_are_valid_refs() -> None:
    assert [r for r in TYPICAL_REFS if ref_problem(r) is not None] == []
    assert len(set(TYPICAL_REFS)) == len(TYPICAL_REFS)
    assert all(is_release_tag(r) for r in RELEASE_TAGS)
    assert not any(is_release_tag(r) for r in RELEASE_CANDIDATES + PRE_RELEASES + BRANCHES)
    assert {"main", "feature/x", "v1.2.3", "v1.2.3-rc.1", "v1.2.3-beta.1"} <= set(TYPICAL_REFS)


@pytest.mark.parametrize(
    ("name", "release"),
    [
        ("v1.2.3", True),
        ("1.2.3", True),
        ("v0.0.0", True),
        ("v1.2.3+build.7", True),
        ("v1.2.3+a-b.c", True),
        ("v1.2.3-rc.1", False),
        ("v1.2.3-beta", False),
        ("v1.2", False),
        ("v01.2.3", False),  # leading zero: not semantic versioning
        ("V1.2.3", False),
        ("v1.2.3+", False),
        ("vv1.2.3", False),
        ("release/1.2.3", False),
        ("v1.2.\u0663", False),  # a digit, but not an ASCII one
    ],
)
def test_is_release_tag(name: str, release: bool) -> None:
    assert is_release_tag(name) is release


# --- the files that must stay clean ---------------------------------------------------------------


def test_builtin_defaults_have_no_warning() -> None:
    assert load_builtin(CATALOG, full=True).warnings == ()
    assert problems_of(DEFAULT_STAGES_YAML) == []


def test_the_repos_own_stages_file_passes_strict(capsys: pytest.CaptureFixture[str]) -> None:
    """`.ci/run` runs exactly this; a new warning there would fail CI."""
    path = REPO_ROOT / DEFAULT_CONFIG_PATH
    config, problems = check_config_file(path, CATALOG)
    assert config is not None
    assert problems == []
    assert main(["validate", str(path), "--strict", "--format", "text"]) == 0
    assert capsys.readouterr().out.endswith(": 0 error(s), 0 warning(s): valid\n")


# --- the issue's case and its variants -----------------------------------------------------------

BROAD_BEFORE_GA = [
    "  - regex: 'v.*'\n    stage: PILOT\n",
    "  - pattern: 'v*'\n    stage: PILOT\n",
    "  - regex: 'v[0-9].*'\n    stage: PILOT\n",
    "  - pattern: 'v[0-9]*'\n    stage: PILOT\n",
    "  - pattern: '*.*.*'\n    stage: PILOT\n",
    "  - regex: '(v|V)[0-9.]+.*'\n    stage: PILOT\n",
    "  - regex: '.*[0-9]'\n    stage: PILOT\n",
]


@pytest.mark.parametrize("mapping", BROAD_BEFORE_GA)
def test_a_broad_mapping_above_the_release_mapping_warns_twice(mapping: str) -> None:
    text = first_mapping(NO_EXAMPLES, mapping)
    problems = warnings_of(text)
    broad_line = line_of(text, mapping.splitlines()[0].strip())
    kind, expression = mapping.splitlines()[0].removeprefix("  - ").split(": ")
    (tag_warning,) = release_tag_warnings(problems)
    assert tag_warning.line == broad_line
    assert tag_warning.where == f"stages.yml:{broad_line}:5"
    assert tag_warning.message.startswith("full release tags (v1.2.3, v0.1.0, v10.20.30 and ")
    assert f"resolve to mappings[0] {kind} {expression} (stage PILOT)" in tag_warning.message
    assert f"although the later {GA_LABEL} matches them too (stage GA)" in tag_warning.message
    assert tag_warning.message.endswith(f"at PILOT the gates are {ALL_REPORT_ONLY}")
    assert "move mappings[1] above mappings[0]" in tag_warning.remediation
    # ...and the GA stage itself is reached by no ref: that warning sits on the GA mapping
    ga_warning = next(p for p in reach_warnings(problems) if "stage GA " in p.message)
    assert ga_warning.line == line_of(text, "regex: 'v(0|")
    assert f"{GA_LABEL} matches v1.2.3, v0.1.0, v10.20.30 and " in ga_warning.message
    assert f"the earlier mappings[0] {kind} {expression} (stage PILOT) takes them first" in (
        ga_warning.message
    )
    assert "give mappings[1] examples" in ga_warning.remediation


@pytest.mark.parametrize("mapping", BROAD_BEFORE_GA[:2])
def test_the_issues_file_fails_strict_in_every_format(tmp_path: Path, mapping: str) -> None:
    (tmp_path / "stages.yml").write_text(first_mapping(NO_EXAMPLES, mapping), encoding="utf-8")
    plain = run_cli(["validate", "stages.yml", "--format", "text"], tmp_path)
    assert plain.code == 0, plain.stdout  # warnings only
    assert plain.stdout.splitlines()[-1] == "stages.yml: 0 error(s), 3 warning(s): valid"
    strict = run_cli(["validate", "stages.yml", "--strict", "--format", "text"], tmp_path)
    assert strict.code == 1
    assert strict.stdout.splitlines()[-1] == "stages.yml: 0 error(s), 3 warning(s)"
    as_json = run_cli(["validate", "stages.yml", "--strict", "--format", "json"], tmp_path)
    assert as_json.code == 1
    data = json.loads(as_json.stdout)
    assert data["valid"] is False
    assert {p["severity"] for p in data["problems"]} == {"warning"}
    github = run_cli(["validate", "stages.yml", "--strict", "--format", "github"], tmp_path)
    assert github.code == 1
    annotations = [ln for ln in github.stdout.splitlines() if ln.startswith("::warning ")]
    assert len(annotations) == 3
    assert any("full release tags (v1.2.3" in a for a in annotations)


def test_a_stage_weaker_in_some_gates_names_only_those() -> None:
    text = first_mapping(NO_EXAMPLES, "  - pattern: 'v*'\n    stage: PRE_GA\n")
    (warning,) = release_tag_warnings(warnings_of(text))
    assert warning.message.endswith(
        "at PRE_GA the gates are report_only, not required: deps_approval, policy_drift, "
        "field_budgets"
    )
    assert "promotion_guard" not in warning.message


def test_lost_levels_are_grouped_by_what_they_were() -> None:
    text = NO_EXAMPLES.replace(
        "  PRE_GA:\n",
        "  LOOSE:\n    gates:\n"
        + "".join(
            f"      {g}: {'off' if i % 2 else 'report_only'}\n" for i, g in enumerate(GATE_NAMES)
        )
        + "  PRE_GA:\n",
    )
    text = first_mapping(text, "  - regex: 'v[0-9]+\\..*'\n    stage: LOOSE\n")
    (warning,) = release_tag_warnings(warnings_of(text))
    assert warning.message.endswith(
        "at LOOSE the gates are report_only, not required: promotion_guard, deps_approval, "
        "field_budgets; off, not required: observability_verify, policy_drift"
    )


def test_a_narrow_mapping_that_takes_some_releases_warns_once() -> None:
    text = first_mapping(NO_EXAMPLES, "  - pattern: 'v1.*'\n    stage: PILOT\n")
    problems = warnings_of(text)
    assert reach_warnings(problems) == []  # v0.1.0 and v10.20.30 still reach GA
    (warning,) = problems
    assert warning.message.startswith(
        "full release tags (v1.2.3, v1.2.3+build.7) resolve to mappings[0] pattern 'v1.*'"
    )


def test_bare_versions_count_as_release_tags() -> None:
    text = NO_EXAMPLES.replace(
        f"  - regex: '{GA_REGEX}'",
        "  - regex: 'v?(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)'",
    )
    text = first_mapping(text, "  - pattern: '[0-9]*'\n    stage: PILOT\n")
    (warning,) = release_tag_warnings(warnings_of(text))
    assert warning.message.startswith("the full release tag 1.2.3 resolves to mappings[0] ")
    assert "matches it too (stage GA)" in warning.message


def test_an_example_that_is_a_release_tag_is_tried_too() -> None:
    """No built-in ref matches 'v3.*'; its own example shows that it takes a release."""
    text = first_mapping(
        NO_EXAMPLES, "  - pattern: 'v3.*'\n    stage: PILOT\n    examples: [refs/tags/v3.0.0]\n"
    )
    (warning,) = release_tag_warnings(warnings_of(text))
    assert warning.message.startswith("the full release tag v3.0.0 resolves to mappings[0] ")


# --- controls: what must not warn ----------------------------------------------------------------


@pytest.mark.parametrize("mapping", BROAD_BEFORE_GA)
def test_the_same_mapping_below_the_release_mappings_is_clean(mapping: str) -> None:
    text = NO_EXAMPLES.replace("  - pattern: main\n", mapping + "  - pattern: main\n")
    assert text != NO_EXAMPLES
    assert warnings_of(text) == []


def test_a_later_catch_all_is_not_a_stage_for_releases() -> None:
    """Everything else blocking more than releases do is odd, but the catch-all is the stage
    for everything else, not another stage the file defines for release tags."""
    text = TWO_STAGES.replace("PROD_MAPPINGS", "  - pattern: 'v*'\n    stage: DEV\n").replace(
        "  - pattern: '*'\n    stage: DEV\n", "  - pattern: '*'\n    stage: PROD\n"
    )
    assert warnings_of(text) == []


def test_pre_releases_taken_by_a_weaker_stage_are_not_release_tags() -> None:
    text = NO_EXAMPLES.replace(
        "  - pattern: main\n", "  - pattern: 'v*-*'\n    stage: PRE_GA\n  - pattern: main\n"
    )
    text = first_mapping(text, "  - pattern: 'v*-beta*'\n    stage: PILOT\n")
    assert release_tag_warnings(warnings_of(text)) == []


def test_an_equal_or_stronger_first_stage_does_not_warn() -> None:
    text = NO_EXAMPLES.replace(
        "  PRE_GA:\n",
        "  GA2:\n    gates:\n"
        + "".join(f"      {g}: required\n" for g in GATE_NAMES)
        + "  PRE_GA:\n",
    )
    text = first_mapping(text, "  - pattern: 'v*.*.*'\n    stage: GA2\n")
    problems = warnings_of(text)
    assert release_tag_warnings(problems) == []


# --- stages no tried ref reaches ------------------------------------------------------------------

TWO_STAGES = """\
version: 1
stages:
  DEV:
    gates: {promotion_guard: report_only, observability_verify: off, deps_approval: off, policy_drift: off, field_budgets: off}
  PROD:
    gates: {promotion_guard: required, observability_verify: required, deps_approval: required, policy_drift: required, field_budgets: required}
mappings:
PROD_MAPPINGS  - pattern: '*'
    stage: DEV
"""


def two_stages(prod: str) -> str:
    return TWO_STAGES.replace("PROD_MAPPINGS", prod)


def test_a_stage_whose_mapping_matches_no_tried_ref() -> None:
    text = two_stages("  - pattern: 'deploy/*'\n    stage: PROD\n")
    (warning,) = warnings_of(text)
    assert warning.severity is Severity.WARNING
    assert warning.where == f"stages.yml:{line_of(text, 'deploy/*')}:5"
    assert warning.message == (
        "stage PROD is reached by none of the refs validate tries (typical tags and branches, "
        "and every example): mappings[0] pattern 'deploy/*' matches none of them"
    )
    assert warning.remediation.startswith(
        "give mappings[0] examples: refs that must get stage PROD"
    )


@pytest.mark.parametrize(
    "examples", ["[deploy/prod]", "[refs/heads/deploy/eu, deploy/us]", "['deploy/x']"]
)
def test_examples_reach_the_stage(examples: str) -> None:
    text = two_stages(f"  - pattern: 'deploy/*'\n    stage: PROD\n    examples: {examples}\n")
    assert warnings_of(text) == []


def test_every_mapping_naming_the_stage_is_explained_in_one_warning() -> None:
    text = two_stages(
        "  - regex: 'f.*'\n    stage: DEV\n"
        "  - pattern: 'feature/prod-*'\n    stage: PROD\n"
        "  - pattern: 'fix/*'\n    stage: PROD\n"
    )
    (warning,) = warnings_of(text)
    assert warning.line == line_of(text, "feature/prod-*")
    assert "mappings[1] pattern 'feature/prod-*' matches none of them" in warning.message
    assert (
        "mappings[2] pattern 'fix/*' matches fix/y, but the earlier mappings[0] regex 'f.*' "
        "(stage DEV) takes them first" in warning.message
    )


def test_a_shadowing_mapping_is_named_with_the_refs_it_takes() -> None:
    text = two_stages("  - pattern: 'release/*'\n    stage: PROD\n")
    text = text.replace("mappings:\n", "mappings:\n  - regex: 're.*'\n    stage: DEV\n")
    (warning,) = warnings_of(text)
    assert (
        "mappings[1] pattern 'release/*' matches release/1.2, but the earlier mappings[0] "
        "regex 're.*' (stage DEV) takes them first" in warning.message
    )


def test_a_stage_no_mapping_names_stays_an_error_not_a_second_warning() -> None:
    text = two_stages("").replace("mappings:\n", "mappings:\n  - pattern: 'v*'\n    stage: DEV\n")
    problems = problems_of(text)
    assert [(p.severity, p.message) for p in problems] == [
        (Severity.ERROR, "no mapping reaches stage 'PROD'")
    ]


# --- a property: wherever a broad release glob sits, the warning follows it ----------------------

LEVELS = st.sampled_from(["required", "report_only", "off"])


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.integers(min_value=1, max_value=6),
    levels=st.tuples(*[LEVELS] * len(GATE_NAMES)),
    before=st.booleans(),
)
def test_property_a_glob_taking_v1_2_3_first_warns_iff_its_stage_is_weaker(
    prefix: int, levels: tuple[str, ...], before: bool
) -> None:
    glob = "v1.2.3"[:prefix] + "*"  # matches v1.2.3 whatever the prefix
    stage = "  OTHER:\n    gates:\n" + "".join(
        f"      {g}: {level}\n" for g, level in zip(GATE_NAMES, levels, strict=True)
    )
    text = NO_EXAMPLES.replace("  PILOT:\n", stage + "  PILOT:\n")
    mapping = f"  - pattern: '{glob}'\n    stage: OTHER\n"
    if before:
        text = first_mapping(text, mapping)
    else:
        text = text.replace("  - pattern: main\n", mapping + "  - pattern: main\n")
    problems = problems_of(text)
    assert [p for p in problems if p.severity is Severity.ERROR] == []
    weaker = any(level != "required" for level in levels)
    found = release_tag_warnings(problems)
    if before and weaker:
        assert len(found) == 1
        assert "v1.2.3" in found[0].message
        assert f"mappings[0] pattern '{glob}' (stage OTHER)" in found[0].message
        lost = [g for g, level in zip(GATE_NAMES, levels, strict=True) if level != "required"]
        assert all(gate in found[0].message for gate in lost)
    else:
        assert found == []


# --- bounded work ---------------------------------------------------------------------------------


def many_weak_release_mappings(count: int) -> str:
    """*count* mappings that each take 8 release tags (their examples) before the GA mapping."""
    mappings = "".join(
        f"  - pattern: 'v{i}.*'\n    stage: PILOT\n"
        f"    examples: [{', '.join(f'v{i}.0.{j}' for j in range(8))}]\n"
        for i in range(100, 100 + count)
    )
    return first_mapping(NO_EXAMPLES, mappings)


def test_every_weak_mapping_is_named_while_the_work_is_small() -> None:
    problems = warnings_of(many_weak_release_mappings(20))
    found = release_tag_warnings(problems)
    assert len(found) == 20
    assert not any("stopped early" in p.message for p in problems)


def test_a_file_too_big_to_compare_whole_stops_with_a_warning() -> None:
    """250 mappings x 8 release tags x the later mappings is past the bound: the checks stop,
    say so (so --strict fails), and what they found before stopping is still reported."""
    text = many_weak_release_mappings(250)
    problems = warnings_of(text)
    (stopped,) = [p for p in problems if "stopped early" in p.message]
    assert stopped.severity is Severity.WARNING
    assert stopped.line == line_of(text, "mappings:")
    assert stopped.remediation
    assert 0 < len(release_tag_warnings(problems)) < 250


def test_the_docs_list_the_refs_validate_tries() -> None:
    docs = (REPO_ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    section = docs.split("## What `maturity validate` checks", 1)[1].split("\n## ", 1)[0]
    assert [ref for ref in TYPICAL_REFS if f"`{ref}`" not in section] == []
