"""Stage resolution: the built-in mapping table, first match wins, and `maturity resolve`."""

from __future__ import annotations

import fnmatch
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import GATE_NAMES, CliResult, run_cli
from hypothesis import event, given, settings
from hypothesis import strategies as st

from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.load import load_builtin, parse_document
from maturity.config.resolver import first_match, resolve
from maturity.config.types import Config
from maturity.config.yaml_loader import load_yaml_text
from maturity.errors import RefError
from maturity.kinds import CATALOG
from maturity.refs import parse_ref, ref_problem

GATES = GATE_NAMES

DEFAULT_TABLE = [
    ("v1.2.3", "GA"),
    ("v0.1.0", "GA"),
    ("v10.20.30", "GA"),
    ("v1.2.3+build.7", "GA"),
    ("refs/tags/v1.2.3", "GA"),
    ("v0.0.0", "GA"),
    ("v1.2.3-rc.1", "PRE_GA"),
    ("refs/tags/v2.0.0-rc.10", "PRE_GA"),
    ("v1.2.3-rc.0", "PRE_GA"),
    ("v1.2.3-beta.1", "PILOT"),
    ("v1.2", "PILOT"),
    ("vfoo", "PILOT"),
    ("1.2.3", "PILOT"),
    ("v01.2.3", "PILOT"),
    ("v1.02.3", "PILOT"),
    ("v1.2.03", "PILOT"),
    ("v1.2.3-rc.01", "PILOT"),  # leading zero in the rc number: not a release candidate
    ("v1.2.3-rc", "PILOT"),  # no rc number
    ("v1.2.3-rc.1.2", "PILOT"),  # more than one number after rc
    ("v1.2.3-rc.1+build", "PILOT"),  # build metadata after an rc is not in the PRE_GA regex
    ("v1.2.3+", "PILOT"),  # empty build metadata
    ("v1.2.3+a.-b", "GA"),  # build identifiers may be or contain hyphens
    ("v1.2.3+.a", "PILOT"),  # ...but may not be empty
    ("V1.2.3", "PILOT"),
    ("v1.2.3.4", "PILOT"),
    ("v1.2.\u0663", "PILOT"),  # ARABIC-INDIC DIGIT THREE is not a digit of a semantic version
    ("main", "PILOT"),
    ("refs/heads/main", "PILOT"),
    ("feature/x", "PILOT"),
    ("refs/pull/1/merge", "PILOT"),
]


@pytest.fixture(scope="module")
def builtin() -> Config:
    return load_builtin(CATALOG)


@pytest.mark.parametrize(("ref", "stage"), DEFAULT_TABLE)
def test_builtin_mapping_table(builtin: Config, ref: str, stage: str) -> None:
    assert resolve(builtin, parse_ref(ref)).stage.name == stage


def test_builtin_mapping_examples_resolve_to_their_own_mapping(builtin: Config) -> None:
    for mapping in builtin.mappings:
        assert mapping.examples, mapping.label
        for example in mapping.examples:
            assert resolve(builtin, parse_ref(example)).mapping == mapping, example
    assert builtin.warnings == ()


def _run(args: list[str], cwd: Path) -> CliResult:
    return run_cli(args, cwd)


# The rows the issue lists, also through the CLI (each process start costs ~0.15 s).
CLI_TABLE = [
    row
    for row in DEFAULT_TABLE
    if row[0]
    in {
        "v1.2.3",
        "v0.1.0",
        "v10.20.30",
        "v1.2.3+build.7",
        "v1.2.3-rc.1",
        "refs/tags/v2.0.0-rc.10",
        "v1.2.3-beta.1",
        "v1.2",
        "vfoo",
        "1.2.3",
        "v01.2.3",
        "v1.2.3-rc.01",
        "v1.2.3-rc",
        "v1.2.3-rc.1.2",
        "main",
        "refs/heads/main",
        "feature/x",
    }
]


@pytest.fixture(scope="module")
def cli_table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`maturity resolve REF --builtin-config --format json` for every row, run concurrently."""
    cwd = tmp_path_factory.mktemp("resolve")
    refs = [ref for ref, _ in CLI_TABLE]
    with ThreadPoolExecutor(max_workers=4) as pool:
        procs = list(
            pool.map(
                lambda r: _run(["resolve", r, "--builtin-config", "--format", "json"], cwd), refs
            )
        )
    assert list(cwd.iterdir()) == []
    return dict(zip(refs, procs, strict=True))


@pytest.mark.parametrize(("ref", "stage"), CLI_TABLE)
def test_builtin_mapping_table_through_the_cli(
    cli_table: dict[str, CliResult], ref: str, stage: str
) -> None:
    proc = cli_table[ref]
    assert proc.code == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["stage"] == stage
    assert out["ref_name"] == parse_ref(ref).name


# --- GA is a full semantic version and nothing else ----------------------------------------------

# Written independently of the built-in regex: semver.org's core version with an optional build.
_NUM = r"(?:0|[1-9][0-9]*)"
_IDENT = r"[0-9A-Za-z-]+"
SEMVER = re.compile(rf"v{_NUM}\.{_NUM}\.{_NUM}(?:\+{_IDENT}(?:\.{_IDENT})*)?", re.ASCII)
RC = re.compile(rf"v{_NUM}\.{_NUM}\.{_NUM}-rc\.{_NUM}", re.ASCII)

_numbers = st.one_of(
    st.integers(0, 10**6).map(str),
    st.sampled_from(["0", "10", "01", "00", "007", "", "x", "\u0661"]),
)
_suffixes = st.one_of(
    st.just(""),
    st.integers(0, 99).map(lambda n: f"-rc.{n}"),
    st.sampled_from(
        [
            "+build.7",
            "+b",
            "+a-b.c-d.0",
            "+-",
            "+",
            "+.a",
            "+a.",
            "+a.-.b",
            "+a_b",
            "-rc.1",
            "-rc.0",
            "-rc.01",
            "-rc.10",
            "-rc",
            "-rc.",
            "-rc.1.2",
            "-rc.1+b",
            "-beta.1",
            "-RC.1",
            ".4",
            "/x",
            "-",
            "é",
        ]
    ),
)
_prefixes = st.one_of(
    st.just(""), st.sampled_from(["refs/tags/", "refs/heads/", "V", "x", "vv", "refs/x/"])
)


@st.composite
def _version_like(draw: st.DrawFn) -> str:
    count = draw(st.sampled_from([3, 3, 3, 1, 2, 4]))
    sep = draw(st.sampled_from([".", ".", ".", ",", "-"]))
    core = sep.join(draw(st.lists(_numbers, min_size=count, max_size=count)))
    return draw(_prefixes) + "v" + core + draw(_suffixes)


_valid_refs = st.one_of(
    _version_like(),
    st.text(alphabet="v0123456789.+-rcab/", max_size=16),
    st.text(max_size=8),
).filter(lambda s: ref_problem(s) is None)


@settings(max_examples=200, deadline=None)
@given(_valid_refs)
def test_ga_exactly_when_the_name_is_a_full_semantic_version(builtin: Config, ref: str) -> None:
    parsed = parse_ref(ref)
    stage = resolve(builtin, parsed).stage.name
    event(stage)
    assert (stage == "GA") == bool(SEMVER.fullmatch(parsed.name)), (ref, stage)
    assert (stage == "PRE_GA") == bool(RC.fullmatch(parsed.name)), (ref, stage)
    assert stage in {"GA", "PRE_GA", "PILOT"}


def test_refs_under_tags_and_heads_resolve_by_their_short_name(builtin: Config) -> None:
    # Patterns see the short name only: the ref's type does not change the stage.
    assert resolve(builtin, parse_ref("refs/heads/v1.2.3")).stage.name == "GA"
    assert resolve(builtin, parse_ref("refs/tags/main")).stage.name == "PILOT"
    # ...but other refs/ namespaces keep their path, so they are not versions.
    assert resolve(builtin, parse_ref("refs/x/v1.2.3")).stage.name == "PILOT"


# --- first match wins: a brute-force reference --------------------------------------------------

_GATE_LEVELS = "{" + ", ".join(f"{g}: off" for g in GATES) + "}"
_STAGES = ("A", "B", "C")
_pattern_tokens = st.sampled_from(
    ["a", "b", "c", "/", ".", "-", "*", "?", "[ab]", "[!a]", "[a-c]", "[!.-/]", "[.-/]"]
)
_patterns = st.lists(_pattern_tokens, min_size=1, max_size=5).map("".join)
# Valid short names by construction: no '..', '//', leading '.' or '/', trailing '.' or '/'.
_components = st.from_regex(r"[abcx-]{1,3}(\.[abcx-]{1,2})?", fullmatch=True)
_names = st.lists(_components, min_size=1, max_size=3).map("/".join)


def _config_from(mappings: list[tuple[str, str]]) -> Config:
    lines = ["version: 1", "stages:"]
    lines += [f"  {s}:\n    gates: {_GATE_LEVELS}" for s in _STAGES]
    lines.append("mappings:")
    for pattern, stage in mappings:
        lines.append(f"  - pattern: {json.dumps(pattern)}\n    stage: {stage}")
    text = "\n".join(lines) + "\n"
    config, problems = parse_document(load_yaml_text(text, "gen.yml"), text.encode(), CATALOG)
    # Shadowed mappings, unreachable stages etc. are reported, yet the config is still built.
    assert config is not None, [p.render() for p in problems]
    return config


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_patterns, st.sampled_from(_STAGES)), min_size=1, max_size=8),
    st.lists(_names, min_size=1, max_size=6),
    st.sampled_from(["", "refs/tags/", "refs/heads/"]),
)
def test_resolve_returns_the_lowest_index_mapping_that_matches(
    mappings: list[tuple[str, str]], names: list[str], prefix: str
) -> None:
    config = _config_from(mappings)
    assert [(m.expression, m.stage) for m in config.mappings] == mappings
    for name in names:
        assert ref_problem(name) is None
        ref = parse_ref(prefix + name)
        assert ref.name == name
        expected = next(
            (i for i, (pattern, _) in enumerate(mappings) if fnmatch.fnmatchcase(name, pattern)),
            None,
        )
        event(
            "no match"
            if expected is None
            else "first match at 0"
            if expected == 0
            else "later match"
        )
        if expected is None:
            assert first_match(config, name) is None
            with pytest.raises(RefError, match=r"no mapping in gen\.yml matches"):
                resolve(config, ref)
        else:
            res = resolve(config, ref)
            assert res.mapping.index == expected, (name, mappings)
            assert res.stage.name == mappings[expected][1]
            assert res.ref == ref


def test_first_match_wins_over_a_more_specific_later_mapping() -> None:
    config = _config_from([("v*", "A"), ("v1.*", "B"), ("*", "C")])
    assert resolve(config, parse_ref("v1.2")).mapping.index == 0
    assert resolve(config, parse_ref("main")).stage.name == "C"


# --- `maturity resolve` output ---------------------------------------------------------------------


def _line_col_of(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def test_resolve_text_output_for_the_builtin_defaults(tmp_path: Path) -> None:
    proc = _run(["resolve", "refs/tags/v1.2.3-rc.4", "--builtin-config"], tmp_path)
    assert proc.code == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "ref:     refs/tags/v1.2.3-rc.4 (tag; patterns see 'v1.2.3-rc.4')"
    assert lines[1].startswith("stage:   PRE_GA (Release candidates")
    line, col = _line_col_of(
        DEFAULT_STAGES_YAML, "regex: 'v(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)-rc"
    )
    assert lines[2].startswith("mapping: mappings[1] regex 'v(0|")
    assert lines[2].endswith(f" at built-in defaults:{line}:{col}")
    assert lines[3] == "gates:"
    levels = dict(line.split() for line in lines[4:])
    assert levels == {
        "promotion_guard": "required",
        "observability_verify": "required",
        "deps_approval": "report_only",
        "policy_drift": "report_only",
        "field_budgets": "report_only",
    }
    assert list(tmp_path.iterdir()) == []


CUSTOM = f"""\
version: 1
stages:
  LOOSE:
    description: anything
    gates: {{promotion_guard: report_only, observability_verify: off, deps_approval: off, policy_drift: off, field_budgets: off}}
  STRICT:
    gates: {_GATE_LEVELS.replace("off", "required")}
mappings:
  - pattern: 'release/*'
    stage: STRICT
  - regex: 'hotfix-[0-9]+'
    stage: LOOSE
    examples: [hotfix-1]
"""


def _write_custom(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text(CUSTOM, encoding="utf-8")


def test_resolve_text_output_names_the_file_and_line(tmp_path: Path) -> None:
    _write_custom(tmp_path)
    proc = _run(["resolve", "hotfix-12"], tmp_path)
    assert proc.code == 0, proc.stderr
    line, col = _line_col_of(CUSTOM, "regex: 'hotfix")
    assert proc.stdout.splitlines() == [
        "ref:     hotfix-12 (unknown type: --tag or --branch says which; patterns see 'hotfix-12')",
        "stage:   LOOSE (anything)",
        f"mapping: mappings[1] regex 'hotfix-[0-9]+' at ci/maturity-stages.yml:{line}:{col}",
        "gates:",
        "  promotion_guard       report_only",
        "  observability_verify  off",
        "  deps_approval         off",
        "  policy_drift          off",
        "  field_budgets         off",
    ]
    assert "built-in" not in proc.stderr


def test_resolve_notes_when_the_builtin_defaults_stand_in(tmp_path: Path) -> None:
    proc = _run(["resolve", "main"], tmp_path)
    assert proc.code == 0
    assert "stage:   PILOT" in proc.stdout
    assert "using the built-in defaults" in proc.stderr


def test_resolve_json_output_shape(tmp_path: Path) -> None:
    _write_custom(tmp_path)
    proc = _run(["resolve", "refs/heads/release/2", "--format", "json"], tmp_path)
    assert proc.code == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "ref": "refs/heads/release/2",
        "ref_name": "release/2",
        "ref_type": "branch",
        "config": "ci/maturity-stages.yml",
        "stage": "STRICT",
        "description": "",
        "mapping": {"index": 0, "kind": "pattern", "expression": "release/*"},
        "gates": dict.fromkeys(GATES, "required"),
    }


def test_resolve_json_output_for_the_builtin_defaults(tmp_path: Path) -> None:
    proc = _run(["resolve", "v1.2.3", "--builtin-config", "--format", "json"], tmp_path)
    assert proc.code == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["config"] == "built-in defaults"
    assert out["ref"] == out["ref_name"] == "v1.2.3"
    assert out["ref_type"] == "unknown"
    assert out["mapping"]["index"] == 0
    assert out["mapping"]["kind"] == "regex"
    assert out["gates"] == dict.fromkeys(GATES, "required")


def test_resolve_without_a_matching_mapping_exits_2_and_suggests_a_catch_all(
    tmp_path: Path,
) -> None:
    _write_custom(tmp_path)
    proc = _run(["resolve", "main"], tmp_path)
    assert proc.code == 2
    assert proc.stdout == ""
    assert "no mapping in ci/maturity-stages.yml matches the ref 'main'" in proc.stderr
    assert "fix:" in proc.stderr
    assert "catch-all: - pattern: '*'" in proc.stderr


def test_resolve_library_error_without_a_matching_mapping() -> None:
    text = CUSTOM
    config, problems = parse_document(load_yaml_text(text, "custom.yml"), text.encode(), CATALOG)
    assert config is not None
    assert [p.severity.value for p in problems] == ["warning"]  # no catch-all: a warning only
    with pytest.raises(RefError) as info:
        resolve(config, parse_ref("refs/heads/main"))
    assert "no mapping in custom.yml matches the ref 'main'" in info.value.message
    assert "- pattern: '*'" in info.value.remediation
