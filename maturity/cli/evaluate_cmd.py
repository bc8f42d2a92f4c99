"""``maturity evaluate``: options, output folder, decision, audit line, publication, exit code.

With ``--audit-log``, the run's line is appended after the reports are rendered and before
they are written or any verdict is printed: a run (an override above all) that cannot be
recorded stops with exit 2 and leaves no report. A refused override is recorded too.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maturity.cli.exit_codes import EXIT_GO, EXIT_NO_GO
from maturity.cli.output import err, out

if TYPE_CHECKING:
    from maturity.cli.options import EvaluateCommandOptions
    from maturity.report.publish import Destination


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from dataclasses import replace

    from maturity.cli.options import evaluate_options
    from maturity.evaluate import RefusedRun, run_evaluate
    from maturity.report.publish import Streams, publish

    options = evaluate_options(args)
    destination = _destination(options)  # at once: a wrong --output-dir fails before a --wait
    environment = dict(env)  # one snapshot for the decision and its outputs
    log = options.audit_log
    try:
        report, note = run_evaluate(options.run, environment)
    except RefusedRun as exc:
        if log is not None:
            _record_refusal(log, exc)
        raise
    if log is not None:
        report = replace(report, audit_log=str(log))
    record = None if log is None else _recorder(log)
    published = publish(
        report, note, destination, environment, Streams(out, err), before_write=record
    )
    return EXIT_GO if published.verdict == "GO" else EXIT_NO_GO


def _destination(options: EvaluateCommandOptions) -> Destination:
    """Where each report goes: ``--output-json``/``--output-md`` if given, else ``--output-dir``.

    Every place is checked now, before anything is judged or written (a --wait included); two
    reports that would land on one file are refused.
    """
    from maturity.report.atomic import (
        Target,
        check_distinct,
        check_file_target,
        check_output_folder,
    )
    from maturity.report.interface import ReportFormat
    from maturity.report.publish import Destination

    own: dict[ReportFormat, tuple[Path, str]] = {}
    for fmt, path, flag in (
        (ReportFormat.JSON, options.output_json, "--output-json"),
        (ReportFormat.MARKDOWN, options.output_md, "--output-md"),
    ):
        if path is not None:
            check_file_target(path, flag)
            own[fmt] = (path, flag)
    destination = Destination(options.output_dir, options.stdout_format, own)
    targets: list[Target] = [destination.target(fmt, "") for fmt in ReportFormat]
    if any(t.flag == "--output-dir" for t in targets):
        check_output_folder(options.output_dir)
    check_distinct(targets)
    return destination


def _recorder(log: Path) -> Any:
    def record(data: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, str]:
        from maturity.audit.chain import append_entry
        from maturity.audit.entries import decision_entry

        appended = append_entry(log, decision_entry(data, files))
        err(
            f"maturity: audit: appended line {appended.line_number} to {log}; keep "
            f"{appended.anchor} to check the log later with "
            "`maturity audit verify FILE --anchor LINE:SHA256`\n"
        )
        return {"audit-sha256": appended.sha256, "audit-line": str(appended.line_number)}

    return record


def _record_refusal(log: Path, exc: Any) -> None:
    """Append the refusal; if that fails too, say so (the refusal's exit 2 stands)."""
    from maturity.audit.chain import append_entry
    from maturity.audit.entries import refusal_entry
    from maturity.errors import MaturityError
    from maturity.text import redact

    r = exc.refusal
    entry = refusal_entry(
        subject=r.subject,
        stage=r.stage,
        config_sha256=r.config_sha256,
        now=r.now,
        clock_set=r.clock_set,
        gates=r.gates,
        reason=r.reason,
        rule=exc.rule,
        message=exc.message,
    )
    masked = redact(entry)  # the token, should a reason quote it
    assert isinstance(masked, dict)  # noqa: S101 - redact keeps the shape
    try:
        appended = append_entry(log, masked)
    except MaturityError as failure:
        err(f"maturity: error: the refusal could not be recorded: {failure.render()}\n")
        return
    err(f"maturity: audit: refusal recorded as line {appended.line_number} of {log}\n")
