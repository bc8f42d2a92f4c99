"""The one JSON reader for every JSON input: evidence files, saved checks files, API answers.

JSON as RFC 8259 has it, read from bytes, with everything Python's ``json`` lets through
refused, each with a plain message and, where there is one, its position:

- UTF-8 only: a byte-order mark, UTF-16 or UTF-32 text (told by its BOM or its NUL-byte pattern,
  RFC 4627 section 3) and invalid UTF-8 (with its byte offset) are refused;
- duplicate keys, at any level (a later key would silently win);
- ``NaN``, ``Infinity``, ``-Infinity``; numbers that overflow a float (``1e400``); integers
  outside 64 bits (never Python's own digit-limit message);
- strings holding a lone surrogate (``"\\ud800"``), which is not text;
- more than ``max_bytes`` bytes, or nesting deeper than ``max_depth`` (never a RecursionError).

The common case is fast: a linear pass over the text outside strings measures the nesting first,
the C scanner parses with hooks that refuse without knowing where (numbers get a hook only when
one might be out of range), and a regex search looks for surrogate escapes. Only when something is refused does a slower tokenising pass
(:func:`_first_problem`) find its line and column. Callers turn :class:`StrictJsonError` into
their own error, naming the input (``about``), with their own remediation.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from functools import cache
from itertools import accumulate, islice
from typing import Any

#: Deepest nesting of arrays/objects accepted by default (the top-level value is level 1).
MAX_DEPTH = 64
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_INT_TEXT_MAX = len(str(INT_MIN))  # longer integer text is out of range without converting it
_INT_TEXT_SAFE = 18  # "-" and 17 digits, or 18 digits: within 64 bits whatever they are

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (b"\xef\xbb\xbf", None),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LEXEME = (  # one lexeme, after any whitespace; compiled on the error path only
    r"""[ \t\r\n]*(?:
    (?P<string>"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*")
    |(?P<number>-?(?:0|[1-9][0-9]*)(?P<fraction>(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?))
    |(?P<word>-?[A-Za-z]+)
    |(?P<punct>[\[\]{}:,]))"""
)
_SYNTAX = {  # the json module's messages, said plainly
    "Expecting value": "a value was expected",
    "Expecting ',' delimiter": "a ',' was expected",
    "Expecting ':' delimiter": "a ':' was expected",
    "Expecting property name enclosed in double quotes": "a key in double quotes was expected",
    "Unterminated string starting at": "a string is not closed",
    "Invalid control character at": "a control character inside a string (escape it, e.g. \\n)",
    "Invalid \\escape": "an invalid escape sequence in a string",
    "Invalid \\uXXXX escape": "an invalid \\u escape in a string",
    "Extra data": "more data after the JSON value",
}


class StrictJsonError(ValueError):
    """Input the strict reader refuses: ``message`` says why, in plain words.

    ``line`` and ``column`` (1-based, in characters) say where, when the problem has a place;
    ``byte`` is set instead for bytes that are not UTF-8. :meth:`about` makes the sentence
    callers show.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        byte: int | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.byte = byte
        super().__init__(f"{self.where}: {message}" if self.where else message)

    @property
    def where(self) -> str:
        """``line 3, column 5``, ``byte 17 (line 2)``, or ``""`` for the input as a whole."""
        if self.byte is not None:
            return f"byte {self.byte}" + (f" (line {self.line})" if self.line else "")
        if self.line is not None:
            return f"line {self.line}, column {self.column}"
        return ""

    def about(self, subject: str) -> str:
        """The whole sentence, e.g. ``evidence file e.json is not valid JSON at line 1, …``."""
        at = f" at {self.where}" if self.where else ""
        return f"{subject} is not valid JSON{at}: {self.message}"


class _Refused(Exception):
    """Raised by a scanner hook: something is refused; :func:`_first_problem` finds where."""


def loads(data: bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """The one JSON value in *data* (whitespace around it allowed)."""
    text = _text(data, max_bytes)
    _check_depth(text, max_depth)
    start = _skip_space(text, 0)
    value, end = _decode_one(text, start, max_depth, _decoder_for(data))
    if _skip_space(text, end) != len(text):
        raise _at(text, _skip_space(text, end), _SYNTAX["Extra data"])
    return value


def load_documents(data: bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Iterator[Any]:
    """Every JSON value in *data*, one after another (``gh api --paginate`` writes them so)."""
    text = _text(data, max_bytes)
    _check_depth(text, max_depth)
    decoder = _decoder_for(data)
    pos = _skip_space(text, 0)
    while pos < len(text):
        value, pos = _decode_one(text, pos, max_depth, decoder)
        yield value
        pos = _skip_space(text, pos)


# -- bytes to text ---------------------------------------------------------------------------


def _text(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise StrictJsonError(f"it is {len(data)} bytes, over the {max_bytes}-byte limit")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding is None:
                raise StrictJsonError("it starts with a UTF-8 byte-order mark; save it without one")
            raise StrictJsonError(f"it is {encoding} text; save it as UTF-8 without a BOM")
    if (encoding := _wide_encoding(data[:4])) is not None:
        raise StrictJsonError(f"it is {encoding} text; save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StrictJsonError(
            f"the byte 0x{data[exc.start]:02X} is not UTF-8; save it as UTF-8",
            byte=exc.start,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where the NULs of its first ASCII characters fall."""
    nul = [b == 0 for b in head]
    if len(head) == 4 and nul == [True, True, True, False]:
        return "UTF-32 (big-endian)"
    if len(head) == 4 and nul == [False, True, True, True]:
        return "UTF-32 (little-endian)"
    if len(head) >= 2 and nul[:2] == [True, False]:
        return "UTF-16 (big-endian)"
    if len(head) >= 2 and nul[:2] == [False, True]:
        return "UTF-16 (little-endian)"
    return None


# -- the fast path: the C scanner with refusing hooks ----------------------------------------


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused("a duplicate key")
    return result


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(_float_problem(text))
    return value


def _int(text: str) -> int:
    if len(text) <= _INT_TEXT_SAFE:
        return int(text)
    if (problem := _int_problem(text)) is not None:
        raise _Refused(problem)
    return int(text)


def _constant(name: str) -> Any:
    raise _Refused(_constant_problem(name))


#: Numbers checked one by one (a Python call each): only for text where a number could be out
#: of range, that is, with 19 digits in a row or an exponent of 100 or more somewhere.
_CHECKED = json.JSONDecoder(
    object_pairs_hook=_object, parse_float=_float, parse_int=_int, parse_constant=_constant
)
_PLAIN = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_constant)
#: bytes.translate table: digits to "0", "e"/"E" to "e", signs to "+", anything else to ".".
_NUMBER_SHAPE = bytes(
    ord("0")
    if chr(b).isdigit() and b < 128
    else ord("e")
    if b in b"eE"
    else ord("+")
    if b in b"+-"
    else ord(".")
    for b in range(256)
)


def _decoder_for(data: bytes) -> json.JSONDecoder:
    """The plain decoder, unless some number in *data* might be out of range (fast: C only)."""
    shape = data.translate(_NUMBER_SHAPE)
    big = b"0" * 19 in shape or b"e000" in shape or b"e+000" in shape
    return _CHECKED if big else _PLAIN


def _decode_one(
    text: str, start: int, max_depth: int, decoder: json.JSONDecoder
) -> tuple[Any, int]:
    try:
        value, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        found = _first_problem(text, start, max_depth, decoder, exc.pos)
        if found is not None:
            raise _at(text, *found) from None
        if start >= len(text):
            raise StrictJsonError("it is empty") from None
        raise _at(text, exc.pos, _SYNTAX.get(exc.msg, exc.msg[:1].lower() + exc.msg[1:])) from None
    except (_Refused, RecursionError) as exc:
        found = _first_problem(text, start, max_depth, decoder)
        if found is not None:
            raise _at(text, *found) from None
        reason = (
            str(exc) if isinstance(exc, _Refused) else f"nested more than {max_depth} levels deep"
        )
        raise StrictJsonError(reason) from None
    if _SURROGATE_ESCAPE.search(text, start, end) is not None:
        found = _first_problem(text, start, max_depth, decoder, end)
        if found is not None:
            raise _at(text, *found)
    return value, end


def _check_depth(text: str, max_depth: int) -> None:
    """Refuse nesting past *max_depth* before the (recursive) scanner sees it, in linear time.

    Escaped backslashes, then escaped quotes, are blanked (left to right, as JSON reads escapes;
    same length, so offsets stay); every other '"' then opens or closes a string, and the
    brackets between strings give the depth. Exact up to the first syntax error, after which the
    scanner could not nest any deeper anyway.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return
    parts = text.replace("\\\\", "__").replace('\\"', "__").split('"')
    outside = "".join(parts[::2])
    brackets = _NOT_BRACKET.sub("", outside)
    if max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= max_depth:
        return
    depths = accumulate(map(_STEP.__getitem__, brackets))
    too_deep = next(i for i, depth in enumerate(depths) if depth > max_depth)
    # where that bracket is: in `outside`, then in the part it came from, then in the text
    at = next(islice(_BRACKET.finditer(outside), too_deep, None)).start()
    part = next(i for i, total in enumerate(accumulate(map(len, parts[::2]))) if total > at)
    before = sum(map(len, parts[: 2 * part : 2]))
    offset = sum(map(len, parts[: 2 * part])) + 2 * part + (at - before)
    raise _at(text, offset, f"nested more than {max_depth} levels deep")


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


# -- the error path: where is it? ------------------------------------------------------------


def _first_problem(
    text: str, start: int, max_depth: int, decoder: json.JSONDecoder, stop: int | None = None
) -> tuple[int, str] | None:
    """The offset and reason of the first refused thing from *start*, lexeme by lexeme.

    Only run once something was refused. An array or object in the way is first given to the C
    scanner: when it reads it without refusal (and it holds no surrogate escape), it is stepped
    over; otherwise it is entered (:class:`_Budget` bounds the tries). Plain array items are
    taken in runs by one regex. Returns None at the first syntax error or at *stop*: the
    scanner's own message then says what is wrong.
    """
    frames: list[dict[str, int] | None] = []  # per open container: an object's keys, or None
    expect_key = False
    budget = _Budget(text, decoder)
    pos = start
    end = len(text) if stop is None else stop
    while pos < end:
        match = _patterns()[0].match(text, pos)
        if match is None or match.lastgroup is None:
            return None
        kind = match.lastgroup
        pos, lexeme = match.start(kind), match[kind]
        if kind == "string":
            if "\\" in lexeme:
                value = json.loads(lexeme)
                if (problem := _string_problem(value)) is not None:
                    return pos, problem
            else:  # nothing escaped: the text between the quotes, and no surrogate in it
                value = lexeme[1:-1]
            keys = frames[-1] if frames else None
            if expect_key and keys is not None:
                if value in keys:
                    first = _line_column(text, keys[value])
                    return pos, f"duplicate key {_show(value)} (first at {first})"
                keys[value] = pos
                expect_key = False
        elif kind == "number":
            if match["fraction"]:
                problem = None if math.isfinite(float(lexeme)) else _float_problem(lexeme)
            else:
                problem = _int_problem(lexeme)
            if problem is not None:
                return pos, problem
        elif kind == "word":
            if lexeme not in ("true", "false", "null"):
                return (
                    (pos, _constant_problem(lexeme)) if lexeme.lstrip("-") in _CONSTANTS else None
                )
        elif lexeme in "[{":
            length = budget.clean_length(text, pos) if pos != start else None  # known to fail
            if length is not None and pos + length <= end:
                pos += length
                continue
            if len(frames) >= max_depth:
                return pos, f"nested more than {max_depth} levels deep"
            frames.append({} if lexeme == "{" else None)
            expect_key = lexeme == "{"
        elif lexeme in "]}":
            if not frames:
                return None
            frames.pop()
            expect_key = False
        elif lexeme == ",":
            expect_key = bool(frames) and frames[-1] is not None
        pos = match.end()
        if lexeme in "[," and frames and frames[-1] is None:  # array items: plain ones at once
            run = _patterns()[1].match(text, pos)
            if run is not None and run.end() <= end:
                pos = run.end()
    return None


_SKIP_WINDOW = 1 << 16


#: Array items that cannot be refused, each with its comma: integers of at most 18 digits (within
#: 64 bits), true, false, null, strings without escapes.
_PLAIN_ITEMS = (
    r'(?:[ \t\r\n]*(?:-?(?:0|[1-9][0-9]{0,17})|true|false|null|"[^"\\\x00-\x1f]*")[ \t\r\n]*,)+'
)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The lexeme and plain-items patterns, compiled on the error path only."""
    return re.compile(_LEXEME, re.X), re.compile(_PLAIN_ITEMS)


class _Budget:
    """How much the C scanner may read in vain while :func:`_first_problem` steps over values,
    so that the locating pass stays linear however the problem is nested.

    A value is tried within the next :data:`_SKIP_WINDOW` characters; one longer than that is
    tried whole, when what is left of the text fits what is left of the budget. Tries that fail
    may read at most the length of the text, windowed and whole alike; then none is made.
    """

    def __init__(self, text: str, decoder: json.JSONDecoder) -> None:
        self.windowed = len(text)
        self.whole = len(text)
        self.decoder = decoder

    def clean_length(self, text: str, pos: int) -> int | None:
        """The length of the value at *pos* when the C scanner reads it without refusal and it
        holds no surrogate escape; None when it does not, or when the budget is spent."""
        if self.windowed <= 0:
            return None
        window = text[pos : pos + _SKIP_WINDOW]
        length = _clean_length(self.decoder, window, 0)
        if length is None and len(window) == _SKIP_WINDOW and len(text) - pos <= self.whole:
            length = _clean_length(self.decoder, text, pos)  # perhaps just longer: try it whole
            self.whole -= 0 if length is not None else len(text) - pos
        self.windowed -= 0 if length is not None else len(window)
        return length


def _clean_length(decoder: json.JSONDecoder, text: str, pos: int) -> int | None:
    try:
        end: int = decoder.raw_decode(text, pos)[1]
    except (ValueError, _Refused, RecursionError):
        return None
    return None if _SURROGATE_ESCAPE.search(text, pos, end) else end - pos


_CONSTANTS = ("NaN", "Infinity")


def _float_problem(text: str) -> str:
    return f"the number {_cut(text)} is too large for a 64-bit float"


def _int_problem(text: str) -> str | None:
    if len(text) <= _INT_TEXT_MAX and INT_MIN <= int(text) <= INT_MAX:
        return None
    digits = len(text.lstrip("-"))
    return (
        f"the integer {_cut(text)} ({digits} digits) is outside the 64-bit range "
        f"({INT_MIN} to {INT_MAX})"
    )


def _constant_problem(name: str) -> str:
    return f"{name} is not JSON: write a number, null or a string"


def _string_problem(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"the string {_show(value)} holds a lone surrogate (\\u{ord(value[exc.start]):04x}), "
            "which is not text"
        )
    return None


def _show(value: str) -> str:
    """A key or string for a message: quoted, escaped to ASCII, at most about 60 characters."""
    shown = json.dumps(value)
    return shown if len(shown) <= 60 else shown[:56] + '…"'


def _cut(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "…"


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of *offset*."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _line_column(text: str, offset: int) -> str:
    line, column = _position(text, offset)
    return f"line {line}, column {column}"


def _at(text: str, offset: int, message: str) -> StrictJsonError:
    line, column = _position(text, offset)
    return StrictJsonError(message, line=line, column=column)
