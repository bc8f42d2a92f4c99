"""GitHub Actions: annotations, step outputs, job summary, and workflow-command injection."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    GATE_NAMES,
    GITHUB_ENV,
    clean_env,
    copy_examples,
    parse_github_output,
    reports,
    run_cli,
    write_evidence,
)

from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.errors import OutputError
from maturity.github_actions import (
    RunnerFiles,
    annotations_for,
    append_summary,
    command,
    defuse_legacy_commands,
    escape_data,
    escape_property,
    in_actions,
    output_block,
)

OUTPUT_NAMES = {"stage", "verdict", "blocking-count", "overrides", "report-json", "report-md"}

# --- the runner's side, re-implemented from actions/runner (ActionCommand.cs) -----------------


def unescape_data(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(value: str) -> str:
    return (
        value.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """``ActionCommand.TryParseV2``: ``::name k=v,k=v::data`` after leading whitespace."""
    line = line.lstrip()
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    info = line[2:end]
    name, _, props = info.partition(" ")
    properties: dict[str, str] = {}
    for pair in props.strip().split(","):
        key, sep, value = pair.partition("=")
        if key and sep and value:
            properties[key] = unescape_property(value)
    return name, properties, unescape_data(line[end + 2 :])


def legacy_command(line: str) -> bool:
    """``ActionCommand.TryParse``: the legacy ``##[name]`` form, honoured anywhere in a line."""
    start = line.find("##[")
    return start >= 0 and line.find("]", start) >= 0


def own_commands(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """Every workflow command in *stdout*, checking each is one of ours and well formed."""
    found = []
    for raw in stdout.split("\n"):
        assert "\r" not in raw
        parsed = parse_command(raw)
        if parsed is None:
            # the runner tries the legacy form only on lines that are not ``::`` commands
            assert not legacy_command(raw), f"legacy workflow command in {raw!r}"
            continue
        assert raw.startswith(("::error title=", "::warning title=")), raw
        head, data = raw.split("::", 2)[1:]
        # data: only %25, %0D, %0A escapes; properties also %3A and %2C
        assert re.fullmatch(r"(?:[^%\r\n]|%25|%0D|%0A)*", data), data
        props = head.split(" ", 1)[1]
        for pair in props.split(","):
            key, value = pair.split("=", 1)
            assert re.fullmatch(r"[a-z]+", key)
            assert re.fullmatch(r"(?:[^%:,\r\n]|%25|%0D|%0A|%3A|%2C)*", value), value
        found.append(parsed)
    return found


# --- escaping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("50%", "50%25", "50%25"),
        ("%0A", "%250A", "%250A"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop
    assert unescape_data(data) == raw
    assert unescape_property(prop) == raw


def test_command_round_trips_through_the_runner_parser() -> None:
    message = "bad\r\n::set-output name=x::y %0A 100%"
    title = "a:b,c=d\ne%"
    line = command("error", message, title=title, file="x,y.yml", line=3, col=None)
    assert "\n" not in line
    assert "\r" not in line
    assert line.startswith("::error title=")
    parsed = parse_command(line)
    assert parsed == ("error", {"title": title, "file": "x,y.yml", "line": "3"}, message)


def test_command_without_properties() -> None:
    assert command("warning", "x") == "::warning::x"


def test_output_block_is_a_heredoc_with_a_fresh_delimiter() -> None:
    first = output_block("verdict", "NO-GO")
    second = output_block("verdict", "NO-GO")
    assert first != second  # a random delimiter each time
    assert parse_github_output(first) == {"verdict": "NO-GO"}
    multi = output_block("notes", "line 1\nline 2\nEOF\n")
    assert parse_github_output(multi) == {"notes": "line 1\nline 2\nEOF\n"}
    delimiter = first.split("\n", 1)[0].split("<<", 1)[1]
    assert re.fullmatch(r"ghadelimiter_[0-9a-f]{32}", delimiter)  # 128 random bits


def test_in_actions() -> None:
    assert in_actions({"GITHUB_ACTIONS": "true"})
    assert not in_actions({"GITHUB_ACTIONS": "false"})
    assert not in_actions({})


def test_write_outputs_and_summary_append(tmp_path: Path) -> None:
    out, summary = tmp_path / "out", tmp_path / "summary"
    out.write_text("earlier=1\n", encoding="utf-8")
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary)}
    with RunnerFiles(env) as files:
        files.write_outputs({"a": "1", "b": "two\nlines"})
    append_summary(env, "# report")  # a missing final newline is added
    append_summary(env, "# again\n")
    assert parse_github_output(out.read_text(encoding="utf-8")) == {
        "earlier": "1",
        "a": "1",
        "b": "two\nlines",
    }
    assert summary.read_text(encoding="utf-8") == "earlier step\n# report\n# again\n"


def test_nothing_written_without_the_variables(tmp_path: Path) -> None:
    with RunnerFiles({}) as files:
        files.write_outputs({"a": "1"})
    append_summary({}, "x")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_file_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        RunnerFiles({"GITHUB_OUTPUT": str(tmp_path)})  # a folder: refused when opened
    assert "GITHUB_OUTPUT" in caught.value.message
    with pytest.raises(OutputError):
        append_summary({"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "such")}, "x")


def test_defuse_legacy_commands() -> None:
    text = 'msg ##[error]x and ##[set-output name=verdict;]GO "##["'
    defused = defuse_legacy_commands(text)
    assert not legacy_command(defused)
    assert defused.replace("##\\u005b", "##[") == text
    assert defuse_legacy_commands("# [not] a #[command]") == "# [not] a #[command]"


# --- annotations --------------------------------------------------------------------------------


def fake_report(gates: list[dict[str, Any]]) -> dict[str, Any]:
    return {"subject": {"ref_name": "v1,2:3"}, "stage": {"name": "GA"}, "gates": gates}


def gate_entry(name: str, level: str, status: str, blocking: bool, fix: str = "") -> dict[str, Any]:
    return {
        "gate": name,
        "level": level,
        "status": status,
        "blocking": blocking,
        "code": "X",
        "message": f"{name} says\nhi",
        "remediation": fix,
    }


def test_annotations_for() -> None:
    report = fake_report(
        [
            gate_entry("a", "required", "pass", False),
            gate_entry("b", "required", "fail", True, fix="do b"),
            gate_entry("c", "report_only", "missing", False),
            gate_entry("d", "report_only", "pass", False),
            gate_entry("e", "off", "skipped", False),
        ]
    )
    lines = annotations_for(report)
    parsed = [parse_command(line) for line in lines]
    assert [p[0] if p else None for p in parsed] == ["error", "warning"]
    assert parsed[0] == (
        "error",
        {"title": "maturity: b blocks v1,2:3 at GA"},
        "b is fail (X): b says\nhi. Fix: do b",
    )
    assert parsed[1] is not None
    assert parsed[1][1] == {"title": "maturity: c (report-only) at GA"}
    assert all("\n" not in line for line in lines)


def test_annotations_for_overrides() -> None:
    """A ``::warning`` per override, first; the overridden gate itself is neither error nor
    warning (it no longer blocks)."""
    report = fake_report(
        [
            {**gate_entry("a", "required", "fail", False, fix="do a"), "overridden": True},
            gate_entry("b", "required", "fail", True),
        ]
    )
    report["overrides"] = [
        {
            "gate": "a",
            "actor": "octocat",
            "reason": "INC-1: hotfix, 100%",
            "status_before": "fail",
            "code_before": "X",
            "follow_up_url": "https://github.com/o/r/issues/7",
        }
    ]
    parsed = [parse_command(line) for line in annotations_for(report)]
    assert parsed == [
        (
            "warning",
            {"title": "maturity: break glass on a at GA"},
            "a was fail (X) and is overridden by octocat: INC-1: hotfix, 100%. "
            "Follow-up: https://github.com/o/r/issues/7",
        ),
        ("error", {"title": "maturity: b blocks v1,2:3 at GA"}, "b is fail (X): b says\nhi."),
    ]


# --- end to end under GITHUB_ACTIONS=true --------------------------------------------------------


def actions_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        **GITHUB_ENV,
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(tmp_path),
        GITHUB_OUTPUT=str(tmp_path / "gh-output"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "gh-summary"),
        **extra,
    )


def test_no_go_under_actions(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    env = actions_env(tmp_path, GITHUB_REF="refs/tags/v1.2.3")
    code, out, err = run_cli(["evaluate", "--evidence-dir", "ga-fail"], tmp_path, env)
    assert code == 1, err
    commands = own_commands(out)
    assert [(c[0], c[1]["title"]) for c in commands] == [
        ("error", "maturity: deps_approval blocks v1.2.3 at GA"),
        ("error", "maturity: field_budgets blocks v1.2.3 at GA"),
    ]
    assert commands[0][2].startswith("deps_approval is fail (DEPS_UNAPPROVED): 2 dependencies")
    assert "Fix: produce the SBOM" in commands[0][2]
    outputs = parse_github_output((tmp_path / "gh-output").read_text(encoding="utf-8"))
    assert outputs == {
        "stage": "GA",
        "verdict": "NO-GO",
        "blocking-count": "2",
        "overrides": "0",
        "report-json": "dist/maturity/maturity-eval.json",
        "report-md": "dist/maturity/maturity-eval.md",
    }
    _, markdown = reports(tmp_path)
    assert (tmp_path / "gh-summary").read_text(encoding="utf-8") == markdown


def test_go_with_warnings_under_actions(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    env = actions_env(tmp_path, GITHUB_REF="refs/tags/v1.2.3-rc.1")
    code, out, _ = run_cli(["evaluate", "--evidence-dir", "ga-fail"], tmp_path, env)
    assert code == 0
    commands = own_commands(out)
    assert [(c[0], c[1]["title"]) for c in commands] == [
        ("warning", "maturity: deps_approval (report-only) at PRE_GA"),
        ("warning", "maturity: field_budgets (report-only) at PRE_GA"),
    ]
    outputs = parse_github_output((tmp_path / "gh-output").read_text(encoding="utf-8"))
    assert (
        outputs["stage"],
        outputs["verdict"],
        outputs["blocking-count"],
        outputs["overrides"],
    ) == ("PRE_GA", "GO", "0", "0")


def test_all_passing_emits_no_annotations(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    env = actions_env(tmp_path, GITHUB_REF="refs/tags/v1.2.3")
    code, out, _ = run_cli(["evaluate", "--evidence-dir", "ga-pass"], tmp_path, env)
    assert code == 0
    assert own_commands(out) == []
    assert "::" not in out


def test_summary_is_appended_not_overwritten(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    env = actions_env(tmp_path, GITHUB_REF="refs/tags/v1.2.3")
    (tmp_path / "gh-summary").write_text("from an earlier step\n", encoding="utf-8")
    assert run_cli(["evaluate", "--evidence-dir", "ga-fail"], tmp_path, env).code == 1
    _, markdown = reports(tmp_path)
    assert run_cli(["evaluate", "--evidence-dir", "ga-fail"], tmp_path, env).code == 1
    summary = (tmp_path / "gh-summary").read_text(encoding="utf-8")
    # generated_at may differ between the runs: compare without the footer line
    body = markdown.rsplit("<sub>", 1)[0]
    assert summary.startswith("from an earlier step\n" + body)
    assert summary.count(body) == 2
    assert summary.count("# ⛔ NO-GO: maturity") == 2
    outputs_text = (tmp_path / "gh-output").read_text(encoding="utf-8")
    assert outputs_text.count("verdict<<") == 2
    assert set(parse_github_output(outputs_text)) == OUTPUT_NAMES


def test_outside_actions_nothing_is_written_to_runner_files(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    env = actions_env(tmp_path, GITHUB_REF="refs/tags/v1.2.3")
    env["GITHUB_ACTIONS"] = "false"
    code, out, _ = run_cli(["evaluate", "--evidence-dir", "ga-fail"], tmp_path, env)
    assert code == 1
    assert "::error" not in out
    assert not (tmp_path / "gh-output").exists()
    assert not (tmp_path / "gh-summary").exists()


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (["--tag", "v1.2.3", "--evidence", "nope=x.json"], {}),
        (["--evidence-dir", "ga-pass"], {"GITHUB_REF": "refs/heads/a..b"}),
        (["--tag", "v1.2.3", "--output-dir", "ga-pass/deps_approval.json"], {}),
    ],
)
def test_exit_2_errors_are_annotated(
    args: list[str], extra: dict[str, str], tmp_path: Path
) -> None:
    copy_examples(tmp_path)
    env = actions_env(tmp_path, **extra)
    code, out, err = run_cli(["evaluate", *args], tmp_path, env)
    assert code == 2
    assert "maturity: error:" in err
    [line] = [line for line in out.split("\n") if line]
    [(kind, props, data)] = own_commands(out)
    assert kind == "error"
    assert props == {"title": "maturity"}
    assert "fix:" in data
    assert line.startswith("::error title=maturity::")
    assert not (tmp_path / "gh-output").exists()
    # the job summary says there is no verdict, and why (it is not a report)
    summary = (tmp_path / "gh-summary").read_text(encoding="utf-8")
    assert summary.startswith("## ⚠️ maturity: no verdict\n")
    assert "**Fix:**" in summary
    assert not (tmp_path / "dist").exists()


def test_bad_config_under_actions(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text("stages: [", encoding="utf-8")
    env = actions_env(tmp_path, GITHUB_REF="refs/tags/v1.2.3")
    code, out, _ = run_cli(["evaluate"], tmp_path, env)
    assert code == 2
    [(kind, _props, data)] = own_commands(out)
    assert kind == "error"
    assert "ci/maturity-stages.yml" in data
    assert not (tmp_path / "dist").exists()


# --- hostile input end to end -----------------------------------------------------------------

HOSTILE = [
    "</details><script>alert(1)</script>",
    "| col | break",
    "[click](http://evil)",
    "**bold**",
    "`code`",
    "@org/team",
    "x\n# Heading",
    "%0A::error::injected",
    "\r\n::set-output name=x::y",
    "\n::add-mask::secret\n  ::warning::indented",
    "\u202eevil",
    "##[error]legacy ##[set-output name=verdict;]GO ##[stop-commands]tok",
    "::stop-commands::tok",
]


@pytest.mark.parametrize(
    ("ref", "stage"),
    [
        ("refs/tags/v1.2.3", "GA"),
        ("refs/tags/v1.2.3-rc.1", "PRE_GA"),
        ("refs/heads/a|b", "STRICT"),
        ("refs/tags/v1<img_src=x>", "STRICT"),
        ("refs/heads/x]", "STRICT"),
        ("refs/heads/%0A%25,x", "STRICT"),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_hostile_input_cannot_inject_workflow_commands(
    ref: str, stage: str, fmt: str, tmp_path: Path
) -> None:
    message = " ".join(HOSTILE)
    for i, name in enumerate(GATE_NAMES):
        write_evidence(
            tmp_path / "ev" / f"{name}.json",
            ok=i == 0,
            message=message,
            details={"why": message},
        )
    # a stage file whose catch-all requires every gate, so hostile branches get ::error lines
    strict = DEFAULT_STAGES_YAML.replace(
        "  - pattern: '*'\n    stage: PILOT", "  - pattern: '*'\n    stage: STRICT"
    ).replace(
        "stages:\n",
        "stages:\n  STRICT:\n    gates:\n" + "".join(f"      {g}: required\n" for g in GATE_NAMES),
        1,
    )
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text(strict, encoding="utf-8")
    env = actions_env(tmp_path, GITHUB_REF=ref)
    code, out, err = run_cli(["evaluate", "--evidence-dir", "ev", "--format", fmt], tmp_path, env)
    assert code == 1, err
    # with --format json the annotations go to stderr, so stdout stays pure JSON
    commands = own_commands(err if fmt == "json" else out)  # all ours, all well escaped
    name = ref.split("/", 2)[2]
    if stage == "PRE_GA":
        assert [c[0] for c in commands] == ["error"] + ["warning"] * 3
    else:
        assert [c[0] for c in commands] == ["error"] * 4
        assert commands[0][1]["title"] == f"maturity: observability_verify blocks {name} at {stage}"
    for _kind, _props, data in commands:
        assert "\n" not in data  # the message was cleaned to one line before escaping
        assert "%0A::error::injected" in data  # kept as text, not decoded
    outputs = parse_github_output((tmp_path / "gh-output").read_text(encoding="utf-8"))
    assert set(outputs) == OUTPUT_NAMES
    assert outputs["verdict"] == "NO-GO"
    assert outputs["stage"] == stage
    assert outputs["blocking-count"] == ("1" if stage == "PRE_GA" else "4")
    assert outputs["overrides"] == "0"
    data_report, markdown = reports(tmp_path)
    assert data_report["subject"]["ref"] == ref
    assert (tmp_path / "gh-summary").read_text(encoding="utf-8") == markdown
    assert "\u202e" not in out  # cleaned in text; \u-escaped in the (ASCII-only) JSON
    if fmt == "json":
        assert json.loads(out) == data_report  # nothing but the report on stdout
