"""JavaScript regular expressions (no flags, ``.test()``) rewritten as RE2 full-match patterns.

The TypeScript evaluator sent a ref to the first mapping whose ``new RegExp(pattern).test(name)``
was true: a JavaScript regex, without flags, found *anywhere* in the short name. A version 1
``regex:`` is RE2 and must match the *whole* name. :func:`translate` reads the JavaScript
syntax token by token (the web-compatibility grammar of ECMAScript's Annex B, which is what
``new RegExp`` accepts without the ``u`` flag) and writes each token as the RE2 text of the
same meaning, then makes the search explicit, per top-level alternative:

* a leading ``^`` is dropped, else ``.*`` goes in front; a trailing ``$`` is dropped, else
  ``.*`` goes behind (an alternative that already starts or ends with ``.*`` needs none);
* ``^`` and ``$`` anywhere else are kept: without the ``m`` flag both engines read them as
  the start and the end of the whole name, so ``.*`` beside them can only match nothing.

Tokens whose meaning differs between the engines are written out:

* ``\\s`` and ``\\S``: JavaScript's white space includes U+00A0, U+FEFF and the Unicode space
  separators; RE2's is ASCII. Both become an explicit class of JavaScript's list.
* ``\\d``, ``\\w``, ``\\b`` are ASCII in both and stay as they are.
* an escaped letter with no meaning (``\\e``, ``\\p``, ``\\A``, ``\\Z``) is the letter itself in
  JavaScript; ``{`` that does not open a count (``{,3}``), a lone ``}`` or ``]`` are literal.
* ``[]`` matches nothing and ``[^]`` any character; ``[`` inside a class is a plain character
  (RE2 would read ``[[:alpha:]]`` as a POSIX class); ``\\b`` inside a class is a backspace.
* named groups ``(?<name>...)`` become ``(?:...)`` (only "does it match" counts);
  ``\\uXXXX`` becomes ``\\x{XXXX}``, a surrogate pair one code point.

Refused, each with the reason (:class:`JsRegexError`): lookahead and lookbehind, backreferences
(``\\1``, ``\\k<name>``; without groups JavaScript reads ``\\1`` as an octal escape, which is
refused too), ``\\u{...}`` and lone surrogates, and what is not valid JavaScript.

Where the readings still differ, for names git accepts: ``.`` in JavaScript does not match
U+2028 and U+2029 (RE2's does), and JavaScript counts a character outside the Basic
Multilingual Plane as two, so ``^.$`` does not match an emoji there. A ref holding such a
character is the only kind whose stage could change; ``docs/migrating.md`` says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: JavaScript's WhiteSpace and LineTerminator code points (what ``\s`` matches), as ranges
JS_SPACE_RANGES = (
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
)
_MAX_CODE_POINT = 0x10FFFF
_SURROGATES = (0xD800, 0xDFFF)
#: characters RE2 reads as syntax outside a class: written escaped when meant literally
_SYNTAX = frozenset("\\.+*?()|[]{}^$")
#: ... and inside one
_CLASS_SYNTAX = frozenset("\\]-^[")
_COUNT = re.compile(r"\{(\d+)(,(\d*))?\}")
_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_$][A-Za-z0-9_$]*)>")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_CONTROL_LETTER = re.compile(r"[A-Za-z]")
_CATCH_ALL = ".*"


class JsRegexError(ValueError):
    """A JavaScript pattern that cannot be written as RE2: what, where, and how to rewrite it."""


def _code_point(cp: int, *, in_class: bool = False) -> str:
    """One code point as RE2 text that means exactly that character, outside or inside a class."""
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    if ch.isascii() and ch.isprintable() and ch != " ":
        return f"\\{ch}" if ch in (_CLASS_SYNTAX if in_class else _SYNTAX) else ch
    if not ch.isascii() and ch.isprintable() and not ch.isspace():
        return ch
    return f"\\x{{{cp:x}}}"


def _ranges_text(ranges: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    return "".join(
        _code_point(lo, in_class=True)
        if lo == hi
        else f"{_code_point(lo, in_class=True)}-{_code_point(hi, in_class=True)}"
        for lo, hi in ranges
    )


def _complement(ranges: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Every code point not in *ranges* (sorted, disjoint), surrogates left out (not UTF-8)."""
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in sorted((*ranges, _SURROGATES)):
        if start < lo:
            out.append((start, lo - 1))
        start = max(start, hi + 1)
    if start <= _MAX_CODE_POINT:
        out.append((start, _MAX_CODE_POINT))
    return out


SPACE_CLASS_BODY = _ranges_text(JS_SPACE_RANGES)
NOT_SPACE_CLASS_BODY = _ranges_text(_complement(JS_SPACE_RANGES))


@dataclass(frozen=True)
class _Piece:
    text: str  # RE2 text
    #: "atom" and "group" (a closing parenthesis) may take a quantifier; "caret" and "dollar"
    #: are top-level anchors; "anchor" (nested ^ $, \b \B), "open", "bar", "quantifier" not
    kind: str


class _Reader:
    """One pass over a JavaScript pattern, writing RE2 pieces per top-level alternative."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.i = 0
        self.depth = 0
        self.named_groups = _NAMED_GROUP.search(pattern) is not None
        self.alternatives: list[list[_Piece]] = [[]]

    def fail(self, what: str, fix: str) -> JsRegexError:
        return JsRegexError(f"{what} (at character {self.i + 1}); {fix}")

    def emit(self, text: str, kind: str = "atom") -> None:
        self.alternatives[-1].append(_Piece(text, kind))

    def read(self) -> list[list[_Piece]]:
        p = self.pattern
        while self.i < len(p):
            ch = p[self.i]
            if ch == "\\":
                self._escape()
            elif ch == "[":
                self._class()
            elif ch == "(":
                self._open_group()
            elif ch == ")":
                if self.depth == 0:
                    raise self.fail("unmatched ')'", "remove it, or escape it as \\)")
                self.depth -= 1
                self.emit(")", "group")
                self.i += 1
            elif ch == "|":
                if self.depth == 0:
                    self.alternatives.append([])
                else:
                    self.emit("|", "bar")
                self.i += 1
            elif ch in "*+?":
                self._quantifier(ch)
            elif ch == "{":
                self._brace()
            elif ch == "^":
                self.emit("^", "caret" if self.depth == 0 else "anchor")
                self.i += 1
            elif ch == "$":
                self.emit("$", "dollar" if self.depth == 0 else "anchor")
                self.i += 1
            elif ch == ".":
                self.emit(".")
                self.i += 1
            else:  # } and ] alone are literal in JavaScript (Annex B), as is everything else
                self._literal(ord(ch))
                self.i += 1
        if self.depth:
            raise self.fail("unclosed '('", "close the group with ')'")
        return self.alternatives

    def _literal(self, cp: int) -> None:
        if _SURROGATES[0] <= cp <= _SURROGATES[1]:
            raise self.fail(
                f"a lone surrogate U+{cp:04X}",
                "ref names are UTF-8 text: write the character itself",
            )
        self.emit(_code_point(cp))

    def _quantifier(self, ch: str) -> None:
        self._check_repeatable(ch)
        self.i += 1
        lazy = self.i < len(self.pattern) and self.pattern[self.i] == "?"
        self.i += lazy
        self.emit(ch + ("?" if lazy else ""), "quantifier")

    def _check_repeatable(self, what: str) -> None:
        current = self.alternatives[-1]
        last = current[-1] if current else None
        if last is None or last.kind not in ("atom", "group"):
            raise self.fail(
                f"nothing to repeat before {what!r} (not valid JavaScript either)",
                f"escape it as \\{what[0]} if it is meant literally",
            )

    def _brace(self) -> None:
        count = _COUNT.match(self.pattern, self.i)
        if count is None:  # JavaScript reads a '{' that opens no count as itself (Annex B)
            self.emit("\\{")
            self.i += 1
            return
        low, high = int(count.group(1)), count.group(3)
        if high and int(high) < low:
            raise self.fail(
                f"the count {count.group()} is reversed (not valid JavaScript either)",
                "put the smaller number first",
            )
        self._check_repeatable(count.group())
        self.i = count.end()
        lazy = self.i < len(self.pattern) and self.pattern[self.i] == "?"
        self.i += lazy
        self.emit(count.group() + ("?" if lazy else ""), "quantifier")

    def _open_group(self) -> None:
        p, i = self.pattern, self.i
        if p.startswith(("(?=", "(?!"), i):
            raise self.fail(
                "lookahead (?= or (?! is not supported by RE2",
                "give the refs to exclude an earlier mapping of their own (the first match wins), "
                "or spell out the alternatives, then migrate again",
            )
        if p.startswith(("(?<=", "(?<!"), i):
            raise self.fail(
                "lookbehind (?<= or (?<! is not supported by RE2",
                "give the refs to exclude an earlier mapping of their own (the first match wins), "
                "or spell out the alternatives, then migrate again",
            )
        named = _NAMED_GROUP.match(p, i)
        if named is not None:
            self.i = named.end()
            self.emit("(?:", "open")
        elif p.startswith("(?:", i):
            self.i += 3
            self.emit("(?:", "open")
        elif p.startswith("(?", i):
            raise self.fail(
                "'(?' that starts no group JavaScript knows",
                "use (?:...) for a group, or escape the '(' as \\(",
            )
        else:
            self.i += 1
            self.emit("(", "open")
        self.depth += 1

    def _escape(self) -> None:
        p = self.pattern
        if self.i + 1 >= len(p):
            raise self.fail(
                "the pattern ends with '\\'", "remove it, or write \\\\ for a backslash"
            )
        ch = p[self.i + 1]
        self.i += 2
        if ch in "dDwWbB":  # ASCII in both engines (JavaScript without the u flag, RE2)
            self.emit(f"\\{ch}", "atom" if ch not in "bB" else "anchor")
        elif ch == "s":
            self.emit(f"[{SPACE_CLASS_BODY}]")
        elif ch == "S":
            self.emit(f"[{NOT_SPACE_CLASS_BODY}]")
        else:
            self._literal(self._character_escape(ch))

    def _character_escape(self, ch: str) -> int:
        """The code point of the escape ``\\ch`` (already consumed) outside or inside a class."""
        p = self.pattern
        simple = {"t": 0x09, "n": 0x0A, "v": 0x0B, "f": 0x0C, "r": 0x0D}
        if ch in simple:
            return simple[ch]
        if ch == "0" and not p[self.i : self.i + 1].isdigit():
            return 0
        if ch.isdigit():
            raise self.fail(
                f"\\{ch} is a backreference (or, in a pattern without groups, an octal escape); "
                "RE2 has no backreferences",
                "spell out the alternatives, or write the character as \\xHH",
            )
        if ch == "k" and self.named_groups:
            raise self.fail(
                "\\k<name> is a backreference; RE2 has no backreferences",
                "spell out the alternatives",
            )
        if ch == "x" and _HEX2.match(p, self.i):
            self.i += 2
            return int(p[self.i - 2 : self.i], 16)
        if ch == "u" and _HEX4.match(p, self.i):
            return self._unicode_escape()
        if ch == "u" and p.startswith("{", self.i):
            raise self.fail(
                "\\u{...} without the u flag means repeated 'u's in JavaScript",
                "write the character itself, or \\uXXXX",
            )
        if ch == "c" and _CONTROL_LETTER.match(p, self.i):
            self.i += 1
            return ord(p[self.i - 1]) % 32
        if ch == "c":  # \c without a letter: a backslash, and the 'c' is read next (Annex B)
            self.i -= 1
            return ord("\\")
        return ord(ch)  # an identity escape: \/ \. \e \p ... are the character itself

    def _unicode_escape(self) -> int:
        p = self.pattern
        cp = int(p[self.i : self.i + 4], 16)
        self.i += 4
        if 0xD800 <= cp <= 0xDBFF and p.startswith("\\u", self.i) and _HEX4.match(p, self.i + 2):
            low = int(p[self.i + 2 : self.i + 6], 16)
            if 0xDC00 <= low <= 0xDFFF:
                self.i += 6
                return 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
        return cp

    def _class(self) -> None:
        p = self.pattern
        start = self.i
        self.i += 1
        negated = p.startswith("^", self.i)
        self.i += negated
        parts: list[str] = []
        while True:
            if self.i >= len(p):
                self.i = start
                raise self.fail("unclosed '['", "close the class with ']', or escape it as \\[")
            if p[self.i] == "]":
                self.i += 1
                break
            low, text = self._class_atom()
            if (
                low is not None
                and p.startswith("-", self.i)
                and self.i + 1 < len(p)
                and p[self.i + 1] != "]"
            ):
                self.i += 1
                high, high_text = self._class_atom()
                if high is None:  # [a-\d]: Annex B reads the '-' as itself
                    parts += [text, "\\-", high_text]
                    continue
                if high < low:
                    raise self.fail(
                        "a reversed range in a class (not valid JavaScript either)",
                        "put the smaller character first",
                    )
                parts.append(f"{text}-{high_text}")
            else:
                parts.append(text)
        if not parts:  # [] matches nothing, [^] any character (newlines too)
            self.emit("[^\\x00-\\x{10ffff}]" if not negated else "(?s:.)")
            return
        self.emit(f"[{'^' if negated else ''}{''.join(parts)}]")

    def _class_atom(self) -> tuple[int | None, str]:
        """One element of a class: (its code point, RE2 text), or (None, text) for a set."""
        p = self.pattern
        ch = p[self.i]
        if ch != "\\":
            self.i += 1
            return self._class_char(ord(ch))
        if self.i + 1 >= len(p):
            raise self.fail(
                "the pattern ends with '\\'", "remove it, or write \\\\ for a backslash"
            )
        esc = p[self.i + 1]
        self.i += 2
        if esc in "dDwW":
            return None, f"\\{esc}"
        if esc == "s":
            return None, SPACE_CLASS_BODY
        if esc == "S":
            return None, NOT_SPACE_CLASS_BODY
        if esc == "b":  # a backspace inside a class
            return self._class_char(0x08)
        if esc == "-":
            return self._class_char(ord("-"))
        return self._class_char(self._character_escape(esc))

    def _class_char(self, cp: int) -> tuple[int, str]:
        if _SURROGATES[0] <= cp <= _SURROGATES[1]:
            raise self.fail(
                f"a lone surrogate U+{cp:04X}",
                "ref names are UTF-8 text: write the character itself",
            )
        return cp, _code_point(cp, in_class=True)


def _search_as_full_match(pieces: list[_Piece]) -> str:
    """One top-level alternative, found anywhere, as a whole-name RE2 match."""
    body = list(pieces)
    anchored_start = bool(body) and body[0].kind == "caret"
    if anchored_start:
        body = body[1:]
    # a trailing '$' (not quantified: '$*' is no valid JavaScript, refused above)
    anchored_end = bool(body) and body[-1].kind == "dollar"
    if anchored_end:
        body = body[:-1]
    text = "".join(p.text for p in body)
    if not anchored_start and not text.startswith(_CATCH_ALL):
        text = _CATCH_ALL + text
    if not anchored_end and not _ends_with_catch_all(body):
        text += _CATCH_ALL
    return text


def _ends_with_catch_all(body: list[_Piece]) -> bool:
    return (
        len(body) >= 2
        and body[-2].text == "."
        and body[-1].kind == "quantifier"
        and body[-1].text in ("*", "*?")
    )


def translate(pattern: str) -> str:
    """The RE2 pattern that fully matches exactly the names *pattern* (JavaScript) finds a match
    in, within the subset the module docstring states; :class:`JsRegexError` when it cannot."""
    alternatives = _Reader(pattern).read()
    texts = [_search_as_full_match(alt) for alt in alternatives]
    if any(t in (_CATCH_ALL, _CATCH_ALL * 2) for t in texts):
        return _CATCH_ALL  # one alternative matches every name: so does the whole
    # only '^$' gives '': it matches the empty name, which no ref has; '(?:)' says the same
    return "|".join(texts) or "(?:)"
