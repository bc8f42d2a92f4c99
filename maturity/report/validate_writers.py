"""What ``maturity validate`` prints, by ``--format``: text, GitHub annotations or JSON.

Rendered from plain data (:class:`Validation`): the command gathers it, a writer only formats.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from maturity.config.explain import Change
from maturity.config.types import Problem, Severity
from maturity.github_actions import command


@dataclass(frozen=True)
class BaseComparison:
    """``--base``: the previous file, and what the change does."""

    file: str
    note: str  # why changes are not shown (or that the file is new); "" when they are
    comparable: bool  # both files valid: the changes below are all there are
    changes: tuple[Change, ...]

    @property
    def weakened(self) -> int:
        """Changes that weaken a gate: each one counts as a warning."""
        return sum(c.weaker for c in self.changes)


@dataclass(frozen=True)
class Validation:
    file: str
    problems: tuple[Problem, ...]
    strict: bool  # warnings count as problems
    gate_table: str | None  # the file's gates and mappings, shown when it has no error
    base: BaseComparison | None  # only with --base

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def weakened(self) -> int:
        return self.base.weakened if self.base is not None else 0

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems) + self.weakened

    @property
    def failed(self) -> bool:
        return self.errors > 0 or (self.strict and self.warnings > 0)


def render_text(validation: Validation) -> str:
    return _render_lines(validation, annotate=False)


def render_github(validation: Validation) -> str:
    """Problems and changes as workflow commands (annotations on the file); the rest as text."""
    return _render_lines(validation, annotate=True)


def render_json(validation: Validation) -> str:
    data: dict[str, Any] = {
        "file": validation.file,
        "valid": not validation.failed,
        "problems": [
            {
                "severity": p.severity.value,
                "where": p.where,
                "line": p.line,
                "message": p.message,
                "remediation": p.remediation,
            }
            for p in validation.problems
        ],
    }
    if (base := validation.base) is not None:
        data["base"] = {"file": base.file, "note": base.note}
        data["changes"] = [
            {"kind": c.kind, "message": c.message, "weaker": c.weaker, "line": c.line}
            for c in base.changes
        ]
    return json.dumps(data, indent=2) + "\n"


def _render_lines(validation: Validation, *, annotate: bool) -> str:
    file = validation.file
    lines: list[str] = []
    for p in validation.problems:
        if annotate:
            kind = "error" if p.severity is Severity.ERROR else "warning"
            fix = f" (fix: {p.remediation})" if p.remediation else ""
            lines.append(
                command(kind, p.message + fix, file=file, line=p.line, title="maturity validate")
            )
        else:
            lines.append(p.render())
    if validation.gate_table is not None:
        lines.append(validation.gate_table.rstrip("\n"))
    if (base := validation.base) is not None:
        lines.append(f"changes from {base.file}:" + (f" {base.note}" if base.note else ""))
        if base.comparable and not base.changes:
            lines.append("  none in effect")
        for c in base.changes:
            if annotate:
                kind = "warning" if c.weaker else "notice"
                title = "maturity: weaker release gate" if c.weaker else "maturity: stage change"
                lines.append(command(kind, c.message, file=file, line=c.line, title=title))
            else:
                lines.append(f"  {'warning: ' if c.weaker else ''}{c.message}")
    summary = f"{file}: {validation.errors} error(s), {validation.warnings} warning(s)"
    if validation.weakened and base is not None:
        summary += f" ({validation.weakened} of them weaker than {base.file})"
    lines.append(summary + ("" if validation.failed else ": valid"))
    return "\n".join(lines) + "\n"


#: ``--format`` -> writer
VALIDATE_WRITERS: Mapping[str, Callable[[Validation], str]] = MappingProxyType(
    {"text": render_text, "github": render_github, "json": render_json}
)
