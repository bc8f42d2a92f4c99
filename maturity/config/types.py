"""The configuration as the rest of the tool sees it: frozen, compiled, positioned."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from maturity.config.glob import GlobMatcher, compile_glob, is_catch_all_glob
from maturity.config.regex import RefRegex, compile_regex
from maturity.config.yaml_loader import LoadedYaml, Loc
from maturity.core import Level
from maturity.text import clean_text

if TYPE_CHECKING:
    from pydantic import BaseModel

    from maturity.config.freeze import FreezeWindow

_CATCH_ALL_REGEXES = frozenset({".*", ".+", "^.*$", "^.+$", "(.*)", "(.+)", "(?s).*", "(?s).+"})


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a stages file, located by ``where`` (``file:line:col``)."""

    severity: Severity
    where: str
    message: str
    remediation: str = ""
    line: int | None = None

    def render(self) -> str:
        fix = f" (fix: {self.remediation})" if self.remediation else ""
        return f"{self.where}: {self.severity.value}: {self.message}{fix}"


@dataclass(frozen=True)
class Stage:
    name: str
    description: str
    order: int  # position in the file: 0 is the least mature
    levels: Mapping[str, Level]  # every declared gate, in the config's gate order
    extends: str | None = None


@dataclass(frozen=True)
class GateSpec:
    """A gate instance: a name bound to a kind, with that kind's settings."""

    name: str
    kind: str
    title: str
    remediation: str  # "" when neither the file nor a built-in gate gives one: the kind's
    evidence: tuple[str, ...] = ()
    #: validated settings (an instance of the kind's model) when the file gives a block;
    #: None: the kind's defaults, made when a gate of it runs (so resolve loads no kind)
    settings: BaseModel | None = field(default=None, compare=False)
    builtin: bool = False
    #: the block as written (for comparing two files without loading kinds)
    written: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RefMapping:
    index: int
    kind: str  # "pattern" (glob) or "regex"
    expression: str
    stage: str
    examples: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        """Kind and expression as written in the file, not Python's repr (which doubles every
        backslash); only control and bidirectional characters are escaped."""
        return f"{self.kind} '{clean_text(self.expression)}'"

    @property
    def label(self) -> str:
        return f"mappings[{self.index}] {self.shown}"

    @property
    def is_catch_all(self) -> bool:
        if self.kind == "pattern":
            return is_catch_all_glob(self.expression)
        return self.expression in _CATCH_ALL_REGEXES

    @cached_property
    def _pattern(self) -> GlobMatcher | RefRegex:
        # held by the mapping: a file may have more mappings than any compile cache holds.
        # Both matchers take time linear in the name: globs never backtrack, regexes run on RE2.
        if self.kind == "pattern":
            return compile_glob(self.expression)
        return compile_regex(self.expression)

    def matches(self, name: str) -> bool:
        return self._pattern.fullmatch(name)


#: what a break-glass stage entry of "*" allows: every gate, and the freeze
ALL_GATES = "*"
#: the pseudo-gate a freeze window blocks with; overridable where break_glass lists it
FREEZE_GATE = "freeze"


@dataclass(frozen=True)
class FollowUp:
    """An applied override opens (or comments on) a GitHub issue with these."""

    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()


@dataclass(frozen=True)
class BreakGlass:
    """``break_glass:``: who may override what, where, with what reason."""

    allowed_actors: tuple[str, ...]
    min_reason_length: int
    reason_pattern: str | None
    #: stage -> the gates that may be overridden there (``freeze`` included), or ``("*",)``
    stages: Mapping[str, tuple[str, ...]]
    follow_up: FollowUp | None = None

    def allows(self, stage: str, gate: str) -> bool:
        listed = self.stages.get(stage, ())
        return ALL_GATES in listed or gate in listed

    @property
    def users(self) -> tuple[str, ...]:
        return tuple(a for a in self.allowed_actors if "/" not in a)

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(a for a in self.allowed_actors if "/" in a)


@dataclass(frozen=True)
class Config:
    """A loaded, structurally valid stages file (or the built-in defaults)."""

    source: str  # what to show people: a path, or "built-in defaults"
    builtin: bool
    sha256: str
    stages: Mapping[str, Stage]
    mappings: tuple[RefMapping, ...]
    gates: Mapping[str, GateSpec]  # declared order: the built-in five, then the file's own
    document: LoadedYaml = field(repr=False, compare=False)
    warnings: tuple[Problem, ...] = ()
    freeze_windows: tuple[FreezeWindow, ...] = ()
    #: None: no override is allowed anywhere
    break_glass: BreakGlass | None = None
    #: stage -> the most days a waiver may still run after the evaluation time
    waiver_max_days: Mapping[str, int] = field(default_factory=dict)


def problem_at(
    doc: LoadedYaml,
    loc: Loc,
    severity: Severity,
    message: str,
    remediation: str = "",
    *,
    key: bool = False,
) -> Problem:
    pos = doc.position(loc, key=key)
    return Problem(
        severity, doc.where(loc, key=key), message, remediation, pos.line if pos else None
    )
