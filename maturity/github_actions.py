"""GitHub Actions integration: job summary, step outputs, and annotations.

Escaping follows the runner's rules (actions/toolkit ``command.ts`` and ``file-command.ts``):
message data escapes ``%``, CR and LF; properties also ``:`` and ``,``. Outputs use the
``name<<DELIMITER`` form with a random delimiter that must not occur in the value.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from maturity.errors import OutputError


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str | int | None) -> str:
    props = ",".join(
        f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None
    )
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def defuse_legacy_commands(text: str) -> str:
    """Neutralise the runner's legacy ``##[command]`` form in text printed on stdout or stderr.

    The runner honours ``##[`` anywhere in a line (``ActionCommand.TryParse``), so an evidence
    message echoed verbatim could emit annotations, set outputs or ``stop-commands``. ``\\u005b``
    reads as ``[`` to people and, inside JSON strings, to JSON parsers; the runner ignores it.
    """
    return text.replace("##[", "##\\u005b")


def output_block(name: str, value: str) -> str:
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    if (
        delimiter in name or delimiter in value
    ):  # astronomically unlikely; never write it ambiguously
        raise OutputError("output value contains the delimiter", "run again")
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def _append(path_value: str, text: str, what: str) -> None:
    try:
        with Path(path_value).open("a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise OutputError(
            f"cannot append to {what} ({path_value}): {exc.strerror}",
            f"check {what} points at the runner's file",
        ) from None


def write_outputs(env: Mapping[str, str], outputs: Mapping[str, str]) -> None:
    if path := env.get("GITHUB_OUTPUT"):
        _append(path, "".join(output_block(k, v) for k, v in outputs.items()), "GITHUB_OUTPUT")


def append_summary(env: Mapping[str, str], markdown: str) -> None:
    if path := env.get("GITHUB_STEP_SUMMARY"):
        _append(
            path, markdown if markdown.endswith("\n") else markdown + "\n", "GITHUB_STEP_SUMMARY"
        )


def in_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def annotations_for(report: Mapping[str, Any]) -> list[str]:
    """``::error`` for each blocking gate, ``::warning`` for each report-only gate that did not pass."""
    lines = []
    ref, stage = report["subject"]["ref_name"], report["stage"]["name"]
    for gate in report["gates"]:
        fix = f" Fix: {gate['remediation']}" if gate["remediation"] else ""
        text = f"{gate['gate']} is {gate['status']} ({gate['code']}): {gate['message']}.{fix}"
        if gate["blocking"]:
            lines.append(
                command("error", text, title=f"maturity: {gate['gate']} blocks {ref} at {stage}")
            )
        elif gate["level"] == "report_only" and gate["status"] != "pass":
            lines.append(
                command("warning", text, title=f"maturity: {gate['gate']} (report-only) at {stage}")
            )
    return lines
