"""The exception policy's rules in plain Python, and :func:`trusted_policy`, the fast path.

``evaluate`` reads the stages file on every run. Validating ``freeze_windows``, ``break_glass``
and ``waivers`` with their models (``exception_models.py``) costs about 14 ms on a cold process,
nearly all of it pydantic building the models' core schemas: more than the whole budget of
freeze windows and waivers. So :func:`trusted_policy` checks the three sections by hand and
returns their final values only when they are certainly valid; anything it is not sure of (a
wrong type, a value pydantic would coerce, a broken rule, a key it does not know) gives None,
and the caller falls back to the models, which say where and why.

The limits, the patterns and the rules that build a window or check a ``reason_pattern`` are
the very constants and functions the models use, so the two paths cannot drift on them; only
the types and the keys are checked here again, more strictly than pydantic does (exact
``str``/``int``/``list``/``dict``, nothing coerced, no ``from_`` for ``from``).
``tests/test_exception_policy_fast_agreement.py`` keeps the two equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maturity.config.regex import RegexError, compile_regex
from maturity.config.types import ALL_GATES, BreakGlass, FollowUp

if TYPE_CHECKING:
    from collections.abc import Sequence

    from maturity.config.freeze import FreezeWindow

#: as ``exception_policy.POLICY_KEYS`` (not imported: that module imports this one only for a
#: file that has the sections; a test holds the two equal)
POLICY_SECTIONS = frozenset({"freeze_windows", "break_glass", "waivers"})

#: as ``maturity.config.models.STAGE_NAME_PATTERN`` (not imported: that module imports pydantic;
#: a test holds the two equal)
STAGE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
ACTOR_NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$"
EXCEPTION_GATE_PATTERN = r"^([a-z][a-z0-9_]{0,63})$"
MAX_FREEZE_WINDOWS = 200
MAX_WINDOW_NAME_LENGTH = 100
MAX_WINDOW_MESSAGE_LENGTH = 500
MAX_ALLOWED_ACTORS = 200
DEFAULT_MIN_REASON_LENGTH = 20
LEAST_MIN_REASON_LENGTH = 1
MOST_MIN_REASON_LENGTH = 2000
MAX_REASON_PATTERN_LENGTH = 500
MAX_LABELS = 20
MAX_LABEL_LENGTH = 50
MAX_ASSIGNEES = 10
MAX_WAIVER_DAYS = 3660

# the patterns are anchored and ASCII: ``fullmatch`` agrees with pydantic's Rust regex search
_STAGE = re.compile(STAGE_NAME_PATTERN)
_ACTOR = re.compile(ACTOR_NAME_PATTERN)
_GATE = re.compile(EXCEPTION_GATE_PATTERN)

_WINDOW_KEYS = frozenset({"name", "message", "stages", "start", "end", "weekly", "timezone"})
_WINDOW_REQUIRED = frozenset({"name", "stages"})
_WEEKLY_KEYS = frozenset({"from", "to"})
_BREAK_GLASS_KEYS = frozenset(
    {"allowed_actors", "min_reason_length", "reason_pattern", "stages", "follow_up"}
)
_BREAK_GLASS_REQUIRED = frozenset({"allowed_actors", "stages"})
_FOLLOW_UP_KEYS = frozenset({"labels", "assignees"})
_WAIVERS_KEYS = frozenset({"max_days"})
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TrustedPolicy:
    """The exception policy's final values, as ``Config`` holds them (from either path)."""

    freeze_windows: tuple[FreezeWindow, ...] = ()
    break_glass: BreakGlass | None = None
    #: stage -> the most days a waiver may still run there
    waiver_max_days: dict[str, int] = field(default_factory=dict)


def check_reason_pattern(value: str) -> str:
    """``reason_pattern`` compiles with RE2 as matching a reason compiles it."""
    try:
        compile_regex(value)
    except RegexError as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None
    return value


def window_of(
    name: str,
    message: str,
    stages: Sequence[str],
    *,
    start: str | None,
    end: str | None,
    weekly: tuple[str, str] | None,
    timezone: str | None,
) -> FreezeWindow:
    """The window a ``freeze_windows`` entry describes, in exactly one of its two forms;
    *weekly* is its (from, to). ValueError says what to fix."""
    # only a file with freeze windows pays for the time logic (zoneinfo, its dataclasses)
    from maturity.config.freeze import absolute_window, weekly_window

    absolute = start is not None or end is not None
    if absolute == (weekly is not None or timezone is not None):
        raise ValueError(
            "give either start and end (one window), or weekly and timezone (every week)"
        )
    if absolute:
        if start is None or end is None:
            raise ValueError("a one-off window needs both start and end")
        return absolute_window(name, message, tuple(stages), start, end)
    if weekly is None or timezone is None:
        raise ValueError("a weekly window needs both weekly {from, to} and timezone")
    return weekly_window(name, message, tuple(stages), weekly[0], weekly[1], timezone)


class _Uncertain(ValueError):
    """Not proven valid here (which is not to say invalid): the models decide."""


def trusted_policy(data: Any) -> TrustedPolicy | None:
    """The policy in *data* (the stages file's policy sections, as ``ExceptionPolicySpec``
    reads them) when it is certainly valid, else None.

    None never means invalid, only "not proven valid here": ask the models.
    """
    if type(data) is not dict or not data.keys() <= POLICY_SECTIONS:
        return None
    try:
        windows = _list(data.get("freeze_windows", []), most=MAX_FREEZE_WINDOWS)
        return TrustedPolicy(
            freeze_windows=tuple(_window(spec) for spec in windows),
            break_glass=_break_glass(data.get("break_glass")),
            waiver_max_days=_waiver_caps(data.get("waivers")),
        )
    except ValueError:  # ours, or a rule's (a window's times, a pattern): the models say where
        return None


def _window(value: Any) -> FreezeWindow:
    spec = _mapping(value, _WINDOW_KEYS, _WINDOW_REQUIRED)
    weekly = spec.get("weekly")
    if weekly is not None:
        times = _mapping(weekly, _WEEKLY_KEYS, _WEEKLY_KEYS)
        weekly = (_text(times["from"]), _text(times["to"]))
    return window_of(
        _text(spec["name"], least=1, most=MAX_WINDOW_NAME_LENGTH),
        _text(spec.get("message", ""), most=MAX_WINDOW_MESSAGE_LENGTH),
        [_stage(stage) for stage in _list(spec["stages"], least=1)],
        start=_optional_text(spec.get("start")),
        end=_optional_text(spec.get("end")),
        weekly=weekly,
        timezone=_optional_text(spec.get("timezone")),
    )


def _break_glass(value: Any) -> BreakGlass | None:
    if value is None:
        return None
    spec = _mapping(value, _BREAK_GLASS_KEYS, _BREAK_GLASS_REQUIRED)
    actors = _list(spec["allowed_actors"], least=1, most=MAX_ALLOWED_ACTORS)
    min_reason_length = spec.get("min_reason_length", DEFAULT_MIN_REASON_LENGTH)
    if type(min_reason_length) is not int:  # a bool or a float is not an int here
        raise _Uncertain
    if not LEAST_MIN_REASON_LENGTH <= min_reason_length <= MOST_MIN_REASON_LENGTH:
        raise _Uncertain
    reason_pattern = spec.get("reason_pattern")
    if reason_pattern is not None:
        check_reason_pattern(_text(reason_pattern, least=1, most=MAX_REASON_PATTERN_LENGTH))
    stages = spec["stages"]
    if type(stages) is not dict or not stages:
        raise _Uncertain
    return BreakGlass(
        allowed_actors=tuple(_actor(actor) for actor in actors),
        min_reason_length=min_reason_length,
        reason_pattern=reason_pattern,
        stages={_stage(stage): _overridable(gates) for stage, gates in stages.items()},
        follow_up=_follow_up(spec.get("follow_up")),
    )


def _overridable(gates: Any) -> tuple[str, ...]:
    """A stage's ``"*"`` or list of gates (``freeze`` among them, maybe)."""
    if type(gates) is str and gates == ALL_GATES:
        return (ALL_GATES,)
    return tuple(_text(gate, pattern=_GATE) for gate in _list(gates))


def _follow_up(value: Any) -> FollowUp | None:
    if value is None:
        return None
    spec = _mapping(value, _FOLLOW_UP_KEYS, _NONE)
    labels = _list(spec.get("labels", []), most=MAX_LABELS)
    assignees = _list(spec.get("assignees", []), most=MAX_ASSIGNEES)
    return FollowUp(
        tuple(_text(label, least=1, most=MAX_LABEL_LENGTH) for label in labels),
        tuple(_actor(assignee) for assignee in assignees),
    )


def _waiver_caps(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    caps = _mapping(value, _WAIVERS_KEYS, _NONE).get("max_days", {})
    if type(caps) is not dict:
        raise _Uncertain
    for stage, days in caps.items():
        _stage(stage)
        if type(days) is not int or not 0 <= days <= MAX_WAIVER_DAYS:
            raise _Uncertain
    return dict(caps)


def _mapping(value: Any, allowed: frozenset[str], required: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict or not required <= value.keys() <= allowed:
        raise _Uncertain
    return value


def _list(value: Any, *, least: int = 0, most: int | None = None) -> list[Any]:
    if type(value) is not list or len(value) < least or (most is not None and len(value) > most):
        raise _Uncertain
    return value


def _text(
    value: Any, *, least: int = 0, most: int | None = None, pattern: re.Pattern[str] | None = None
) -> str:
    """*value* if it is a ``str`` pydantic takes as it is and within the limits."""
    if type(value) is not str or not (value.isascii() or _encodes(value)):
        raise _Uncertain  # pydantic refuses a stray surrogate in any string
    if len(value) < least or (most is not None and len(value) > most):
        raise _Uncertain
    if pattern is not None and pattern.fullmatch(value) is None:
        raise _Uncertain
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _stage(value: Any) -> str:
    return _text(value, pattern=_STAGE)


def _actor(value: Any) -> str:
    return _text(value, pattern=_ACTOR)


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
