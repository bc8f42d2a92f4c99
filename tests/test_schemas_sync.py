"""The committed JSON Schemas, the committed stages file and the built-in defaults agree.

* ``maturity/schemas/*.schema.json`` are what ``maturity._schema_gen`` generates from the models
  and the kinds registry (regenerate with ``python -m maturity._schema_gen``), and valid
  Draft 2020-12 schemas;
* ``ci/maturity-stages.yml`` is exactly the built-in defaults behind the editor's schema line;
* the config schema accepts the defaults and every valid example, and rejects the invalid
  examples whose fault it can express (``# schema: reject``), but not the others; on gate
  declarations (built-in or custom, of each kind) it agrees with the loader;
* the report schema takes each gate's ``details`` from its kind's model;
* the waivers schema accepts the example waivers file (whose editor line points at it) and
  agrees with the loader on what it refuses;
* ``maturity schema`` prints the files; ``maturity init`` writes the defaults safely.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, get_args

import pytest
from helpers import CliResult, run_cli

from maturity._schema_gen import SCHEMA_DIR, generated_schemas
from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.defaults import DEFAULT_CONFIG_PATH, DEFAULT_STAGES_YAML, SCHEMA_COMMENT
from maturity.config.load import parse_document
from maturity.config.yaml_loader import LoadedYaml, load_yaml_file, load_yaml_text
from maturity.errors import ConfigError
from maturity.kinds import CATALOG, KINDS, load_kind
from maturity.kinds.github_checks.details import CheckOutcome
from maturity.kinds.github_checks.judge import Outcome
from maturity.report.model import SCHEMA_VERSION
from maturity.report.schema_models import FreezeDetails
from maturity.waivers.load import parse_waivers

ROOT = Path(__file__).resolve().parent.parent
FREEZE_DETAILS = {
    "window": "year-end",
    "schedule": "2026-12-20T00:00:00+01:00 to 2027-01-04T08:00:00+01:00",
    "started_utc": "2026-12-19T23:00:00Z",
    "ends_utc": "2027-01-04T07:00:00Z",
    "ends_local": "2027-01-04T08:00:00+01:00",
}
EXAMPLES = Path(__file__).parent / "examples" / "configs"
VALID = sorted((EXAMPLES / "valid").glob("*.yml"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.yml"))
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.schema.json"))

#: jsonschema ships no type information (and the stubs are not a dependency): typed as Any.
jsonschema: Any = importlib.import_module("jsonschema")


def run(cwd: Path, *args: str) -> CliResult:
    return run_cli(args, cwd, timeout=120)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def config_validator() -> Any:
    return jsonschema.Draft202012Validator(load_json(SCHEMA_DIR / "maturity-stages.schema.json"))


def schema_expectation(path: Path) -> str:
    second = path.read_bytes().splitlines()[1].decode("utf-8")
    assert second.startswith("# schema: "), f"{path.name}: second line must be '# schema: ...'"
    return second.removeprefix("# schema: ")


# --- generated schemas ---------------------------------------------------------------------------


def test_there_are_schemas() -> None:
    assert {p.name for p in SCHEMA_FILES} >= {
        "maturity-stages.schema.json",
        "evidence.schema.json",
        "maturity-eval.schema.json",
        "maturity-waivers.schema.json",
    }


@pytest.mark.parametrize("name", sorted(generated_schemas()))
def test_committed_schema_equals_generated(name: str) -> None:
    committed = load_json(SCHEMA_DIR / name)
    assert committed == generated_schemas()[name], (
        f"{name} is stale: run `python -m maturity._schema_gen` and commit the result"
    )


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = load_json(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_top_level_schemas_link_points_at_the_package_schemas() -> None:
    for path in SCHEMA_FILES:
        assert load_json(ROOT / "schemas" / path.name) == load_json(path)


# --- the committed stages file -------------------------------------------------------------------


def test_ci_stages_file_is_the_builtin_defaults() -> None:
    committed = (ROOT / DEFAULT_CONFIG_PATH).read_text(encoding="utf-8")
    assert committed == SCHEMA_COMMENT + DEFAULT_STAGES_YAML


def test_ci_stages_file_schema_line_resolves() -> None:
    path = ROOT / DEFAULT_CONFIG_PATH
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    target = (path.parent / first.removeprefix(prefix)).resolve()
    assert target.is_file()
    assert load_json(target) == generated_schemas()["maturity-stages.schema.json"]


# --- the config schema against real files --------------------------------------------------------


def test_defaults_validate_against_the_schema() -> None:
    data = load_yaml_text(DEFAULT_STAGES_YAML, "defaults").data
    config_validator().validate(data)


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_examples_validate_against_the_schema(path: Path) -> None:
    data = load_yaml_text(path.read_text(encoding="utf-8"), path.name).data
    config_validator().validate(data)


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_examples_against_the_schema(path: Path) -> None:
    expectation = schema_expectation(path)
    if expectation == "unparsed":
        with pytest.raises(ConfigError):
            load_yaml_file(path)
        return
    data = load_yaml_text(path.read_text(encoding="utf-8"), path.name).data
    errors = list(config_validator().iter_errors(data))
    if expectation == "reject":
        assert errors, f"{path.name}: the schema should reject it"
    else:
        assert expectation == "accept"
        assert errors == [], f"{path.name}: beyond the schema, which should accept it"


@pytest.mark.parametrize(
    ("edit", "valid"),
    [
        ({}, True),
        ({"version": True}, False),
        ({"version": 1.0}, True),  # JSON has one number type: 1.0 is 1, for both
        ({"extra": 1}, False),
        ({"stages": {}}, False),
        ({"mappings": []}, False),
        ({"gates": {"sbom": {}}}, False),
        ({"gates": {"policy_drift": {"evidence": ["a.json", "b.json"]}}}, True),
        ({"gates": {"policy_drift": {"evidence": ""}}}, False),
    ],
)
def test_schema_and_loader_agree_on_top_level_shapes(edit: dict[str, Any], valid: bool) -> None:
    assert_agree({**defaults(), **edit}, valid)


def defaults() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml_text(DEFAULT_STAGES_YAML, "d").data
    return data


def assert_agree(data: dict[str, Any], valid: bool) -> None:
    """The schema and the loader both accept *data*, or both refuse it."""
    errors = [e.message for e in config_validator().iter_errors(data)]
    assert (not errors) is valid, errors
    config, problems = parse_document(LoadedYaml(data=data, source="d"), b"", CATALOG)
    assert (config is not None and not problems) is valid, [p.render() for p in problems]


def with_gates(gates: dict[str, Any]) -> dict[str, Any]:
    """The defaults with *gates* declared, each gate that is not built in off at every stage."""
    data = defaults()
    for stage in data["stages"].values():
        stage["gates"].update({name: "off" for name in gates if name not in BUILTIN_GATES})
    return {**data, "gates": gates}


CHECKS = {"kind": "github_checks"}


@pytest.mark.parametrize(
    ("gates", "valid"),
    [
        ({"mine": {"kind": "evidence"}}, True),
        ({"mine": {"kind": "evidence", "evidence": ["m.json"], "title": "Mine"}}, True),
        ({"mine": {}}, False),  # a custom gate names its kind
        ({"mine": {"evidence": "m.json"}}, False),
        ({"mine": {"kind": None}}, False),
        ({"mine": {"kind": "nope"}}, False),  # an unknown kind
        ({"mine": {"kind": "evidence", "required_checks": ["lint"]}}, False),  # another kind's
        ({"mine": {**CHECKS, "required_checks": ["lint", {"name": "t*", "app": "codecov"}]}}, True),
        ({"mine": {**CHECKS, "min_checks": 0}}, False),
        ({"mine": {**CHECKS, "wait": {"timeout": 5, "every": 1}}}, False),
        ({"Mine": {"kind": "evidence"}}, False),  # not a gate name
        ({"promotion_guard": {"required_checks": ["lint"]}}, True),  # a built-in needs no kind
        ({"promotion_guard": CHECKS}, True),  # but may name its own
        ({"promotion_guard": {"kind": "evidence"}}, False),  # and no other
        ({"deps_approval": {"kind": "evidence", "evidence": "sbom.json"}}, True),
        ({"deps_approval": {"required_checks": ["lint"]}}, False),
    ],
)
def test_schema_and_loader_agree_on_gate_declarations(gates: dict[str, Any], valid: bool) -> None:
    assert_agree(with_gates(gates), valid)


def test_schema_and_loader_agree_on_a_stage_that_extends_another() -> None:
    data = defaults()
    ga = data["stages"]["GA"]
    data["stages"]["GA"] = {
        "description": ga["description"],
        "extends": "PRE_GA",
        "gates": dict.fromkeys(("deps_approval", "policy_drift", "field_budgets"), "required"),
    }
    assert_agree(data, True)
    data["stages"]["GA"]["extends"] = "pre ga"  # not a stage name
    assert_agree(data, False)


def test_the_stages_schema_offers_every_kind_for_custom_gates() -> None:
    schema = load_json(SCHEMA_DIR / "maturity-stages.schema.json")
    gates = schema["properties"]["gates"]
    assert list(gates["properties"]) == list(BUILTIN_GATES)
    custom = schema["$defs"][gates["additionalProperties"]["$ref"].rsplit("/", 1)[1]]
    offered = [branch["properties"]["kind"]["const"] for branch in custom["oneOf"]]
    assert offered == list(KINDS)
    assert all(branch["required"] == ["kind"] for branch in custom["oneOf"])


# --- the report schema: each gate's details are its kind's ------------------------------------

CHECKS_DETAILS: dict[str, Any] = {
    "source": "checks-file",
    "checks_file": "checks.json",
    "sha": "0123456789abcdef0123456789abcdef01234567",
    "required_checks": "every check on the commit",
    "outcomes": {"pass": 1},
    "self_exclusion": {"excluded": None, "reason": "", "kept": []},
    "checks": [
        {
            "kind": "check_run",
            "id": 1,
            "name": "lint",
            "app": "github-actions",
            "status": "completed",
            "conclusion": "success",
            "url": "https://github.com/o/r/runs/1",
            "required": True,
            "matched_by": ["(every check)"],
            "outcome": "pass",
        }
    ],
}
FILES_DETAILS: dict[str, Any] = {
    "evidence_origin": "config",
    "evidence": [{"source": "a.json", "ok": True, "details": {"anything": [1]}}],
}


def report_with(kind: str, details: dict[str, Any]) -> dict[str, Any]:
    """A valid report with one gate of *kind* whose details are *details*."""
    gate = {
        "gate": "g",
        "level": "required",
        "status": "pass",
        "code": "OK",
        "message": "",
        "remediation": "",
        "kind": kind,
        "title": "G",
        "blocking": False,
        "overridden": False,
        "findings": [],
        "evidence": [],
        "evidence_sha256": None,
        "details": details,
        "duration_ms": 0.5,
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "maturity", "version": "0"},
        "generated_at": "2026-01-01T00:00:00Z",
        "subject": {
            "repository": None,
            "ref": "refs/tags/v1",
            "ref_name": "v1",
            "ref_type": "tag",
            "sha": None,
            "sha_source": None,
            "commit": "none",
            "run": {"id": None, "attempt": None, "url": None},
            "actor": None,
            "event": None,
            "workflow": None,
            "job": None,
        },
        "config": {"source": "d", "builtin": True, "sha256": "0" * 64, "warnings": []},
        "stage": {
            "name": "GA",
            "description": "",
            "mapping": {"index": 0, "kind": "pattern", "expression": "*"},
        },
        "verdict": "GO",
        "verdict_line": "GO",
        "clock": {"now": "2026-01-01T00:00:00Z", "source": "system clock"},
        "freeze": None,
        "overrides": [],
        "override_failures": [],
        "waivers": None,
        "audit_log": None,
        "blocking": [],
        "gates": [gate],
        "summary": {
            "gates": 1,
            "passed": 1,
            "blocking": 0,
            "warnings": 0,
            "skipped": 0,
            "waived": 0,
            "overridden": 0,
        },
    }


def report_validator() -> Any:
    return jsonschema.Draft202012Validator(load_json(SCHEMA_DIR / "maturity-eval.schema.json"))


@pytest.mark.parametrize(
    ("kind", "details", "valid"),
    [
        ("github_checks", CHECKS_DETAILS, True),
        ("github_checks", FILES_DETAILS, True),  # judged from evidence files instead
        ("github_checks", {}, True),  # off, crashed or timed out: nothing to say
        ("github_checks", {"source": "github-api"}, True),  # no token: nothing read
        ("github_checks", {**CHECKS_DETAILS, "surprise": 1}, False),
        ("github_checks", {**CHECKS_DETAILS, "sha": "main"}, False),
        ("github_checks", {**CHECKS_DETAILS, "source": "somewhere"}, False),
        ("github_checks", {**CHECKS_DETAILS, "wait_timed_out": False}, False),
        ("github_checks", {k: v for k, v in CHECKS_DETAILS.items() if k != "checks_file"}, False),
        ("github_checks", {k: v for k, v in CHECKS_DETAILS.items() if k != "outcomes"}, False),
        ("github_checks", {**CHECKS_DETAILS, "outcomes": {"great": 1}}, False),
        ("github_checks", {**FILES_DETAILS, "source": "checks-file"}, False),  # not both forms
        ("evidence", FILES_DETAILS, True),
        ("evidence", {}, True),  # no evidence given
        ("evidence", CHECKS_DETAILS, False),  # another kind's details
        ("evidence", {**FILES_DETAILS, "extra": 1}, False),
        ("evidence", {"evidence_origin": "config"}, False),
        ("evidence", {**FILES_DETAILS, "evidence": [{"source": "a.json", "ok": "yes"}]}, False),
        ("no_such_kind", {}, False),  # only registered kinds make reports
        # the pseudo-gate of an active freeze window (engine.freeze_result's details)
        ("freeze", FREEZE_DETAILS, True),
        ("freeze", {**FREEZE_DETAILS, "surprise": 1}, False),
        ("freeze", {"window": "w", "schedule": "s", "ends_utc": "2026-01-02T00:00:00Z"}, False),
    ],
)
def test_report_schema_takes_details_from_the_kind(
    kind: str, details: dict[str, Any], valid: bool
) -> None:
    errors = [e.message for e in report_validator().iter_errors(report_with(kind, details))]
    assert (not errors) is valid, errors


def test_every_kind_with_a_details_model_has_its_branch() -> None:
    gate = load_json(SCHEMA_DIR / "maturity-eval.schema.json")["$defs"]["Gate"]
    # the registered kinds, and the pseudo-gate of an active freeze window (no module; its
    # details are the window's)
    assert gate["properties"]["kind"]["enum"] == [*KINDS, "freeze"]
    branched = {
        part["if"]["properties"]["kind"]["const"]: part["then"]["properties"]["details"]
        for part in gate["allOf"]
        if "kind" in part["if"].get("properties", {})
    }
    with_model = {k: d() for k in KINDS if (d := load_kind(k).details) is not None}
    with_model["freeze"] = FreezeDetails
    assert set(branched) == set(with_model)
    for kind, details in branched.items():
        model = with_model[kind]
        assert model is not None
        assert {"$ref": f"#/$defs/{model.__name__}"} in details["anyOf"]


def test_check_outcomes_in_the_schema_are_the_judge_s() -> None:
    assert list(get_args(CheckOutcome)) == [o.value for o in Outcome]


def test_the_report_schema_version_is_the_report_s() -> None:
    schema = load_json(SCHEMA_DIR / "maturity-eval.schema.json")
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


# --- the waivers schema -------------------------------------------------------------------------

WAIVERS_EXAMPLE = ROOT / "examples" / "waivers" / "maturity-waivers.yml"


def waivers_validator() -> Any:
    return jsonschema.Draft202012Validator(load_json(SCHEMA_DIR / "maturity-waivers.schema.json"))


def test_the_waivers_example_s_schema_line_resolves() -> None:
    first = WAIVERS_EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first == f"{prefix}../../schemas/maturity-waivers.schema.json"
    target = (WAIVERS_EXAMPLE.parent / first.removeprefix(prefix)).resolve()
    assert load_json(target) == generated_schemas()["maturity-waivers.schema.json"]


def test_the_waivers_example_validates_against_the_schema() -> None:
    data = load_yaml_file(WAIVERS_EXAMPLE)[0].data
    assert len(data["waivers"]) == 3
    assert list(waivers_validator().iter_errors(data)) == []
    assert_waivers_agree(data, True)


def waiver_entry(**changes: Any) -> dict[str, Any]:
    entry = {
        "gate": "promotion_guard",
        "finding": "check:e2e@*",
        "owner": "alice",
        "reason": "INC-123: e2e flaky on the new runners",
        "expires": "2026-12-15",
        **changes,
    }
    return {k: v for k, v in entry.items() if v is not None}


def assert_waivers_agree(data: Any, valid: bool) -> None:
    """The waivers schema and the loader both accept *data*, or both refuse it."""
    errors = [e.message for e in waivers_validator().iter_errors(data)]
    assert (not errors) is valid, errors
    waivers, problems = parse_waivers(LoadedYaml(data=data, source="w"), b"")
    assert (waivers is not None and not problems) is valid, [p.render() for p in problems]


@pytest.mark.parametrize(
    ("entry", "valid"),
    [
        (waiver_entry(), True),
        (waiver_entry(evidence_sha256="0" * 64), True),
        (waiver_entry(owner="octo-org/release-team"), True),
        (waiver_entry(finding="evidence:dist/*.json"), True),
        (waiver_entry(gate="freeze"), False),  # a freeze is overridden, never waived
        (waiver_entry(gate="Promotion"), False),
        (waiver_entry(finding=""), False),
        (waiver_entry(finding="x" * 257), False),
        (waiver_entry(owner="al ice"), False),
        (waiver_entry(owner="-alice"), False),
        (waiver_entry(reason="too short"), False),
        (waiver_entry(reason="x" * 501), False),
        (waiver_entry(expires="15.12.2026"), False),
        (waiver_entry(expires="2026-12-15T00:00:00Z"), False),
        (waiver_entry(expires=20261215), False),
        (waiver_entry(evidence_sha256="0" * 63), False),
        (waiver_entry(evidence_sha256="A" * 64), False),
        (waiver_entry(owner=None), False),  # missing
        (waiver_entry(expires=None), False),  # missing
        (waiver_entry(extra="x"), False),
    ],
)
def test_waivers_schema_and_loader_agree_on_entries(entry: dict[str, Any], valid: bool) -> None:
    assert_waivers_agree({"version": 1, "waivers": [entry]}, valid)


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"version": 1, "waivers": []}, True),
        ({"version": 2, "waivers": []}, False),
        ({"version": True, "waivers": []}, False),
        ({"version": 1}, False),
        ({"version": 1, "waivers": [], "extra": 1}, False),
        ({"version": 1, "waivers": [waiver_entry()] * 1000}, True),
        ({"version": 1, "waivers": [waiver_entry()] * 1001}, False),
        ([], False),
    ],
)
def test_waivers_schema_and_loader_agree_on_the_document(data: Any, valid: bool) -> None:
    assert_waivers_agree(data, valid)


# --- `maturity schema` and `maturity init` -------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "name"),
    [
        ("config", "maturity-stages.schema.json"),
        ("evidence", "evidence.schema.json"),
        ("report", "maturity-eval.schema.json"),
        ("waivers", "maturity-waivers.schema.json"),
    ],
)
def test_schema_command_prints_the_file(tmp_path: Path, which: str, name: str) -> None:
    result = run(tmp_path, "schema", which)
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == load_json(SCHEMA_DIR / name)
    assert result.stdout == (SCHEMA_DIR / name).read_text(encoding="utf-8")


def test_schema_command_refuses_unknown_names(tmp_path: Path) -> None:
    result = run(tmp_path, "schema", "nope")
    assert result.code == 2
    assert "invalid choice" in result.stderr


def test_init_writes_the_defaults(tmp_path: Path) -> None:
    result = run(tmp_path, "init")
    assert result.code == 0, result.stderr
    written = tmp_path / DEFAULT_CONFIG_PATH
    assert written.read_text(encoding="utf-8") == DEFAULT_STAGES_YAML
    assert "maturity validate ci/maturity-stages.yml" in result.stdout
    assert [p.name for p in written.parent.iterdir()] == ["maturity-stages.yml"]  # no temp left
    checked = run(tmp_path, "validate", "--strict")
    assert checked.code == 0, checked.stdout


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "stages.yml"
    target.write_text("mine: true\n", encoding="utf-8")
    result = run(tmp_path, "init", "--path", "stages.yml")
    assert result.code == 2
    assert "stages.yml already exists" in result.stderr
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine: true\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stages.yml"]


def test_init_overwrites_with_force(tmp_path: Path) -> None:
    target = tmp_path / "stages.yml"
    target.write_text("mine: true\n", encoding="utf-8")
    result = run(tmp_path, "init", "--path", "stages.yml", "--force")
    assert result.code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == DEFAULT_STAGES_YAML


@pytest.mark.parametrize(
    ("verdict_line", "valid"),
    [
        ("GO", True),
        ("GO (break glass: 2 override(s))", True),
        ("NO-GO", False),
        ("GO (break glass: 0 override(s))", False),
        ("GO!", False),
    ],
)
def test_the_verdict_line_agrees_with_the_verdict(verdict_line: str, valid: bool) -> None:
    report = report_with("evidence", {})
    report["verdict_line"] = verdict_line
    errors = list(report_validator().iter_errors(report))
    assert (not errors) is valid, errors
