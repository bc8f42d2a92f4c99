"""Config inputs that are not ordinary files, large-but-ordinary files, and `init` failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import GATE_NAMES, clean_env, run_cli

from maturity.config.load import check_config_file, load_config_file
from maturity.config.types import Severity
from maturity.errors import ConfigError
from maturity.kinds import CATALOG

GATE_LEVELS = "\n".join(f"      {g}: required" for g in GATE_NAMES)


def many_mappings(n: int) -> str:
    lines = ["version: 1", "stages:", "  L1:", "    gates:", GATE_LEVELS, "mappings:"]
    for i in range(n - 1):
        pattern = f"team-{i}/*" if i % 2 else f"release/{i}.*-rc?"
        lines += [f"  - pattern: '{pattern}'", "    stage: L1"]
    lines += ["  - pattern: '*'", "    stage: L1"]
    return "\n".join(lines) + "\n"


def test_fifo_as_config_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "stages.yml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config_file(fifo, CATALOG)
    proc = run_cli(["validate", str(fifo)], tmp_path, timeout=30)
    assert proc.code == 2
    assert "not a regular file" in proc.stderr


def test_directory_as_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=str(tmp_path)):
        load_config_file(tmp_path, CATALOG)


def test_hundreds_of_ordinary_globs_are_proved_without_giving_up(tmp_path: Path) -> None:
    """400 distinct mappings: the pairwise shadowing proof finishes (no 'too complex' warning)."""
    path = tmp_path / "big.yml"
    path.write_text(many_mappings(400))
    config, problems = check_config_file(path, CATALOG)
    assert config is not None
    assert [p.render() for p in problems] == []


def test_shadowing_is_still_found_among_hundreds_of_mappings(tmp_path: Path) -> None:
    """The literal-prefix shortcut must not hide a real cover: 'team-7/*' covers 'team-7/x*'."""
    text = many_mappings(300).replace(
        "  - pattern: '*'\n", "  - pattern: 'team-7/x*'\n    stage: L1\n  - pattern: '*'\n"
    )
    path = tmp_path / "big.yml"
    path.write_text(text)
    _, problems = check_config_file(path, CATALOG)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert len(errors) == 1
    assert "mappings[299] pattern 'team-7/x*' can never match" in errors[0].message
    assert "mappings[7] pattern 'team-7/*'" in errors[0].message


def test_init_into_an_unwritable_place_names_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "ci"
    blocker.write_text("a file where a folder should be")
    proc = run_cli(["init", "--path", "ci/maturity-stages.yml"], tmp_path)
    assert proc.code == 2
    assert "cannot write ci/maturity-stages.yml" in proc.stderr
    assert "--path" in proc.stderr
    assert "--output-dir" not in proc.stderr
    assert blocker.read_text() == "a file where a folder should be"


def test_past_the_pairwise_limit_the_proof_is_skipped_but_examples_still_run(
    tmp_path: Path,
) -> None:
    text = many_mappings(500).replace(
        "  - pattern: '*'\n",
        "  - pattern: 'team-7/x*'\n    stage: L1\n    examples: [team-7/xy]\n  - pattern: '*'\n",
    )
    path = tmp_path / "big.yml"
    path.write_text(text)
    _, problems = check_config_file(path, CATALOG)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert len(errors) == 1
    assert "example 'team-7/xy' resolves to mappings[7]" in errors[0].message


def test_cli_help_names_exactly_the_built_in_gates(tmp_path: Path) -> None:
    """The CLI keeps its own list so `--help` need not import the kinds (and pydantic)."""
    proc = run_cli(["evaluate", "--help"], tmp_path)
    assert proc.code == 0
    assert ", ".join(GATE_NAMES) in " ".join(proc.stdout.split())  # all of them, in order
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "maturity", "evaluate", "--help"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in timed.stderr.splitlines()]
    assert "maturity" in imported  # the import log is what this test reads
    assert not [m for m in imported if m.startswith(("maturity.kinds", "maturity.config"))]
    assert not [m for m in imported if m.split(".")[0] == "pydantic"]
