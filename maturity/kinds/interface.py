"""The gate-kind family: what a kind is, what it is given, what it returns.

A *kind* is the code of a gate: one module (or package) that exposes ``KIND``, a
:class:`GateKind` with a frozen pydantic ``Settings`` model, a title, a remediation and an
``evaluate`` function. A *gate* is an instance of a kind, declared in the stages file's
``gates:`` with a name and settings. The engine collects a gate's inputs, runs its kind, applies
levels and decides; kinds know nothing of stages or levels.

Kinds never raise for bad evidence: they return an ``error`` result that says what was wrong
and how to fix it. A kind that raises anyway is ``GATE_CRASHED`` for that gate alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict

from maturity.core import GateInputs, GateResult

if TYPE_CHECKING:
    from maturity.github.access import GitHubAccess
    from maturity.refs import Ref

#: seconds a kind may run when it says nothing else: reading files and judging them is quick
DEFAULT_TIME_BUDGET_S = 60.0


class KindSettings(BaseModel):
    """Base of every kind's ``Settings``: frozen, and unknown fields are refused.

    Validators are built on first validation, not at import (``defer_build``): a gate whose
    stages-file block is empty runs on its kind's defaults, which need no validator.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


S = TypeVar("S", bound=KindSettings)


@dataclass(frozen=True)
class RunContext:
    """What the run knows beyond files: the commit, GitHub access and run-wide options.

    Built once from flags and the environment by ``evaluate``; kinds must not read the
    environment themselves.
    """

    workspace: Path = Path()
    ref: Ref | None = None
    sha: str | None = None  # --sha or GITHUB_SHA; None: resolve the ref through the API
    github: GitHubAccess | None = None
    checks_file: Path | None = None  # --checks-file: GitHub-checks gates read this, not the API
    checks_file_shown: str = ""
    wait: bool = False  # --wait: poll until required checks settle


@dataclass(frozen=True)
class SettingChange:
    """A settings change between two versions of a stages file, for ``validate --base``."""

    field: str  # the setting's key under gates.<name>
    message: str
    weaker: bool


def _no_budget(settings: Any, context: RunContext) -> float:
    return DEFAULT_TIME_BUDGET_S


@dataclass(frozen=True)
class GateKind(Generic[S]):
    """One kind of gate. ``evaluate`` gets settings of exactly this kind's ``settings`` model."""

    name: str
    title: str
    remediation: str
    settings: type[S]
    evaluate: Callable[[S, GateInputs, RunContext], GateResult]
    #: one line for ``docs`` and the schema: what a gate of this kind decides
    description: str = ""
    #: what the kind reads when it is given no evidence file (None: evidence files only)
    native_source: str | None = None
    #: it reads the saved GitHub answers of ``--checks-file`` (``RunContext.checks_file``)
    reads_checks_file: bool = False
    #: seconds the engine lets one evaluation run before it counts as an error
    time_budget: Callable[[S, RunContext], float] = _no_budget
    #: returns the model of the report's ``details`` for this kind; the report schema is
    #: generated from it. A function, so that the model is imported by the schema generator
    #: and tests, not each time the kind runs.
    details: Callable[[], type[BaseModel]] | None = None
    #: Markdown lines for one gate (the report's gate entry) in maturity-eval.md. They replace
    #: the generic findings list for that gate (``maturity.markdown_text.findings_section``
    #: draws that list, for a kind that wants it under its own section).
    markdown: Callable[[Mapping[str, Any]], list[str]] | None = None
    #: settings changes that let more or fewer commits through, for ``validate --base``
    changes: Callable[[S, S], list[SettingChange]] | None = None

    def default_settings(self) -> S:
        # the defaults as declared on the model (pydantic never validates defaults), without
        # building the model's validator
        return cast("S", self.settings.model_construct())

    def settings_of(self, given: BaseModel | None) -> S:
        """*given* as this kind's settings; a wiring mistake is an error, never the defaults."""
        if given is None:
            return self.default_settings()
        if not isinstance(given, self.settings):
            raise TypeError(
                f"kind {self.name} was given {type(given).__name__}, not {self.settings.__name__}"
            )
        return given

    def run(
        self, settings: BaseModel | None, inputs: GateInputs, context: RunContext
    ) -> GateResult:
        return self.evaluate(self.settings_of(settings), inputs, context)

    def setting_changes(
        self, before: BaseModel | None, after: BaseModel | None
    ) -> list[SettingChange]:
        if self.changes is None:
            return []
        return self.changes(self.settings_of(before), self.settings_of(after))
