"""Shared helpers for the evaluation, evidence, report and GitHub Actions tests."""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from maturity.config.builtin_gates import BUILTIN_GATES

#: jsonschema ships no type information (and the stubs are not a dependency): typed as Any.
jsonschema: Any = importlib.import_module("jsonschema")

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples" / "evidence"
REPORT_SCHEMA_PATH = REPO_ROOT / "maturity" / "schemas" / "maturity-eval.schema.json"
#: the built-in gates, in report order
GATE_NAMES = tuple(BUILTIN_GATES)
SHA = "0123456789abcdef0123456789abcdef01234567"
#: A full, valid set of GitHub Actions variables (the shapes the runner gives them).
GITHUB_ENV = {
    "GITHUB_REPOSITORY": "octo-org/widget",
    "GITHUB_SHA": SHA,
    "GITHUB_RUN_ID": "4242",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_ACTOR": "octocat",
    "GITHUB_EVENT_NAME": "push",
    "GITHUB_WORKFLOW": "release",
    "GITHUB_JOB": "gate",
}


class CliResult(NamedTuple):
    code: int
    stdout: str
    stderr: str


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any GITHUB_* variable, plus *extra*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(extra)
    return env


def run_cli(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 60
) -> CliResult:
    """Run ``python -m maturity ARGS`` in *cwd*; *env* defaults to :func:`clean_env`."""
    proc = subprocess.run(
        [sys.executable, "-m", "maturity", *args],
        cwd=cwd,
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def run_importtime(
    args: Sequence[str], cwd: Path, timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -X importtime ARGS`` in *cwd* (:func:`clean_env`): the process, and every
    module it imported (start-up cost tests assert what a command does not load)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    return proc, modules


def write_evidence(
    path: Path,
    ok: bool = True,
    code: str | None = None,
    message: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Path:
    """Write one evidence file (creating folders) and return its path."""
    body: dict[str, Any] = {"ok": ok}
    if code is not None:
        body["code"] = code
    if message is not None:
        body["message"] = message
    if details is not None:
        body["details"] = dict(details)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def write_all_evidence(folder: Path, ok: bool = True) -> Path:
    """One evidence file per gate in *folder*, all ok (or all not ok)."""
    for gate in GATE_NAMES:
        write_evidence(folder / f"{gate}.json", ok=ok, message=f"{gate} evidence")
    return folder


def copy_examples(workspace: Path) -> None:
    """Copy examples/evidence/ga-pass and ga-fail into ``workspace/ga-pass`` and ``ga-fail``."""
    for name in ("ga-pass", "ga-fail"):
        shutil.copytree(EXAMPLES / name, workspace / name)


def reports(workspace: Path, output_dir: str = "dist/maturity") -> tuple[dict[str, Any], str]:
    """The JSON report (parsed) and the Markdown report written by ``evaluate``."""
    folder = workspace / output_dir
    data = json.loads((folder / "maturity-eval.json").read_text(encoding="utf-8"))
    markdown = (folder / "maturity-eval.md").read_text(encoding="utf-8")
    return data, markdown


def gate(report: Mapping[str, Any], name: str) -> dict[str, Any]:
    found = [g for g in report["gates"] if g["gate"] == name]
    assert len(found) == 1, f"{name} appears {len(found)} times in the report"
    result: dict[str, Any] = found[0]
    return result


@functools.cache
def report_validator() -> Any:
    schema = json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid_report(data: Any) -> None:
    errors = sorted(report_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def parse_github_output(text: str) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT file the way the runner does (``FileCommandManager``, Linux).

    Lines are split on LF; empty lines are skipped; ``NAME=VALUE`` when ``=`` comes before any
    ``<<``; ``NAME<<DELIMITER`` otherwise, the value being every line up to one that equals the
    delimiter exactly. Anything else, or a missing delimiter, is an error (the step would fail).
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    out: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if eq >= 0 and (heredoc < 0 or eq < heredoc):
            name, value = line.split("=", 1)
            assert name, f"empty output name in {line!r}"
            out[name] = value
        elif heredoc >= 0:
            name, delimiter = line.split("<<", 1)
            assert name, f"empty output name in {line!r}"
            assert delimiter, f"empty delimiter in {line!r}"
            value_lines: list[str] = []
            while True:
                assert i < len(lines), f"matching delimiter not found {delimiter!r}"
                current = lines[i]
                i += 1
                if current == delimiter:
                    break
                value_lines.append(current)
            out[name] = "\n".join(value_lines)
        else:
            raise AssertionError(f"invalid GITHUB_OUTPUT line {line!r}")
    return out


_BACKTICK_RUN = re.compile(r"`+")


def strip_code_spans(line: str) -> str:
    """*line* with CommonMark code spans replaced by ``CODE`` (backslash escapes outside honoured).

    A code span opens at a backtick run not preceded by a backslash and closes at the next run
    of exactly the same length; an unmatched run is literal text.
    """
    out: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            out.append(line[i : i + 2])
            i += 2
            continue
        if ch == "`":
            run = _BACKTICK_RUN.match(line, i)
            assert run is not None
            opener = run.group(0)
            j = run.end()
            close = -1
            while (m := _BACKTICK_RUN.search(line, j)) is not None:
                if m.group(0) == opener:
                    close = m.start()
                    break
                j = m.end()
            if close < 0:
                out.append(opener)
                i = run.end()
            else:
                out.append("CODE")
                i = close + len(opener)
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unescaped_pipes(line: str) -> int:
    """Pipes that split a GFM table row: every ``|`` not directly preceded by a backslash.

    This is cmark-gfm's rule (``\\|`` never splits a cell, even inside a code span).
    """
    return sum(1 for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\"))


def unescaped(line: str, char: str) -> list[int]:
    """Positions of *char* outside code spans that are not backslash-escaped."""
    text = strip_code_spans(line)
    positions: list[int] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(char, i):
            positions.append(i)
        i += 1
    return positions
