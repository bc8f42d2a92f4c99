"""`maturity resolve`: --tag/--branch, mappings shown as written, and README == --help.

`resolve` had no way to say what a bare name is, printed regexes in Python's repr (every
backslash doubled), and the README's synopsis for resolve and validate disagreed with --help.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import REPO_ROOT, CliResult, run_cli

from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.load import parse_document
from maturity.config.yaml_loader import load_yaml_text
from maturity.kinds import CATALOG

LEVELS = (
    "{promotion_guard: required, observability_verify: required, deps_approval: required, "
    "policy_drift: required, field_budgets: required}"
)
BACKSLASHES = f"""\
version: 1
stages:
  REL:
    gates: {LEVELS}
mappings:
  - regex: 'v[0-9]+\\.[0-9]+\\.[0-9]+'
    stage: REL
    examples: [v1.2.3]
  - regex: 'x\\d+\\w'
    stage: REL
    examples: [x1a]
  - pattern: '*'
    stage: REL
"""
WRITTEN = r"v[0-9]+\.[0-9]+\.[0-9]+"


def resolve(cwd: Path, *args: str) -> CliResult:
    return run_cli(["resolve", *args], cwd)


def write(cwd: Path, text: str, name: str = "stages.yml") -> Path:
    path = cwd / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- --tag and --branch ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "full", "name", "ref_type"),
    [
        (["--tag", "v1.2.3"], "refs/tags/v1.2.3", "v1.2.3", "tag"),
        (["--tag", "refs/tags/v1.2.3"], "refs/tags/v1.2.3", "v1.2.3", "tag"),
        (["--branch", "main"], "refs/heads/main", "main", "branch"),
        (["--branch", "refs/heads/feature/x"], "refs/heads/feature/x", "feature/x", "branch"),
        (["--branch", "v1.2.3"], "refs/heads/v1.2.3", "v1.2.3", "branch"),
        (["v1.2.3"], "v1.2.3", "v1.2.3", "unknown"),
        (["refs/tags/v1.2.3"], "refs/tags/v1.2.3", "v1.2.3", "tag"),
        (["refs/pull/7/merge"], "refs/pull/7/merge", "7/merge", "pull"),
    ],
)
def test_the_ref_is_typed_as_said(
    tmp_path: Path, args: list[str], full: str, name: str, ref_type: str
) -> None:
    result = resolve(tmp_path, *args, "--builtin-config", "--format", "json")
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["ref"], out["ref_name"], out["ref_type"]) == (full, name, ref_type)
    text = resolve(tmp_path, *args, "--builtin-config")
    first = text.stdout.splitlines()[0]
    if ref_type == "unknown":
        assert first == (
            f"ref:     {full} (unknown type: --tag or --branch says which; patterns see '{name}')"
        )
    else:
        assert first == f"ref:     {full} ({ref_type}; patterns see '{name}')"


@pytest.mark.parametrize("name", ["v1.2.3", "v1.2.3-rc.1", "main", "feature/x", "1.2.3"])
def test_the_stage_does_not_depend_on_how_the_name_is_given(tmp_path: Path, name: str) -> None:
    stages = {
        json.loads(resolve(tmp_path, *args, "--builtin-config", "--format", "json").stdout)["stage"]
        for args in ([name], ["--tag", name], ["--branch", name])
    }
    assert len(stages) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tag", "refs/heads/main"], "--tag 'refs/heads/main' is not a tag ref"),
        (["--tag", "refs/pull/1/merge"], "--tag 'refs/pull/1/merge' is not a tag ref"),
        (["--branch", "refs/tags/v1.2.3"], "--branch 'refs/tags/v1.2.3' is not a branch ref"),
        (["--branch", "refs/pull/1/merge"], "--branch 'refs/pull/1/merge' is not a branch ref"),
        (["--tag", "v1..2"], "invalid --tag 'v1..2': it contains '..'"),
        (["--branch", "a b"], "invalid --branch 'a b': it contains ' '"),
        (["--tag", ""], "invalid --tag '': it is empty"),
        (["--branch", "x\x1b[31m"], "invalid --branch 'x\\x1b[31m'"),
        (["--tag", "refs/tags/"], "invalid --tag"),
    ],
)
def test_a_name_that_is_not_what_the_flag_says_exits_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = resolve(tmp_path, *args, "--builtin-config")
    assert result.code == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith(f"maturity: error: {message}"), result.stderr
    assert "fix: " in result.stderr
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "one of the arguments REF --tag --branch is required"),
        (["v1", "--tag", "v1"], "argument --tag: not allowed with argument REF"),
        (["--tag", "v1", "--branch", "main"], "argument --branch: not allowed with argument --tag"),
        (["v1", "--branch", "main"], "argument --branch: not allowed with argument REF"),
    ],
)
def test_exactly_one_of_ref_tag_branch(tmp_path: Path, args: list[str], message: str) -> None:
    result = resolve(tmp_path, *args, "--builtin-config")
    assert result.code == 2
    assert result.stdout == ""
    assert f"maturity: error: {message}" in result.stderr
    assert result.stderr.startswith("usage: maturity resolve (REF | --tag NAME | --branch NAME)")


# --- mappings shown as written --------------------------------------------------------------------


def test_resolve_shows_a_regex_as_written(tmp_path: Path) -> None:
    write(tmp_path, BACKSLASHES)
    result = resolve(tmp_path, "--tag", "v1.2.3", "--config", "stages.yml")
    assert result.code == 0, result.stderr
    mapping = result.stdout.splitlines()[2]
    assert mapping.startswith(f"mapping: mappings[0] regex '{WRITTEN}' at stages.yml:6:5")
    assert "\\\\" not in mapping
    other = resolve(tmp_path, "x1a", "--config", "stages.yml")
    assert "mapping: mappings[1] regex 'x\\d+\\w' at " in other.stdout
    as_json = json.loads(
        resolve(tmp_path, "v1.2.3", "--config", "stages.yml", "--format", "json").stdout
    )
    assert as_json["mapping"]["expression"] == WRITTEN


def test_validate_messages_and_table_show_regexes_as_written(tmp_path: Path) -> None:
    write(tmp_path, BACKSLASHES)
    clean = run_cli(["validate", "stages.yml"], tmp_path)
    assert clean.code == 0, clean.stdout
    assert f"  [0] regex '{WRITTEN}' -> REL" in clean.stdout
    broken = BACKSLASHES.replace("examples: [v1.2.3]", "examples: [v1.2.3, v1.2]")
    write(tmp_path, broken)
    result = run_cli(["validate", "stages.yml"], tmp_path)
    assert result.code == 1
    assert f"example 'v1.2' does not match mappings[0] regex '{WRITTEN}'" in result.stdout
    assert "\\\\." not in result.stdout


def test_labels_escape_controls_and_bidi_but_keep_backslashes(tmp_path: Path) -> None:
    """A double-quoted YAML string can put a control or bidi character in a regex; shown
    raw it would reorder or hide text in a terminal or an annotation."""
    text = BACKSLASHES.replace(
        "  - pattern: '*'\n",
        "  - regex: \"a\\u202e\\\\.b\\x07\"\n    stage: REL\n  - pattern: '*'\n",
    )
    config, problems = parse_document(load_yaml_text(text, "s.yml"), text.encode(), CATALOG)
    assert config is not None, problems
    label = config.mappings[2].label
    assert label == "mappings[2] regex 'a\\u202e\\.b\\u0007'"
    assert "\u202e" not in label
    assert "\x07" not in label
    write(tmp_path, text)
    table = run_cli(["validate", "stages.yml"], tmp_path).stdout
    assert "  [2] regex 'a\\u202e\\.b\\u0007' -> REL" in table
    assert "\u202e" not in table
    assert "\x07" not in table


# --- --config, --workspace ------------------------------------------------------------------------


def test_config_is_relative_to_the_current_directory_not_the_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    write(workspace, BACKSLASHES.replace("REL", "FROM_WORKSPACE"), "ci/maturity-stages.yml")
    write(workspace, BACKSLASHES.replace("REL", "WS_RELATIVE"))
    write(tmp_path, BACKSLASHES.replace("REL", "CWD_RELATIVE"))

    def stage(*args: str) -> str:
        result = resolve(tmp_path, "main", "--format", "json", *args)
        assert result.code == 0, result.stderr
        return str(json.loads(result.stdout)["stage"])

    assert stage("--workspace", "ws") == "FROM_WORKSPACE"  # the default file, in the workspace
    assert stage("--workspace", "ws", "--config", "stages.yml") == "CWD_RELATIVE"
    assert stage("--config", "ws/stages.yml") == "WS_RELATIVE"


def test_a_workspace_that_is_not_a_folder_exits_2(tmp_path: Path) -> None:
    result = resolve(tmp_path, "main", "--workspace", "nope")
    assert result.code == 2
    assert "workspace nope is not a folder" in result.stderr


# --- the README's synopsis is what --help says --------------------------------------------------


def readme_synopsis(command: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```", 2)[1]
    lines = block.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(f"maturity {command} "))
    taken = [lines[start]]
    for line in lines[start + 1 :]:
        if line.startswith("maturity "):
            break
        taken.append(line)
    return " ".join(" ".join(taken).split())


def help_of(command: str) -> str:
    result = run_cli([command, "--help"], REPO_ROOT)
    assert result.code == 0, result.stderr
    return result.stdout


def help_usage(command: str) -> str:
    """The usage lines of `maturity COMMAND --help`, with {a,b} written a|b as the README does."""
    usage = help_of(command).split("\n\n", 1)[0].removeprefix("usage: ")
    usage = re.sub(r"\{([a-z,]+)\}", lambda m: m.group(1).replace(",", "|"), usage)
    return " ".join(usage.split())


@pytest.mark.parametrize("command", ["resolve", "validate"])
def test_readme_synopsis_matches_help(command: str) -> None:
    assert readme_synopsis(command) == help_usage(command)


@pytest.mark.parametrize("command", ["resolve", "validate"])
def test_every_option_in_help_is_in_the_readme_synopsis(command: str) -> None:
    options = help_of(command).split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    flags = set(re.findall(r"^  (--[a-z-]+)", options, flags=re.MULTILINE)) - {"--help"}
    assert flags  # the parse found them
    synopsis = readme_synopsis(command)
    for flag in flags:
        assert re.search(rf"{flag}\b", synopsis), flag
    assert "--base OLD_FILE" not in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["resolve", "validate"])
def test_help_says_what_file_paths_are_relative_to(command: str) -> None:
    assert "relative to the current directory" in " ".join(help_of(command).split())


@pytest.mark.parametrize("command", [["resolve", "v1.2.3"], ["evaluate", "--tag", "v1.2.3"]])
def test_config_and_builtin_config_exclude_each_other(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "s.yml").write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    result = run_cli([*command, "--config", "s.yml", "--builtin-config"], tmp_path)
    assert result.code == 2
    assert "give --config or --builtin-config, not both" in result.stderr
    assert "fix: drop one of them" in result.stderr
    assert not (tmp_path / "dist").exists()
