"""Every code maturity can put on a gate has a row in docs/runbook.md, and every row is real.

The codes are read from the source the way a reader finds them: string constants in the places
a code is given. Those places are the first argument of ``EvidenceError`` and ``Finding``, a
``code=`` keyword, a module constant named ``*_CODE`` or ``*_CODES``, a string beside a
``GateStatus`` in a tuple (the judge's ``(status, code, message, fix)``), and the fallback in
``x.code or "OK"``. A second test keeps that reading honest: every upper-case string on the
gate path must be one of those codes or be named below as not a code. So a new code, written
in any form, fails here until the runbook has a row for it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from helpers import REPO_ROOT

RUNBOOK = REPO_ROOT / "docs" / "runbook.md"
PACKAGE = REPO_ROOT / "maturity"
#: the heading of the runbook section whose tables hold one row per code
CODES_HEADING = "## Each blocking code and its fix"
#: what a code looks like (the evidence-file schema's CODE_PATTERN, at least two characters)
CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
#: the modules a code on a gate can come from: the engine's steps (freeze, waivers, crashes),
#: evidence files, every kind, and the GitHub client the github_checks kind reads through
GATE_PATH = ("engine.py", "evidence", "kinds", "github", "waivers/apply.py")
#: upper-case strings on the gate path that are not codes, and why
NOT_CODES = {
    "GET": "an HTTP method (github/client.py)",
    "POST": "an HTTP method (github/client.py)",
    "GITHUB_API_URL": "an environment variable (github/access.py)",
    "GITHUB_TOKEN": "an environment variable (github/access.py)",
    "GITHUB_REPOSITORY": "an environment variable (github/access.py)",
    "GITHUB_JOB": "an environment variable (github/access.py)",
    "GITHUB_RUN_ID": "an environment variable (github/access.py)",
    "MATURITY_CHECK_RUN_ID": "an environment variable (github/access.py)",
    "GITHUB_JOB_CHECK_RUN_ID": "an environment variable name in a message (github/access.py)",
    "O_NOFOLLOW": "an os flag looked up by name (evidence/local_file.py)",
    "KIND": "the attribute a kind module exposes (kinds/__init__.py)",
}
#: codes only a write to GitHub raises (break glass filing its follow-up issue). They never
#: reach a gate: a failed follow-up is an ``override_failures`` entry (or exit 2), in words.
FOLLOW_UP_ONLY = frozenset({"API_OUTCOME_UNKNOWN", "GITHUB_GONE", "MALFORMED_REQUEST"})
#: the functions that write to GitHub (github/client.py's POST, and the errors it raises)
WRITE_FUNCTIONS = frozenset({"_post", "write_error", "outcome_unknown"})
_GIVES_CODE_FIRST = frozenset({"EvidenceError", "Finding", "PollFailed"})


def _gate_path_modules() -> list[Path]:
    files: list[Path] = []
    for part in GATE_PATH:
        path = PACKAGE / part
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    assert all(f.is_file() for f in files), "a GATE_PATH entry no longer exists"
    return files


def _strings(node: ast.AST) -> Iterator[str]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _given_codes(tree: ast.AST) -> Iterator[str]:
    """String constants in the places a code is given (see the module docstring)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if _callee(node) in _GIVES_CODE_FIRST and node.args:
                yield from _strings(node.args[0])
            for keyword in node.keywords:
                if keyword.arg == "code":
                    yield from _strings(keyword.value)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = [t.id for t in targets if isinstance(t, ast.Name)]
            if node.value is not None and any(n.endswith(("_CODE", "_CODES")) for n in named):
                yield from _strings(node.value)
        elif isinstance(node, ast.Tuple) and any(
            isinstance(e, ast.Attribute)
            and isinstance(e.value, ast.Name)
            and e.value.id == "GateStatus"
            for e in node.elts
        ):
            yield from (s for e in node.elts for s in _strings(e) if CODE.fullmatch(s))
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            first = node.values[0]
            if isinstance(first, ast.Attribute) and first.attr == "code":
                for value in node.values[1:]:
                    yield from _strings(value)


def source_codes() -> dict[str, set[str]]:
    """Each code the gate path gives, with the modules that give it."""
    found: dict[str, set[str]] = {}
    for module in _gate_path_modules():
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for code in _given_codes(tree):
            found.setdefault(code, set()).add(module.relative_to(REPO_ROOT).as_posix())
    return found


def upper_case_strings() -> set[str]:
    """Every string constant on the gate path that looks like a code."""
    found: set[str] = set()
    for module in _gate_path_modules():
        tree = ast.parse(module.read_text(encoding="utf-8"))
        found.update(s for s in _strings(tree) if len(s) > 1 and CODE.fullmatch(s))
    return found


def runbook_rows() -> list[str]:
    """The code in the first cell of each table row of the runbook's codes section."""
    text = RUNBOOK.read_text(encoding="utf-8")
    start = text.index(f"\n{CODES_HEADING}\n")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else len(text)]
    return re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", section, re.MULTILINE)


def test_the_reading_finds_codes_from_each_place_they_are_given() -> None:
    codes = source_codes()
    assert {
        "INVALID_EVIDENCE",  # EvidenceError("...")
        "CHECK_PENDING",  # Finding("...")
        "GATE_CRASHED",  # code="..."
        "WAIVED",  # WAIVED_CODE
        "WAIVER_LAPSED",  # WAIVER_CODES
        "CHECKS_FAILED",  # (GateStatus.FAIL, "...", ...)
        "OK",  # evidence.code or "OK"
        "EVIDENCE_NOT_OK",  # evidence.code or "EVIDENCE_NOT_OK"
    } <= set(codes)
    assert not set(codes) & set(NOT_CODES)


def test_every_upper_case_string_on_the_gate_path_is_a_code_or_named_as_not_one() -> None:
    unexplained = upper_case_strings() - set(source_codes()) - set(NOT_CODES)
    assert not unexplained, (
        f"{sorted(unexplained)}: codes given in a way this test does not read (teach "
        "_given_codes the new place), or strings that are not codes (add them to NOT_CODES)"
    )
    stale = set(NOT_CODES) - upper_case_strings()
    assert not stale, f"{sorted(stale)} no longer occur on the gate path: drop them from NOT_CODES"


def test_every_code_a_gate_can_show_has_a_runbook_row() -> None:
    codes = source_codes()
    missing = sorted(set(codes) - FOLLOW_UP_ONLY - set(runbook_rows()))
    assert not missing, "no row in docs/runbook.md for: " + ", ".join(
        f"{code} ({', '.join(sorted(codes[code]))})" for code in missing
    )


def test_every_runbook_row_is_a_code_the_tool_gives_once() -> None:
    rows = runbook_rows()
    assert len(rows) > 40  # the section was found and its tables read
    unknown = sorted(set(rows) - set(source_codes()))
    assert not unknown, f"rows in docs/runbook.md for codes the source never gives: {unknown}"
    assert not set(rows) & FOLLOW_UP_ONLY, "follow-up codes never reach a gate: no row for them"
    twice = sorted({row for row in rows if rows.count(row) > 1})
    assert not twice, f"codes with more than one row: {twice}"


def test_follow_up_only_codes_come_only_from_writes_to_github() -> None:
    assert set(source_codes()) >= FOLLOW_UP_ONLY
    givers: dict[str, set[str]] = {}
    for module in _gate_path_modules():
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for code in _given_codes(node):
                    givers.setdefault(code, set()).add(node.name)
    for code in FOLLOW_UP_ONLY:
        assert givers[code] <= WRITE_FUNCTIONS, (code, givers[code])
