"""Ref globs: matching agrees with fnmatch.fnmatchcase, and glob_covers is exact.

glob_covers(outer, inner) is checked against brute force: every string up to length
``MAX_LEN`` over the patterns' alphabet plus one character no pattern names ('x', which stands in
for every such character, as the implementation's ``None`` symbol does). The oracle is
``fnmatch.fnmatchcase``, independent of our matcher.

Bounded enumeration is not a proof in general; we accept it as a strong check. The patterns
here have at most ``MAX_TOKENS`` tokens, so each has at most that many fixed-width tokens. A
string that inner matches and outer misses only needs to get inner's fixed tokens (<= 4
characters) right and give each of inner's stars a filling that defeats outer's <= 4 fixed
tokens: a wrong character where outer needs one, or one character more or fewer than outer's
length when outer has no star. Fillings of one or two characters do that for these shapes, so
strings of up to MAX_LEN = 6 characters reach every difference we could construct (and a one-off
run of 3000 examples found no disagreement). It is checked in both directions: glob_covers must
never claim coverage when a counterexample exists (soundness, exact), and must claim it whenever
no counterexample up to MAX_LEN exists (completeness, bounded).
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from functools import cache

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from maturity.config.glob import (
    MAX_GLOB_LENGTH,
    GlobError,
    glob_covers,
    glob_matches,
    is_catch_all_glob,
    parse_glob,
)
from maturity.config.load import parse_document
from maturity.config.yaml_loader import load_yaml_text
from maturity.kinds import CATALOG

# --- matching agrees with fnmatch.fnmatchcase ----------------------------------------------------

_PATTERN_PIECES = [
    *"abzA09/.-!^]*?[_~",
    "[!",
    "a-c",
    "b-a",  # reversed inside a set: a GlobError for us (fnmatch silently drops it)
    "]-a",
    "[]]",
    "[!]]",
    "[ab]",
    "[!a]",
    "[a-]",
    "[--/]",
    "[*?]",
    "[[]",
    "[a-c-e]",
    "[!-a]",
    "[^a]",
]

_patterns = st.lists(st.sampled_from(_PATTERN_PIECES), min_size=1, max_size=8).map("".join)


@settings(max_examples=200, deadline=None)
@given(_patterns, st.data())
def test_glob_matches_agrees_with_fnmatchcase(pattern: str, data: st.DataObject) -> None:
    error = None
    try:
        parse_glob(pattern)
    except GlobError as exc:
        error = str(exc)
    if error is not None:
        # The only ways a backslash-free ASCII pattern fails: an unclosed '[' (fnmatch would read
        # it as a literal '[') or a reversed range (fnmatch would drop it).
        assert "unclosed '['" in error or "is reversed" in error, error
        event("GlobError")
        return
    alphabet = sorted(set(pattern) | set("ab/.x-]!^Z"))
    texts = data.draw(
        st.lists(
            st.one_of(
                # strings fnmatch's own translation of the pattern matches
                st.from_regex(
                    fnmatch.translate(pattern),
                    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                ),
                st.text(alphabet=alphabet, max_size=8),
                st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=6),
            ),
            min_size=1,
            max_size=10,
        )
    )
    for text in texts:
        expected = fnmatch.fnmatchcase(text, pattern)
        event(f"match: {expected}")
        assert glob_matches(pattern, text) == expected, (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("*", "", True),
        ("*", "feature/x/y", True),  # '*' crosses '/'
        ("v*", "v1.2.3", True),
        ("v*", "V1", False),  # case matters
        ("?", "/", True),
        ("?", "é", True),
        ("?", "ab", False),
        ("a?c", "a\nc", True),
        ("[!a]", "b", True),
        ("[!a]", "a", False),
        ("[!a]", "", False),
        ("[a-c]", "b", True),
        ("[a-c]", "d", False),
        ("[]]", "]", True),
        ("[!]]", "]", False),
        ("[a-]", "-", True),
        ("[*]", "*", True),
        ("[*]", "a", False),
        ("a\\b", "a\\b", True),  # backslash is a literal, not an escape
        ("é*", "éx", True),
        ("[é-ë]", "ê", True),
        ("release/**", "release/1/2", True),
        ("**", "", True),
    ],
)
def test_glob_matches_examples(pattern: str, text: str, expected: bool) -> None:
    assert glob_matches(pattern, text) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("*", True), ("**", True), ("***", True), ("*?", False), ("a*", False)],
)
def test_is_catch_all_glob(pattern: str, expected: bool) -> None:
    assert is_catch_all_glob(pattern) is expected


# --- parse errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("", "the pattern is empty"),
        ("[abc", "unclosed '[' at position 1"),
        ("v[", "unclosed '[' at position 2"),
        ("[!", "unclosed '['"),
        ("[]", "unclosed '['"),
        ("[!]", "unclosed '['"),
        ("a[]b", "unclosed '['"),
        ("[z-a]", "the range z-a in '[z-a]' is reversed"),
        ("[!b-a]", "is reversed"),
        ("[\x00-\uffff]", "is too wide"),
        ("a" * (MAX_GLOB_LENGTH + 1), f"longer than {MAX_GLOB_LENGTH} characters"),
    ],
)
def test_parse_errors(pattern: str, fragment: str) -> None:
    with pytest.raises(GlobError, match=re.escape(fragment)):
        parse_glob(pattern)


def test_longest_pattern_parses() -> None:
    assert len(parse_glob("a" * MAX_GLOB_LENGTH)) == MAX_GLOB_LENGTH


_GATES = "{promotion_guard: off, observability_verify: off, deps_approval: off, policy_drift: off, field_budgets: off}"


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [("'[abc'", "unclosed '['"), ("'[z-a]'", "is reversed"), ("''", "at least 1 character")],
)
def test_invalid_globs_in_a_stages_file_are_located_errors(pattern: str, fragment: str) -> None:
    text = f"version: 1\nstages:\n  S:\n    gates: {_GATES}\nmappings:\n  - pattern: {pattern}\n    stage: S\n"
    config, problems = parse_document(load_yaml_text(text, "s.yml"), text.encode(), CATALOG)
    assert config is None
    assert len(problems) == 1
    assert problems[0].where == "s.yml:6:14"
    assert problems[0].message.startswith("mappings[0].pattern: ")
    assert fragment in problems[0].message


# --- glob_covers against brute force ------------------------------------------------------------

ALPHABET = "ab/."  # every character the generated patterns name
EXTRA = "x"  # one character no pattern names
MAX_TOKENS = 4
MAX_LEN = 6
_STRINGS = [
    "".join(chars)
    for n in range(MAX_LEN + 1)
    for chars in itertools.product(ALPHABET + EXTRA, repeat=n)
]


@cache
def _matched(pattern: str) -> frozenset[int]:
    """Indices of the strings up to MAX_LEN that fnmatch.fnmatchcase says *pattern* matches."""
    regex = re.compile(fnmatch.translate(pattern))
    return frozenset(i for i, s in enumerate(_STRINGS) if regex.match(s))


_cover_tokens = st.sampled_from(["a", "b", "/", ".", "*", "?", "[ab]", "[!a]", "[.-/]", "[!ab]"])
_cover_patterns = st.lists(_cover_tokens, min_size=1, max_size=MAX_TOKENS).map("".join)


@settings(max_examples=150, deadline=None)
@given(_cover_patterns, _cover_patterns)
def test_glob_covers_agrees_with_brute_force(outer: str, inner: str) -> None:
    counterexamples = _matched(inner) - _matched(outer)
    covers = glob_covers(outer, inner)
    event(f"covers: {covers}")
    if covers:
        # soundness: no string is matched by inner and missed by outer
        assert not counterexamples, (outer, inner, _STRINGS[min(counterexamples)])
    else:
        # completeness (bounded): a difference shows up in a short string
        assert counterexamples, (outer, inner)


@settings(max_examples=100, deadline=None)
@given(_cover_patterns)
def test_glob_covers_is_reflexive_and_star_covers_everything(pattern: str) -> None:
    assert glob_covers(pattern, pattern)
    assert glob_covers("*", pattern)
    assert glob_covers(pattern, "*") == (_matched(pattern) == frozenset(range(len(_STRINGS))))


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("*", "v1.*", True),
        ("v*", "v1.*", True),
        ("v1.*", "v*", False),
        ("[ab]", "a", True),
        ("a", "[ab]", False),
        ("[!a]", "b", True),
        ("[!a]", "[!ab]", True),
        ("[!ab]", "[!a]", False),
        ("?", "[!a]", True),
        ("[!a]", "?", False),
        ("*a*", "a", True),
        ("*a*", "*", False),
        ("*", "**", True),
        ("**", "*", True),
        ("release/*", "release/*/x", True),
        ("release/?", "release/*", False),
        ("v[0-9]*", "v1*", True),
        ("v[0-9]*", "v[0-4]*", True),
        ("v[0-4]*", "v[0-9]*", False),
        ("*-rc.*", "v*-rc.[0-9]", True),
        ("main", "main", True),
        ("main", "mai?", False),
        ("é*", "é?", True),
        ("[!é]", "ê", True),
        ("[!é]", "?", False),
    ],
)
def test_glob_covers_examples(outer: str, inner: str, expected: bool) -> None:
    assert glob_covers(outer, inner) is expected
