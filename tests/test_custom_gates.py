"""Gates a stages file declares itself: two evidence-kind gates in an L1-L4 file using extends.

``examples/stages/l1-l4-custom-gates.yml`` is the file (also shown in docs/config.md). Every
command sees its gates: validate's table, resolve's levels, evaluate's verdicts and both
reports; ``--evidence load_test=PATH`` reaches the gate, as the config's own path does.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import GATE_NAMES, assert_valid_report, gate, reports, run_cli, write_evidence

from maturity.config.yaml_loader import load_yaml_file
from maturity.kinds.evidence import KIND as EVIDENCE_KIND

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "stages" / "l1-l4-custom-gates.yml"
BUILTIN = GATE_NAMES
CUSTOM = ("security_review", "load_test")
SHA = "0123456789abcdef0123456789abcdef01234567"

#: jsonschema ships no type information: typed as Any.
jsonschema: Any = importlib.import_module("jsonschema")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "ci").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "ci" / "maturity-stages.yml")
    return tmp_path


def evidence_for_builtins(ws: Path, ok: bool = True) -> list[str]:
    args = []
    for name in BUILTIN:
        write_evidence(ws / "ev" / f"{name}.json", ok=ok, code="OK" if ok else "NOT_OK")
        args += ["--evidence", f"{name}=ev/{name}.json"]
    return args


def evaluate(ws: Path, tag: str, *extra: str) -> tuple[int, dict[str, Any], str, str]:
    result = run_cli(["evaluate", "--tag", tag, "--sha", SHA, *extra], ws)
    assert result.code in (0, 1), result.stderr
    data, markdown = reports(ws)
    assert_valid_report(data)
    return result.code, data, markdown, result.stdout


def test_the_example_validates_cleanly_and_against_the_schema(ws: Path) -> None:
    result = run_cli(["validate", "--strict", "ci/maturity-stages.yml"], ws)
    assert result.code == 0, result.stdout
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[:8]}
    assert rows["gate"] == ["L1", "L2", "L3", "L4"]
    assert rows["security_review"] == ["report_only", "required", "required", "required"]
    assert rows["load_test"] == ["off", "off", "report_only", "required"]
    assert rows["promotion_guard"] == ["report_only", "required", "required", "required"]
    schema = json.loads((ROOT / "schemas" / "maturity-stages.schema.json").read_text("utf-8"))
    doc, _ = load_yaml_file(EXAMPLE)
    jsonschema.Draft202012Validator(schema).validate(doc.data)


@pytest.mark.parametrize(
    ("ref", "stage", "levels"),
    [
        ("--branch=feature/x", "L1", {"security_review": "report_only", "load_test": "off"}),
        ("--branch=main", "L2", {"security_review": "required", "load_test": "off"}),
        ("--tag=v1.2.3-rc.1", "L3", {"security_review": "required", "load_test": "report_only"}),
        ("--tag=v1.2.3", "L4", {"security_review": "required", "load_test": "required"}),
    ],
)
def test_resolve_shows_inherited_levels(
    ws: Path, ref: str, stage: str, levels: dict[str, str]
) -> None:
    result = run_cli(["resolve", ref, "--format", "json"], ws)
    assert result.code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["stage"] == stage
    assert list(out["gates"]) == [*BUILTIN, *CUSTOM]  # the declared order
    assert {g: out["gates"][g] for g in CUSTOM} == levels
    text = run_cli(["resolve", ref], ws).stdout
    for name, level in levels.items():
        assert f"  {name:<22}{level}" in text


def test_release_passes_with_every_gate_ok(ws: Path) -> None:
    write_evidence(ws / "reviews" / "security.json", code="REVIEWED")
    write_evidence(ws / "load" / "result.json", code="P95_OK", message="p95 180 ms")
    code, data, markdown, _ = evaluate(
        ws, "v1.2.3", *evidence_for_builtins(ws), "--evidence", "load_test=load/result.json"
    )
    assert code == 0
    assert data["verdict"] == "GO"
    assert [g["gate"] for g in data["gates"]] == [*BUILTIN, *CUSTOM]
    review, load = gate(data, "security_review"), gate(data, "load_test")
    assert (review["kind"], review["title"], review["level"]) == (
        "evidence",
        "Security review signed off",
        "required",
    )
    assert review["details"]["evidence_origin"] == "config"
    assert review["findings"][0]["id"] == "evidence:reviews/security.json"
    assert (load["code"], load["details"]["evidence_origin"]) == ("P95_OK", "--evidence")
    assert load["evidence"][0]["source"] == "load/result.json"
    assert r"| security\_review | required | ✅ pass |" in markdown  # Markdown-escaped
    assert r"| load\_test | required | ✅ pass | `P95_OK` |" in markdown


def test_a_failed_load_test_blocks_a_release_with_its_own_fix(ws: Path) -> None:
    write_evidence(ws / "reviews" / "security.json")
    write_evidence(ws / "load.json", ok=False, code="P95_OVER", message="p95 900 ms > 300 ms")
    code, data, markdown, stdout = evaluate(
        ws, "v1.2.3", *evidence_for_builtins(ws), "--evidence", "load_test=load.json"
    )
    assert code == 1
    assert data["verdict"] == "NO-GO"
    [blocking] = data["blocking"]
    assert (blocking["gate"], blocking["code"]) == ("load_test", "P95_OVER")
    assert blocking["remediation"].startswith("run `make load-test`")
    assert "load_test" in stdout
    assert "P95_OVER" in stdout
    assert r"**Fix:** run \`make load\-test\`" in markdown


def test_the_same_failure_only_warns_at_a_release_candidate(ws: Path) -> None:
    write_evidence(ws / "reviews" / "security.json")
    write_evidence(ws / "load.json", ok=False, code="P95_OVER")
    code, data, _, _ = evaluate(
        ws, "v1.2.3-rc.1", *evidence_for_builtins(ws), "--evidence", "load_test=load.json"
    )
    assert code == 0
    assert data["stage"]["name"] == "L3"
    assert gate(data, "load_test")["level"] == "report_only"
    assert gate(data, "load_test")["status"] == "fail"
    assert data["summary"]["warnings"] == 1


def test_a_missing_security_review_blocks_main_and_the_load_test_is_off(ws: Path) -> None:
    code, data, _, _ = evaluate(ws, "main", *evidence_for_builtins(ws))
    assert code == 1
    review, load = gate(data, "security_review"), gate(data, "load_test")
    assert (review["status"], review["code"], review["blocking"]) == (
        "missing",
        "MISSING_EVIDENCE",
        True,
    )
    assert "reviews/security.json" in review["findings"][0]["message"]
    assert (load["status"], load["code"]) == ("skipped", "GATE_OFF")


def test_evidence_dir_reaches_custom_gates_by_name(ws: Path) -> None:
    for name in (*BUILTIN, *CUSTOM):
        write_evidence(ws / "all" / f"{name}.json")
    code, data, _, _ = evaluate(ws, "v1.2.3", "--evidence-dir", "all")
    assert code == 0, data["blocking"]
    assert gate(data, "load_test")["details"]["evidence_origin"] == "--evidence-dir"


def test_evidence_for_an_undeclared_gate_is_refused(ws: Path) -> None:
    result = run_cli(["evaluate", "--tag", "v1.2.3", "--evidence", "perf_test=x.json"], ws)
    assert result.code == 2
    assert "--evidence names the unknown gate 'perf_test'" in result.stderr
    assert "security_review, load_test" in result.stderr
    assert not (ws / "dist").exists()


def test_a_release_tag_taken_by_a_weaker_mapping_is_warned_about(tmp_path: Path) -> None:
    """validate proves which mappings can never match; evaluate, which leaves that proof to
    validate, still warns when the ref it judges is taken by a weaker mapping than a later one
    that matches it too."""
    text = re.sub(r"\n    examples: \[[^]]*\]", "", EXAMPLE.read_text("utf-8"))
    text = text.replace("mappings:\n", "mappings:\n  - pattern: 'v*'\n    stage: L1\n", 1)
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    (tmp_path / "none").mkdir()
    result = run_cli(
        ["evaluate", "--config", "s.yml", "--tag", "v1.2.3", "--evidence-dir", "none"], tmp_path
    )
    assert result.code == 0, result.stderr  # at L1 nothing blocks: the warning is the cue
    data, _ = reports(tmp_path)
    [warning] = data["config"]["warnings"]
    assert warning["message"].startswith(
        "v1.2.3 resolves to mappings[0] pattern 'v*' (stage L1), although the later "
        "mappings[1] regex"
    )
    assert "report_only, not required: promotion_guard" in warning["message"]
    assert "move mappings[1] above mappings[0]" in warning["remediation"]
    line = text.splitlines().index("  - pattern: 'v*'") + 1
    assert warning["where"] == f"s.yml:{line}:5"
    assert f"config warning: s.yml:{line}:5: v1.2.3 resolves to" in result.stdout
    checked = run_cli(["validate", "--strict", "s.yml"], tmp_path)
    assert checked.code == 1  # validate warns about every full release tag it sends there
    assert "full release tags (v1.2.3, v0.1.0, v10.20.30) resolve to mappings[0]" in checked.stdout


def line_of(text: str, line: str) -> int:
    """The number of the first line that is exactly *line*."""
    return text.splitlines().index(line) + 1


@pytest.mark.parametrize(
    ("edit", "line", "message", "fix"),
    [
        (
            ("      load_test: off\n", ""),
            "      promotion_guard: report_only",
            "stage 'L1' does not set a level for: load_test",
            "here or in the stage it extends",
        ),
        (
            ("    extends: L1\n", "    extends: L4\n"),
            "    extends: L4",
            "stages.L2.extends makes a cycle: L2 -> L4 -> L3 -> L2",
            "drop its extends",
        ),
        (
            ("    extends: L2\n", "    extends: L3\n"),
            "    extends: L3",
            "stages.L3.extends names the stage itself",
            "drop its extends",
        ),
        (
            ("    extends: L3\n", "    extends: L9\n"),
            "    extends: L9",
            "stages.L4.extends names the unknown stage 'L9'",
            "use one of: L1, L2, L3",
        ),
        (
            ("      load_test: required\n", "      load_tests: required\n"),
            "      load_tests: required",
            "stages.L4.gates: unknown gate 'load_tests'",
            "declare it under gates: with a kind",
        ),
        (
            ("    kind: evidence\n    title: Load", "    title: Load"),
            "  load_test:",
            "gates.load_test has no kind",
            "add kind: with one of: evidence, github_checks",
        ),
    ],
    ids=[
        "level-missing",
        "extends-cycle",
        "extends-itself",
        "extends-unknown",
        "undeclared-gate",
        "no-kind",
    ],
)
def test_structural_mistakes_are_located_errors_for_every_command(
    tmp_path: Path, edit: tuple[str, str], line: str, message: str, fix: str
) -> None:
    text = EXAMPLE.read_text("utf-8")
    assert edit[0] in text
    text = text.replace(edit[0], edit[1], 1)
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    checked = run_cli(["validate", "s.yml"], tmp_path)
    assert checked.code == 1
    error = next(ln for ln in checked.stdout.splitlines() if ": error: " in ln)
    assert error.startswith(f"s.yml:{line_of(text, line)}:")
    assert message in error
    assert fix in error
    for args in (["resolve", "--tag", "v1.2.3"], ["evaluate", "--tag", "v1.2.3"]):
        result = run_cli([*args, "--config", "s.yml"], tmp_path)
        assert result.code == 2
        assert message in result.stderr
        assert not (tmp_path / "dist").exists()


def test_a_gate_without_its_own_remediation_gets_its_kind_s(tmp_path: Path) -> None:
    """Every NO-GO says how to fix it: a declared gate that gives no remediation shows its
    kind's."""
    text = EXAMPLE.read_text("utf-8").replace(
        "    remediation: run `make load-test`, fix what it reports, and commit the new results\n",
        "",
    )
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    write_evidence(tmp_path / "reviews" / "security.json")
    write_evidence(tmp_path / "load.json", ok=False, code="P95_OVER")
    args = [
        "--config",
        "s.yml",
        *evidence_for_builtins(tmp_path),
        "--evidence",
        "load_test=load.json",
    ]
    code, data, _, _ = evaluate(tmp_path, "v1.2.3", *args)
    assert code == 1
    [blocking] = data["blocking"]
    assert blocking["gate"] == "load_test"
    assert blocking["remediation"] == EVIDENCE_KIND.remediation
    assert blocking["remediation"]
