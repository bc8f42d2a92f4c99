"""The one strict JSON reader (maturity/strict_json.py), and evidence files read through it.

Checks files and API answers read through it are tested end to end in test_json_inputs.py.
"""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity import strict_json
from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.core import GateInputs, GateStatus
from maturity.evidence.files import collect_files
from maturity.kinds.evidence import KIND as EVIDENCE_KIND
from maturity.kinds.interface import RunContext
from maturity.strict_json import INT_MAX, INT_MIN, MAX_DEPTH, StrictJsonError, load_documents

LIMIT = 1024 * 1024
#: what no message may show: Python's own wording, exception names, a traceback
INTERNALS = (
    "Python",
    "Traceback",
    "Exceeds the limit",
    "int_max_str_digits",
    "RecursionError",
    "JSONDecodeError",
    "utf-8-sig",
    "codec",
    "surrogates not allowed",
    "Expecting",
)


def loads(data: bytes) -> Any:
    return strict_json.loads(data, max_bytes=LIMIT)


def refusal(data: bytes) -> StrictJsonError:
    with pytest.raises(StrictJsonError) as caught:
        loads(data)
    error = caught.value
    assert not any(word in str(error) for word in INTERNALS), str(error)
    assert "\n" not in str(error)
    return error


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of *offset* in *text*."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def marked(text: str) -> tuple[str, int, int]:
    """*text* without its marks, and the offsets of ``«`` (the first key) and ``»`` (its repeat)."""
    first = text.index("«")
    text = text.replace("«", "", 1)
    again = text.index("»")
    return text.replace("»", "", 1), first, again


# --- duplicate keys, with their position ------------------------------------------------------

DUPLICATES = {  # «: the first key, »: where it repeats
    "top": '{«"ok": false,\n »"ok": true}',
    "nested": '{"a": {«"b": 1,\n   »"b": 2}}',
    "in-array": '[1, [{"x": 1}, {«"y": 2, »"y": 2}]]',
    "same-value": '{«"n": 1, »"n": 1}',
    "escaped-spelling": '{«"a": 1, »"\\u0061": 2}',
    "page-check_runs": '{"total_count": 1, «"check_runs": [{"id": 1}],\n»"check_runs": []}',
    "run-conclusion": (
        '{"check_runs": [{"name": "e2e", «"conclusion": "failure",\n  »"conclusion": "success"}]}'
    ),
    "after-a-nested-object": '{«"a": {"a": 1}, "b": [], »"a": 2}',
}


@pytest.mark.parametrize("name", sorted(DUPLICATES))
def test_a_duplicate_key_is_refused_where_it_repeats(name: str) -> None:
    text, first, again = marked(DUPLICATES[name])
    error = refusal(text.encode())
    assert (error.line, error.column) == line_column(text, again)
    key = json.dumps(json.JSONDecoder().raw_decode(text, first)[0])
    line, column = line_column(text, first)
    assert error.message == f"duplicate key {key} (first at line {line}, column {column})"


@pytest.mark.parametrize("depth", [2, 9, 10, 30, MAX_DEPTH - 2])  # "b" goes 2 deeper
def test_a_duplicate_deep_down_is_found(depth: int) -> None:
    """Past the first few levels the locator stops handing whole values to the C scanner."""
    inner = '{"a": 1, "b": [1, {"c": 2}],\n "a": 2}'
    text = '{"x": [1, 2], "k": ' * (depth - 1) + inner + "}" * (depth - 1)
    error = refusal(text.encode())
    assert (error.line, error.column) == (2, 2)
    assert error.message == f'duplicate key "a" (first at line 1, column {19 * (depth - 1) + 2})'


def test_the_same_key_in_sibling_objects_is_fine() -> None:
    assert loads(b'[{"a": 1}, {"a": 2}, {"b": {"a": 3}, "a": 4}]') == [
        {"a": 1},
        {"a": 2},
        {"b": {"a": 3}, "a": 4},
    ]


def _dump_with_duplicate(value: Any, target: int, counter: list[int], out: list[str]) -> int | None:
    """Serialise *value*; the *target*-th object (pre-order) repeats its first key at the end.

    Returns the offset of that repeated key, if it was written.
    """
    found: int | None = None
    if isinstance(value, dict):
        number = counter[0]
        counter[0] += 1
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(",\n " if i else "")
            out.append(json.dumps(key) + ": ")
            found = _dump_with_duplicate(item, target, counter, out) or found
        if number == target and value:
            first = next(iter(value))
            offset = sum(map(len, out)) + 2
            out.append(f", {json.dumps(first)}: null")
            found = offset
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            out.append(", " if i else "")
            found = _dump_with_duplicate(item, target, counter, out) or found
        out.append("]")
    else:
        out.append(json.dumps(value))
    return found


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=INT_MIN, max_value=INT_MAX)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(value=VALUES.filter(lambda v: isinstance(v, dict | list)), target=st.integers(0, 10))
@settings(max_examples=300, deadline=None)
def test_a_duplicate_anywhere_is_found_at_its_place(value: Any, target: int) -> None:
    out: list[str] = []
    offset = _dump_with_duplicate(value, target, [0], out)
    text = "".join(out)
    if offset is None:  # no object with that number: the text is plain, valid JSON
        assert loads(text.encode()) == json.loads(text)
        return
    error = refusal(text.encode())
    assert error.message.startswith("duplicate key ")
    assert (error.line, error.column) == line_column(text, offset)


@given(VALUES, st.booleans())
@settings(max_examples=300, deadline=None)
def test_what_json_writes_reads_back_the_same(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=None if ascii_only else 1)
    assert loads(text.encode()) == value


@given(
    st.binary(max_size=64)
    | st.text(alphabet='{}[]:,"\\ u0dDnNaI1e9-.', max_size=40).map(str.encode)
)
@settings(max_examples=1000, deadline=None)
def test_any_bytes_are_read_or_refused_plainly(data: bytes) -> None:
    try:
        value = loads(data)
    except StrictJsonError as error:
        said = str(error)
    else:  # accepted: exactly what the standard reader makes of the same UTF-8 text
        assert value == json.loads(data.decode("utf-8"))
        return
    assert not any(word in said for word in INTERNALS), said


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'\xef\xbb\xbf{"ok": true}', "starts with a UTF-8 byte-order mark; save it without one"),
        ('{"ok": true}'.encode("utf-16"), "UTF-16 (little-endian)"),
        ('{"ok": true}'.encode("utf-16-be"), "UTF-16 (big-endian)"),
        ('{"ok": true}'.encode("utf-16-le"), "UTF-16 (little-endian)"),
        (b"\xfe\xff" + '{"ok": true}'.encode("utf-16-be"), "UTF-16 (big-endian)"),
        ('{"ok": true}'.encode("utf-32"), "UTF-32 (little-endian)"),
        ('{"ok": true}'.encode("utf-32-be"), "UTF-32 (big-endian)"),
        ('{"ok": true}'.encode("utf-32-le"), "UTF-32 (little-endian)"),
        ("1".encode("utf-16-le"), "UTF-16 (little-endian)"),
    ],
    ids=[
        "utf8-bom",
        "utf16",
        "utf16be",
        "utf16le",
        "utf16be-bom",
        "utf32",
        "utf32be",
        "utf32le",
        "tiny",
    ],
)
def test_only_utf8_without_a_bom(data: bytes, said: str) -> None:
    error = refusal(data)
    assert said in error.message
    assert error.where == ""


@pytest.mark.parametrize(
    ("data", "byte", "line"),
    [
        (b'{"m": "caf\xe9"}', 10, 1),
        (b'{\n"m":\n "\xc3"}', 9, 3),  # a character cut in half
        (b'["\xed\xa0\x80"]', 2, 1),  # a surrogate encoded as UTF-8 (CESU-8)
        (b'["\xc0\xaf"]', 2, 1),  # an overlong encoding of "/"
        (b"[1]\xff", 3, 1),
    ],
)
def test_invalid_utf8_says_which_byte(data: bytes, byte: int, line: int) -> None:
    error = refusal(data)
    assert (error.byte, error.line) == (byte, line)
    assert error.where == f"byte {byte} (line {line})"
    assert f"0x{data[byte]:02X}" in error.message


# --- numbers and constants ---------------------------------------------------------------------


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_where_they_are(word: str) -> None:
    error = refusal(f'{{"a": [1,\n  {word}]}}'.encode())
    assert (error.line, error.column) == (2, 3)
    assert error.message.startswith(f"{word} is not JSON")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.5E+309", "9" * 400 + ".0"])
def test_a_number_no_float_holds_is_refused(number: str) -> None:
    error = refusal(f'{{"x": {number}}}'.encode())
    assert (error.line, error.column) == (1, 7)
    assert "too large for a 64-bit float" in error.message


def test_tiny_numbers_round_to_zero() -> None:
    assert loads(b"[1e-400, -0.0, 0]") == [0.0, -0.0, 0]


@pytest.mark.parametrize(
    "number", [str(INT_MAX + 1), str(INT_MIN - 1), "9" * 5000, "-" + "1" * 100_000, str(2**64)]
)
def test_integers_past_64_bits_are_refused_plainly(number: str) -> None:
    error = refusal(f"[0, {number}]".encode())
    assert (error.line, error.column) == (1, 5)
    assert "outside the 64-bit range" in error.message
    assert f"({len(number.lstrip('-'))} digits)" in error.message
    assert len(error.message) < 200


def test_integers_at_the_64_bit_bounds_are_read() -> None:
    assert loads(f"[{INT_MIN}, {INT_MAX}, -0]".encode()) == [INT_MIN, INT_MAX, 0]


# --- depth, strings, size ----------------------------------------------------------------------


@given(st.integers(1, 200), st.sampled_from(["[", '{"k":']))
@settings(max_examples=100, deadline=None)
def test_nesting_up_to_the_bound_is_read_past_it_refused(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = opener * depth + "0" + closer * depth
    if depth <= MAX_DEPTH:
        assert loads(text.encode()) is not None
        return
    error = refusal(text.encode())
    assert error.message == f"nested more than {MAX_DEPTH} levels deep"
    assert (error.line, error.column) == (1, len(opener) * MAX_DEPTH + 1)


@pytest.mark.parametrize(
    "data",
    [b"[" * 100_000, b'{"a":' * 100_000, b"[" * 1200 + b"]" * 1200, b'[{"a":' * 50_000],
    ids=["arrays", "objects", "closed-1200", "mixed"],
)
def test_deep_input_never_recurses_into_a_crash(data: bytes) -> None:
    assert refusal(data).message == f"nested more than {MAX_DEPTH} levels deep"


def test_brackets_inside_strings_are_not_nesting() -> None:
    text = json.dumps(["[" * 500, "{" * 500, '"\\' + "[" * 100])
    assert loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "escape"),
    [
        ('["\\ud800"]', "\\ud800"),
        ('["ok", "x\\udfffy"]', "\\udfff"),
        ('{"\\udbff": 1}', "\\udbff"),  # in a key
        ('["\\ude00\\ud83d"]', "\\ude00"),  # a pair in the wrong order
        ('["\\ud83d\\u0041"]', "\\ud83d"),
    ],
)
def test_a_lone_surrogate_is_refused(text: str, escape: str) -> None:
    error = refusal(text.encode())
    assert f"holds a lone surrogate ({escape})" in error.message
    assert error.line == 1
    assert error.column is not None
    assert text[error.column - 1] == '"'


def test_surrogate_pairs_and_escaped_backslashes_are_text() -> None:
    assert loads(b'["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]


def test_the_size_is_bounded() -> None:
    with pytest.raises(StrictJsonError) as caught:
        strict_json.loads(b"[" + b"1," * 100 + b"1]", max_bytes=100)
    assert caught.value.message == "it is 203 bytes, over the 100-byte limit"


@pytest.mark.parametrize(
    ("text", "said", "at"),
    [
        ("", "it is empty", None),
        (" \n ", "it is empty", None),
        ('{"a": 1} {"b": 2}', "more data after the JSON value", (1, 10)),
        ('{"a": 1,}', "a key in double quotes was expected", (1, 9)),
        ('{"a"\n 1}', "a ':' was expected", (2, 2)),
        ('["a\tb"]', "a control character inside a string", (1, 4)),
        ('["abc', "a string is not closed", (1, 2)),
        ("{'a': 1}", "a key in double quotes was expected", (1, 2)),
        ("[1, 2", "a ',' was expected", (1, 6)),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, said: str, at: tuple[int, int] | None) -> None:
    error = refusal(text.encode())
    assert said in error.message
    assert (None if error.line is None else (error.line, error.column)) == at


def test_the_first_problem_in_the_text_is_the_one_reported() -> None:
    # the C scanner meets NaN first; the key repeated before it is earlier in the text
    error = refusal(b'{"a": 1, "a": [NaN]}')
    assert error.message.startswith('duplicate key "a"')


def test_documents_back_to_back() -> None:
    data = b'{"a": 1}\n[{"b": 2}]{"c": 3}  \n'
    assert list(load_documents(data, max_bytes=LIMIT)) == [{"a": 1}, [{"b": 2}], {"c": 3}]
    assert list(load_documents(b"  ", max_bytes=LIMIT)) == []
    with pytest.raises(StrictJsonError) as caught:
        list(load_documents(b'{"a": 1}\n{"b": 1, "b": 2}', max_bytes=LIMIT))
    assert (caught.value.line, caught.value.column) == (2, 10)


def test_about_names_the_input_and_the_place() -> None:
    error = refusal(b'{"ok": true, "ok": false}')
    assert error.about("evidence file e.json") == (
        'evidence file e.json is not valid JSON at line 1, column 14: duplicate key "ok" '
        "(first at line 1, column 2)"
    )
    assert refusal(b"\xef\xbb\xbf{}").about("x") == (
        "x is not valid JSON: it starts with a UTF-8 byte-order mark; save it without one"
    )


def test_long_keys_are_shortened_and_escaped_in_messages() -> None:
    key = "k\u202e" + "x" * 500
    text = json.dumps({key: 1})[:-1] + ", " + json.dumps(key) + ": 2}"
    message = refusal(text.encode()).message
    assert len(message) < 120
    assert "\\u202e" in message
    assert "\u202e" not in message


def test_the_reader_is_quick_to_import() -> None:
    """Only the standard library's json, math and re: nothing heavy at start-up."""
    tree = ast.parse(Path(strict_json.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    allowed = {
        "json",
        "math",
        "re",
        "collections",
        "functools",
        "itertools",
        "typing",
        "__future__",
    }
    assert imported <= allowed


def test_floats_read_as_the_standard_reader_does() -> None:
    text = "[0.1, 1e-5, 1E+2, -2.5e3, 123456789.123456789]"
    values = loads(text.encode())
    assert values == json.loads(text)
    assert all(isinstance(v, float) and math.isfinite(v) for v in values)


# --- evidence files read through it -------------------------------------------------------------

EVIDENCE = {
    "duplicate-top": b'{"ok": false, "message": "no",\n "ok": true}',
    "duplicate-details": b'{"ok": true, "details": {"a": {"b": 1, "b": 2}}}',
    "duplicate-in-list": b'{"ok": true, "details": {"l": [{"x": 1, "x": 1}]}}',
    "bom": b'\xef\xbb\xbf{"ok": true}',
    "utf16": '{"ok": true}'.encode("utf-16"),
    "utf16-no-bom": '{"ok": true}'.encode("utf-16-le"),
    "nan": b'{"ok": true, "details": {"x": NaN}}',
    "int-5000-digits": b'{"ok": true, "details": {"x": ' + b"9" * 5000 + b"}}",
    "int-65-bits": b'{"ok": true, "details": {"x": 36893488147419103232}}',
    "deep": b'{"ok": true, "details": ' + b"[" * 70 + b"]" * 70 + b"}",
    "surrogate": b'{"ok": true, "message": "\\ud800"}',
}
EVIDENCE_SAYS = {
    "duplicate-top": ("line 2, column 2", 'duplicate key "ok"'),
    "duplicate-details": ("line 1, column 40", 'duplicate key "b"'),
    "duplicate-in-list": ("line 1, column 41", 'duplicate key "x"'),
    "bom": ("", "byte-order mark"),
    "utf16": ("", "UTF-16"),
    "utf16-no-bom": ("", "UTF-16"),
    "nan": ("line 1, column 31", "NaN is not JSON"),
    "int-5000-digits": ("line 1, column 31", "outside the 64-bit range"),
    "int-65-bits": ("line 1, column 31", "outside the 64-bit range"),
    "deep": ("line 1, column 88", "nested more than 64 levels deep"),
    "surrogate": ("line 1, column 25", "lone surrogate"),
}


@pytest.mark.parametrize("name", sorted(EVIDENCE))
def test_evidence_files_are_read_strictly(tmp_path: Path, name: str) -> None:
    (tmp_path / f"{name}.json").write_bytes(EVIDENCE[name])
    builtin = BUILTIN_GATES["deps_approval"]
    inputs = GateInputs(
        gate="deps_approval",
        title=builtin.title,
        remediation=builtin.remediation,
        origin="--evidence",
        files=collect_files(tmp_path, (f"{name}.json",)),
    )
    result = EVIDENCE_KIND.run(None, inputs, RunContext(workspace=tmp_path))
    where, said = EVIDENCE_SAYS[name]
    assert (result.status, result.code) == (GateStatus.ERROR, "INVALID_EVIDENCE")
    assert result.message.startswith(f"evidence file {name}.json is not valid JSON")
    assert (f" at {where}: " in result.message) if where else ("JSON: it " in result.message)
    assert said in result.message
    assert "maturity schema evidence" in result.remediation
    assert not any(word in result.message for word in INTERNALS)
    [finding] = result.findings
    assert (finding.id, finding.status) == (f"evidence:{name}.json", GateStatus.ERROR)


#: modules that read JSON themselves, and why that is safe
OWN_READERS = {
    # the audit log is maturity's own output: every line's exact bytes are hash-chained, so
    # what verify checks is the bytes, and of the JSON only `seq` and `prev`; a line with a
    # duplicate key or a NaN cannot pass for the line it replaces. Its reader refuses NaN and
    # non-UTF-8, and is 2.3x faster than the strict reader: verify reads 100,000 lines in ~0.5 s
    "audit/lines.py",
}


def test_no_other_module_parses_json_itself() -> None:
    """Every JSON input goes through the strict reader: no module calls json's readers."""
    package = Path(strict_json.__file__).parent
    readers = {"load", "loads", "JSONDecoder", "raw_decode", "scanstring"}
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "strict_json.py" or path.relative_to(package).as_posix() in OWN_READERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "json":
                found += [f"{path.name}: from json import {a.name}" for a in node.names]
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in readers
                and isinstance(node.value, ast.Name)
                and node.value.id == "json"
            ):
                found.append(f"{path.name}: json.{node.attr}")
    assert found == []


@given(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from(["[{}]", '{{"a": [1, {}]}}', '[1.5, "x", {}]']),
)
@settings(max_examples=500, deadline=None)
def test_an_integer_is_read_exactly_when_it_fits_in_64_bits(number: int, shape: str) -> None:
    data = shape.format(number).encode()
    if INT_MIN <= number <= INT_MAX:
        assert str(number) in json.dumps(loads(data))
    else:
        assert "outside the 64-bit range" in refusal(data).message


@given(
    st.integers(min_value=1, max_value=10**25),
    st.integers(min_value=-400, max_value=400),
    st.booleans(),
)
@settings(max_examples=500, deadline=None)
def test_a_float_is_read_exactly_when_it_is_finite(
    mantissa: int, exponent: int, upper: bool
) -> None:
    text = f"{mantissa}.5{'E' if upper else 'e'}{exponent:+d}"
    data = f'{{"x": [{text}]}}'.encode()
    if math.isfinite(float(text)):
        assert loads(data) == {"x": [float(text)]}
    else:
        assert "too large for a 64-bit float" in refusal(data).message
