"""Everything ``evaluate`` does with a decided report: the steps after the verdict.

redact -> render each file's format with its writer (:data:`~maturity.report.writers.WRITERS`)
-> stage the files (``atomic.py``) -> the caller's last step (the audit line) -> put the files
in place as one -> print -> under GitHub Actions: annotations, job
summary and step outputs.

Every output target is checked before anything is written: the runner's files are opened first
(an ``OutputError``, exit 2, if one cannot be), then the reports are written as one; from then
on the verdict stands. A runner file that still fails to take its text (a full disk) is reported
as an error, but never turns the verdict into "no verdict".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from maturity.errors import OutputError
from maturity.github_actions import RunnerFiles, annotations_for, command, in_actions
from maturity.report.atomic import Target, staged_files
from maturity.report.console import render_console
from maturity.report.interface import ReportFormat
from maturity.report.model import Report
from maturity.report.writers import writer_for
from maturity.text import redact

#: the files every run writes, in this order (the order ``reports:`` lists them in)
REPORT_FILES = (ReportFormat.JSON, ReportFormat.MARKDOWN)

#: step output -> the report file it names
_PATH_OUTPUTS = {"report-json": ReportFormat.JSON, "report-md": ReportFormat.MARKDOWN}


@dataclass(frozen=True)
class Streams:
    """Where lines for people go: stdout and stderr (the CLI's writers, which defuse workflow
    commands)."""

    out: Callable[[str], None]
    err: Callable[[str], None]


@dataclass(frozen=True)
class Destination:
    """Where the reports go, and what stdout shows: ``text`` (a summary) or ``json`` (the JSON
    report itself; annotations then go to stderr, which the runner reads alike).

    Each report goes to *output_dir* under its writer's file name, unless *paths* names its
    own file: format -> (path, the option that named it, for messages).
    """

    output_dir: Path
    stdout_format: str = "text"
    paths: Mapping[ReportFormat, tuple[Path, str]] = field(default_factory=dict)

    def target(self, fmt: ReportFormat, text: str) -> Target:
        """Where the report of format *fmt* is written, with its *text*."""
        path, flag = self.paths.get(fmt) or (
            self.output_dir / writer_for(fmt).filename,
            "--output-dir",
        )
        return Target(path, text, flag)


@dataclass(frozen=True)
class Published:
    verdict: str  # "GO" or "NO-GO"
    paths: Mapping[ReportFormat, str]  # each written report file


#: called with the report as data and each file's name and text, once every file is staged and
#: before any is put in place; returns extra step outputs. Raising stops the run with nothing
#: written (the staged files and the folders made for them are removed).
BeforeWrite = Callable[[Mapping[str, Any], Mapping[str, str]], Mapping[str, str]]


def publish(
    report: Report,
    note: str | None,
    destination: Destination,
    env: Mapping[str, str],
    streams: Streams,
    *,
    before_write: BeforeWrite | None = None,
) -> Published:
    """Write, print and hand to GitHub Actions the *report*; *note* is a line for people.

    *before_write* (the audit log) runs once the runner's files are open and the reports are
    written under temporary names, before any of them is put in place. The audit line names
    each report by its writer's file name (``maturity-eval.json``), wherever it was written.
    """
    data = redacted(report, env)
    rendered = {fmt: writer_for(fmt).render(data) for fmt in REPORT_FILES}
    files = {writer_for(fmt).filename: text for fmt, text in rendered.items()}
    actions = in_actions(env)
    targets = [destination.target(fmt, text) for fmt, text in rendered.items()]
    with RunnerFiles(env if actions else {}) as runner, staged_files(targets) as staged:
        extra = dict(before_write(data, files)) if before_write is not None else {}
        written = staged.commit()
        paths = {fmt: str(path) for fmt, path in zip(rendered, written, strict=True)}
        if note:
            streams.err(f"maturity: note: {note}\n")
        as_json = destination.stdout_format == "json"
        if as_json:
            streams.out(rendered[ReportFormat.JSON])
        else:
            streams.out(render_console(data, list(paths.values())))
        if actions:
            annotate = streams.err if as_json else streams.out
            markdown = rendered[ReportFormat.MARKDOWN]
            _to_actions(runner, data, markdown, paths, extra, annotate=annotate, err=streams.err)
    return Published(str(data["verdict"]), paths)


def redacted(report: Report, env: Mapping[str, str]) -> dict[str, Any]:
    """The report as data, with the token masked.

    Last line of defence: whatever a server or evidence echoed, no secret reaches an output.
    """
    data = redact(report.to_dict(), (env.get("GITHUB_TOKEN", "").strip(),))
    assert isinstance(data, dict)  # noqa: S101 - redact keeps the shape
    return data


def step_outputs(data: Mapping[str, Any], paths: Mapping[ReportFormat, str]) -> dict[str, str]:
    """The step's outputs; missing outputs never read as GO."""
    outputs = {
        "stage": str(data["stage"]["name"]),
        "verdict": str(data["verdict"]),
        "blocking-count": str(len(data["blocking"])),
        "overrides": str(len(data.get("overrides", []))),
    }
    outputs.update({name: paths[fmt] for name, fmt in _PATH_OUTPUTS.items()})
    return outputs


def _to_actions(
    runner: RunnerFiles,
    data: Mapping[str, Any],
    markdown: str,
    paths: Mapping[ReportFormat, str],
    extra: Mapping[str, str],
    *,
    annotate: Callable[[str], None],
    err: Callable[[str], None],
) -> None:
    """Annotations, job summary and step outputs, once the reports are written.

    The runner's files were opened before the reports were written; a write that still fails
    is reported as an error, but the verdict and its exit code stand.
    """
    for line in annotations_for(data):
        annotate(line + "\n")
    outputs = {**step_outputs(data, paths), **extra}
    for write in (partial(runner.append_summary, markdown), partial(runner.write_outputs, outputs)):
        try:
            write()
        except OutputError as exc:
            text = f"{exc.render()}\n  (the reports were written; the verdict stands)"
            err(f"maturity: error: {text}\n")
            annotate(command("error", text, title="maturity") + "\n")
