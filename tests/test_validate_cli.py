"""`maturity validate` (and `evaluate --config`) on good, broken and hostile stages files.

Semantic checks are located: every message is checked against the ``file:line`` computed from
the fixture text. The check-jsonschema style sweep over ``tests/examples/configs`` runs the CLI
in-process (``maturity.cli.main``) to stay fast; everything else runs it as a subprocess.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import CliResult, clean_env, run_cli

from maturity.cli import main
from maturity.config.load import load_config_file
from maturity.config.yaml_loader import load_yaml_text
from maturity.errors import ConfigError
from maturity.kinds import CATALOG

EXAMPLES = Path(__file__).parent / "examples" / "configs"
VALID = sorted((EXAMPLES / "valid").glob("*.yml"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.yml"))
SHA = "0123456789abcdef0123456789abcdef01234567"

GATES_ALL = """\
    gates:
      promotion_guard: {level}
      observability_verify: {level}
      deps_approval: {level}
      policy_drift: {level}
      field_budgets: {level}
"""

CLEAN = f"""\
version: 1
stages:
  DEV:
{GATES_ALL.format(level="report_only")}  GA:
{GATES_ALL.format(level="required")}mappings:
  - pattern: 'v*'
    stage: GA
    examples: [v1.2.3]
  - pattern: '*'
    stage: DEV
    examples: [main, refs/heads/feature/x]
"""

# One file with every semantic problem; trailing comments make each offending line unique.
SEMANTIC = """\
version: 1
stages:
  DEV:
    gates:
      promotion_guard: required          # strong early
      observability_verify: report_only
      deps_approval: off
      policy_drift: off
      field_budgets: off
  RC:
    gates:
      promotion_guard: report_only       # weaker later
      observability_verify: report_only
      deps_approval: off
      policy_drift: off
      field_budgets: off
  GA:
    gates:
      promotion_guard: required
      observability_verify: required
      deps_approval: required
      policy_drift: required
      field_budgets: required
  ORPHAN:                                # reached by no mapping
    gates:
      promotion_guard: required
      observability_verify: required
      deps_approval: required
      policy_drift: required
      field_budgets: required
mappings:
  - pattern: 'v*'
    stage: GA
    examples: [v1.2.3, 'v1..2', main]    # one good, one invalid ref, one that does not match
  - pattern: 'v*-rc.*'                   # shadowed by v*
    stage: RC
  - pattern: 'release/*'
    stage: RC
  - pattern: 'release/v?'                # shadowed by release/*
    stage: RC
  - regex: 'hot(fix)?/.*'
    stage: DEV
  - regex: 'hot(fix)?/.*'                # identical regex
    stage: DEV
  - regex: '.*'                          # catch-all, not last
    stage: DEV
  - pattern: 'feature/*'                 # after the catch-all
    stage: DEV
    examples: [feature/x]                # resolves to the catch-all
"""

# (severity, needle on the offending line, message fragment)
SEMANTIC_EXPECTED = [
    ("warning", "# weaker later", "gate promotion_guard is required at stage DEV but only"),
    ("error", "# reached by no mapping", "no mapping reaches stage 'ORPHAN'"),
    ("error", "# one good", "example 'v1..2' is not a valid git ref"),
    ("error", "# one good", "example 'main' does not match mappings[0] pattern 'v*'"),
    ("error", "# shadowed by v*", "mappings[1] pattern 'v*-rc.*' can never match"),
    ("error", "# shadowed by release/*", "mappings[3] pattern 'release/v?' can never match"),
    ("error", "# identical regex", "mappings[5] regex 'hot(fix)?/.*' can never match"),
    ("error", "# catch-all, not last", "mappings[6] regex '.*' matches every ref, so the 1"),
    ("error", "# resolves to the catch-all", "example 'feature/x' resolves to mappings[6]"),
]


# --- helpers -------------------------------------------------------------------------------------


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the *occurrence*-th line of *text* that contains *needle*."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} occurs on {len(hits)} line(s)"
    return hits[occurrence - 1]


def run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> CliResult:
    return run_cli(args, cwd, env, timeout=120)  # a hang guard, not a timing assertion


def write(tmp_path: Path, text: str, name: str = "stages.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def header(path: Path) -> dict[str, str]:
    """The `# key: value` comment lines at the top of an example file."""
    out: dict[str, str] = {}
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        if not line.startswith("# ") or ": " not in line:
            break
        key, _, value = line[2:].partition(": ")
        if key not in {"expect", "schema", "warn"}:
            break
        out[key] = value
    return out


@pytest.fixture
def no_github_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GITHUB_"):
            monkeypatch.delenv(name)


def test_fixtures_are_what_the_tests_say() -> None:
    assert load_yaml_text(CLEAN, "c").data["stages"]["GA"]["gates"]["field_budgets"] == "required"
    assert len(load_yaml_text(SEMANTIC, "s").data["mappings"]) == 8


# --- semantic checks, located --------------------------------------------------------------------


def test_validate_text_reports_every_semantic_problem_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, SEMANTIC)
    result = run(tmp_path, "validate", "stages.yml", "--format", "text")
    assert result.code == 1, result.stderr
    lines = result.stdout.splitlines()
    for severity, needle, fragment in SEMANTIC_EXPECTED:
        prefix = f"stages.yml:{line_of(SEMANTIC, needle)}:"
        hits = [ln for ln in lines if ln.startswith(prefix) and fragment in ln]
        assert len(hits) == 1, (prefix, fragment, result.stdout)
        assert f": {severity}: " in hits[0]
        assert "(fix: " in hits[0]
    located = [ln for ln in lines if re.match(r"stages\.yml:\d+:\d+: ", ln)]
    assert len(located) == len(SEMANTIC_EXPECTED)
    assert lines[-1] == "stages.yml: 8 error(s), 1 warning(s)"
    assert "mappings (first match wins)" not in result.stdout  # no gate table for a bad file


def test_validate_github_annotations(tmp_path: Path) -> None:
    write(tmp_path, SEMANTIC)
    result = run(tmp_path, "validate", "stages.yml", "--format", "github")
    assert result.code == 1
    commands = [ln for ln in result.stdout.splitlines() if ln.startswith("::")]
    assert len(commands) == len(SEMANTIC_EXPECTED)
    for severity, needle, fragment in SEMANTIC_EXPECTED:
        start = f"::{severity} file=stages.yml,line={line_of(SEMANTIC, needle)},title=maturity validate::"
        assert any(c.startswith(start) and fragment in c for c in commands), (start, fragment)
    assert result.stdout.splitlines()[-1] == "stages.yml: 8 error(s), 1 warning(s)"


def test_validate_github_is_the_default_under_actions(tmp_path: Path) -> None:
    write(tmp_path, SEMANTIC)
    result = run(tmp_path, "validate", "stages.yml", env=clean_env(GITHUB_ACTIONS="true"))
    assert result.code == 1
    assert result.stdout.startswith("::warning file=stages.yml,line=")


def test_validate_github_escapes_the_file_property(tmp_path: Path) -> None:
    write(tmp_path, SEMANTIC, "a,b:c.yml")
    result = run(tmp_path, "validate", "a,b:c.yml", "--format", "github")
    assert result.stdout.startswith("::warning file=a%2Cb%3Ac.yml,line=")


def test_validate_json(tmp_path: Path) -> None:
    write(tmp_path, SEMANTIC)
    result = run(tmp_path, "validate", "stages.yml", "--format", "json")
    assert result.code == 1
    out = json.loads(result.stdout)
    assert out["file"] == "stages.yml"
    assert out["valid"] is False
    problems = out["problems"]
    assert len(problems) == len(SEMANTIC_EXPECTED)
    assert {tuple(p) for p in problems} == {("severity", "where", "line", "message", "remediation")}
    for severity, needle, fragment in SEMANTIC_EXPECTED:
        line = line_of(SEMANTIC, needle)
        matching = [p for p in problems if fragment in p["message"]]
        assert len(matching) == 1, fragment
        assert matching[0]["severity"] == severity
        assert matching[0]["line"] == line
        assert matching[0]["where"].startswith(f"stages.yml:{line}:")
        assert matching[0]["remediation"]
    # columns: a mapping is located at its first key, an example at the example itself
    where = {p["message"]: p["where"] for p in problems}
    rc_line = line_of(SEMANTIC, "# shadowed by v*")
    rc_message = next(m for m in where if m.startswith("mappings[1] pattern 'v*-rc.*'"))
    assert where[rc_message] == f"stages.yml:{rc_line}:5"
    example_line = line_of(SEMANTIC, "# one good")
    example_column = SEMANTIC.splitlines()[example_line - 1].index("'v1..2'") + 1
    bad_ref = next(m for m in where if m.startswith("example 'v1..2'"))
    assert where[bad_ref] == f"stages.yml:{example_line}:{example_column}"


def test_example_resolving_to_an_earlier_overlapping_mapping(tmp_path: Path) -> None:
    text = CLEAN.replace(
        "  - pattern: 'v*'\n",
        "  - pattern: '*-rc*'\n    stage: DEV\n  - pattern: 'v*'\n",
    ).replace(
        "    examples: [v1.2.3]\n", "    examples: [v1.2.3, v1.3-rc1]   # second goes first\n"
    )
    write(tmp_path, text)
    result = run(tmp_path, "validate", "stages.yml")
    assert result.code == 1
    expected = f"stages.yml:{line_of(text, '# second goes first')}:"
    assert any(
        ln.startswith(expected)
        and "example 'v1.3-rc1' resolves to mappings[0] pattern '*-rc*' (stage DEV), "
        "not to mappings[1] (stage GA)"
        in ln
        for ln in result.stdout.splitlines()
    ), result.stdout


@pytest.mark.parametrize(
    ("catch_all", "label"),
    [
        ("pattern: '*'", "pattern '*'"),
        ("pattern: '**'", "pattern '**'"),
        ("regex: '.*'", "regex '.*'"),
        ("regex: '.+'", "regex '.+'"),
    ],
)
def test_catch_all_not_last(tmp_path: Path, catch_all: str, label: str) -> None:
    text = CLEAN.replace(
        "  - pattern: 'v*'\n", f"  - {catch_all}   # too early\n    stage: DEV\n  - pattern: 'v*'\n"
    )
    write(tmp_path, text)
    result = run(tmp_path, "validate", "stages.yml", "--format", "json")
    assert result.code == 1
    problems = json.loads(result.stdout)["problems"]
    first = [p for p in problems if p["line"] == line_of(text, "# too early")]
    assert len(first) == 1
    assert first[0]["message"] == (
        f"mappings[0] {label} matches every ref, so the 2 mapping(s) after it can never match"
    )


def test_gate_weaker_later_is_a_warning_only(tmp_path: Path) -> None:
    text = CLEAN.replace(
        "  DEV:\n    gates:\n      promotion_guard: report_only\n",
        "  DEV:\n    gates:\n      promotion_guard: required\n",
    )
    text = text.replace(
        "  GA:\n    gates:\n      promotion_guard: required\n",
        "  GA:\n    gates:\n      promotion_guard: off   # weaker\n",
    )
    write(tmp_path, text)
    result = run(tmp_path, "validate", "stages.yml")
    assert result.code == 0
    line = line_of(text, "# weaker")
    assert (
        f"stages.yml:{line}:24: warning: gate promotion_guard is required at stage DEV but only "
        "off at the later, more mature stage GA" in result.stdout
    )
    assert result.stdout.splitlines()[-1] == "stages.yml: 0 error(s), 1 warning(s): valid"
    assert run(tmp_path, "validate", "stages.yml", "--strict").code == 1


def test_glob_comparison_bomb_is_bounded(tmp_path: Path) -> None:
    # The second glob is covered by the first, but proving it explores 2**30 automaton states;
    # the check must give up with a warning instead of running out of time and memory.
    text = CLEAN.replace(
        "  - pattern: 'v*'\n",
        "  - pattern: '*a" + "?" * 30 + "*'\n    stage: DEV\n"
        "  - pattern: '*a" + "?" * 31 + "*'\n    stage: DEV\n  - pattern: 'v*'\n",
    )
    write(tmp_path, text)
    result = run(tmp_path, "validate", "stages.yml", "--format", "json")
    assert result.code == 0, result.stderr
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert len(messages) == 1
    assert messages[0].startswith("the globs are too complex to prove which mappings shadow")


# --- exit codes ----------------------------------------------------------------------------------


def test_clean_file_exits_0_and_explains(tmp_path: Path) -> None:
    write(tmp_path, CLEAN)
    for extra in ([], ["--strict"]):
        result = run(tmp_path, "validate", "stages.yml", *extra)
        assert result.code == 0, result.stdout
        assert result.stdout.splitlines()[-1] == "stages.yml: 0 error(s), 0 warning(s): valid"
        assert "promotion_guard       report_only  required" in result.stdout
        assert "  [0] pattern 'v*' -> GA" in result.stdout
    out = json.loads(run(tmp_path, "validate", "stages.yml", "--format", "json").stdout)
    assert out == {"file": "stages.yml", "valid": True, "problems": []}


def test_warnings_only_exit_0_and_1_with_strict(tmp_path: Path) -> None:
    text = CLEAN.replace("  - pattern: '*'\n", "  - pattern: 'main'\n").replace(
        "examples: [main, refs/heads/feature/x]", "examples: [main]"
    )
    write(tmp_path, text)
    mappings_line = line_of(text, "mappings:")
    result = run(tmp_path, "validate", "stages.yml")
    assert result.code == 0
    assert f"stages.yml:{mappings_line}:1: warning: no catch-all mapping" in result.stdout
    assert result.stdout.splitlines()[-1] == "stages.yml: 0 error(s), 1 warning(s): valid"
    strict = run(tmp_path, "validate", "stages.yml", "--strict")
    assert strict.code == 1
    assert strict.stdout.splitlines()[-1] == "stages.yml: 0 error(s), 1 warning(s)"
    as_json = run(tmp_path, "validate", "stages.yml", "--strict", "--format", "json")
    assert as_json.code == 1
    assert json.loads(as_json.stdout)["valid"] is False
    github = run(tmp_path, "validate", "stages.yml", "--strict", "--format", "github")
    assert github.code == 1
    assert github.stdout.startswith(
        f"::warning file=stages.yml,line={mappings_line},title=maturity validate::no catch-all"
    )


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "    stage: DEV\n",
            "    stage: PROD\n",
            "stage: PROD",
            "mappings[1] names the unknown stage 'PROD'",
        ),
        (
            "      deps_approval: report_only\n",
            "",
            "promotion_guard: report_only",
            "stage 'DEV' does not set a level for: deps_approval",
        ),
        ("version: 1\n", "version: '1'\n", "version:", "version: Input should be 1"),
    ],
)
def test_structural_and_schema_errors_exit_1(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    assert CLEAN.count(old) == 1
    text = CLEAN.replace(old, new)
    write(tmp_path, text)
    result = run(tmp_path, "validate", "stages.yml")
    assert result.code == 1
    assert f"stages.yml:{line_of(text, needle)}:" in result.stdout
    assert message in result.stdout
    assert result.stdout.splitlines()[-1] == "stages.yml: 1 error(s), 0 warning(s)"


UNREADABLE = [
    # (id, file text or None for no file, (needle, occurrence) of the reported line, message)
    ("missing", None, None, "nope.yml: no such file"),
    (
        "syntax",
        CLEAN.replace("  DEV:\n", "  DEV:\n    description: a: b\n"),
        ("a: b", 1),
        "invalid YAML",
    ),
    (
        "duplicate",
        CLEAN + "version: 1\n",
        ("version: 1", 2),
        "duplicate key 'version' (first defined at line 1)",
    ),
    ("empty", "", None, "the file is empty"),
]


@pytest.mark.parametrize(
    ("text", "located", "message"), [c[1:] for c in UNREADABLE], ids=[c[0] for c in UNREADABLE]
)
def test_unreadable_file_exits_2(
    tmp_path: Path, text: str | None, located: tuple[str, int] | None, message: str
) -> None:
    if text is not None:
        write(tmp_path, text, "nope.yml")
    for fmt in ("text", "json", "github"):
        result = run(tmp_path, "validate", "nope.yml", "--format", fmt)
        assert result.code == 2
        assert result.stdout == ""
        assert message in result.stderr
        assert result.stderr.startswith("maturity: error: nope.yml")
        if text is not None and located is not None:
            assert f"nope.yml:{line_of(text, *located)}:" in result.stderr


def test_unreadable_file_under_actions_is_an_error_annotation(tmp_path: Path) -> None:
    result = run(tmp_path, "validate", "nope.yml", env=clean_env(GITHUB_ACTIONS="true"))
    assert result.code == 2
    assert result.stdout.startswith("::error title=maturity::nope.yml: no such file")


def test_validate_defaults_to_the_ci_file(tmp_path: Path) -> None:
    result = run(tmp_path, "validate")
    assert result.code == 2
    assert "ci/maturity-stages.yml: no such file" in result.stderr
    (tmp_path / "ci").mkdir()
    write(tmp_path / "ci", CLEAN, "maturity-stages.yml")
    result = run(tmp_path, "validate")
    assert result.code == 0
    assert result.stdout.endswith("ci/maturity-stages.yml: 0 error(s), 0 warning(s): valid\n")


def test_huge_nesting_does_not_crash_the_process(tmp_path: Path) -> None:
    # 200k nested '[' (400 KB, under the size limit) used to overflow the C stack: SIGSEGV
    depth = 200_000
    write(tmp_path, "version: 1\nx: " + "[" * depth + "]" * depth + "\n")
    result = run(tmp_path, "validate", "stages.yml")
    assert result.code == 2, (result.code, result.stderr[-500:])
    # the behaviour, whichever parser layer notices first (ours at 64, libyaml's own at 1,000):
    # exit 2, located on line 2, and a message that says the document is nested too deeply
    first = result.stderr.splitlines()[0]
    assert first.startswith("maturity: error: stages.yml:2:"), first
    assert "nesting" in first
    assert "fix: flatten the document" in result.stderr


def test_billion_laughs_through_the_cli(tmp_path: Path) -> None:
    result = run(tmp_path, "validate", str(EXAMPLES / "invalid" / "billion-laughs.yml"))
    assert result.code == 2
    assert "runaway aliases" in result.stderr


# --- evaluate --config refuses what validate rejects ---------------------------------------------


EVALUATE_BROKEN = [
    (
        "syntax",
        CLEAN.replace("  DEV:\n", "  DEV:\n    description: a: b\n"),
        "a: b",
        "invalid YAML",
    ),
    (
        "duplicate",
        CLEAN.replace("    stage: GA\n", "    stage: GA\n    stage: DEV\n"),
        "stage: DEV",
        "duplicate key 'stage'",
    ),
    (
        "tag",
        CLEAN.replace(
            "  DEV:\n", "  DEV:\n    description: !!python/object/apply:os.system [id]\n"
        ),
        "!!python",
        "unsupported YAML tag",
    ),
    (
        "unknown-stage",
        CLEAN.replace("    stage: DEV\n", "    stage: PROD\n"),
        "stage: PROD",
        "names the unknown stage 'PROD'",
    ),
    (
        "missing-level",
        CLEAN.replace("      field_budgets: required\n", ""),
        "promotion_guard: required",
        "does not set a level for: field_budgets",
    ),
    (
        "wrong-type",
        CLEAN.replace("version: 1", "version: 2"),
        "version:",
        "version: Input should be 1",
    ),
    (
        # a catch-all that hides every mapping after it (a shadowed mapping in general is
        # validate's to prove; a catch-all is seen at once, so evaluate refuses it too)
        "catch-all-first",
        CLEAN.replace("mappings:\n", "mappings:\n  - pattern: '*'\n    stage: DEV\n"),
        "pattern: '*'",
        "mapping(s) after it can never match",
    ),
]


@pytest.mark.parametrize(
    ("text", "needle", "message"),
    [c[1:] for c in EVALUATE_BROKEN],
    ids=[c[0] for c in EVALUATE_BROKEN],
)
def test_evaluate_with_a_broken_config_exits_2_without_a_report(
    tmp_path: Path, text: str, needle: str, message: str
) -> None:
    write(tmp_path, text)
    result = run(
        tmp_path,
        "evaluate",
        "--ref",
        "refs/tags/v1.2.3",
        "--sha",
        SHA,
        "--config",
        "stages.yml",
        "--output-dir",
        "out",
    )
    assert result.code == 2, result.stdout
    assert f"stages.yml:{line_of(text, needle)}:" in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()
    assert result.stdout == ""


def test_evaluate_with_billion_laughs_exits_2(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "evaluate",
        "--ref",
        "refs/tags/v1",
        "--sha",
        SHA,
        "--config",
        str(EXAMPLES / "invalid" / "billion-laughs.yml"),
        "--output-dir",
        "out",
    )
    assert result.code == 2
    assert "runaway aliases" in result.stderr
    assert not (tmp_path / "out").exists()


def test_evaluate_with_a_free_form_config_decides(tmp_path: Path) -> None:
    # the control for the tests above: the same command with a good file gives a verdict
    result = run(
        tmp_path,
        "evaluate",
        "--ref",
        "refs/heads/main",
        "--sha",
        SHA,
        "--config",
        str(EXAMPLES / "valid" / "free-form-stages.yml"),
        "--output-dir",
        "out",
        "--format",
        "json",
    )
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "GO"
    assert report["stage"]["name"] == "L1"
    assert (tmp_path / "out" / "maturity-eval.json").is_file()


# --- the example files, check-jsonschema style ---------------------------------------------------


def test_example_folders_are_populated() -> None:
    assert len(VALID) >= 5
    assert len(INVALID) >= 30
    assert (EXAMPLES / "README.md").is_file()
    for path in INVALID:
        assert header(path).get("expect"), f"{path.name}: first line must be '# expect: ...'"
        assert header(path).get("schema") in {"reject", "accept", "unparsed"}, path.name


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("no_github_env")
@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_example(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warn = header(path).get("warn")
    code, out, err = _main(capsys, "validate", str(path), "--format", "text")
    assert code == 0, out + err
    assert out.endswith(": valid\n")
    code, out, _ = _main(capsys, "validate", str(path), "--strict", "--format", "json")
    problems = json.loads(out)["problems"]
    assert all(p["severity"] == "warning" for p in problems)
    if warn is None:
        assert code == 0
        assert problems == []
    else:
        assert code == 1
        assert len(problems) == 1
        assert warn in problems[0]["message"]
    config = load_config_file(path, CATALOG)  # evaluate accepts it too
    # evaluate runs the checks a decision rests on; its warnings are some of validate's
    messages = {p["message"] for p in problems}
    assert {w.message for w in config.warnings} <= messages


@pytest.mark.usefixtures("no_github_env")
@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta = header(path)
    expect = meta["expect"]
    code, out, err = _main(capsys, "validate", str(path), "--format", "text")
    assert code == (2 if meta["schema"] == "unparsed" else 1), out + err
    assert expect in out + err
    code, out, err = _main(capsys, "validate", str(path), "--format", "json")
    if meta["schema"] == "unparsed":
        assert (code, out) == (2, "")
        assert expect in err
    else:
        assert code == 1
        errors = [p for p in json.loads(out)["problems"] if p["severity"] == "error"]
        assert any(expect in p["message"] for p in errors), errors
        assert all(isinstance(p["line"], int) for p in errors)
    if "can never match: every ref it matches is matched first" in out + err:
        # the pairwise shadowing proof is validate's (docs/config.md): evaluate decides on the
        # first match, as written, and the config workflow's validate stops the change
        load_config_file(path, CATALOG)
        return
    with pytest.raises(ConfigError) as info:  # evaluate refuses it too
        load_config_file(path, CATALOG)
    assert expect in info.value.message
