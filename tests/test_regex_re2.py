"""Mapping regexes run on RE2: refusals explained, the size capped, answers as Python's ``re``.

RE2 matches in time linear in the ref, but refuses some of Python's syntax. Every kind of
refusal must come back as one located config error that says, in plain words, what is not
supported and how to rewrite it; ``validate`` reports it (exit 1) and ``evaluate`` and ``resolve``
refuse the file (exit 2), with nothing from RE2's own logging on stderr.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.config.load import parse_document
from maturity.config.regex import MAX_PROGRAM_SIZE, RefRegex, RegexError, compile_regex
from maturity.config.types import RefMapping
from maturity.config.yaml_loader import load_yaml_text
from maturity.kinds import CATALOG

# (pattern, words the explanation must contain: what is unsupported, and the way out)
REFUSED = [
    (r"(?!main$).*", ["lookahead", "earlier mapping"]),
    (r"(?=v)v.*", ["lookahead", "earlier mapping"]),
    (r"release/(?<=/)\d+", ["lookbehind", "earlier mapping"]),
    (r"(?<!x)main", ["lookbehind", "earlier mapping"]),
    (r"(a)\1", ["backreferences", "alternatives"]),
    (r"(v)(\d)\2", ["backreferences", "alternatives"]),
    (r"(?P<x>a)(?P=x)", ["backreferences", "(?P=name)"]),
    (r"v\d++", ["possessive", "drop the last +"]),
    (r"v[0-9]*+\.", ["possessive", "drop the last +"]),
    (r"v\d{1,3}+", ["possessive", "drop the last +"]),
    (r"(?>v\d+)", ["atomic", "(?:...)"]),
    (r"main\Z", ["\\Z", "\\z"]),
    (r"(v)?(?(1)\d|x)", ["conditionals", "|"]),
    (r"v\d{1001}", ["count {1001}", "at most 1000"]),
    (r"(v\d{10}){200}", ["count {200}", "multiply"]),
    (r"a{3,2}", ["count {3,2}", "minimum"]),
    (r"(?x) v \d+", ["verbose", "remove the spaces"]),
    (r"(?#tag)v.*", ["comments", "remove them"]),
    (r"(?a)v\d+", ["Python's", "ASCII"]),
    (r"caf\u00e9", ["code point", "\\x{e9}"]),
    (r"v\N{DIGIT ONE}", ["code point", "\\x{e9}"]),
    (r"\Gmain", ["escape \\G", "not RE2 syntax"]),
    (r"v\d**", ["repeats a repetition", "remove one"]),
]


@pytest.mark.parametrize(("pattern", "words"), REFUSED)
def test_each_kind_of_refusal_is_explained(pattern: str, words: list[str]) -> None:
    with pytest.raises(RegexError) as info:
        compile_regex(pattern)
    message = str(info.value)
    for word in words:
        assert word in message, message
    assert "(RE2: " in message  # RE2's own words come along, for searching
    assert "\n" not in message


@pytest.mark.parametrize(
    ("pattern", "words"), [("v(1|2", ["missing )", "RE2 syntax"]), ("[a-", ["missing ]"])]
)
def test_plain_syntax_errors_keep_re2s_words(pattern: str, words: list[str]) -> None:
    with pytest.raises(RegexError) as info:
        compile_regex(pattern)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "pattern",
    [
        "(a?){1000}(a?){1000}",  # counted repetitions multiply the program
        "(.?){400}",
        r"[\p{L}\p{N}]{1,64}",  # Unicode classes are large
        "(" + "|".join(f"x{i:03}.{{9}}" for i in range(60)) + ")",
    ],
)
def test_patterns_too_large_to_match_fast_are_refused(pattern: str) -> None:
    with pytest.raises(RegexError) as info:
        compile_regex(pattern)
    assert "too large" in str(info.value)
    assert "+ or *" in str(info.value)


def test_the_largest_allowed_pattern_still_compiles_and_matches() -> None:
    allowed = compile_regex("(a?){1000}a{500}")  # about 2,500 instructions
    assert allowed.fullmatch("a" * 1000)
    assert not allowed.fullmatch("a" * 1000 + "b")
    assert compile_regex("[^/]{1,255}").fullmatch("x" * 255)
    assert MAX_PROGRAM_SIZE >= 2500


def test_compiled_patterns_are_cached() -> None:
    first = compile_regex(r"v\d+")
    assert isinstance(first, RefRegex)
    assert compile_regex(r"v\d+") is first


# --- the meaning: RE2 and Python agree on the syntax both have ------------------------------------

_atoms = st.sampled_from(["a", "b", "-", r"\.", ".", "[ab]", "[^a]", "[a-c]", "(?:a|b)", "(a|bb)"])
_quantifiers = st.sampled_from(["", "", "?", "*", "+", "{2}", "{1,3}", "*?", "+?"])


@st.composite
def _regexes(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(_atoms, _quantifiers), min_size=1, max_size=6))
    body = "".join(a + q for a, q in parts)
    return draw(st.sampled_from([body, f"({body})|b", f"^{body}$", f"(?i){body}"]))


@settings(max_examples=300, deadline=None)
@given(_regexes(), st.lists(st.text(alphabet="abAB.-x", max_size=10), min_size=1, max_size=8))
def test_re2_answers_as_python_does_on_shared_syntax(pattern: str, texts: list[str]) -> None:
    compiled = compile_regex(pattern)
    for text in texts:
        assert compiled.fullmatch(text) is bool(re.fullmatch(pattern, text)), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"v\d+", "v12", True),
        (r"v\d+", "v\u0661\u0662", False),  # Arabic-Indic digits: \d is ASCII in RE2
        (r"v\p{Nd}+", "v\u0661\u0662", True),  # any decimal digit, when wanted
        (r"\w+", "caf\u00e9", False),  # \w is ASCII too
        (r"[\w\x{e9}]+", "caf\u00e9", True),
        (r"[[:alpha:]]+", "main", True),  # POSIX classes work (Python reads them differently)
        (r"v{,3}", "v{,3}", True),  # not a repetition in RE2: write {0,3}
        (r"v{0,3}", "vvv", True),
        (r".*", "feature/x", True),
        ("main", "main-2", False),  # a full match, never a prefix
        ("(?i)MAIN", "main", True),
    ],
)
def test_semantics_that_differ_from_python_are_as_documented(
    pattern: str, text: str, expected: bool
) -> None:
    assert compile_regex(pattern).fullmatch(text) is expected


@pytest.mark.parametrize("text", ["a\ud800b", "\udcff", "a\ud83d"])
def test_a_stray_surrogate_gets_an_answer_not_an_exception(text: str) -> None:
    """Refs never hold one (they are refused first), but the matcher must not crash on one."""
    assert compile_regex("a.*").fullmatch(text) is text.startswith("a")
    assert compile_regex(r"[a-z]+").fullmatch(text) is False


@pytest.mark.parametrize("pattern", ["a\ud800", "[\udc80-\udcff]+"])
def test_a_surrogate_in_a_pattern_is_refused_in_words(pattern: str) -> None:
    with pytest.raises(RegexError, match="which is not a character"):
        compile_regex(pattern)


@pytest.mark.parametrize("pattern", [".*", ".+", "(?s).*", "^.*$"])
def test_catch_all_regexes_are_still_recognised(pattern: str) -> None:
    mapping = RefMapping(index=0, kind="regex", expression=pattern, stage="S")
    assert mapping.is_catch_all
    assert mapping.matches("anything/at-all")


# --- located errors, through the loader and the CLI -------------------------------------------------

_GATES = "{promotion_guard: off, observability_verify: off, deps_approval: off, policy_drift: off, field_budgets: off}"


def _stages(regex: str) -> str:
    quoted = regex.replace("'", "''")
    return (
        f"version: 1\nstages:\n  S:\n    gates: {_GATES}\nmappings:\n"
        f"  - pattern: main\n    stage: S\n  - regex: '{quoted}'\n    stage: S\n"
    )


@pytest.mark.parametrize(("pattern", "words"), REFUSED[::3])
def test_refused_regexes_are_located_config_errors(pattern: str, words: list[str]) -> None:
    text = _stages(pattern)
    config, problems = parse_document(load_yaml_text(text, "s.yml"), text.encode(), CATALOG)
    assert config is None
    assert len(problems) == 1
    assert problems[0].where == "s.yml:8:12"
    assert problems[0].message.startswith("mappings[1].regex: invalid regular expression: ")
    assert words[0] in problems[0].message


@pytest.mark.parametrize(
    ("pattern", "words"), [REFUSED[0], REFUSED[4], REFUSED[7], REFUSED[13], REFUSED[11]]
)
def test_validate_evaluate_and_resolve_refuse_the_file(
    tmp_path: Path, pattern: str, words: list[str]
) -> None:
    (tmp_path / "s.yml").write_text(_stages(pattern), encoding="utf-8")
    validate = run_cli(["validate", "s.yml"], tmp_path)
    assert validate.code == 1, validate
    assert "s.yml:8:12: error: mappings[1].regex: invalid regular expression" in validate.stdout
    assert words[0] in validate.stdout
    for args in (
        ["evaluate", "--config", "s.yml", "--tag", "v1.2.3", "--output-dir", "out"],
        ["resolve", "--config", "s.yml", "main"],
    ):
        result = run_cli(args, tmp_path)
        assert result.code == 2, result
        assert "s.yml:8:12" in result.stderr
        assert words[0] in result.stderr
        assert "re2.cc" not in result.stderr  # RE2's own logging stays off
    assert not (tmp_path / "out").exists()
    assert "re2.cc" not in validate.stderr
