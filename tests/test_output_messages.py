"""Messages about outputs: console columns, a wrong --output-dir, and ``init --path``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from helpers import GATE_NAMES, copy_examples, run_cli, write_evidence
from hypothesis import given
from hypothesis import strategies as st

from maturity.report.console import render_console

# --- console columns ---------------------------------------------------------------------------

CODES = st.from_regex(r"[A-Z][A-Z0-9_]{0,63}", fullmatch=True)  # the evidence schema's codes
GATES = st.from_regex(r"[a-z][a-z_]{0,40}", fullmatch=True)
LEVELS = st.sampled_from(["required", "report_only", "off"])
STATUSES = st.sampled_from(["pass", "fail", "missing", "error", "skipped", "waived"])


def console_report(gates: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "verdict": "NO-GO",
        "verdict_line": "NO-GO",
        "subject": {"ref": "refs/tags/v1.2.3", "sha": None, "commit": "none: bound to no commit"},
        "stage": {"name": "GA", "mapping": {"index": 0, "kind": "pattern", "expression": "v*"}},
        "config": {"builtin": True, "source": "built-in defaults", "warnings": []},
        "gates": gates,
        "blocking": [],
        "overrides": [],
        "override_failures": [],
    }


def gate_rows(text: str) -> list[list[str]]:
    """The gate table's rows, split where two or more spaces separate the cells."""
    return [re.split(r" {2,}", line.strip()) for line in text.splitlines() if line.startswith("  ")]


#: a gate blocks, was overridden (break glass: it no longer blocks), or neither
MARKS = st.sampled_from(["blocking", "overridden", ""])


@given(st.lists(st.tuples(GATES, LEVELS, STATUSES, CODES, MARKS), min_size=1, max_size=6))
def test_console_columns_never_run_together(rows: list[tuple[str, str, str, str, str]]) -> None:
    gates = [
        {
            "gate": g,
            "level": lvl,
            "status": s,
            "code": c,
            "blocking": m == "blocking",
            "overridden": m == "overridden",
        }
        for g, lvl, s, c, m in rows
    ]
    text = render_console(console_report(gates), ["a.json", "b.md"])
    table = gate_rows(text)
    assert len(table) == len(rows)
    for cells, (gate, level, status, code, state) in zip(table, rows, strict=True):
        if state:
            mark = state.upper()  # BLOCKING or OVERRIDDEN
        else:
            mark = "warning" if level == "report_only" and status != "pass" else ""
        assert cells == [gate, level, status, code, *([mark] if mark else [])]
    # and each column starts at the same place in every row
    lines = [line for line in text.splitlines() if line.startswith("  ")]
    starts = {tuple(cell_starts(line, cells)[:4]) for line, cells in zip(lines, table, strict=True)}
    assert len(starts) == 1


def cell_starts(line: str, cells: list[str]) -> list[int]:
    found, pos = [], 0
    for cell in cells:
        pos = line.index(cell, pos)
        found.append(pos)
        pos += len(cell)
    return found


def test_console_keeps_the_usual_layout_for_usual_values() -> None:
    gates = [
        {"gate": "observability_verify", "level": "report_only", "status": "missing",
         "code": "MISSING_EVIDENCE", "blocking": False},
        {"gate": "deps_approval", "level": "required", "status": "error",
         "code": "EVIDENCE_OUTSIDE_WORKSPACE", "blocking": True},
    ]  # fmt: skip
    lines = [
        line
        for line in render_console(console_report(gates), []).splitlines()
        if line.startswith("  ")
    ]
    assert lines == [
        "  observability_verify  report_only  missing  MISSING_EVIDENCE            warning",
        "  deps_approval         required     error    EVIDENCE_OUTSIDE_WORKSPACE  BLOCKING",
    ]


def test_a_long_evidence_code_keeps_its_gap_end_to_end(tmp_path: Path) -> None:
    code_64 = ("A_VERY_LONG_EVIDENCE_CODE_" * 3)[:64]  # the longest code the schema allows
    for name in GATE_NAMES:
        write_evidence(tmp_path / "ev" / f"{name}.json", ok=True)
    write_evidence(tmp_path / "ev" / "deps_approval.json", ok=False, code=code_64, message="no")
    code, out, err = run_cli(["evaluate", "--tag", "v1.2.3", "--evidence-dir", "ev"], tmp_path)
    assert code == 1, err
    [row] = [line for line in out.splitlines() if line.startswith("  deps_approval ")]
    assert re.split(r" {2,}", row.strip()) == [
        "deps_approval",
        "required",
        "fail",
        code_64,
        "BLOCKING",
    ]


# --- --output-dir that is not a folder ---------------------------------------------------------


@pytest.mark.parametrize(
    ("output_dir", "message", "fix"),
    [
        ("report.txt", "--output-dir report.txt is a file, not a folder", "pass a folder as --output-dir"),
        ("report.txt/sub", "--output-dir report.txt/sub cannot be created: report.txt is a file", "pass a --output-dir whose parents are folders, or move report.txt away"),
        ("link", "--output-dir link is not a folder", "pass a folder as --output-dir"),
    ],
)  # fmt: skip
def test_output_dir_that_is_not_a_folder(
    output_dir: str, message: str, fix: str, tmp_path: Path
) -> None:
    copy_examples(tmp_path)
    (tmp_path / "report.txt").write_text("keep me\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")  # a broken link
    args = ["evaluate", "--tag", "v1.2.3", "--evidence-dir", "ga-pass", "--output-dir", output_dir]
    code, out, err = run_cli(args, tmp_path)
    assert code == 2
    assert out == ""
    assert f"maturity: error: {message}" in err
    assert f"fix: {fix}" in err
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == "keep me\n"
    assert not (tmp_path / "nowhere").exists()
    assert not list(tmp_path.rglob("maturity-eval.*"))


# --- init --path ---------------------------------------------------------------------------------


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize(
    ("path", "message", "fix"),
    [
        ("ci", "--path ci is a folder, not a file", "--path ci/maturity-stages.yml"),
        ("ci/", "--path ci/ is a folder, not a file", "--path ci/maturity-stages.yml"),
        (".", "--path . is a folder, not a file", "--path maturity-stages.yml"),
        ("new/", "--path new/ is a folder name (it ends in /), not a file", "--path new/maturity-stages.yml"),
        ("notes.txt/x.yml", "cannot write notes.txt/x.yml: notes.txt is a file, not a folder", "move notes.txt away"),
        ("", "--path is empty", "ci/maturity-stages.yml"),
    ],
)  # fmt: skip
def test_init_path_that_is_not_a_file_path(
    path: str, message: str, fix: str, force: list[str], tmp_path: Path
) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "notes.txt").write_text("notes\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, out, err = run_cli(["init", "--path", path, *force], tmp_path)
    assert code == 2
    assert out == ""
    assert f"maturity: error: {message}" in err
    assert fix in err.split("fix:", 1)[1]
    assert "already exists" not in err
    assert "--output-dir" not in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_init_still_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    target = tmp_path / "ci" / "maturity-stages.yml"
    assert run_cli(["init"], tmp_path).code == 0
    target.write_text("mine\n", encoding="utf-8")
    code, _, err = run_cli(["init"], tmp_path)
    assert code == 2
    assert "ci/maturity-stages.yml already exists" in err
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert run_cli(["init", "--force"], tmp_path).code == 0
    assert target.read_text(encoding="utf-8") != "mine\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["maturity-stages.yml"]  # no lock
