"""What ``maturity validate`` prints, by ``--format``: text, GitHub annotations or JSON.

Rendered from plain data (:class:`Validation`): the command gathers it, a writer only formats.
The stages file comes first (its problems, gate table, changes and summary line), then the
waivers file when one was checked (its problems and summary line).
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
from maturity.markdown_text import md_code, md_text


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
class WaiversCheck:
    """The waivers file ``validate`` checked too, and its problems."""

    file: str
    problems: tuple[Problem, ...]
    count: int | None  # waivers in the file; None when its schema refuses it

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)


@dataclass(frozen=True)
class Validation:
    file: str
    problems: tuple[Problem, ...]
    strict: bool  # warnings count as problems
    gate_table: str | None  # the file's gates and mappings, shown when it has no error
    base: BaseComparison | None  # only with --base or --base-ref
    waivers: WaiversCheck | None = None  # only when a waivers file was checked
    fail_on_weaker: bool = False  # --fail-on-weaker: any weaker change fails the check

    @property
    def errors(self) -> int:
        """The stages file's errors (the waivers file counts its own)."""
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def weakened(self) -> int:
        return self.base.weakened if self.base is not None else 0

    @property
    def warnings(self) -> int:
        """The stages file's warnings, weaker gates included."""
        return sum(p.severity is Severity.WARNING for p in self.problems) + self.weakened

    @property
    def stages_failed(self) -> bool:
        return self._fails(self.errors, self.warnings)

    @property
    def waivers_failed(self) -> bool:
        w = self.waivers
        return w is not None and self._fails(w.errors, w.warnings)

    @property
    def failed(self) -> bool:
        """Either file has an error (or, with --strict, a warning), or with --fail-on-weaker
        something got weaker: exit 1."""
        weaker = self.fail_on_weaker and self.weakened > 0
        return self.stages_failed or self.waivers_failed or weaker

    def _fails(self, errors: int, warnings: int) -> bool:
        return errors > 0 or (self.strict and warnings > 0)


def render_text(validation: Validation) -> str:
    return _render_lines(validation, annotate=False)


def render_github(validation: Validation) -> str:
    """Problems and changes as workflow commands (annotations on the file); the rest as text."""
    return _render_lines(validation, annotate=True)


def _problems_json(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
    return [
        {
            "severity": p.severity.value,
            "where": p.where,
            "line": p.line,
            "message": p.message,
            "remediation": p.remediation,
        }
        for p in problems
    ]


def render_json(validation: Validation) -> str:
    """``valid`` covers both files; ``waivers`` is there only when a waivers file was checked."""
    data: dict[str, Any] = {
        "file": validation.file,
        "valid": not validation.failed,
        "problems": _problems_json(validation.problems),
    }
    if (base := validation.base) is not None:
        data["base"] = {"file": base.file, "note": base.note}
        data["changes"] = [
            {
                "kind": c.kind,
                "message": c.message,
                "weaker": c.weaker,
                "line": c.line,
                "file": c.file or validation.file,
            }
            for c in base.changes
        ]
        data["weaker"] = base.weakened
    if (waivers := validation.waivers) is not None:
        data["waivers"] = {
            "file": waivers.file,
            "valid": not validation.waivers_failed,
            "count": waivers.count,
            "problems": _problems_json(waivers.problems),
        }
    return json.dumps(data, indent=2) + "\n"


def _problem_line(p: Problem, file: str, *, annotate: bool) -> str:
    if not annotate:
        return p.render()
    kind = "error" if p.severity is Severity.ERROR else "warning"
    fix = f" (fix: {p.remediation})" if p.remediation else ""
    return command(kind, p.message + fix, file=file, line=p.line, title="maturity validate")


def _render_lines(validation: Validation, *, annotate: bool) -> str:
    file = validation.file
    lines = [_problem_line(p, file, annotate=annotate) for p in validation.problems]
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
                where = c.file or file
                lines.append(command(kind, c.message, file=where, line=c.line, title=title))
            else:
                lines.append(f"  {'warning: ' if c.weaker else ''}{c.message}")
    summary = f"{file}: {validation.errors} error(s), {validation.warnings} warning(s)"
    if validation.weakened and base is not None:
        summary += f" ({validation.weakened} of them weaker than {base.file})"
    lines.append(summary + ("" if validation.stages_failed else ": valid"))
    if (waivers := validation.waivers) is not None:
        lines.extend(_problem_line(p, waivers.file, annotate=annotate) for p in waivers.problems)
        count = f" {waivers.count} waiver(s)," if waivers.count is not None else ""
        summary = f"{waivers.file}:{count} {waivers.errors} error(s), {waivers.warnings} warning(s)"
        lines.append(summary + ("" if validation.waivers_failed else ": valid"))
    return "\n".join(lines) + "\n"


def render_markdown(validation: Validation) -> str:
    """For a pull-request comment or job summary: verdict, problems, what the change does."""
    ok = not validation.failed
    weaker = validation.weakened
    title = "✅ maturity validate: valid" if ok else "⛔ maturity validate: problems found"
    lines = [f"## {title}", ""]
    files = [validation.file] + ([validation.waivers.file] if validation.waivers else [])
    lines.append("Checked " + ", ".join(md_code(f) for f in files) + ".")
    problems = [(validation.file, p) for p in validation.problems]
    if validation.waivers is not None:
        problems += [(validation.waivers.file, p) for p in validation.waivers.problems]
    if problems:
        lines += ["", "### Problems", ""]
        for file, p in problems:
            fix = f" Fix: {md_text(p.remediation)}" if p.remediation else ""
            lines.append(
                f"- **{p.severity.value}** {md_code(p.where or file)}: {md_text(p.message)}.{fix}"
            )
    if (base := validation.base) is not None:
        lines += ["", f"### What this change does (against {md_code(base.file)})", ""]
        if base.note:
            lines.append(md_text(base.note))
        elif not base.changes:
            lines.append("Nothing changes in effect.")
        else:
            if weaker:
                fail = " (this check fails on it)" if validation.fail_on_weaker else ""
                lines += [f"**{weaker} change(s) make release gates weaker**{fail}.", ""]
            lines += ["| | Change | Where |", "|---|---|---|"]
            for c in base.changes:
                mark = "⚠️ weaker" if c.weaker else ""
                where = f"{c.file or validation.file}:{c.line}" if c.line else (c.file or "")
                cell = md_code(where, in_table=True) if where else ""
                lines.append(f"| {mark} | {md_text(c.message)} | {cell} |")
    if validation.gate_table is not None:
        lines += ["", "<details><summary>Gate levels per stage</summary>", "", "```text"]
        # stage and gate names are letters, digits, _ . - only: nothing can end the fence
        lines += [validation.gate_table.rstrip("\n"), "```", "</details>"]
    return "\n".join(lines) + "\n"


#: ``--format`` -> writer
VALIDATE_WRITERS: Mapping[str, Callable[[Validation], str]] = MappingProxyType(
    {
        "text": render_text,
        "github": render_github,
        "json": render_json,
        "markdown": render_markdown,
    }
)
