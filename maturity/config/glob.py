"""Ref globs: ``*`` (any run of characters, ``/`` included), ``?`` (one character),
``[abc]``/``[a-z]``/``[!abc]`` (one character of/not of a set); everything else literal.

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


@lru_cache(maxsize=4096)
def glob_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    for tok in parse_glob(pattern):
        if tok.kind == "star":
            parts.append(".*")
        elif tok.kind == "any":
            parts.append(".")
        elif tok.kind == "lit":
            parts.append(re.escape(next(iter(tok.chars))))
        else:
            body = "".join(re.escape(c) for c in sorted(tok.chars))
            parts.append(
                f"[{'^' if tok.negated else ''}{body}]"
                if body
                else ("." if tok.negated else "(?!)")
            )
    return re.compile("".join(parts), re.DOTALL)


def glob_matches(pattern: str, text: str) -> bool:
    return glob_regex(pattern).fullmatch(text) is not None


def is_catch_all_glob(pattern: str) -> bool:
    return parse_glob(pattern) == (_Token("star"),)


def _closure(tokens: tuple[_Token, ...], states: frozenset[int]) -> frozenset[int]:
    out = set(states)
    stack = list(states)
    while stack:
        s = stack.pop()
        if s < len(tokens) and tokens[s].kind == "star" and s + 1 not in out:
            out.add(s + 1)
            stack.append(s + 1)
    return frozenset(out)


def _step(tokens: tuple[_Token, ...], states: frozenset[int], symbol: str | None) -> frozenset[int]:
    nxt: set[int] = set()
    for s in states:
        if s >= len(tokens):
            continue
        tok = tokens[s]
        if tok.kind == "star":
            nxt.add(s)
        elif tok.accepts(symbol):
            nxt.add(s + 1)
    return _closure(tokens, frozenset(nxt))


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
    start = (_closure(a, frozenset({0})), _closure(b, frozenset({0})))
    seen = {start}
    todo = [start]
    steps = 0
    while todo:
        sa, sb = todo.pop()
        if len(a) in sa and len(b) not in sb:
            return False
        cost = len(alphabet) * (len(sa) + len(sb))  # about the work of the loop below
        steps += cost
        if budget is not None:
            budget.steps -= cost
        if steps > MAX_COVER_STEPS or (budget is not None and budget.steps < 0):
            if budget is not None:
                budget.gave_up = True
            return False
        for symbol in alphabet:
            na = _step(a, sa, symbol)
            if not na:
                continue
            pair = (na, _step(b, sb, symbol))
            if pair not in seen:
                seen.add(pair)
                todo.append(pair)
    return True
