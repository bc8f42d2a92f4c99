"""promotion_guard's settings, as the rest of the tool sees them (built from the stages file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from maturity.config.glob import GlobMatcher, compile_glob

DEFAULT_PASS_CONCLUSIONS = frozenset({"success"})  # neutral and skipped are opt-in


@dataclass(frozen=True)
class CheckPattern:
    """A check name glob (``*``, ``?``, ``[set]``), optionally pinned to one app's slug."""

    name: str
    app: str | None = None

    @cached_property
    def _glob(self) -> GlobMatcher:
        return compile_glob(self.name)

    def matches(self, name: str, app: str | None) -> bool:
        if self.app is not None and app != self.app:
            return False
        return self._glob.fullmatch(name)

    @property
    def label(self) -> str:
        return f"'{self.name}' (app {self.app})" if self.app else f"'{self.name}'"

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "app": self.app}


@dataclass(frozen=True)
class WaitSettings:
    timeout_s: float = 600.0
    interval_s: float = 15.0


@dataclass(frozen=True)
class PromotionGuardSettings:
    """Empty ``required`` means every check on the commit is required."""

    required: tuple[CheckPattern, ...] = ()
    ignore: tuple[CheckPattern, ...] = ()
    pass_conclusions: frozenset[str] = DEFAULT_PASS_CONCLUSIONS
    allow_missing: bool = False
    min_checks: int = 1
    wait: WaitSettings = field(default_factory=WaitSettings)
    time_budget_s: float = 120.0
