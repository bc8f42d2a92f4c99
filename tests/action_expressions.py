"""The part of GitHub Actions expressions that ``action.yml`` uses, evaluated as the runner does.

Supported: ``${{ }}`` templates in strings; literals (``'text'`` with ``''`` for a quote,
``true``, ``false``, ``null``, integers); context paths (``steps.install.outputs.python``,
property names case-insensitive, with ``-`` allowed); ``!``, ``==``, ``!=``, ``&&``, ``||`` and
parentheses; the status functions ``success()``, ``failure()``, ``always()``, ``cancelled()``.
Anything else is an error, so the harness never silently misreads a condition.

Semantics follow the runner: ``&&``/``||`` yield an operand, not a boolean; ``==`` compares
strings ignoring case and converts mismatched types to numbers (null and ``''`` are 0); a step
condition without a status function is ``success() && (condition)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

Value = str | bool | float | None | Mapping[str, object]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>&&|\|\||==|!=|!|\(|\))"
    r"|(?P<num>\d+)|(?P<path>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*))"
)
_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")


class ExpressionError(ValueError):
    """An expression outside the supported subset, or malformed."""


@dataclass(frozen=True)
class Status:
    """What the status functions see: has an earlier step of this action failed?"""

    failed: bool

    def call(self, name: str) -> bool:
        return {
            "success": not self.failed,
            "failure": self.failed,
            "always": True,
            "cancelled": False,
        }[name]


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unsupported expression text at {text[pos:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def truthy(value: Value) -> bool:
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return value not in (None, False, "")


def to_text(value: Value) -> str:
    """How the runner puts a value into a string (an ``env:`` or ``with:`` value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return value
    raise ExpressionError("an object cannot be put into a string")


def _number(value: Value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            return float(text)
        except ValueError:
            return math.nan
    return math.nan


def equal(left: Value, right: Value) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) and not isinstance(left, float):
        return left == right
    return _number(left) == _number(right)


def lookup(contexts: Mapping[str, object], path: str) -> Value:
    """``a.b.c`` in *contexts*, case-insensitively; a missing property is null."""
    current: object = contexts
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        found = [v for k, v in current.items() if str(k).casefold() == part.casefold()]
        current = found[0] if found else None
    if current is None or isinstance(current, str | bool | float | Mapping):
        return current
    if isinstance(current, int):
        return float(current)
    raise ExpressionError(f"{path} is a {type(current).__name__}")


class _Parser:
    def __init__(self, text: str, contexts: Mapping[str, object], status: Status) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.contexts = contexts
        self.status = status

    def parse(self) -> Value:
        value = self._or()
        if self.pos != len(self.tokens):
            raise ExpressionError(f"unexpected {self.tokens[self.pos][1]!r}")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ExpressionError("unexpected end of expression")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def _or(self) -> Value:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Value:
        value = self._not()
        while self._peek() == "&&":
            self._take()
            right = self._not()
            value = right if truthy(value) else value
        return value

    def _not(self) -> Value:
        if self._peek() == "!":
            self._take()
            return not truthy(self._not())
        left = self._primary()
        if self._peek() in ("==", "!="):
            op = self._take()[1]
            same = equal(left, self._primary())
            return same if op == "==" else not same
        return left

    def _primary(self) -> Value:
        kind, text = self._take()
        if text == "(" and kind == "op":
            value = self._or()
            if self._take()[1] != ")":
                raise ExpressionError("missing )")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if kind != "path":
            raise ExpressionError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self._peek() == "(":
            if text not in STATUS_FUNCTIONS:
                raise ExpressionError(f"unsupported function {text}()")
            self._take()
            if self._take()[1] != ")":
                raise ExpressionError(f"{text}() takes no arguments")
            return self.status.call(text)
        return lookup(self.contexts, text)


def evaluate(text: str, contexts: Mapping[str, object], status: Status) -> Value:
    return _Parser(text, contexts, status).parse()


def substitute(text: str, contexts: Mapping[str, object]) -> str:
    """*text* with each ``${{ expression }}`` replaced by its value as a string."""
    return _TEMPLATE.sub(
        lambda m: to_text(evaluate(m.group(1), contexts, Status(failed=False))), text
    )


def step_condition(
    condition: str | bool | None, contexts: Mapping[str, object], status: Status
) -> bool:
    """Whether a step with ``if: condition`` runs (the runner's rules, status check included)."""
    if condition is None:
        return status.call("success")
    text = str(condition).lower() if isinstance(condition, bool) else condition.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    uses_status = any(kind == "path" and word in STATUS_FUNCTIONS for kind, word in tokenize(text))
    if not uses_status:
        text = f"success() && ({text})"
    return truthy(evaluate(text, contexts, status))
