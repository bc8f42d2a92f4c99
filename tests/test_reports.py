"""Reports: the JSON contract, the Markdown rendering, escaping, and atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    GATE_NAMES,
    GITHUB_ENV,
    SHA,
    assert_valid_report,
    copy_examples,
    gate,
    jsonschema,
    report_validator,
    strip_code_spans,
    unescaped,
    unescaped_pipes,
    write_evidence,
)

from maturity import __version__
from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.load import load_builtin
from maturity.config.resolver import resolve
from maturity.config.types import Stage
from maturity.core import Finding, GateInputs, GateResult, GateStatus, Level
from maturity.engine import evaluate_stage
from maturity.errors import OutputError
from maturity.evaluate import EvaluateOptions, run_evaluate
from maturity.kinds import CATALOG
from maturity.kinds.evidence import EvidenceSettings
from maturity.kinds.interface import GateKind, RunContext
from maturity.markdown_text import md_code, md_text
from maturity.refs import parse_ref
from maturity.report.atomic import write_atomically
from maturity.report.console import render_console
from maturity.report.json_report import JsonReportWriter
from maturity.report.markdown_report import MarkdownReportWriter
from maturity.report.model import Report
from maturity.subject import subject_from
from maturity.text import clean_text

JSON_NAME, MD_NAME = "maturity-eval.json", "maturity-eval.md"


def evaluate(
    workspace: Path,
    ref: str,
    env: dict[str, str] | None = None,
    evidence_dir: str | None = None,
    evidence: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """Run the whole evaluation in-process (no GitHub client, no output) and return the report.

    *evidence*: ``(gate, path)`` pairs, as ``--evidence GATE=PATH`` gives them."""
    options = EvaluateOptions(
        ref=ref, evidence_dir=evidence_dir, evidence=evidence, workspace=str(workspace)
    )
    report, _note = run_evaluate(options, env or {})
    return report.to_dict()


def render(data: dict[str, Any]) -> tuple[str, str]:
    return JsonReportWriter().render(data), MarkdownReportWriter().render(data)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    copy_examples(tmp_path)
    return tmp_path


# --- the JSON contract ----------------------------------------------------------------------


@pytest.mark.parametrize("with_env", [False, True], ids=["no-env", "github-env"])
@pytest.mark.parametrize("config", ["builtin", "file"])
@pytest.mark.parametrize(
    "case",
    [
        ("refs/tags/v1.2.3", "ga-pass", "GO"),
        ("refs/tags/v1.2.3", "ga-fail", "NO-GO"),
        ("refs/tags/v1.2.3-rc.1", "ga-fail", "GO"),
        ("refs/heads/main", None, "GO"),
        ("refs/tags/v1.2.3", None, "NO-GO"),
    ],
)
def test_report_validates_against_the_schema(
    case: tuple[str, str | None, str], config: str, with_env: bool, ws: Path
) -> None:
    ref, folder, verdict = case
    if config == "file":
        (ws / "ci").mkdir()
        (ws / "ci" / "maturity-stages.yml").write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    env = dict(GITHUB_ENV) if with_env else {}
    data = evaluate(ws, ref, env, evidence_dir=folder)
    assert_valid_report(data)
    assert data["verdict"] == verdict
    assert data["config"]["builtin"] is (config == "builtin")
    # the JSON file is exactly this structure
    text, _ = render(data)
    assert json.loads(text) == data


@pytest.mark.parametrize("level", list(Level))
@pytest.mark.parametrize("status", list(GateStatus))
def test_every_outcome_fits_the_schema(status: GateStatus, level: Level, tmp_path: Path) -> None:
    def fixed(settings: EvidenceSettings, inputs: GateInputs, run: RunContext) -> GateResult:
        finding = Finding("FIXED", "one thing", "here", status, "do the thing", f"x:{inputs.gate}")
        return GateResult(inputs.gate, status, "FIXED", "fixed result", "do the thing", (finding,))

    def loader(kind: str) -> GateKind[EvidenceSettings]:
        return GateKind(kind, "fixed", "do the thing", EvidenceSettings, fixed)

    config = load_builtin(CATALOG)
    stage = Stage("S", "", 0, dict.fromkeys(GATE_NAMES, level))
    decision = evaluate_stage(stage, config.gates, {}, RunContext(tmp_path), loader=loader)
    ref = parse_ref("refs/heads/main")
    report = Report(
        "2024-01-01T00:00:00Z", subject_from({}, ref), config, resolve(config, ref), decision
    )
    data = report.to_dict()
    assert_valid_report(data)
    # waived never blocks (every failing finding is covered by a waiver)
    blocks = level is Level.REQUIRED and status not in (GateStatus.PASS, GateStatus.WAIVED)
    assert data["verdict"] == ("NO-GO" if blocks else "GO")
    assert data["verdict_line"] == data["verdict"]  # no overrides: the plain verdict
    assert len(data["blocking"]) == (5 if blocks else 0)
    assert data["summary"]["warnings"] == (
        5 if level is Level.REPORT_ONLY and status is not GateStatus.PASS else 0
    )
    skipped = level is Level.OFF or status is GateStatus.SKIPPED
    assert data["summary"]["skipped"] == (5 if skipped else 0)
    waived = level is not Level.OFF and status is GateStatus.WAIVED
    assert data["summary"]["waived"] == (5 if waived else 0)
    assert data["summary"]["overridden"] == 0
    assert (data["overrides"], data["override_failures"]) == ([], [])
    assert (data["freeze"], data["waivers"], data["audit_log"]) == (None, None, None)
    assert data["clock"] == {"now": "2024-01-01T00:00:00Z", "source": "system clock"}
    assert [g["kind"] for g in data["gates"]] == [BUILTIN_GATES[n].kind for n in GATE_NAMES]
    assert [g["title"] for g in data["gates"]] == [BUILTIN_GATES[n].title for n in GATE_NAMES]
    for g in data["gates"]:
        ran = level is not Level.OFF
        assert g["overridden"] is False
        assert g["evidence_sha256"] is None  # the gate read nothing
        assert g["findings"] == (
            [
                {
                    "id": f"x:{g['gate']}",
                    "status": status.value,
                    "code": "FIXED",
                    "message": "one thing",
                    "location": "here",
                    "remediation": "do the thing",
                    "waiver": None,
                }
            ]
            if ran
            else []
        )
    MarkdownReportWriter().render(data)  # renders every status


def test_schema_refuses_an_inconsistent_report(ws: Path) -> None:
    """The schema itself ties verdict, blocking and levels together."""
    data = evaluate(ws, "refs/tags/v1.2.3", evidence_dir="ga-fail")
    validator = report_validator()
    lying = {**data, "verdict": "GO"}
    assert not validator.is_valid(lying)
    unblocked = {**data, "gates": [{**g, "blocking": False} for g in data["gates"]]}
    assert not validator.is_valid(unblocked)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**data, "surprise": 1})


def test_json_report_contents(ws: Path) -> None:
    config_path = ws / "ci" / "maturity-stages.yml"
    config_path.parent.mkdir()
    config_path.write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    env = {**GITHUB_ENV, "GITHUB_RUN_ATTEMPT": "1"}
    data = evaluate(ws, "refs/tags/v1.2.3", env, evidence_dir="ga-fail")
    assert data["schema_version"] == "1.3"
    assert data["tool"] == {"name": "maturity", "version": __version__}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["generated_at"])
    subject = data["subject"]
    assert subject["repository"] == "octo-org/widget"
    assert subject["ref"] == "refs/tags/v1.2.3"
    assert subject["ref_type"] == "tag"
    assert subject["sha"] == SHA
    assert subject["run"] == {
        "id": "4242",
        "attempt": "1",
        "url": "https://github.com/octo-org/widget/actions/runs/4242",
    }
    assert (subject["actor"], subject["event"]) == ("octocat", "push")
    assert data["config"]["source"] == "ci/maturity-stages.yml"
    assert data["config"]["builtin"] is False
    assert data["config"]["sha256"] == hashlib.sha256(config_path.read_bytes()).hexdigest()
    assert data["stage"]["name"] == "GA"
    assert data["stage"]["description"].startswith("Full releases")
    assert data["stage"]["mapping"]["index"] == 0
    assert data["stage"]["mapping"]["kind"] == "regex"
    assert data["verdict"] == "NO-GO"
    assert data["verdict_line"] == "NO-GO"
    assert data["clock"]["source"] == "system clock"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["clock"]["now"])
    assert (data["freeze"], data["waivers"], data["audit_log"]) == (None, None, None)
    assert (data["overrides"], data["override_failures"]) == ([], [])
    assert [b["gate"] for b in data["blocking"]] == ["deps_approval", "field_budgets"]
    assert data["summary"] == {
        "gates": 5,
        "passed": 3,
        "blocking": 2,
        "warnings": 0,
        "skipped": 0,
        "waived": 0,
        "overridden": 0,
    }
    assert [g["gate"] for g in data["gates"]] == list(GATE_NAMES)
    for g in data["gates"]:
        raw = (ws / "ga-fail" / f"{g['gate']}.json").read_bytes()
        assert g["evidence"] == [
            {
                "source": f"ga-fail/{g['gate']}.json",
                "kind": "file",
                "sha256": hashlib.sha256(raw).hexdigest(),
                "size": len(raw),
            }
        ]
        # one record: the gate's evidence digest is that record's sha256
        assert g["evidence_sha256"] == hashlib.sha256(raw).hexdigest()
        assert g["overridden"] is False
        assert all(f["waiver"] is None for f in g["findings"])
        assert g["title"] == BUILTIN_GATES[g["gate"]].title
        assert g["kind"] == BUILTIN_GATES[g["gate"]].kind
        assert g["duration_ms"] >= 0
        # one finding per evidence file, named by the path as shown
        assert [f["id"] for f in g["findings"]] == [f"evidence:ga-fail/{g['gate']}.json"]
    deps = gate(data, "deps_approval")
    assert deps["details"]["evidence"][0]["details"]["unapproved"] == [
        "pkg:npm/left-pad@1.3.0",
        "pkg:npm/event-stream@3.3.6",
    ]


def test_without_github_env_the_subject_is_sparse(ws: Path) -> None:
    data = evaluate(ws, "refs/tags/v1.2.3", {}, evidence_dir="ga-pass")
    s = data["subject"]
    assert s["repository"] is None
    assert s["sha"] is None
    assert s["run"] == {"id": None, "attempt": None, "url": None}
    assert (s["actor"], s["event"], s["workflow"], s["job"]) == (None, None, None, None)
    assert s["sha_source"] is None
    assert s["commit"].startswith("none: this decision is bound to no commit; pass --sha")
    _, markdown = render(data)
    [commit] = [line for line in markdown.splitlines() if line.startswith("| Commit |")]
    assert commit.startswith("| Commit | none\\: this decision is bound to no commit")
    assert "\\-\\-sha" in commit  # names the flag that binds it
    assert "| Run |" not in markdown
    assert "| Repository |" not in markdown
    assert "## Failing findings" not in markdown  # every gate passed: no ids to list


# --- the Markdown report ------------------------------------------------------------------------


def test_markdown_no_go(ws: Path) -> None:
    data = evaluate(ws, "refs/tags/v1.2.3", dict(GITHUB_ENV), evidence_dir="ga-fail")
    _, markdown = render(data)
    lines = markdown.splitlines()
    assert lines[0] == "# ⛔ NO-GO: maturity"
    assert "`v1.2.3` may not ship at stage `GA`: 2 required gate(s) did not pass." in lines
    assert "| Ref | `refs/tags/v1.2.3` (tag) |" in lines
    assert f"| Commit | `{SHA}` (from GITHUB\\_SHA) |" in lines
    assert data["subject"]["sha_source"] == "GITHUB_SHA"
    assert any(line.startswith("| Stage | `GA`: Full releases") for line in lines)
    assert "| Repository | `octo-org/widget` |" in lines
    assert "## What blocks this release" in lines
    blocking = [line for line in lines if re.match(r"\d+\. \*\*", line)]
    assert len(blocking) == 2
    assert blocking[0].startswith("1. **deps\\_approval** is fail (`DEPS_UNAPPROVED`): ")
    assert blocking[1].startswith("2. **field\\_budgets** is error (`INVALID_EVIDENCE`): ")
    fixes = [line for line in lines if line.startswith("   - **Fix:** ")]
    assert fixes == [
        "   - **Fix:** " + md_text(BUILTIN_GATES["deps_approval"].remediation),
        "   - **Fix:** " + md_text(data["blocking"][1]["remediation"]),
    ]
    assert "| Gate | Level | Status | Code | Message |" in lines
    rows = {line.split(" | ")[0][2:]: line for line in lines if " | required | " in line}
    assert "❌ fail (blocking)" in rows["deps\\_approval"]
    assert "💥 error (blocking)" in rows["field\\_budgets"]
    assert "✅ pass" in rows["promotion\\_guard"]
    # the failing findings with their ids, for copying into a waivers file
    found = lines[lines.index("## Failing findings") :]
    assert found[4:8] == [
        "| Gate | Finding id | Status | Code | Waiver |",
        "|---|---|---|---|---|",
        "| deps\\_approval | `evidence:ga-fail/deps_approval.json` | fail | `DEPS_UNAPPROVED` |  |",
        "| field\\_budgets | `evidence:ga-fail/field_budgets.json` | error | `INVALID_EVIDENCE` |  |",
    ]
    assert found[8] == ""
    assert "## Evidence" in lines
    for g in data["gates"]:
        [e] = g["evidence"]
        assert (
            f"| {md_text(g['gate'])} | `{e['source']}` | `{e['sha256']}` | {e['size']} |" in lines
        )
    assert lines[-1].startswith("<sub>maturity ")


def test_markdown_go_with_warnings(ws: Path) -> None:
    data = evaluate(ws, "refs/tags/v1.2.3-rc.1", evidence_dir="ga-fail")
    _, markdown = render(data)
    assert data["verdict_line"] == "GO"
    assert markdown.startswith("# ✅ GO: maturity\n")
    assert "`v1.2.3-rc.1` may ship at stage `PRE_GA`: no required gate blocks." in markdown
    assert "## What blocks this release" not in markdown
    assert "## Report-only warnings (not blocking)" in markdown
    assert "- **deps\\_approval** is fail: " in markdown
    assert "| Commit | none\\: this decision is bound to no commit" in markdown
    assert "built-in defaults" in markdown


def test_markdown_findings_for_several_files(ws: Path) -> None:
    data = evaluate(
        ws,
        "refs/tags/v1.2.3",
        evidence_dir="ga-pass",
        evidence=(
            ("deps_approval", "ga-pass/deps_approval.json"),
            ("deps_approval", "ga-fail/deps_approval.json"),
            ("deps_approval", "nowhere.json"),
        ),
    )
    deps = gate(data, "deps_approval")
    assert [(f["id"], f["status"]) for f in deps["findings"]] == [
        ("evidence:ga-pass/deps_approval.json", "pass"),
        ("evidence:ga-fail/deps_approval.json", "fail"),
        ("evidence:nowhere.json", "missing"),
    ]
    # several records: one digest of their sorted "<sha256>  <source>" lines (as sha256sum shows)
    sums = sorted(
        f"{hashlib.sha256((ws / source).read_bytes()).hexdigest()}  {source}\n"
        for source in ("ga-pass/deps_approval.json", "ga-fail/deps_approval.json")
    )
    assert deps["evidence_sha256"] == hashlib.sha256("".join(sums).encode()).hexdigest()
    _, markdown = render(data)
    assert "### Findings for deps\\_approval" in markdown
    failing = markdown.split("## Failing findings")[1].split("\n## ")[0]
    assert "| deps\\_approval | `evidence:ga-fail/deps_approval.json` | fail |" in failing
    assert "| deps\\_approval | `evidence:nowhere.json` | missing |" in failing
    assert "ga-pass" not in failing
    assert "- fail `DEPS_UNAPPROVED` in `ga-fail/deps_approval.json`: " in markdown
    assert "- missing `MISSING_EVIDENCE` in `nowhere.json`: " in markdown
    # the passing file is evidence, not a finding
    assert "in `ga-pass/deps_approval.json`" not in markdown.split("## Evidence")[0]


def test_config_warnings_are_reported(ws: Path) -> None:
    text = DEFAULT_STAGES_YAML.replace("  - pattern: '*'\n    stage: PILOT\n", "", 1).replace(
        "examples: [feature/x, v1.2.3-beta.1, v1.2, vfoo, 1.2.3]\n", "", 1
    )
    (ws / "ci").mkdir()
    (ws / "ci" / "maturity-stages.yml").write_text(text, encoding="utf-8")
    data = evaluate(ws, "refs/tags/v1.2.3", evidence_dir="ga-pass")
    assert data["config"]["warnings"], "a file without a catch-all should warn"
    assert_valid_report(data)
    _, markdown = render(data)
    assert "## Configuration warnings" in markdown


# --- hostile input ----------------------------------------------------------------------------

HOSTILE_MESSAGES = [
    "</details><script>alert(1)</script>",
    "| col | break",
    "[click](http://evil)",
    "![img](http://evil/x.png)",
    "**bold** _it_ ~~gone~~",
    "`code` ``more``",
    "@org/team please look",
    "first\n# Heading\n<img src=x onerror=alert(1)>",
    "%0A::error::injected",
    "\r\n::set-output name=x::y",
    "\u202eevil\u202c and \u2066isolate",
    "<!-- hidden --> &lt;b&gt; &amp;",
    "line\n> quote\n- item\n1. list\n    code block\n```\nfence",
    "\\|backslash pipe\\",
    "www.evil.example and https://evil.example/path",
    "##[error]legacy ##[stop-commands]tok",
]

#: Refs git accepts (checked below when git is installed) that are hostile to Markdown.
HOSTILE_REFS = [
    "refs/tags/v1<img_src=x>",
    "refs/heads/a|b",
    "refs/heads/x]",
    "refs/heads/`tick`",
    "refs/heads/#heading",
    "refs/heads/x](evil)",
    "refs/heads/@org/team",
    "refs/heads/%0A%25,x",
    "refs/heads/<script>alert(1)<",
]

_OWN_LINE = re.compile(
    r"^(?:$"
    r"|# (?:✅ GO|⛔ NO-GO): maturity$"
    r"|## (?:What blocks this release|Gates|Report-only warnings \(not blocking\)|Failing findings"
    r"|Evidence|Configuration warnings)$"
    r"|A waiver names a finding by its id \(`finding:` in the waivers file takes a glob\)\.$"
    r"|### Findings for [a-z\\_]+$"
    r"|`+ ?[^\n]*` may (?:not )?ship at stage `"
    r"|\| (?:(?:Gate|Ref|Commit|Stage|Repository|Run|Config|[a-z\\_]+) )?\|"
    r"|\|---\|"
    r"|\d+\. \*\*[a-z\\_]+\*\* is "
    r"|   - \*\*Fix:\*\* "
    r"|- \*\*[a-z\\_]+\*\* is "
    r"|  - Fix: "
    r"|- (?:fail|error|missing|pending) `[A-Z][A-Z0-9_]*`"
    r"|- and \d+ more"
    r"|<sub>maturity )"
)

_BOLD_PREFIX = re.compile(r"(?:\d+\. |- )\*\*[a-z\\_]+\*\* is |   - \*\*Fix:\*\* ")


def check_markdown(markdown: str) -> None:
    """Structural safety of a rendered report, whatever went into it."""
    lines = markdown.split("\n")
    for ch in ("\r", "\x1b", "\x00", "\u202e", "\u2066"):
        assert ch not in markdown
    for line in lines:
        # every line starts the way only our renderer starts lines
        assert _OWN_LINE.match(line), f"unexpected line start: {line!r}"
        if line.startswith("<sub>"):
            assert line.count("<") == 2
            assert line.endswith("</sub>")
            continue
        code_free = strip_code_spans(line)
        assert not re.search(r"(?<!\\)<(?:script|img|details|!--)", code_free, re.IGNORECASE), line
        for ch in ("<", ">", "&", "@", "`", "!", "~"):
            assert unescaped(line, ch) == [], f"raw {ch!r} in {line!r}"
        if not line.startswith("| Run |"):
            assert unescaped(line, "[") == [], f"raw '[' in {line!r}"
            assert unescaped(line, "](") == []
        # emphasis only in our own bold labels
        bold = _BOLD_PREFIX.match(line)
        stars = unescaped(line, "*")
        assert len(stars) == (4 if bold else 0), line
        assert all(bold and pos < bold.end() for pos in stars), line
        assert unescaped(line, "_") == [], line
    # tables keep their shape: every row has as many cell breaks as its header
    table: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            width = unescaped_pipes(table[0])
            assert all(unescaped_pipes(row) == width for row in table), table
            table = []


def hostile_workspace(root: Path, message: str) -> Path:
    """Every gate fails with *message*; deps_approval has two files (so findings show)."""
    for name in GATE_NAMES:
        write_evidence(root / "ev" / f"{name}.json", ok=False, code="HOSTILE", message=message)
    write_evidence(root / "ev2" / "second.json", ok=False, message=message)
    return root


@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
@pytest.mark.parametrize("ref", ["refs/tags/v1.2.3", "refs/tags/v1.2.3-rc.1"])
def test_hostile_evidence_messages_are_escaped(message: str, ref: str, tmp_path: Path) -> None:
    ws = hostile_workspace(tmp_path, message)
    data = evaluate(
        ws,
        ref,
        dict(GITHUB_ENV),
        evidence_dir="ev",
        evidence=(("deps_approval", "ev/deps_approval.json"), ("deps_approval", "ev2/second.json")),
    )
    assert_valid_report(data)
    _, markdown = render(data)
    check_markdown(markdown)
    assert "Findings for deps" in markdown
    # nothing was lost: the (cleaned, escaped) message is there
    assert md_text(gate(data, "policy_drift")["message"], 500) in markdown


@pytest.mark.parametrize("ref", HOSTILE_REFS)
def test_hostile_refs_are_escaped(ref: str, tmp_path: Path) -> None:
    if shutil.which("git"):
        proc = subprocess.run(["git", "check-ref-format", ref], check=False)
        assert proc.returncode == 0, f"git refuses {ref!r}: pick a git-valid hostile ref"
    ws = hostile_workspace(tmp_path, "[x](y) | <b>")
    data = evaluate(ws, ref, dict(GITHUB_ENV), evidence_dir="ev")
    assert data["subject"]["ref"] == ref
    assert_valid_report(data)
    _, markdown = render(data)
    check_markdown(markdown)
    [ref_row] = [line for line in markdown.splitlines() if line.startswith("| Ref |")]
    assert unescaped_pipes(ref_row) == 3


def test_checker_catches_raw_markdown() -> None:
    """The structural check itself must fail on unescaped input (guards the guard)."""
    good = (
        "# ✅ GO: maturity\n\n| Gate | Level | Status | Code | Message |\n|---|---|---|---|---|\n"
    )
    check_markdown(good + f"| a | b | c | d | {md_text('x | y <img>')} |\n")
    for bad in ("x | y", "<img src=x>", "[a](b)", "**b**", "`c", "@team"):
        with pytest.raises(AssertionError):
            check_markdown(good + f"| a | b | c | d | {bad} |\n")
    with pytest.raises(AssertionError):
        check_markdown(good + "# injected\n")


@pytest.mark.parametrize(
    "value",
    ["plain", "a`b", "``x``", "`lead", "trail`", " both ", "a|b", "\\|", "x\ny", "\u202e"],
)
def test_md_code_round_trips(value: str) -> None:
    """A code span made by md_code reads back (CommonMark rules) as the cleaned value."""
    rendered = md_code(value)
    fence = re.match(r"`+", rendered)
    assert fence is not None
    assert strip_code_spans(rendered) == "CODE"  # one span, closed only at the very end
    inner = rendered[len(fence.group(0)) : -len(fence.group(0))]
    # CommonMark strips one space from each side when both are there and it is not all spaces
    if inner.startswith(" ") and inner.endswith(" ") and inner.strip(" "):
        inner = inner[1:-1]
    assert inner == clean_text(value, 300)


# --- atomic writes ------------------------------------------------------------------------------

FILES = {JSON_NAME: '{"new": true}\n', MD_NAME: "# new\n"}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_atomically_writes_both_files(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    paths = write_atomically(out, FILES)
    assert paths == [out / JSON_NAME, out / MD_NAME]
    assert (out / JSON_NAME).read_text(encoding="utf-8") == FILES[JSON_NAME]
    assert (out / MD_NAME).read_text(encoding="utf-8") == FILES[MD_NAME]
    assert (out / JSON_NAME).stat().st_mode & 0o777 == 0o644
    assert leftovers(out) == []
    write_atomically(out, {JSON_NAME: "2", MD_NAME: "2"})
    assert (out / JSON_NAME).read_text(encoding="utf-8") == "2"


def test_parent_is_a_regular_file(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_atomically(blocker / "out", FILES)
    assert "blocker" in caught.value.message
    assert caught.value.remediation
    assert blocker.read_text(encoding="utf-8") == "a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory(tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        with pytest.raises(OutputError):
            write_atomically(out, FILES)
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o700)


@pytest.mark.parametrize("which", [JSON_NAME, MD_NAME])
def test_final_name_is_a_directory(which: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / which).mkdir(parents=True)
    with pytest.raises(OutputError) as caught:
        write_atomically(out, FILES)
    assert which in caught.value.message
    assert sorted(p.name for p in out.iterdir()) == [which]  # nothing else written
    assert (out / which).is_dir()


def test_second_file_failing_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # a lone surrogate cannot be written as UTF-8: the second temporary write fails
    with pytest.raises(OutputError) as caught:
        write_atomically(out, {JSON_NAME: "{}\n", MD_NAME: "bad \udcff text"})
    assert str(out) in caught.value.message
    assert list(out.iterdir()) == []


def test_failed_write_leaves_previous_reports_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_atomically(out, {JSON_NAME: "old json", MD_NAME: "old md"})
    with pytest.raises(OutputError):
        write_atomically(out, {JSON_NAME: "new json", MD_NAME: "new \ud800 md"})
    assert (out / JSON_NAME).read_text(encoding="utf-8") == "old json"
    assert (out / MD_NAME).read_text(encoding="utf-8") == "old md"
    assert leftovers(out) == []


def test_unicode_is_written_as_utf8(tmp_path: Path) -> None:
    write_atomically(tmp_path, {JSON_NAME: "é ✅ 💥", MD_NAME: "⛔"})
    assert (tmp_path / JSON_NAME).read_bytes() == "é ✅ 💥".encode()


# --- things that must never break the reports ------------------------------------------------


def test_unusual_evidence_content_still_gives_valid_reports(tmp_path: Path) -> None:
    """Values that once crashed the JSON writer (inf, lone surrogates, deep nesting)."""
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "promotion_guard.json").write_bytes(b'{"ok": true, "details": {"x": 1e400}}')
    (ev / "observability_verify.json").write_bytes(b'{"ok": true, "details": {"\\udcff": "x"}}')
    deep = 985
    (ev / "deps_approval.json").write_bytes(
        b'{"ok": true, "details": {"x": ' + b"[" * deep + b"]" * deep + b"}}"
    )
    write_evidence(ev / "policy_drift.json", ok=True, details={"bidi": "\u202e", "nul": "\x00"})
    write_evidence(ev / "field_budgets.json", ok=True, message="\ud83d\ude00 é")
    data = evaluate(tmp_path, "refs/tags/v1.2.3", evidence_dir="ev")
    statuses = [g["status"] for g in data["gates"]]
    assert statuses == ["error", "error", "error", "pass", "pass"]
    assert_valid_report(data)
    text, markdown = render(data)
    check_markdown(markdown)
    write_atomically(tmp_path / "out", {JSON_NAME: text, MD_NAME: markdown})
    assert (tmp_path / "out" / JSON_NAME).exists()


def test_console_summary_matches_the_report(ws: Path) -> None:
    data = evaluate(ws, "refs/tags/v1.2.3", evidence_dir="ga-fail")
    text = render_console(data, ["a.json", "b.md"])
    lines = text.splitlines()
    assert lines[0].startswith(
        "maturity: NO-GO for refs/tags/v1.2.3 at stage GA (mappings[0] regex"
    )
    assert lines[1] == "config: built-in defaults"
    assert lines[2].startswith("commit: none: this decision is bound to no commit; pass --sha")
    assert len([line for line in lines if line.rstrip().endswith("BLOCKING")]) == 2
    assert lines[-1] == "reports: a.json, b.md"


def test_decision_blocking_and_report_agree(tmp_path: Path) -> None:
    data = evaluate(tmp_path, "refs/tags/v1.2.3")
    decision_like = [g for g in data["gates"] if g["blocking"]]
    assert [b["gate"] for b in data["blocking"]] == [g["gate"] for g in decision_like]
    assert data["summary"]["blocking"] == len(data["blocking"]) == 5


def test_json_report_is_ascii_but_carries_the_same_text(ws: Path) -> None:
    """Invisible or direction-changing characters from evidence never reach a log raw."""
    hostile = {"note": "a\u202eb\u2066c", "name": "Łódź ✓"}
    write_evidence(ws / "ev" / "deps_approval.json", ok=True, details=hostile)
    data = evaluate(ws, "refs/tags/v1.2.3", evidence=(("deps_approval", "ev/deps_approval.json"),))
    text, _ = render(data)
    assert text.isascii()
    assert "\\u202e" in text
    parsed = json.loads(text)
    deps = next(g for g in parsed["gates"] if g["gate"] == "deps_approval")
    assert deps["details"]["evidence"][0]["details"] == hostile
