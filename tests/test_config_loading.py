"""Loading a stages file: hostile YAML, the schema layer and the structural checks.

Everything here goes through the library (``load_yaml_text``, ``load_config_file``,
``parse_document``); ``tests/test_validate_cli.py`` drives the same cases through the CLI.
Every located message is checked against the line computed from the fixture text.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.config.load import (
    BUILTIN_SOURCE,
    check_config_file,
    load_builtin,
    load_config_file,
    parse_document,
)
from maturity.config.types import Problem, Severity
from maturity.config.yaml_loader import MAX_CONFIG_BYTES, MAX_DEPTH, MAX_NODES, load_yaml_text
from maturity.core import Level
from maturity.errors import ConfigError
from maturity.kinds import CATALOG

SRC = "ci/stages.yml"

BASE = """\
version: 1
stages:
  DEV:
    description: branches
    gates:
      promotion_guard: report_only
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
mappings:
  - pattern: 'v*'
    stage: GA
    examples: [v1.2.3, refs/tags/v2]
  - pattern: '*'
    stage: DEV
    examples: [main]
"""


# --- helpers -------------------------------------------------------------------------------------


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the *occurrence*-th line of *text* that contains *needle*."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} occurs on {len(hits)} line(s)"
    return hits[occurrence - 1]


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def yaml_error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_yaml_text(text, SRC)
    return info.value


def problems_of(text: str) -> list[Problem]:
    doc = load_yaml_text(text, SRC)
    _, problems = parse_document(doc, text.encode(), CATALOG)
    return problems


def errors_of(text: str) -> list[Problem]:
    return [p for p in problems_of(text) if p.severity is Severity.ERROR]


def only_error(text: str) -> Problem:
    errors = errors_of(text)
    assert len(errors) == 1, [p.render() for p in errors]
    return errors[0]


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_base_fixture_is_clean() -> None:
    assert problems_of(BASE) == []


# --- YAML syntax ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "what"),
    [
        (
            "    description: branches\n",
            "    description: branches: all\n",
            "branches: all",
            "mapping values are not allowed",
        ),
        (
            "    description: branches\n",
            "\tdescription: branches\n",
            "\tdescription",
            "cannot start any token",
        ),
        (
            "      observability_verify: report_only\n",
            "     observability_verify: report_only\n",
            "     observability_verify",
            "did not find expected key",
        ),
    ],
)
def test_syntax_error_is_located_at_the_bad_line(
    old: str, new: str, needle: str, what: str
) -> None:
    text = mutate(BASE, old, new)
    err = yaml_error(text)
    line = line_of(text, needle)
    assert err.message.startswith(f"{SRC}:{line}:"), err.message
    assert "invalid YAML" in err.message
    assert what in err.message
    assert err.remediation


def test_syntax_error_column_points_at_the_offending_character() -> None:
    text = mutate(BASE, "    description: branches\n", "    description: branches: all\n")
    line = line_of(text, "branches: all")
    column = text.splitlines()[line - 1].index(": all") + 1
    assert yaml_error(text).message.startswith(f"{SRC}:{line}:{column}: invalid YAML")


def test_unclosed_quote_names_where_it_was_opened() -> None:
    text = mutate(BASE, "    description: branches\n", '    description: "branches\n')
    err = yaml_error(text)
    opened = line_of(text, '"branches')
    assert f"(from line {opened})" in err.message
    assert "invalid YAML" in err.message


def test_control_character_is_located() -> None:
    text = mutate(BASE, "branches", "bran\x07ches")
    line = line_of(text, "\x07")
    column = text.splitlines()[line - 1].index("\x07") + 1
    err = yaml_error(text)
    assert err.message.startswith(f"{SRC}:{line}:{column}: invalid YAML"), err.message
    assert "#x0007" in err.message


def test_second_document_is_rejected() -> None:
    err = yaml_error(BASE + "---\n" + BASE)
    assert "expected a single document" in err.message
    assert err.message.startswith(f"{SRC}:{line_of(BASE, 'version: 1') + BASE.count(chr(10))}:")


def test_syntax_error_through_load_config_file(tmp_path: Path) -> None:
    text = mutate(BASE, "    description: branches\n", "    description: branches: all\n")
    path = tmp_path / "stages.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config_file(path, CATALOG, "ci/maturity-stages.yml")
    assert info.value.message.startswith(
        f"ci/maturity-stages.yml:{line_of(text, 'branches: all')}:"
    )
    with pytest.raises(ConfigError):  # validate can't read it either: exit 2, not a problem list
        check_config_file(path, CATALOG)


# --- duplicate keys ------------------------------------------------------------------------------


def test_duplicate_top_level_key_names_both_lines() -> None:
    text = BASE + "version: 1\n"
    err = yaml_error(text)
    first, second = line_of(text, "version:"), line_of(text, "version:", 2)
    assert err.message == (
        f"{SRC}:{second}:1: duplicate key 'version' (first defined at line {first})"
    )


def test_duplicate_nested_key_names_both_lines() -> None:
    text = mutate(
        BASE,
        "      field_budgets: required\n",
        "      field_budgets: required\n      promotion_guard: off\n",
    )
    err = yaml_error(text)
    # the first promotion_guard of GA is the second in the file (DEV has one too)
    first = line_of(text, "promotion_guard: required")
    second = line_of(text, "promotion_guard: off")
    assert err.message.startswith(f"{SRC}:{second}:7: duplicate key 'promotion_guard'")
    assert f"(first defined at line {first})" in err.message


def test_duplicate_key_inside_a_list_item() -> None:
    text = mutate(BASE, "    stage: GA\n", "    stage: GA\n    stage: DEV\n")
    err = yaml_error(text)
    assert err.message.startswith(f"{SRC}:{line_of(text, 'stage: DEV')}:")
    assert f"duplicate key 'stage' (first defined at line {line_of(text, 'stage: GA')})" in (
        err.message
    )


def test_keys_that_read_the_same_are_duplicates() -> None:
    # `1:` (an int in YAML) and '1' are the same stage name
    text = mutate(BASE, "  GA:\n", "  1:\n    gates: {}\n  '1':\n")
    err = yaml_error(text)
    assert "duplicate key '1'" in err.message
    assert err.message.startswith(f"{SRC}:{line_of(text, chr(39) + '1' + chr(39))}:")


def test_same_key_in_different_mappings_is_fine() -> None:
    doc = load_yaml_text(BASE, SRC)
    assert set(doc.data["stages"]) == {"DEV", "GA"}


# --- alias bombs, recursion, depth, size ---------------------------------------------------------


@pytest.mark.parametrize("width", [9, 10])
def test_billion_laughs_is_refused_fast(width: int) -> None:
    text = billion_laughs(levels=9, width=width)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_yaml_text(text, SRC)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"took {elapsed:.2f}s"  # a generous bound, requested by the issue
    assert f"more than {MAX_NODES} values" in info.value.message
    assert "billion laughs" in info.value.message
    assert info.value.message.startswith(f"{SRC}:")
    assert info.value.remediation


def test_billion_laughs_inside_a_real_config_file(tmp_path: Path) -> None:
    text = (
        BASE
        + "gates:\n  promotion_guard:\n    evidence:\n"
        + "".join(
            f"      - {line}\n" for line in billion_laughs().replace(": &", "_: &").splitlines()
        )
        .replace("      - l", "      - {l")
        .replace("]\n", "]}\n")
    )
    path = tmp_path / "stages.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="runaway aliases"):
        load_config_file(path, CATALOG)


def test_bounded_aliases_are_fine() -> None:
    text = "a: &a [x, y, z]\nb: [*a, *a, *a]\nc: &c {k: v}\nd: *c\n"
    assert load_yaml_text(text, SRC).data == {
        "a": ["x", "y", "z"],
        "b": [["x", "y", "z"]] * 3,
        "c": {"k": "v"},
        "d": {"k": "v"},
    }


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &a [*a]\n", 1),
        ("a: &a {b: *a}\n", 1),
        ("a: &a\n  - x\n  - *a\n", 2),
        ("&r [1, *r]\n", 1),
    ],
)
def test_recursive_alias_is_refused(text: str, line: int) -> None:
    err = yaml_error(text)
    assert f"nesting deeper than {MAX_DEPTH} levels" in err.message
    assert err.message.startswith(f"{SRC}:{line}:")


@pytest.mark.parametrize(
    ("opening", "closing"), [("[", "]"), ("{a: ", "}"), ("[{b: ", "}]")], ids=["list", "map", "mix"]
)
def test_deep_nesting_is_refused(opening: str, closing: str) -> None:
    text = "version: 1\nx: " + opening * 100 + "1" + closing * 100 + "\n"
    err = yaml_error(text)
    assert err.message.startswith(f"{SRC}:2:"), err.message
    assert f"nesting deeper than {MAX_DEPTH} levels" in err.message


def test_nesting_limit_boundary() -> None:
    ok = "x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    data = load_yaml_text(ok, SRC).data["x"]
    for _ in range(MAX_DEPTH - 1):
        assert isinstance(data, list)
        assert len(data) == 1
        data = data[0]
    assert data == []
    too_deep = "x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    assert "nesting deeper" in yaml_error(too_deep).message


def test_deep_block_nesting_is_refused() -> None:
    text = "root:\n" + "".join(f"{'  ' * (i + 1)}k{i}:\n" for i in range(80)) + "  " * 81 + "v\n"
    err = yaml_error(text)
    assert "nesting deeper" in err.message


def test_oversize_text_is_refused_before_parsing() -> None:
    # starts with a syntax error: a size message proves nothing was parsed
    text = "version: [\n" + "#" * MAX_CONFIG_BYTES
    err = yaml_error(text)
    assert err.message == f"{SRC}: larger than {MAX_CONFIG_BYTES} bytes"


def test_size_is_counted_in_bytes_not_characters() -> None:
    text = "# " + "é" * (MAX_CONFIG_BYTES // 2)  # fewer characters than the limit, more bytes
    assert len(text) < MAX_CONFIG_BYTES
    assert "larger than" in yaml_error(text).message


def test_oversize_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_bytes(b"version: [\n" + b"#" * MAX_CONFIG_BYTES)
    with pytest.raises(ConfigError) as info:
        load_config_file(path, CATALOG, "big.yml")
    assert info.value.message == f"big.yml: larger than {MAX_CONFIG_BYTES} bytes"


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    head = DEFAULT_STAGES_YAML.encode() + b"#"
    path = tmp_path / "stages.yml"
    path.write_bytes(head + b"x" * (MAX_CONFIG_BYTES - len(head) - 1) + b"\n")
    assert path.stat().st_size == MAX_CONFIG_BYTES
    config = load_config_file(path, CATALOG)
    assert list(config.stages) == ["PILOT", "PRE_GA", "GA"]


# --- tags ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system ['echo pwned']", "python/object/apply:os.system"),
        ("!!python/object:os.Foo {x: 1}", "python/object:os.Foo"),
        ("!!python/name:os.system", "python/name:os.system"),
        ("!!timestamp '2024-05-01'", "timestamp"),
        ("!!binary aGVsbG8=", "binary"),
        ("!!set {a, b}", "set"),
        ("!!omap [{a: 1}]", "omap"),
        ("!!pairs [{a: 1}]", "pairs"),
    ],
)
def test_unsupported_tags_are_refused(value: str, tag: str) -> None:
    text = mutate(BASE, "    description: branches\n", f"    description: {value}\n")
    err = yaml_error(text)
    assert f"unsupported YAML tag 'tag:yaml.org,2002:{tag}'" in err.message
    column = len("    description: ") + 1
    assert err.message.startswith(f"{SRC}:{line_of(text, 'description:')}:{column}:")


@pytest.mark.parametrize(
    "value", ["2024-05-01", "2001-12-14t21:59:43.10-05:00", "2026-12-20 00:00:00Z"]
)
def test_an_unquoted_date_or_time_is_read_as_written(value: str) -> None:
    """``expires: 2026-12-15`` or ``start: 2026-12-20T00:00:00Z`` unquoted: YAML 1.1 would make
    a timestamp (a naive one, for a time without an offset); the text is kept for the field
    to parse, so a time without an offset is refused there, not silently read as UTC."""
    assert load_yaml_text(f"a: {value}\n", SRC).data == {"a": value}


def test_local_tag_is_refused() -> None:
    err = yaml_error("a: !vault |\n  secret\n")
    assert err.message.startswith(f"{SRC}:1:4: unsupported YAML tag '!vault'")


def test_tag_on_the_whole_document_is_refused() -> None:
    err = yaml_error("!!python/object:builtins.dict\n" + BASE)
    assert "unsupported YAML tag 'tag:yaml.org,2002:python/object:builtins.dict'" in err.message


def test_standard_tags_are_plain_data() -> None:
    text = "a: !!str 5\nb: !!int '7'\nc: !!map {x: !!seq [1]}\nd: !!null ''\n"
    assert load_yaml_text(text, SRC).data == {"a": "5", "b": 7, "c": {"x": [1]}, "d": None}


def test_merge_keys_are_refused() -> None:
    text = "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n"
    err = yaml_error(text)
    assert err.message.startswith(f"{SRC}:3:3: merge keys ('<<') are not supported")


# --- encoding and empty input --------------------------------------------------------------------


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    raw = BASE.replace("branches", "café").encode("latin-1")
    path = tmp_path / "stages.yml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as info:
        load_config_file(path, CATALOG, "stages.yml")
    bad = raw.index("é".encode("latin-1"))
    assert info.value.message == f"stages.yml: not UTF-8 (byte {bad})"
    assert "UTF-8" in info.value.remediation


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stages.yml"
    path.write_bytes(BASE.encode("utf-16"))
    with pytest.raises(ConfigError, match=r"not UTF-8 \(byte 0\)"):
        load_config_file(path, CATALOG, "stages.yml")


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "stages.yml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert set(load_config_file(path, CATALOG).stages) == {"DEV", "GA"}


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# nothing but a comment\n"])
def test_empty_file_is_refused(text: str, tmp_path: Path) -> None:
    assert yaml_error(text).message == f"{SRC}: the file is empty"
    path = tmp_path / "stages.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="the file is empty") as info:
        load_config_file(path, CATALOG)
    assert "maturity init" in info.value.remediation


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config_file(tmp_path / "nope.yml", CATALOG, "ci/nope.yml")
    assert info.value.message == "ci/nope.yml: no such file"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config_file(tmp_path, CATALOG, "ci")


@pytest.mark.parametrize(
    "text", ["- version: 1\n- stages: {}\n", "just text\n", "42\n", "---\n", "null\n"]
)
def test_document_must_be_a_mapping(text: str, tmp_path: Path) -> None:
    problem = only_error(text)
    assert problem.message == "the document must be a mapping with version, stages, mappings"
    path = tmp_path / "stages.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config_file(path, CATALOG)


# --- YAML 1.2 scalars ----------------------------------------------------------------------------


def test_off_on_yes_no_stay_words(tmp_path: Path) -> None:
    text = mutate(BASE, "    description: branches\n", "    description: yes\n")
    text = mutate(text, "  GA:\n", "  on:\n").replace("stage: GA", "stage: on")
    text = mutate(text, "      promotion_guard: report_only\n", "      promotion_guard: off\n")
    doc = load_yaml_text(text, SRC)
    assert doc.data["stages"]["DEV"]["description"] == "yes"
    assert doc.data["stages"]["DEV"]["gates"]["promotion_guard"] == "off"
    assert "on" in doc.data["stages"]
    path = tmp_path / "stages.yml"
    path.write_text(text, encoding="utf-8")
    config = load_config_file(path, CATALOG)
    assert config.stages["DEV"].levels["promotion_guard"] is Level.OFF
    assert config.stages["DEV"].description == "yes"
    assert config.mappings[0].stage == "on"


def test_yaml12_words_as_plain_values() -> None:
    data = load_yaml_text("a: off\nb: On\nc: YES\nd: no\ne: n\nf: y\n", SRC).data
    assert data == {"a": "off", "b": "On", "c": "YES", "d": "no", "e": "n", "f": "y"}


def test_true_and_false_are_still_booleans() -> None:
    data = load_yaml_text("a: true\nb: False\nc: 'true'\nd: !!bool true\n", SRC).data
    assert data == {"a": True, "b": False, "c": "true", "d": True}
    text = mutate(BASE, "    description: branches\n", "    description: true\n")
    problem = only_error(text)
    assert problem.message.startswith("stages.DEV.description: Input should be a valid string")


# --- wrong types, located ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "value", "prefix"),
    [
        ("version: 1\n", "version: '1'\n", "'1'", "version: Input should be 1"),
        ("version: 1\n", "version: 2\n", "2", "version: Input should be 1"),
        ("version: 1\n", "version: true\n", "true", "version: Input should be 1"),
        ("version: 1\n", "version: 1.5\n", "1.5", "version: Input should be 1"),
        (
            "      promotion_guard: required\n",
            "      promotion_guard: 3\n",
            "3",
            "stages.GA.gates.promotion_guard: Input should be 'required', 'report_only' or 'off'",
        ),
        (
            "      promotion_guard: required\n",
            "      promotion_guard: yes\n",
            "yes",
            "stages.GA.gates.promotion_guard: Input should be",
        ),
        (
            "    description: branches\n",
            "    description: 12\n",
            "12",
            "stages.DEV.description: Input should be a valid string",
        ),
        (
            "    examples: [main]\n",
            "    examples: [main, 5]\n",
            "5]",
            "mappings[1].examples[1]: Input should be a valid string",
        ),
        (
            "    examples: [main]\n",
            "    examples: main\n",
            "main",
            "mappings[1].examples: Input should be a valid list",
        ),
        ("    stage: DEV\n", "    stage: 5\n", "5", "mappings[1].stage: Input should be"),
        (
            "    description: branches\n",
            "    description: " + "x" * 501 + "\n",
            "xxx",
            "stages.DEV.description: String should have at most 500 characters",
        ),
    ],
)
def test_wrong_type_names_field_and_line(old: str, new: str, value: str, prefix: str) -> None:
    text = mutate(BASE, old, new)
    problem = only_error(text)
    line = line_of(text, new.strip())
    column = text.splitlines()[line - 1].index(value, len(new) - len(new.lstrip()) + 1) + 1
    assert problem.message.startswith(prefix), problem.message
    assert problem.line == line
    assert problem.where == f"{SRC}:{line}:{column}"
    assert problem.render().startswith(f"{SRC}:{line}:{column}: error: {prefix}")


def test_evidence_number_names_field_and_line() -> None:
    text = BASE + "gates:\n  promotion_guard:\n    evidence: 5\n"
    problem = only_error(text)
    assert problem.message.startswith("gates.promotion_guard.evidence: Input should be a valid")
    assert problem.where == f"{SRC}:{line_of(text, 'evidence: 5')}:15"


def test_evidence_list_item_names_its_index() -> None:
    text = BASE + "gates:\n  deps_approval:\n    evidence:\n      - a.json\n      - [b]\n"
    messages = {p.message.split(":")[0]: p.line for p in errors_of(text)}
    assert messages["gates.deps_approval.evidence[1]"] == line_of(text, "- [b]")


@pytest.mark.parametrize(
    ("old", "new", "prefix"),
    [
        ("stages:\n", "stages: []\nx_stages:\n", "stages: Input should be a valid dictionary"),
        ("mappings:\n", "mappings: {}\nx_mappings:\n", "mappings: Input should be a valid list"),
    ],
)
def test_wrong_container_types(old: str, new: str, prefix: str) -> None:
    text = mutate(BASE, old, new)
    messages = [p.message for p in errors_of(text)]
    assert any(m.startswith(prefix) for m in messages), messages


def test_missing_required_fields_point_at_the_parent() -> None:
    text = mutate(BASE, "version: 1\n", "")
    problem = only_error(text)
    assert problem.message.startswith("(document): missing required field 'version'")
    text = mutate(BASE, "    stage: GA\n", "")
    problem = only_error(text)
    assert problem.message.startswith("mappings[0]: missing required field 'stage'")
    assert problem.line == line_of(text, "pattern: 'v*'")


# --- unknown fields and names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "version: 1\n",
            "version: 1\ncolour: red\n",
            "colour",
            "(document): unknown field 'colour'",
        ),
        (
            "    description: branches\n",
            "    description: branches\n    owner: me\n",
            "owner:",
            "stages.DEV: unknown field 'owner'",
        ),
        (
            "    stage: GA\n",
            "    stage: GA\n    example: [v1]\n",
            "example:",
            "mappings[0]: unknown field 'example'",
        ),
        (
            "      field_budgets: required\n",
            "      field_budgets: required\n      sbom: required\n",
            "sbom:",
            "stages.GA.gates: unknown gate 'sbom'",
        ),
    ],
)
def test_unknown_fields_and_gates(old: str, new: str, needle: str, message: str) -> None:
    text = mutate(BASE, old, new)
    problem = only_error(text)
    line = line_of(text, needle)
    column = text.splitlines()[line - 1].index(needle[0]) + 1
    assert problem.message.startswith(message), problem.message
    assert problem.where == f"{SRC}:{line}:{column}"


def test_an_undeclared_gate_at_a_stage_lists_the_declared_ones() -> None:
    text = mutate(
        BASE,
        "      field_budgets: required\n",
        "      field_budgets: required\n      sbom: required\n",
    )
    problem = only_error(text)
    assert problem.message == "stages.GA.gates: unknown gate 'sbom'"
    assert problem.remediation == (
        "declare it under gates: with a kind, or use one of: " + ", ".join(BUILTIN_GATES)
    )


def test_a_gate_declared_without_a_kind() -> None:
    """A name that is not built in needs a kind (the loader cannot guess one)."""
    text = BASE + "gates:\n  sbom:\n    evidence: sbom.json\n"
    problem = only_error(text)
    assert problem.message == "gates.sbom has no kind"
    assert "add kind: with one of: evidence, github_checks" in problem.remediation
    assert f"built-in gates need none: {', '.join(BUILTIN_GATES)}" in problem.remediation
    assert problem.where == f"{SRC}:{line_of(text, 'sbom:')}:3"


def test_unknown_gate_setting() -> None:
    text = BASE + "gates:\n  policy_drift:\n    evidence_file: x.json\n"
    problem = only_error(text)
    assert problem.message.startswith("gates.policy_drift: unknown field 'evidence_file'")
    assert problem.line == line_of(text, "evidence_file")


@pytest.mark.parametrize(
    "name",
    [
        "'General Availability'",
        "rel/ga",
        "'-GA'",
        ".GA",
        "GA!",
        "'GA:1'",
        "É",
        '"GA\\n"',
        "'" + "A" * 65 + "'",
        "''",
    ],
)
def test_bad_stage_names(name: str) -> None:
    text = mutate(BASE, "  GA:\n", f"  {name}:\n")
    problems = errors_of(text)
    line = line_of(text, f"  {name}:")
    at_key = [p for p in problems if p.line == line]
    assert len(at_key) == 1, [p.render() for p in problems]
    assert at_key[0].message.startswith("stages: ")
    assert "is not allowed here" in at_key[0].message
    assert "letters, digits" in at_key[0].remediation


@pytest.mark.parametrize("name", ["a", "1", "GA-2.0_x", "L" * 64, "on", "off", "7.0"])
def test_free_form_stage_names(name: str, tmp_path: Path) -> None:
    text = BASE.replace("  GA:", f"  {name}:").replace("stage: GA", f"stage: '{name}'")
    path = tmp_path / "stages.yml"
    path.write_text(text, encoding="utf-8")
    config = load_config_file(path, CATALOG)
    assert list(config.stages) == ["DEV", name]
    assert config.mappings[0].stage == name


# --- mappings: pattern / regex -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - pattern: 'v*'\n",
            "  - pattern: 'v*'\n    regex: 'v.*'\n",
            "mappings[0]: give exactly one of 'pattern' (a glob) or 'regex'",
        ),
        (
            "  - pattern: 'v*'\n    stage: GA\n",
            "  - stage: GA\n",
            "mappings[0]: give exactly one of",
        ),
        ("  - pattern: 'v*'\n", "  - pattern:\n", "mappings[0]: 'pattern' or 'regex' is empty"),
        ("  - pattern: 'v*'\n", "  - regex: ~\n", "mappings[0]: 'pattern' or 'regex' is empty"),
        (
            "  - pattern: 'v*'\n",
            "  - pattern: ''\n",
            "mappings[0].pattern: String should have at least 1 character",
        ),
        (
            "  - pattern: 'v*'\n",
            "  - regex: 'v(1|2'\n",
            "mappings[0].regex: invalid regular expression: missing ): v(1|2 (RE2 syntax: ",
        ),
        (
            "  - pattern: 'v*'\n",
            "  - pattern: '[abc'\n",
            "mappings[0].pattern: invalid glob: unclosed '[' at position 1 of '[abc'",
        ),
        (
            "  - pattern: 'v*'\n",
            "  - pattern: 'v[9-0]'\n",
            "mappings[0].pattern: invalid glob: the range 9-0",
        ),
        (
            "  - pattern: 'v*'\n",
            "  - pattern: '" + "v" * 257 + "'\n",
            "mappings[0].pattern: String should have at most 256 characters",
        ),
    ],
)
def test_mapping_matcher_errors(old: str, new: str, message: str) -> None:
    text = mutate(BASE, old, new)
    problem = only_error(text)
    assert problem.message.startswith(message), problem.message
    assert problem.line == line_of(text, new.splitlines()[0])


# --- structural errors ---------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "stages.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_to_unknown_stage(tmp_path: Path) -> None:
    text = mutate(BASE, "    stage: DEV\n", "    stage: PROD\n")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config_file(path, CATALOG, "ci/stages.yml")
    line = line_of(text, "stage: PROD")
    assert f"ci/stages.yml:{line}:12: error: mappings[1] names the unknown stage 'PROD'" in (
        info.value.message
    )
    assert "1 configuration error(s)" in info.value.message
    assert "maturity validate ci/stages.yml" in info.value.remediation
    config, problems = check_config_file(path, CATALOG, "ci/stages.yml")
    assert config is None
    assert [p.line for p in problems] == [line]


def test_stage_missing_a_gate_level(tmp_path: Path) -> None:
    text = mutate(BASE, "      deps_approval: off\n", "")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config_file(path, CATALOG, "s.yml")
    line = line_of(text, "promotion_guard: report_only")  # DEV's gates: their first entry
    assert f"s.yml:{line}:7: error: stage 'DEV' does not set a level for: deps_approval" in (
        info.value.message
    )
    config, problems = check_config_file(path, CATALOG, "s.yml")
    assert config is None
    assert [p.severity for p in problems] == [Severity.ERROR]


def test_every_error_is_listed_not_just_the_first(tmp_path: Path) -> None:
    text = mutate(BASE, "    stage: DEV\n", "    stage: PROD\n")
    text = mutate(text, "      deps_approval: required\n", "")
    with pytest.raises(ConfigError) as info:
        load_config_file(write(tmp_path, text), CATALOG, "s.yml")
    assert "2 configuration error(s)" in info.value.message
    assert f"s.yml:{line_of(text, 'stage: PROD')}:" in info.value.message
    assert "does not set a level for: deps_approval" in info.value.message


def test_semantic_errors_stop_evaluation_too(tmp_path: Path) -> None:
    # a mapping shadowed by an earlier one: the pairwise proof is validate's alone (the
    # decision is the first match, as written; validate in the pull request stops the change)
    text = mutate(
        BASE, "  - pattern: '*'\n", "  - pattern: 'v*-rc.*'\n    stage: DEV\n  - pattern: '*'\n"
    )
    assert load_config_file(write(tmp_path, text), CATALOG).mappings[1].expression == "v*-rc.*"
    _, problems = check_config_file(write(tmp_path, text), CATALOG)
    assert any("can never match" in p.message for p in problems if p.severity is Severity.ERROR)
    # a catch-all that hides the mappings after it
    text = mutate(
        BASE, "  - pattern: 'v*'\n", "  - pattern: '*'\n    stage: DEV\n  - pattern: 'v*'\n"
    )
    with pytest.raises(ConfigError, match=r"the 2 mapping\(s\) after it can never match"):
        load_config_file(write(tmp_path, text), CATALOG)
    # an example that resolves to another mapping than the one that lists it
    text = mutate(BASE, "examples: [main]", "examples: [main, v9]")
    with pytest.raises(ConfigError, match=r"example 'v9' resolves to mappings\[0\]"):
        load_config_file(write(tmp_path, text), CATALOG)


def test_a_shadowed_mapping_is_an_error_for_validate(tmp_path: Path) -> None:
    text = mutate(
        BASE, "  - pattern: '*'\n", "  - pattern: 'v*-rc.*'\n    stage: DEV\n  - pattern: '*'\n"
    )
    _, problems = check_config_file(write(tmp_path, text), CATALOG, "s.yml")
    [error] = [p for p in problems if p.severity is Severity.ERROR]
    assert error.message.startswith("mappings[1] pattern 'v*-rc.*' can never match")
    assert error.where == f"s.yml:{line_of(text, 'v*-rc.*')}:5"


def test_warnings_travel_with_the_config(tmp_path: Path) -> None:
    text = mutate(
        BASE,
        "  - pattern: '*'\n    stage: DEV\n    examples: [main]\n",
        "  - pattern: 'x*'\n    stage: DEV\n    examples: [x1]\n",  # DEV reached: one warning
    )
    config = load_config_file(write(tmp_path, text), CATALOG, "s.yml")
    assert [w.message.split(":")[0] for w in config.warnings] == ["no catch-all mapping"]
    assert config.warnings[0].where == f"s.yml:{line_of(text, 'mappings:')}:1"


def test_loaded_config_shape(tmp_path: Path) -> None:
    text = (
        BASE
        + "gates:\n  deps_approval:\n    evidence: [a.json, b.json]\n  policy_drift:\n    evidence: p.json\n"
    )
    config = load_config_file(write(tmp_path, text), CATALOG, "s.yml")
    assert config.source == "s.yml"
    assert not config.builtin
    assert [s.order for s in config.stages.values()] == [0, 1]
    assert config.stages["DEV"].description == "branches"
    assert [(m.kind, m.expression, m.stage) for m in config.mappings] == [
        ("pattern", "v*", "GA"),
        ("pattern", "*", "DEV"),
    ]
    assert config.mappings[0].examples == ("v1.2.3", "refs/tags/v2")
    assert {name: spec.evidence for name, spec in config.gates.items()} == {
        "promotion_guard": (),
        "observability_verify": (),
        "deps_approval": ("a.json", "b.json"),
        "policy_drift": ("p.json",),
        "field_budgets": (),
    }
    assert [spec.kind for spec in config.gates.values()] == [
        "github_checks",
        "evidence",
        "evidence",
        "evidence",
        "evidence",
    ]
    # a block with only evidence still gives the kind's settings (the evidence kind has none);
    # a gate without a block gets the defaults when it runs
    assert config.gates["promotion_guard"].settings is None
    assert config.gates["deps_approval"].settings is not None
    assert len(config.sha256) == 64


def test_builtin_defaults_load_clean() -> None:
    config = load_builtin(CATALOG, full=True)  # every check, as validate runs them
    assert load_builtin(CATALOG) == config  # the quick path reads the very same config
    assert config.builtin
    assert config.source == BUILTIN_SOURCE
    assert list(config.stages) == ["PILOT", "PRE_GA", "GA"]
    assert config.warnings == ()
    assert all(list(stage.levels) == list(BUILTIN_GATES) for stage in config.stages.values())
    assert list(config.gates) == list(BUILTIN_GATES)
    assert all(spec.builtin and spec.settings is None for spec in config.gates.values())
