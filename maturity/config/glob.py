"""Ref globs: ``*`` (any run of characters, ``/`` included), ``?`` (one character),
``[abc]``/``[a-z]``/``[!abc]`` (one character of/not of a set); everything else literal.

:func:`compile_glob` gives the one matcher every glob (ref mappings, check names) goes through;
it never backtracks, so a hostile glob cannot stall a job on a long ref.

Besides matching, :func:`glob_covers` decides whether every string one glob matches is also
matched by another. That is what lets ``maturity validate`` prove that a mapping is shadowed by an
earlier one instead of guessing from examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_GLOB_LENGTH = 256
#: Most work (automaton steps) one glob_covers call does before it answers False (not proven).
MAX_COVER_STEPS = 1_000_000


class GlobError(ValueError):
    pass


@dataclass(frozen=True)
class _Token:
    kind: str  # "lit" | "any" | "star" | "set"
    chars: frozenset[str] = frozenset()
    negated: bool = False

    def accepts(self, symbol: str | None) -> bool:
        """Does this one-character token accept *symbol* (``None`` = a character named nowhere)?"""
        if self.kind == "any":
            return True
        if self.kind == "lit":
            return symbol is not None and symbol in self.chars
        inside = symbol is not None and symbol in self.chars
        return inside != self.negated


@lru_cache(maxsize=4096)
def parse_glob(pattern: str) -> tuple[_Token, ...]:
    if not pattern:
        raise GlobError("the pattern is empty")
    if len(pattern) > MAX_GLOB_LENGTH:
        raise GlobError(f"the pattern is longer than {MAX_GLOB_LENGTH} characters")
    tokens: list[_Token] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if not tokens or tokens[-1].kind != "star":  # '**' is the same as '*'
                tokens.append(_Token("star"))
            i += 1
        elif ch == "?":
            tokens.append(_Token("any"))
            i += 1
        elif ch == "[":
            token, i = _parse_set(pattern, i)
            tokens.append(token)
        else:
            tokens.append(_Token("lit", frozenset(ch)))
            i += 1
    return tuple(tokens)


def valid_glob(pattern: str) -> str:
    """*pattern*, checked as a glob, for pydantic validators: ``ValueError("invalid glob: ...")``
    (which pydantic reports at the field) when it is not one."""
    try:
        parse_glob(pattern)
    except GlobError as exc:
        raise ValueError(f"invalid glob: {exc}") from None
    return pattern


def _parse_set(pattern: str, start: int) -> tuple[_Token, int]:
    i = start + 1
    negated = i < len(pattern) and pattern[i] == "!"
    if negated:
        i += 1
    chars: set[str] = set()
    first = True
    while i < len(pattern) and (pattern[i] != "]" or first):
        first = False
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            lo, hi = pattern[i], pattern[i + 2]
            if ord(lo) > ord(hi):
                raise GlobError(f"the range {lo}-{hi} in {pattern!r} is reversed")
            if ord(hi) - ord(lo) > 1024:
                raise GlobError(f"the range {lo}-{hi} in {pattern!r} is too wide")
            chars.update(chr(c) for c in range(ord(lo), ord(hi) + 1))
            i += 3
        else:
            chars.add(pattern[i])
            i += 1
    if i >= len(pattern):
        raise GlobError(f"unclosed '[' at position {start + 1} of {pattern!r}")
    return _Token("set", frozenset(chars), negated), i + 1


def _segment_regex(tokens: tuple[_Token, ...]) -> str:
    """A Python regex for a run of one-character tokens: fixed length, no quantifier."""
    parts: list[str] = []
    for tok in tokens:
        if tok.kind == "any":
            parts.append(".")
        elif tok.kind == "lit":
            parts.append(re.escape(next(iter(tok.chars))))
        else:
            body = "".join(re.escape(c) for c in sorted(tok.chars))
            if body:
                parts.append(f"[{'^' if tok.negated else ''}{body}]")
            else:  # [!] cannot be written; an empty set never matches, its negation always does
                parts.append("." if tok.negated else "(?!)")
    return "".join(parts)


class _Segment:
    """The tokens between two stars: a fixed number of characters, each tested on its own.

    A pure literal is found with ``str.find``; anything else with a compiled regex that has no
    quantifier, so trying it at one position costs at most its length and never backtracks.
    """

    __slots__ = ("_literal", "_regex", "length")

    def __init__(self, tokens: tuple[_Token, ...]) -> None:
        self.length = len(tokens)
        self._literal: str | None = None
        self._regex: re.Pattern[str] | None = None
        if all(t.kind == "lit" for t in tokens):
            self._literal = "".join(next(iter(t.chars)) for t in tokens)
        elif any(t.kind != "any" for t in tokens):  # all '?': only the length matters
            self._regex = re.compile(_segment_regex(tokens), re.DOTALL)

    def match_at(self, text: str, pos: int, end: int) -> bool:
        """Does the segment match ``text[pos:pos + length]``, within ``text[:end]``?"""
        if pos + self.length > end:
            return False
        if self._literal is not None:
            return text.startswith(self._literal, pos)
        return self._regex is None or self._regex.match(text, pos, end) is not None

    def find(self, text: str, pos: int, end: int) -> int:
        """Where the segment first matches in ``text[pos:end]`` (it must fit wholly), or -1."""
        if self._literal is not None:
            return text.find(self._literal, pos, end)
        if self._regex is None:
            return pos if pos + self.length <= end else -1
        found = self._regex.search(text, pos, end)
        return -1 if found is None else found.start()


class GlobMatcher:
    """A compiled glob whose full match costs O(len(text) * len(glob)), whatever both are.

    Stars split the glob into fixed-length segments. The first must match at the start (unless
    the glob starts with a star), the last at the end (unless it ends with one), and each one in
    between is taken at its leftmost place after the previous one. Leftmost is always right for
    fixed-length segments: it leaves the most text for the segments after it, so no choice is
    ever revisited, and nothing backtracks the way a ``.*`` translation for ``re`` does.
    """

    __slots__ = ("_exact", "_head", "_middle", "_tail", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        tokens = parse_glob(pattern)
        runs: list[tuple[_Token, ...]] = [()]
        for tok in tokens:
            if tok.kind == "star":
                runs.append(())
            else:
                runs[-1] = (*runs[-1], tok)
        segments = [_Segment(run) for run in runs]
        #: no star at all: the one segment must be the whole text
        self._exact = segments[0] if len(segments) == 1 else None
        self._head = segments[0]  # empty when the glob starts with a star
        self._tail = segments[-1]  # empty when the glob ends with a star
        self._middle = tuple(s for s in segments[1:-1] if s.length)

    def fullmatch(self, text: str) -> bool:
        if self._exact is not None:
            return len(text) == self._exact.length and self._exact.match_at(text, 0, len(text))
        end = len(text) - self._tail.length  # where the tail must start
        if end < self._head.length:
            return False
        if not self._head.match_at(text, 0, end) or not self._tail.match_at(text, end, len(text)):
            return False
        pos = self._head.length
        for segment in self._middle:
            found = segment.find(text, pos, end)
            if found < 0:
                return False
            pos = found + segment.length
        return True

    def __repr__(self) -> str:
        return f"GlobMatcher({self.pattern!r})"


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> GlobMatcher:
    """The matcher for *pattern* (cached); raises :class:`GlobError` when it does not parse."""
    return GlobMatcher(pattern)


def glob_matches(pattern: str, text: str) -> bool:
    return compile_glob(pattern).fullmatch(text)


def is_catch_all_glob(pattern: str) -> bool:
    return parse_glob(pattern) == (_Token("star"),)


class _Automaton:
    """A glob's NFA with sets of states as bit masks: bit i is "before token i", and bit
    ``len(tokens)`` is "matched". Steps are a few integer operations whatever the set's size,
    which keeps :func:`glob_covers` fast on patterns whose subset automaton is large."""

    __slots__ = ("_moves", "_stars", "accept")

    def __init__(self, tokens: tuple[_Token, ...], alphabet: list[str | None]) -> None:
        self.accept = 1 << len(tokens)
        self._stars = sum(1 << i for i, t in enumerate(tokens) if t.kind == "star")
        #: per symbol, the states whose one-character token accepts it
        self._moves = {
            symbol: sum(
                1 << i for i, t in enumerate(tokens) if t.kind != "star" and t.accepts(symbol)
            )
            for symbol in alphabet
        }

    def closure(self, states: int) -> int:
        # a star may match nothing: its next state too. parse_glob merges '**', so stars never
        # follow each other and one shift reaches every such state.
        return states | ((states & self._stars) << 1)

    def step(self, states: int, symbol: str | None) -> int:
        # a star stays put on any character; a one-character token that accepts it moves on
        return self.closure((states & self._stars) | ((states & self._moves[symbol]) << 1))


@dataclass
class CoverBudget:
    """Work (steps) :func:`glob_covers` may still do, shared by the calls of one check."""

    steps: int
    gave_up: bool = False  # some call answered "not proven" because it hit a bound


def _literal_run(tokens: tuple[_Token, ...]) -> str:
    run = []
    for tok in tokens:
        if tok.kind != "lit":
            break
        run.append(next(iter(tok.chars)))
    return "".join(run)


def _literal_ends_differ(outer: tuple[_Token, ...], inner: tuple[_Token, ...]) -> bool:
    """A cheap proof that *outer* does not cover *inner*.

    Every string *inner* matches starts with its literal prefix and ends with its literal
    suffix (a glob always matches something), and every string *outer* matches does likewise
    with its own. If the two prefixes disagree within their common length, some (indeed every)
    string of *inner* is not matched by *outer*; the same holds for suffixes.
    """
    p_out, p_in = _literal_run(outer), _literal_run(inner)
    n = min(len(p_out), len(p_in))
    if p_out[:n] != p_in[:n]:
        return True
    s_out, s_in = _literal_run(outer[::-1])[::-1], _literal_run(inner[::-1])[::-1]
    n = min(len(s_out), len(s_in))
    return n > 0 and s_out[-n:] != s_in[-n:]


def glob_covers(outer: str, inner: str, budget: CoverBudget | None = None) -> bool:
    """True when every string matched by *inner* is also matched by *outer*.

    Runs the two patterns' automata side by side over an alphabet of every character either
    names plus one stand-in for all others, looking for a string *inner* accepts and *outer*
    does not. Ordinary globs need a few hundred steps, but the subset automaton of a pattern like
    ``*a???...?`` is exponential in its length, so the search is bounded: after
    ``MAX_COVER_STEPS`` steps (or when *budget* runs out) the answer is False, "not proven".
    """
    a, b = parse_glob(inner), parse_glob(outer)
    if _literal_ends_differ(b, a):
        return False  # proven: most pairs in a real file differ in a literal prefix or suffix
    if budget is not None and budget.steps <= 0:
        budget.gave_up = True
        return False
    alphabet: list[str | None] = [*sorted({c for t in a + b for c in t.chars}), None]
    nfa_a, nfa_b = _Automaton(a, alphabet), _Automaton(b, alphabet)
    start = (nfa_a.closure(1), nfa_b.closure(1))
    seen = {start}
    todo = [start]
    steps = 0
    while todo:
        sa, sb = todo.pop()
        if sa & nfa_a.accept and not sb & nfa_b.accept:
            return False
        # the work of a set-based step, which is what the budgets were set in
        cost = len(alphabet) * (sa.bit_count() + sb.bit_count())
        steps += cost
        if budget is not None:
            budget.steps -= cost
        if steps > MAX_COVER_STEPS or (budget is not None and budget.steps < 0):
            if budget is not None:
                budget.gave_up = True
            return False
        for symbol in alphabet:
            na = nfa_a.step(sa, symbol)
            if not na:
                continue
            pair = (na, nfa_b.step(sb, symbol))
            if pair not in seen:
                seen.add(pair)
                todo.append(pair)
    return True
