"""GitHub Actions integration: job summary, step outputs, and annotations.

Escaping follows the runner's rules (actions/toolkit ``command.ts`` and ``file-command.ts``):
message data escapes ``%``, CR and LF; properties also ``:`` and ``,``. Outputs use the
``name<<DELIMITER`` form with a random delimiter that must not occur in the value.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Mapping
from typing import Any, TextIO

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
    # 128 random bits, as the runner's own uuid4 delimiters; `secrets` is loaded already (uuid
    # would import `platform` for this alone)
    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    if (
        delimiter in name or delimiter in value
    ):  # astronomically unlikely; never write it ambiguously
        raise OutputError("output value contains the delimiter", "run again")
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


#: the runner's files, in the order they are opened (and checked)
RUNNER_FILES = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")

_WHY = {
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOENT: "its folder does not exist",
    errno.ENOTDIR: "a part of its path is a file, not a folder",
    errno.ENXIO: "it is a pipe that nothing reads",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "it is on a read-only file system",
    errno.EEXIST: "it is a link to a file that does not exist",
}


def open_runner_file(variable: str, path_value: str) -> tuple[TextIO, bool]:
    """Open the runner's file *path_value* (from *variable*) for appending, or raise ``OutputError``.

    Returns the file and whether this call created it. The runner gives a regular file; anything
    else (a folder, a pipe, a device) is refused, and opening never blocks (``O_NONBLOCK``: a pipe
    with no reader fails at once instead of hanging).
    """
    fix = (
        f"under GitHub Actions the runner sets {variable} to a writable file: do not override it; "
        f"elsewhere, unset {variable} (or GITHUB_ACTIONS)"
    )
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK
    created = False
    try:
        try:
            fd = os.open(path_value, flags & ~os.O_CREAT)
        except FileNotFoundError:
            fd, created = os.open(path_value, flags | os.O_EXCL, 0o644), True
    except OSError as exc:
        why = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
        raise OutputError(f"cannot write {variable} ({path_value}): {why}", fix) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputError(f"cannot write {variable} ({path_value}): it is not a regular file", fix)
    return os.fdopen(fd, "a", encoding="utf-8"), created


class RunnerFiles:
    """``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY``, opened for appending before anything is written.

    Opening is the check: ``evaluate`` opens both before it writes its reports, so a target that
    cannot be written stops the run (exit 2) while nothing has been written yet. A file that
    opening created and nothing was written to is removed again on close, so a run that stops
    later (say, the report folder fails) leaves no trace either. An unset or empty variable is
    skipped.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self._files: dict[str, tuple[str, TextIO]] = {}
        self._created: set[str] = set()  # variables whose file opening created
        self._written: set[str] = set()
        try:
            for variable in RUNNER_FILES:
                if path_value := env.get(variable):
                    fh, created = open_runner_file(variable, path_value)
                    self._files[variable] = (path_value, fh)
                    if created:
                        self._created.add(variable)
        except OutputError:
            self.close()
            raise

    def __enter__(self) -> RunnerFiles:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for variable, (path_value, fh) in self._files.items():
            with contextlib.suppress(OSError):
                fh.close()
            if variable in self._created and variable not in self._written:
                with contextlib.suppress(OSError):
                    os.unlink(path_value)
        self._files.clear()

    def append_summary(self, markdown: str) -> None:
        self._write("GITHUB_STEP_SUMMARY", markdown if markdown.endswith("\n") else markdown + "\n")

    def write_outputs(self, outputs: Mapping[str, str]) -> None:
        self._write("GITHUB_OUTPUT", "".join(output_block(k, v) for k, v in outputs.items()))

    def _write(self, variable: str, text: str) -> None:
        if variable not in self._files:
            return
        path_value, fh = self._files[variable]
        self._written.add(variable)
        try:
            fh.write(text)
            fh.flush()
        except (OSError, UnicodeError) as exc:
            raise OutputError(
                f"cannot append to {variable} ({path_value}): {getattr(exc, 'strerror', None) or exc}",
                f"check free space where {variable} points",
            ) from None


def append_summary(env: Mapping[str, str], markdown: str) -> None:
    with RunnerFiles({"GITHUB_STEP_SUMMARY": env.get("GITHUB_STEP_SUMMARY", "")}) as files:
        files.append_summary(markdown)


def no_verdict_summary(command_name: str, message: str, remediation: str) -> str:
    """The job summary of a run that stopped before a verdict (exit 2): the error and its fix.

    Every line is escaped as Markdown text: messages quote files, refs and server answers.
    """
    # imported here: this module is loaded for every line the CLI prints, this only on exit 2
    from maturity.markdown_text import md_text  # noqa: PLC0415

    first, *rest = message.splitlines() or [""]
    lines = [
        "## ⚠️ maturity: no verdict",
        "",
        f"`{' '.join(('maturity', command_name)).strip()}` stopped with exit code 2: no verdict, "
        "no report written.",
        "",
        f"**Error:** {md_text(first)}",
    ]
    lines += [f"- {md_text(line.strip())}" for line in rest if line.strip()]
    if remediation:
        lines += ["", f"**Fix:** {md_text(remediation)}"]
    return "\n".join(lines) + "\n"


def summarise_no_verdict(
    env: Mapping[str, str], command_name: str, message: str, remediation: str
) -> None:
    """Under Actions, append :func:`no_verdict_summary` to the job summary; never fails.

    The error has already been printed on stderr; a summary that cannot be written (the very
    error may be that ``GITHUB_STEP_SUMMARY`` is unwritable) is left out.
    """
    if not in_actions(env) or not env.get("GITHUB_STEP_SUMMARY"):
        return
    with contextlib.suppress(OutputError, OSError, UnicodeError):
        append_summary(env, no_verdict_summary(command_name, message, remediation))


def in_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true"


def annotations_for(report: Mapping[str, Any]) -> list[str]:
    """``::error`` for each blocking gate, ``::warning`` for each report-only gate that did not
    pass and for each break-glass override."""
    lines = []
    ref, stage = report["subject"]["ref_name"], report["stage"]["name"]
    for o in report.get("overrides", []):
        follow = f" Follow-up: {o['follow_up_url']}" if o["follow_up_url"] else ""
        text = (
            f"{o['gate']} was {o['status_before']} ({o['code_before']}) and is overridden by "
            f"{o['actor']}: {o['reason']}.{follow}"
        )
        lines.append(
            command("warning", text, title=f"maturity: break glass on {o['gate']} at {stage}")
        )
    for gate in report["gates"]:
        fix = f" Fix: {gate['remediation']}" if gate["remediation"] else ""
        text = f"{gate['gate']} is {gate['status']} ({gate['code']}): {gate['message']}.{fix}"
        if gate["blocking"]:
            lines.append(
                command("error", text, title=f"maturity: {gate['gate']} blocks {ref} at {stage}")
            )
        elif (
            gate["level"] == "report_only"
            and gate["status"] != "pass"
            and not gate.get("overridden")
        ):
            lines.append(
                command("warning", text, title=f"maturity: {gate['gate']} (report-only) at {stage}")
            )
    return lines
