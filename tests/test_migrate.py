"""``maturity migrate``: the TypeScript evaluator's stages file to version 1, with the same stages.

The old file's patterns are JavaScript regexes found anywhere in the name (``.test()``), with
PILOT when none matches; the new file's ``regex:`` must match the whole name (RE2).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from helpers import GATE_NAMES, run_cli

from maturity.config.js_regex import JsRegexError, translate
from maturity.config.load import parse_document
from maturity.config.migrate import Difference, check, migrate, old_stage
from maturity.config.old_format import OldFile, read_old_file
from maturity.config.regex import compile_regex
from maturity.config.resolver import first_match
from maturity.config.typical_refs import TYPICAL_REFS
from maturity.config.yaml_loader import load_yaml_text
from maturity.errors import ConfigError
from maturity.kinds import CATALOG

GATES = GATE_NAMES


def _levels(required: tuple[str, ...]) -> str:
    return "\n".join(f"      {g}: {'required' if g in required else 'report_only'}" for g in GATES)


# The shape of the TypeScript evaluator's own stages file (descriptions are ours).
OLD_FILE = f"""\
# stages for the old release script
stages:
  PILOT:
    description: Work in progress; gates only report.
    gates:
{_levels(())}
  PRE_GA:
    description: Candidates; checks and observability block.
    gates:
{_levels(("promotion_guard", "observability_verify"))}
  GA:
    description: Final releases; everything blocks.
    gates:
{_levels(GATES)}
mappings:
  - pattern: "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"
    stage: GA
  - pattern: "^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+-rc\\\\.[0-9]+$"
    stage: PRE_GA
  - pattern: "^main$"
    stage: PILOT
  - pattern: ".*"
    stage: PILOT
"""


def old_file(text: str = OLD_FILE) -> OldFile:
    return read_old_file(load_yaml_text(text, "old.yml"))


def with_mappings(*mappings: tuple[str, str], stages: str = OLD_FILE) -> str:
    """The old file with *mappings* (pattern, stage) instead of its own."""
    head = stages.split("mappings:\n", maxsplit=1)[0]
    body = "".join(f"  - pattern: {json.dumps(p)}\n    stage: {s}\n" for p, s in mappings)
    return f"{head}mappings:\n{body}"


# --- translation: JavaScript's "found anywhere" as RE2's "the whole name" -------------------------


@pytest.mark.parametrize(
    ("js", "re2"),
    [
        (r"^v[0-9]+\.[0-9]+\.[0-9]+$", r"v[0-9]+\.[0-9]+\.[0-9]+"),  # anchored: anchors go
        ("^main$", "main"),
        ("main", ".*main.*"),  # unanchored: made explicit
        ("^release/", "release/.*"),
        ("-rc$", ".*-rc"),
        ("^a|b$", "a.*|.*b"),  # each top-level alternative on its own
        ("^(main|master)$", "(main|master)"),  # alternation inside a group is not top level
        (".*", ".*"),
        ("", ".*"),
        ("^.*$", ".*"),
        ("x|.*", ".*"),
        (r"\d+", r".*\d+.*"),  # ASCII in both engines
        (r"^v\d", r"v\d.*"),
        (r"[^/]+$", r".*[^/]+"),
        (r"^feature\/", "feature/.*"),  # an escaped / is a /
        (r"^\x76\u0031$", "v1"),
        (r"a{,2}", r".*a\{,2\}.*"),  # '{' that opens no count is literal in JavaScript
        (r"[[:alpha:]]", r".*[\[:alpha:]\].*"),  # no POSIX classes in JavaScript
        (r"\e\Z", ".*eZ.*"),  # an escaped letter with no meaning is the letter
        ("(?<n>v)1", ".*(?:v)1.*"),
        ("[]", r".*[^\x00-\x{10ffff}].*"),
        ("^$", "(?:)"),
    ],
)
def test_translation(js: str, re2: str) -> None:
    assert translate(js) == re2
    compile_regex(re2)  # RE2 accepts it


@pytest.mark.parametrize(
    ("js", "words"),
    [
        ("^(?!main$).*", ["lookahead", "earlier mapping"]),
        ("(?<=x)y", ["lookbehind"]),
        (r"(a)\1", ["backreference"]),
        (r"(?<n>a)\k<n>", ["backreference"]),
        ("a(b", ["unclosed '('"]),
        ("a)", ["unmatched ')'"]),
        ("*a", ["nothing to repeat"]),
        ("[z-a]", ["reversed range"]),
        ("a{3,1}", ["reversed"]),
        ("[abc", ["unclosed '['"]),
    ],
)
def test_refused_patterns_say_why(js: str, words: list[str]) -> None:
    with pytest.raises(JsRegexError) as info:
        translate(js)
    for word in words:
        assert word in str(info.value)


def test_white_space_is_javascripts() -> None:
    """\\s in JavaScript includes U+00A0 and U+FEFF; RE2's \\s does not: written out."""
    regex = compile_regex(translate(r"^a\sb$"))
    assert regex.fullmatch("a\u00a0b")
    assert regex.fullmatch("a\ufeffb")
    assert not regex.fullmatch("axb")
    not_space = compile_regex(translate(r"^a\Sb$"))
    assert not_space.fullmatch("axb")
    assert not not_space.fullmatch("a\u00a0b")


# --- the migrated file ----------------------------------------------------------------------------


def test_the_evaluators_own_file_keeps_every_stage() -> None:
    old = old_file()
    migration = migrate(old, TYPICAL_REFS, CATALOG)
    config = migration.config
    for name, stage in {
        "v1.2.3": "GA",
        "v1.2.3-rc.1": "PRE_GA",
        "main": "PILOT",
        "feature/x": "PILOT",
    }.items():
        hit = first_match(config, name)
        assert hit is not None
        assert hit.stage == stage == old_stage(old, name)
    assert check(old, config, TYPICAL_REFS) == []
    assert [m.expression for m in config.mappings] == [
        r"v[0-9]+\.[0-9]+\.[0-9]+",
        r"v[0-9]+\.[0-9]+\.[0-9]+-rc\.[0-9]+",
        "main",
        "*",
    ]
    assert config.mappings[-1].is_catch_all
    assert "# was: pattern: '^main$'" in migration.text
    assert migration.text.startswith("# yaml-language-server: $schema=")
    assert config.stages["GA"].description == "Final releases; everything blocks."
    assert {g: lv.value for g, lv in config.stages["PRE_GA"].levels.items()} == {
        "promotion_guard": "required",
        "observability_verify": "required",
        "deps_approval": "report_only",
        "policy_drift": "report_only",
        "field_budgets": "report_only",
    }
    assert migration.warnings == ()


def test_examples_are_refs_that_resolve_to_their_mapping() -> None:
    migration = migrate(old_file(), ["v9.9.9", *TYPICAL_REFS], CATALOG)
    examples = {m.expression: m.examples for m in migration.config.mappings}
    assert examples[r"v[0-9]+\.[0-9]+\.[0-9]+"][:2] == ("v9.9.9", "v1.2.3")
    assert examples["main"] == ("main",)
    for mapping in migration.config.mappings:
        for example in mapping.examples:
            hit = first_match(migration.config, example)
            assert hit is not None
            assert hit.index == mapping.index


def test_the_fallback_becomes_an_explicit_catch_all() -> None:
    text = with_mappings(("^v[0-9]", "GA"), ("rc", "PRE_GA"))
    old = old_file(text)
    migration = migrate(old, TYPICAL_REFS, CATALOG)
    last = migration.config.mappings[-1]
    assert (last.expression, last.stage) == ("*", "PILOT")
    assert "# was: no pattern matched, so PILOT" in migration.text
    assert first_match(migration.config, "develop") == last
    assert check(old, migration.config, TYPICAL_REFS) == []


def test_without_pilot_unmatched_refs_stay_an_error() -> None:
    stages = OLD_FILE.replace("  PILOT:", "  DEV:")
    text = with_mappings(("^v", "GA"), ("^dev", "DEV"), stages=stages)
    old = old_file(text)
    migration = migrate(old, [*TYPICAL_REFS, "dev-1"], CATALOG)
    assert first_match(migration.config, "feature/x") is None
    assert old_stage(old, "feature/x") is None
    assert any("no catch-all added" in n and "exit 2" in n for n in migration.notes)
    assert "PRE_GA" not in migration.config.stages  # no mapping named it: dropped, and said
    assert any(n.startswith("stage PRE_GA dropped") for n in migration.notes)


def test_mappings_after_a_catch_all_and_duplicates_are_dropped() -> None:
    text = with_mappings(
        ("^main$", "PILOT"), ("main$", "GA"), ("^main$", "GA"), ("", "PILOT"), ("x", "GA")
    )
    migration = migrate(old_file(text), TYPICAL_REFS, CATALOG)
    assert [m.expression for m in migration.config.mappings] == ["main", ".*main", "*"]
    dropped = [n for n in migration.notes if n.startswith("mappings[")]
    assert [n.split(" dropped")[0] for n in dropped] == ["mappings[2]", "mappings[4]"]


def test_a_difference_is_found() -> None:
    """Python's re (the old reading's stand-in) reads {,2} as a count; JavaScript and the
    migrated regex read it literally: the check must say that the readings differ."""
    old = old_file(with_mappings(("^v{,2}$", "GA")))
    migration = migrate(old, TYPICAL_REFS, CATALOG)
    assert check(old, migration.config, TYPICAL_REFS) == []
    assert check(old, migration.config, ["v{,2}", "vv"]) == [
        Difference("v{,2}", "PILOT", "GA"),
        Difference("vv", "GA", "PILOT"),
    ]


def test_a_wrong_conversion_would_be_caught() -> None:
    """The checker against a deliberately wrong file: anchoring an unanchored pattern."""
    old = old_file(with_mappings(("rc", "PRE_GA")))
    wrong = migrate(old, TYPICAL_REFS, CATALOG).text.replace("'.*rc.*'", "'rc'")
    config, _ = parse_document(load_yaml_text(wrong, "wrong.yml"), wrong.encode(), CATALOG)
    assert config is not None
    found = check(old, config, TYPICAL_REFS)
    assert Difference("v1.2.3-rc.1", "PRE_GA", "PILOT") in found


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (with_mappings(("^(?!main$)", "GA")), ["old.yml:", "lookahead", "earlier mapping"]),
        (with_mappings(("^v", "GONE")), ["old.yml:", "GONE", "Stage configuration not found"]),
        (OLD_FILE.replace("deps_approval: required", "deps_approval: off", 1), ["deps_approval"]),
        (OLD_FILE.replace("      field_budgets: report_only\n", "", 1), ["field_budgets"]),
        ("version: 1\n" + OLD_FILE, ["already in maturity's format"]),
        (OLD_FILE.replace("  GA:", "  G A:"), ["'G A'", "cannot be kept"]),
    ],
)
def test_refused_old_files(text: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        migrate(old_file(text), TYPICAL_REFS, CATALOG)
    for word in words:
        assert word in info.value.render()


def test_fields_the_evaluator_ignored_are_named() -> None:
    text = OLD_FILE.replace("  GA:\n", "  GA:\n    owner: release-team\n").replace(
        "stages:\n", "notify: ops\nstages:\n"
    )
    migration = migrate(old_file(text), TYPICAL_REFS, CATALOG)
    assert "notify dropped: the TypeScript evaluator ignored it" in migration.notes
    assert "stages.GA.owner dropped: the TypeScript evaluator ignored it" in migration.notes
    assert "owner" not in migration.text


def test_odd_descriptions_survive_quoting() -> None:
    text = OLD_FILE.replace(
        "description: Final releases; everything blocks.",
        'description: "it\'s \\"final\\"\\u00a0\\t# 1"',
    )
    migration = migrate(old_file(text), TYPICAL_REFS, CATALOG)
    assert migration.config.stages["GA"].description == 'it\'s "final"\u00a0\t# 1'


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text(OLD_FILE, encoding="utf-8")
    return tmp_path


def _stage(cwd: Path, ref: str) -> str:
    result = run_cli(["resolve", ref, "--format", "json"], cwd)
    assert result.code == 0, result.stderr
    stage: str = json.loads(result.stdout)["stage"]
    return stage


def test_acceptance_write_then_resolve_and_validate_strict(repo: Path) -> None:
    path = repo / "ci" / "maturity-stages.yml"
    before = run_cli(["validate", "ci/maturity-stages.yml"], repo)
    assert before.code == 1
    assert "maturity migrate ci/maturity-stages.yml --write" in before.stdout
    result = run_cli(["migrate", "--write"], repo)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert f"{len(TYPICAL_REFS)} refs checked" in result.stderr
    assert "every one resolves to the same stage" in result.stderr
    assert path.read_text(encoding="utf-8").count("  - regex: ") == 3
    assert [_stage(repo, r) for r in ("v1.2.3", "v1.2.3-rc.1", "main", "feature/x")] == [
        "GA",
        "PRE_GA",
        "PILOT",
        "PILOT",
    ]
    strict = run_cli(["validate", "--strict", "ci/maturity-stages.yml"], repo)
    assert strict.code == 0, strict.stdout
    assert "0 error(s), 0 warning(s)" in strict.stdout
    again = run_cli(["migrate"], repo)
    assert again.code == 2
    assert "already in maturity's format" in again.stderr


def test_without_write_the_file_goes_to_stdout_and_stays(repo: Path) -> None:
    result = run_cli(["migrate", "ci/maturity-stages.yml", "--ref", "refs/tags/v7.0.0"], repo)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("# yaml-language-server")
    assert "examples: ['v7.0.0', 'v1.2.3'" in result.stdout
    assert f"{len(TYPICAL_REFS) + 1} refs checked" in result.stderr
    assert "1 given with --ref" in result.stderr
    assert (repo / "ci" / "maturity-stages.yml").read_text(encoding="utf-8") == OLD_FILE


def test_output_writes_elsewhere(repo: Path) -> None:
    result = run_cli(["migrate", "--output", "new/stages.yml"], repo)
    assert result.code == 0, result.stderr
    assert (repo / "new" / "stages.yml").read_text(encoding="utf-8").startswith("# yaml")
    assert (repo / "ci" / "maturity-stages.yml").read_text(encoding="utf-8") == OLD_FILE


def test_a_mapping_no_ref_reaches_is_warned_about(repo: Path) -> None:
    path = repo / "ci" / "maturity-stages.yml"
    path.write_text(with_mappings(("^hotfix-", "GA"), ("^rc-", "PRE_GA")), encoding="utf-8")
    result = run_cli(["migrate", "--ref", "hotfix-1"], repo)
    assert result.code == 0, result.stderr
    assert re.search(r"mappings\[1\] \('\^rc-'\) gets no example.*\n.*--ref", result.stderr)
    assert "mappings[0]" not in result.stderr


def test_readings_that_differ_exit_1_and_write_nothing(repo: Path) -> None:
    path = repo / "ci" / "maturity-stages.yml"
    text = with_mappings(("^v{,2}$", "GA"))
    path.write_text(text, encoding="utf-8")
    result = run_cli(["migrate", "--write", "--ref", "v{,2}"], repo)
    assert result.code == 1
    assert "v{,2}: before PILOT, after GA" in result.stderr
    assert "nothing was written" in result.stderr
    assert result.stdout == ""
    assert path.read_text(encoding="utf-8") == text


def test_a_catastrophically_backtracking_old_pattern_stops_the_check(repo: Path) -> None:
    """``(a+)+$`` against 40 a's and a b runs for hours under a backtracking engine (as under
    JavaScript): the check gives up after its time limit, says why, and writes nothing."""
    path = repo / "ci" / "maturity-stages.yml"
    text = with_mappings(("(a+)+$", "GA"))
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = run_cli(["migrate", "--write", "--ref", "a" * 40 + "b"], repo, timeout=30)
    assert time.monotonic() - started < 20
    assert result.code == 1, result.stderr
    assert "backtracks catastrophically" in result.stderr
    assert "nothing was written" in result.stderr
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["missing.yml"], 2, ["missing.yml: no such file"]),
        (["--ref", "bad..ref"], 2, ["--ref", ".."]),
        (["--write", "--output", "x.yml"], 2, ["not allowed with"]),
    ],
)
def test_usage_errors(repo: Path, args: list[str], code: int, words: list[str]) -> None:
    result = run_cli(["migrate", *args], repo)
    assert result.code == code
    for word in words:
        assert word in result.stderr


def test_an_unconvertible_pattern_names_its_line(repo: Path) -> None:
    path = repo / "ci" / "maturity-stages.yml"
    path.write_text(with_mappings(("^v", "GA"), ("^(?!main)", "PILOT")), encoding="utf-8")
    result = run_cli(["migrate"], repo)
    assert result.code == 2
    line = path.read_text(encoding="utf-8").splitlines().index('  - pattern: "^(?!main)"') + 1
    assert f"ci/maturity-stages.yml:{line}:14: mappings[1].pattern cannot be migrated" in (
        result.stderr
    )
    assert "lookahead" in result.stderr
