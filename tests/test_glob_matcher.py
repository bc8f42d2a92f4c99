"""The glob matcher: the same answers as the glob's automaton, and no backtracking.

``tests/test_glob.py`` checks matching against ``fnmatch.fnmatchcase`` on short strings. Here the
reference is a plain NFA over the parsed tokens (a set of positions, advanced one character at a
time), which takes time linear in the text whatever the pattern, so it can be asked about long
texts and star-heavy patterns, the shapes where a backtracking matcher goes wrong or takes for
ever.
"""

from __future__ import annotations

import fnmatch
import re

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from maturity.config.glob import GlobMatcher, compile_glob, glob_matches, parse_glob
from maturity.kinds.github_checks.settings import CheckPattern


def nfa_matches(pattern: str, text: str) -> bool:
    """The reference: positions in the token list, advanced over *text* one character at a time
    (a star may stay, or be skipped; any other token must accept the character)."""
    tokens = parse_glob(pattern)

    def closure(states: set[int]) -> set[int]:
        todo, out = list(states), set(states)
        while todo:
            i = todo.pop()
            if i < len(tokens) and tokens[i].kind == "star" and i + 1 not in out:
                out.add(i + 1)
                todo.append(i + 1)
        return out

    states = closure({0})
    for ch in text:
        states = closure(
            {i for i in states if i < len(tokens) and tokens[i].kind == "star"}
            | {
                i + 1
                for i in states
                if i < len(tokens) and tokens[i].kind != "star" and tokens[i].accepts(ch)
            }
        )
        if not states:
            return False
    return len(tokens) in states


# Star-heavy patterns over a two-letter alphabet: every text is then close to matching, which is
# where a wrong "leftmost" choice or an off-by-one at the ends would show.
_pieces = st.sampled_from(["a", "b", "*", "*", "?", "[ab]", "[!a]", "[b-c]", "ab", "*a", "?*"])
_globs = st.lists(_pieces, min_size=1, max_size=12).map("".join)
_texts = st.text(alphabet="abc", max_size=40)


@settings(max_examples=400, deadline=None)
@given(_globs, st.lists(_texts, min_size=1, max_size=8))
def test_matcher_agrees_with_the_glob_automaton(pattern: str, texts: list[str]) -> None:
    for text in texts:
        expected = nfa_matches(pattern, text)
        event(f"match: {expected}")
        assert compile_glob(pattern).fullmatch(text) is expected, (pattern, text)


@settings(max_examples=200, deadline=None)
@given(_globs, st.data())
def test_matcher_agrees_on_texts_the_glob_matches(pattern: str, data: st.DataObject) -> None:
    """Random texts rarely match long globs; these are drawn from the glob's own language."""
    text = data.draw(st.from_regex(fnmatch.translate(pattern), fullmatch=True, alphabet="abc"))
    assert nfa_matches(pattern, text), (pattern, text)
    assert compile_glob(pattern).fullmatch(text), (pattern, text)


@settings(max_examples=200, deadline=None)
@given(_globs, _texts)
def test_matcher_agrees_with_pythons_translation_on_short_texts(pattern: str, text: str) -> None:
    """A second, independent oracle: fnmatch's own regex (backtracking, so short texts only)."""
    text = text[:10]
    assert compile_glob(pattern).fullmatch(text) is bool(
        re.fullmatch(fnmatch.translate(pattern), text, re.DOTALL)
    )


# Patterns that make a backtracking translation (".*" per star) take exponential or high
# polynomial time on texts that almost match. Each runs against 1,000 characters here; the
# reference automaton gives the answer, and the test would hang if the matcher backtracked.
# Every pattern is at most 256 characters, the longest a stages file allows.
_ADVERSARIAL = [
    ("*a*a*a*a*a*a*a*b", "a" * 1000, False),
    ("*a*a*a*a*a*a*a*a", "a" * 1000, True),
    ("*a*a*a*a*a*a*a*b", "a" * 999 + "b", True),
    ("*" + "a*" * 100 + "b", "a" * 1000, False),
    ("*?" * 128, "x" * 1000, True),
    ("*?" * 128, "x" * 127, False),
    ("?*" * 100 + "b", "a" * 1000, False),
    ("*" + "[ab]*" * 50 + "c", "ab" * 500, False),
    ("*" + "[!c]" * 60 + "*c", "a" * 1000, False),
    ("*" + "a" * 200 + "b*", "a" * 1000, False),
    ("a*" + "[a-z]?" * 40 + "*z", "a" * 1000, False),
    ("*" + "[!b]*" * 50 + "b", "a" * 999 + "b", True),
]


@pytest.mark.parametrize(("pattern", "text", "expected"), _ADVERSARIAL)
def test_adversarial_globs_answer_like_the_automaton(
    pattern: str, text: str, expected: bool
) -> None:
    assert nfa_matches(pattern, text) is expected
    assert compile_glob(pattern).fullmatch(text) is expected


def test_compile_glob_is_cached_and_shared() -> None:
    matcher = compile_glob("release/*")
    assert isinstance(matcher, GlobMatcher)
    assert compile_glob("release/*") is matcher
    assert matcher.fullmatch("release/1.2")
    assert not matcher.fullmatch("releases/1.2")
    assert glob_matches("release/*", "release/x")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("*a*a*a*a*a*a*a*b", "a" * 1000, False),
        ("*a*a*a*a*a*a*a*b", "a" * 999 + "b", True),
        ("ci / test (*)", "ci / test (3.11)", True),
        ("ci / test (*)", "ci / test (3.11", False),
        ("[!x]*", "", False),
    ],
)
def test_check_patterns_use_the_same_matcher(name: str, text: str, expected: bool) -> None:
    """Check names (promotion_guard's required_checks/ignore) are globs too: same matcher."""
    assert CheckPattern(name).matches(text, None) is expected
    assert CheckPattern(name, app="github-actions").matches(text, "github-actions") is expected
    assert not CheckPattern(name, app="github-actions").matches(text, "other-app")
