"""The committed JSON Schemas, the committed stages file and the built-in defaults agree.

* ``maturity/schemas/*.schema.json`` are what ``maturity._schema_gen`` generates from the models
  (regenerate with ``python -m maturity._schema_gen``), and valid Draft 2020-12 schemas;
* ``ci/maturity-stages.yml`` is exactly the built-in defaults behind the editor's schema line;
* the config schema accepts the defaults and every valid example, and rejects the invalid
  examples whose fault it can express (``# schema: reject``), but not the others;
* ``maturity schema`` prints the files; ``maturity init`` writes the defaults safely.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import CliResult, run_cli

from maturity._schema_gen import SCHEMA_DIR, generated_schemas
from maturity.config.defaults import DEFAULT_CONFIG_PATH, DEFAULT_STAGES_YAML, SCHEMA_COMMENT
from maturity.config.load import parse_document
from maturity.config.yaml_loader import LoadedYaml, load_yaml_file, load_yaml_text
from maturity.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
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
    data = {**load_yaml_text(DEFAULT_STAGES_YAML, "d").data, **edit}
    assert config_validator().is_valid(data) is valid
    config, problems = parse_document(LoadedYaml(data=data, source="d"), b"")
    assert (config is not None and not problems) is valid, [p.render() for p in problems]


# --- `maturity schema` and `maturity init` -------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "name"),
    [
        ("config", "maturity-stages.schema.json"),
        ("evidence", "evidence.schema.json"),
        ("report", "maturity-eval.schema.json"),
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
