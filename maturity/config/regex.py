"""Regular expressions in mappings: compiled and matched by RE2, whose matching time is linear.

Python's ``re`` backtracks: ``(x+x+)+y`` against a few dozen ``x`` runs for minutes, and anyone
who can push a branch chooses the ref. RE2 (through ``google-re2``) never backtracks, so a match
costs at most (length of the ref) x (size of the compiled pattern); the size is capped here, which
bounds the time of every match against any ref git accepts.

RE2 refuses some syntax Python accepts (lookaround, backreferences, ...). :func:`compile_regex`
turns its terse messages into a sentence saying what is not supported and how to rewrite it.
``re2`` is imported on the first compile, not with this module, so commands that match no regex
do not pay for it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

from maturity.text import clean_text

#: Most RE2 instructions one compiled pattern may have. Matching costs at most about
#: (ref length) x (instructions); at this size a hostile pattern against a 1,000-character ref
#: takes about 10 ms (benchmarks/bench_resolve.py, docs/performance.md), while ordinary ref
#: patterns are far smaller (the built-in GA pattern: 33; ``[^/]{1,255}``: about 2,300).
MAX_PROGRAM_SIZE = 3000
#: Memory RE2 may use per pattern (program and DFA cache). A small cache makes RE2 give up on
#: the DFA early for hostile patterns and use its NFA, which is faster for them.
MAX_MEMORY = 128 * 1024


SYNTAX_URL = "https://github.com/google/re2/wiki/Syntax"


class RegexError(ValueError):
    """A pattern RE2 refuses, or one too large; the message says why and how to rewrite it."""


class _Compiled(Protocol):
    """The part of ``re2._Regexp`` used here (google-re2 ships no type information)."""

    @property
    def programsize(self) -> int: ...

    def fullmatch(self, text: bytes) -> object | None: ...

    def search(self, text: bytes) -> object | None: ...


class RefRegex:
    """A compiled pattern: :meth:`fullmatch` says whether it matches a whole ref name."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str, compiled: _Compiled) -> None:
        self.pattern = pattern
        self._compiled = compiled

    def fullmatch(self, text: str) -> bool:
        # as UTF-8 bytes: RE2's own encoding, and a stray surrogate (refused in refs, but a
        # library caller might pass one) gives an answer instead of UnicodeEncodeError
        return self._compiled.fullmatch(text.encode("utf-8", "surrogatepass")) is not None

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in *text* (a break-glass reason, say)."""
        return self._compiled.search(text.encode("utf-8", "surrogatepass")) is not None

    def __repr__(self) -> str:
        return f"RefRegex({self.pattern!r})"


def _re2() -> Any:
    """The ``re2`` module, imported on first use (about 3 ms)."""
    import re2  # type: ignore[import-untyped]  # noqa: PLC0415

    return re2


@lru_cache(maxsize=1)
def _options() -> Any:
    options = _re2().Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    options.never_capture = True  # only "does it match" is needed: groups cost time
    options.max_mem = MAX_MEMORY
    return options


@lru_cache(maxsize=8192)
def compile_regex(pattern: str) -> RefRegex:
    """Compile *pattern* with RE2 (cached); :class:`RegexError` explains a refusal."""
    surrogate = next((ch for ch in pattern if 0xD800 <= ord(ch) <= 0xDFFF), None)
    if surrogate is not None:  # not text (a stray byte decoded as a surrogate): RE2 needs UTF-8
        raise RegexError(f"the pattern contains U+{ord(surrogate):04X}, which is not a character")
    re2 = _re2()
    try:
        compiled: _Compiled = re2.compile(pattern, _options())
    except re2.error as exc:
        raw = exc.args[0] if exc.args else b""
        message = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise RegexError(explain_refusal(pattern, message)) from None
    size = compiled.programsize
    if size > MAX_PROGRAM_SIZE:
        raise RegexError(
            f"the pattern is too large: it compiles to {size} RE2 instructions, more than the "
            f"{MAX_PROGRAM_SIZE} allowed so that matching any ref stays fast. Counted repetitions "
            "multiply the pattern (x{500} is 500 copies of x) and Unicode classes such as \\p{L} "
            "are large: use + or * instead of big counts, or a smaller class"
        )
    return RefRegex(pattern, compiled)


_LOOKAROUND_FIX = (
    "match the refs you want to exclude with an earlier mapping (the first match wins), "
    "or spell out the allowed alternatives"
)


def _operator_advice(pattern: str, arg: str) -> str | None:
    """Advice for RE2's "invalid perl operator: (?..." (a group syntax it does not know)."""
    if arg.startswith(("(?=", "(?!")):
        return f"RE2 has no lookahead, (?= or (?!: {_LOOKAROUND_FIX}"
    if arg.startswith(("(?<=", "(?<!")):
        return f"RE2 has no lookbehind, (?<= or (?<!: {_LOOKAROUND_FIX}"
    if arg.startswith("(?>"):
        return (
            "atomic groups (?>...) are not supported: use a plain group (?:...); "
            "RE2 never backtracks anyway"
        )
    if arg.startswith("(?("):
        return (
            "conditionals (?(1)...|...) are not supported: write the alternatives with |, "
            "or use two mappings"
        )
    if arg.startswith("(?P") and "(?P=" in pattern:
        return (
            "backreferences ((?P=name)) are not supported: RE2 cannot require text seen earlier "
            "to repeat; spell out the alternatives"
        )
    if arg.startswith("(?P") and "(?P>" in pattern:
        return "recursion (?P>name) is not supported"
    if arg.startswith("(?#"):
        return "comments (?#...) are not supported: remove them"
    if arg.startswith("(?|"):
        return "branch reset groups (?|...) are not supported: use (?:...)"
    flags = arg[2:]
    if "x" in flags:
        return "verbose mode (?x) is not supported: remove the spaces and comments"
    if any(f in flags for f in "auL"):
        return (
            "the flags (?a), (?u) and (?L) are Python's, not RE2's: remove them "
            "(RE2's \\d, \\w, \\s and \\b are ASCII; \\p{L}, \\p{Nd} match any letter or digit)"
        )
    return None


def _escape_advice(arg: str) -> str:
    """Advice for RE2's "invalid escape sequence: \\..."."""
    if arg[1:2] in tuple("123456789") or arg.startswith(("\\k", "\\g")):
        return (
            f"backreferences ({arg}) are not supported: RE2 cannot require text seen earlier to "
            "repeat; spell out the alternatives"
        )
    if arg.startswith("\\Z"):
        return (
            "\\Z is Python's end of text; RE2 writes it \\z (a mapping's regex must match the "
            "whole ref anyway, so you can drop it)"
        )
    if arg.startswith(("\\u", "\\U", "\\N")):
        return "write a character by its code point as \\x{e9}, or write the character itself"
    return (
        f"the escape {arg} is not RE2 syntax: escape only punctuation, "
        "or write the character itself"
    )


def _repetition_advice(arg: str) -> str:
    """Advice for RE2's "bad repetition operator: ..." (two quantifiers in a row)."""
    if arg.endswith("+") and len(arg) >= 2:
        return (
            f"possessive quantifiers ({arg}) are not supported: drop the last +; "
            "RE2 never backtracks, so it changes nothing"
        )
    return (
        f"{arg} repeats a repetition: remove one operator, or group the first, e.g. (?:x{{2}}){{3}}"
    )


def explain_refusal(pattern: str, message: str) -> str:
    """One sentence for people: what RE2 does not support in *pattern*, and how to rewrite it."""
    code, _, arg = message.partition(": ")
    advice: str | None = None
    if code == "invalid perl operator":
        advice = _operator_advice(pattern, arg)
    elif code == "invalid escape sequence":
        advice = _escape_advice(arg)
    elif code == "bad repetition operator":
        advice = _repetition_advice(arg)
    elif code == "invalid repetition size":
        advice = (
            f"the count {arg} is not allowed: a count may be at most 1000, the minimum not above "
            "the maximum, and counts inside counts multiply ((x{10}){200} is 2000); "
            "use + or * instead of large counts"
        )
    elif message.startswith("pattern too large"):
        advice = (
            "the pattern is too large for RE2's memory limit: counted repetitions multiply the "
            "pattern and Unicode classes such as \\p{L} are large; use + or * instead of big counts"
        )
    # RE2 quotes pieces of the pattern, which may hold any character the YAML file could
    if advice is None:
        return clean_text(f"{message} (RE2 syntax: {SYNTAX_URL})", 500)
    return clean_text(f"{advice} (RE2: {message})", 500)
