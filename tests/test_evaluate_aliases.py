"""``evaluate``'s aliases for the TypeScript evaluator's flags (docs/migrating.md).

``--policy FILE`` is ``--config FILE``; ``--promotion-guard FILE`` (one flag per built-in gate)
is ``--evidence promotion_guard=FILE``; ``--output-json FILE``/``--output-md FILE`` write that
report to its own path, with every guarantee of ``--output-dir``: both files from one run, put
in place together under the lock of each folder, every place checked before anything is written.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    GATE_NAMES,
    GITHUB_ENV,
    assert_valid_report,
    clean_env,
    copy_examples,
    gate,
    parse_github_output,
    run_cli,
    write_evidence,
)

from maturity.cli.parser import ALIAS_GATES, BUILTIN_GATE_NAMES
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.report.atomic import LOCK_NAME

NOW = "2026-03-01T12:00:00Z"
JSON_NAME, MD_NAME = "maturity-eval.json", "maturity-eval.md"
#: the Markdown report's last line holds the time it was made
_MADE_AT = re.compile(r"<sub>maturity .*</sub>")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace with the example evidence and the default stages as ``policy.yml``."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    copy_examples(workspace)
    (workspace / "policy.yml").write_text(DEFAULT_STAGES_YAML, encoding="utf-8")
    return workspace


def evaluate(ws: Path, *args: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    code, out, err = run_cli(["evaluate", "--now", NOW, *args], ws, env)
    return code, out, err


def files_in(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def comparable(json_path: Path, md_path: Path) -> tuple[dict[str, Any], str]:
    """Both reports without what differs between two runs of one decision: the times."""
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert_valid_report(data)
    del data["generated_at"]
    for g in data["gates"]:
        del g["duration_ms"]
    markdown = _MADE_AT.sub("", md_path.read_text(encoding="utf-8"))
    return data, markdown


def flag_of(gate_name: str) -> str:
    return "--" + gate_name.replace("_", "-")


# --- each alias decides exactly as the plain flag -----------------------------------------------

PAIRS = [
    pytest.param(["--config", "policy.yml"], ["--policy", "policy.yml"], id="policy"),
    pytest.param(["--config", "policy.yml"], ["--policy=policy.yml"], id="policy="),
    *(
        pytest.param(
            ["--config", "policy.yml", "--evidence", f"{g}=ga-fail/{g}.json"],
            ["--config", "policy.yml", flag_of(g), f"ga-fail/{g}.json"],
            id=flag_of(g),
        )
        for g in GATE_NAMES
    ),
    pytest.param(
        [
            "--builtin-config",
            *(a for g in GATE_NAMES for a in ("--evidence", f"{g}=ga-pass/{g}.json")),
        ],
        ["--builtin-config", *(f"{flag_of(g)}=ga-pass/{g}.json" for g in GATE_NAMES)],
        id="every-gate=",
    ),
]


@pytest.mark.parametrize(("plain", "alias"), PAIRS)
def test_an_alias_gives_the_report_of_its_plain_flag(
    ws: Path, plain: list[str], alias: list[str]
) -> None:
    runs = {}
    for name, args in (("plain", plain), ("alias", alias)):
        code, _, err = evaluate(ws, "--tag", "v1.2.3", *args, "--output-dir", name)
        folder = ws / name
        runs[name] = (code, comparable(folder / JSON_NAME, folder / MD_NAME))
        assert code in (0, 1), err
    assert runs["alias"] == runs["plain"]


def test_the_output_aliases_give_the_reports_of_output_dir(ws: Path) -> None:
    code, _, err = evaluate(ws, "--tag", "v1.2.3", "--evidence-dir", "ga-fail", "--output-dir", "d")
    assert code == 1, err
    args = ("--output-json", "j/eval.json", "--output-md=m/eval.md")
    code, out, err = evaluate(ws, "--tag", "v1.2.3", "--evidence-dir", "ga-fail", *args)
    assert code == 1, err
    assert comparable(ws / "j" / "eval.json", ws / "m" / "eval.md") == comparable(
        ws / "d" / JSON_NAME, ws / "d" / MD_NAME
    )
    assert "reports: j/eval.json, m/eval.md" in out
    assert not (ws / "dist").exists()  # --output-dir's default: neither report went there


def test_one_output_alias_leaves_the_other_report_in_output_dir(ws: Path) -> None:
    code, out, err = evaluate(
        ws, "--tag", "v1.2.3", "--evidence-dir", "ga-pass", "--output-md", "m.md"
    )
    assert code == 0, err
    assert (ws / "m.md").read_text(encoding="utf-8").startswith("#")
    assert sorted(p.name for p in (ws / "dist" / "maturity").iterdir()) == [LOCK_NAME, JSON_NAME]
    assert "reports: dist/maturity/maturity-eval.json, m.md" in out


# --- conflicts: exit 2, nothing written ---------------------------------------------------------

CONFLICTS = [
    pytest.param(["--policy", "policy.yml", "--config", "policy.yml"], ("--policy", "--config"), id="policy+config"),
    pytest.param(["--policy", "policy.yml", "--builtin-config"], ("--policy", "--builtin-config"), id="policy+builtin"),
    *(
        pytest.param(
            [flag_of(g), f"ga-pass/{g}.json", "--evidence", f"{g}=ga-fail/{g}.json"],
            (flag_of(g), f"--evidence {g}="),
            id=f"{flag_of(g)}+evidence",
        )
        for g in GATE_NAMES
    ),
    pytest.param(["--output-json", "r.out", "--output-md", "./r.out"], ("--output-json", "--output-md"), id="same-path"),
    pytest.param(["--output-json", "dist/maturity/maturity-eval.md"], ("--output-json", "--output-dir"), id="json-onto-md"),
    pytest.param(["--output-md", "o/maturity-eval.json", "--output-dir", "o"], ("--output-dir", "--output-md"), id="md-onto-json"),
    pytest.param(["--output-json", "link/r", "--output-md", "real/r"], ("--output-json", "--output-md"), id="symlinked"),
    pytest.param(["--output-json", ""], ("--output-json is empty",), id="empty-json"),
    pytest.param(["--promotion-guard="], ("--promotion-guard is empty",), id="empty-alias"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "named"), CONFLICTS)
def test_a_conflict_is_a_usage_error_and_writes_nothing(
    ws: Path, tmp_path: Path, args: list[str], named: tuple[str, ...]
) -> None:
    (ws / "real").mkdir()
    (ws / "link").symlink_to(ws / "real")
    before = files_in(ws)
    log = tmp_path / "audit.jsonl"
    code, out, err = evaluate(
        ws, "--tag", "v1.2.3", "--evidence-dir", "ga-pass", "--audit-log", str(log), *args
    )
    assert code == 2, err
    first = err.splitlines()[0]
    for text in named:
        assert text in first
    assert "fix:" in err
    assert "GO" not in out
    assert files_in(ws) == before
    assert not log.exists()


def test_the_gate_aliases_are_the_built_in_gates() -> None:
    """The parser keeps its own copy of the names (``--help`` loads no config code)."""
    assert BUILTIN_GATE_NAMES == GATE_NAMES
    assert set(ALIAS_GATES.values()) == set(GATE_NAMES)
    assert ALIAS_GATES["--promotion-guard"] == "promotion_guard"


def test_help_groups_the_aliases_and_points_to_the_migration_guide(tmp_path: Path) -> None:
    code, out, _ = run_cli(["evaluate", "--help"], tmp_path)
    assert code == 0
    group = out.split("aliases for the TypeScript evaluator's flags:\n", 1)[1].split("\n\n", 1)[0]
    flags = re.findall(r"^  (--[a-z-]+)", group, re.MULTILINE)
    assert flags == ["--policy", *ALIAS_GATES, "--output-json", "--output-md"]
    entries = re.split(r"\n  (?=--)", group)
    assert len(entries) == len(flags)
    for entry in entries:
        text = " ".join(entry.split())
        assert "alias of" in text
        assert "(the TypeScript evaluator's flag; see docs/migrating.md)" in text


# --- --output-json / --output-md: outputs, audit log, failures, locks ---------------------------


def test_actions_outputs_name_the_alias_paths(ws: Path, tmp_path: Path) -> None:
    env = clean_env(
        **GITHUB_ENV,
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(ws),
        GITHUB_OUTPUT=str(tmp_path / "gh-output"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "gh-summary"),
    )
    args = ["--tag", "v1.2.3", "--evidence-dir", "ga-pass"]
    args += ["--output-json", "reports/json/eval.json", "--output-md", "summaries/eval.md"]
    code, _, err = evaluate(ws, *args, env=env)
    assert code == 0, err
    outputs = parse_github_output((tmp_path / "gh-output").read_text(encoding="utf-8"))
    assert outputs["verdict"] == "GO"
    assert outputs["report-json"] == "reports/json/eval.json"
    assert outputs["report-md"] == "summaries/eval.md"
    data = json.loads((ws / outputs["report-json"]).read_text(encoding="utf-8"))
    assert data["verdict"] == "GO"
    markdown = (ws / outputs["report-md"]).read_text(encoding="utf-8")
    assert (tmp_path / "gh-summary").read_text(encoding="utf-8") == markdown


def test_the_audit_line_holds_the_digests_of_the_files_written(ws: Path, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    args = ["--tag", "v1.2.3", "--evidence-dir", "ga-fail", "--audit-log", str(log)]
    code, _, err = evaluate(ws, *args, "--output-json", "a/r.json", "--output-md", "b/r.md")
    assert code == 1, err
    [line] = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    digests = line["sha256"]["reports"]
    assert digests == {
        JSON_NAME: hashlib.sha256((ws / "a" / "r.json").read_bytes()).hexdigest(),
        MD_NAME: hashlib.sha256((ws / "b" / "r.md").read_bytes()).hexdigest(),
    }
    assert run_cli(["audit", "verify", str(log)], ws).code == 0


UNWRITABLE = [
    pytest.param("blocker/eval.md", "blocker", id="folder-is-a-file"),
    pytest.param("blocker/deeper/eval.md", "blocker", id="under-a-file"),
    pytest.param("a-folder", "is a folder", id="path-is-a-folder"),
    # passes the up-front checks; creating the file itself fails, even as root
    pytest.param("/proc/self/eval.md", "/proc/self", id="cannot-create-files"),
]


@pytest.mark.parametrize(("md_path", "named"), UNWRITABLE)
def test_an_unwritable_output_md_writes_neither_report(
    ws: Path, tmp_path: Path, md_path: str, named: str
) -> None:
    (ws / "blocker").write_text("a file", encoding="utf-8")
    (ws / "a-folder").mkdir()
    before = files_in(ws)
    log = tmp_path / "audit.jsonl"
    args = ["--tag", "v1.2.3", "--evidence-dir", "ga-pass", "--audit-log", str(log)]
    code, out, err = evaluate(ws, *args, "--output-json", "new/eval.json", "--output-md", md_path)
    assert code == 2, err
    assert "--output-md" in err
    assert named in err
    assert "GO" not in out
    assert files_in(ws) == before  # no report, no temporary file, no folder made for them
    assert not log.exists()  # and no audit line for reports that were never written


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_output_md_folder_writes_neither_report(ws: Path) -> None:
    (ws / "ro").mkdir()
    (ws / "ro").chmod(0o500)
    try:
        before = files_in(ws)
        args = ["--tag", "v1.2.3", "--evidence-dir", "ga-pass", "--output-json", "j.json"]
        code, _, err = evaluate(ws, *args, "--output-md", "ro/eval.md")
        assert code == 2, err
        assert files_in(ws) == before
    finally:
        (ws / "ro").chmod(0o700)


def test_a_run_takes_the_lock_of_both_report_folders(ws: Path) -> None:
    """While another run holds the Markdown folder's lock, this run waits with both reports
    staged and neither in place; once it is released, both land."""
    held = hold_lock(ws / "m")
    cmd = [sys.executable, "-m", "maturity", "evaluate", "--now", NOW, "--tag", "v1.2.3"]
    cmd += ["--evidence-dir", "ga-pass", "--output-json", "j/eval.json", "--output-md", "m/eval.md"]
    proc = subprocess.Popen(cmd, cwd=ws, env=clean_env(), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 8  # a run waits 10 s for a lock
        while not (staged(ws / "j") and staged(ws / "m")):
            assert proc.poll() is None, "the run did not wait"
            assert time.monotonic() < deadline, "the run never staged its reports"
            time.sleep(0.01)
        assert proc.poll() is None, "the run did not wait"
        assert not (ws / "j" / "eval.json").exists()
        assert not (ws / "m" / "eval.md").exists()
    finally:
        os.close(held)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads((ws / "j" / "eval.json").read_text(encoding="utf-8"))["verdict"] == "GO"
    assert (ws / "m" / "eval.md").exists()
    assert staged(ws / "j") == staged(ws / "m") == []


def hold_lock(folder: Path) -> int:
    """Take *folder*'s report lock, as another run putting its reports in place would."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def staged(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.tmp")) if folder.is_dir() else []


# --- the TypeScript evaluator's own test cases, translated --------------------------------------


def test_a_release_candidate_with_passing_guard_and_observability_is_go(ws: Path) -> None:
    write_evidence(ws / "pass.json", ok=True, code="OK")
    args: Sequence[str] = ["--builtin-config", "--tag", "v1.0.0-rc.1"]
    args = [*args, "--promotion-guard", "pass.json", "--observability-verify", "pass.json"]
    code, _, err = evaluate(ws, *args, "--output-json", "out/eval.json")
    assert code == 0, err
    data = json.loads((ws / "out" / "eval.json").read_text(encoding="utf-8"))
    assert data["verdict"] == "GO"
    assert data["stage"]["name"] == "PRE_GA"
    assert gate(data, "promotion_guard")["status"] == "pass"
    assert gate(data, "observability_verify")["status"] == "pass"
    assert (ws / "dist" / "maturity" / MD_NAME).exists()


def test_a_release_with_a_failing_guard_is_no_go(ws: Path) -> None:
    write_evidence(ws / "fail.json", ok=False, code="CHECKS_FAILED", message="lint failed")
    policy = ["--policy", "policy.yml", "--tag", "v1.0.0"]
    code, out, err = evaluate(ws, *policy, "--promotion-guard", "fail.json")
    assert code == 1, err
    assert out.startswith("maturity: NO-GO for refs/tags/v1.0.0 at stage GA")
    data = json.loads((ws / "dist" / "maturity" / JSON_NAME).read_text(encoding="utf-8"))
    assert data["config"]["source"] == "policy.yml"
    guard = gate(data, "promotion_guard")
    assert (guard["status"], guard["code"]) == ("fail", "CHECKS_FAILED")
    assert "promotion_guard" in [b["gate"] for b in data["blocking"]]


def test_evidence_aliases_keep_the_workspace_rule(ws: Path, tmp_path: Path) -> None:
    """``--promotion-guard FILE`` is relative to the workspace and must stay inside it."""
    write_evidence(tmp_path / "outside.json", ok=True)
    code, _, err = evaluate(ws, "--tag", "v1.2.3", "--promotion-guard", "../outside.json")
    assert code == 1, err
    data = json.loads((ws / "dist" / "maturity" / JSON_NAME).read_text(encoding="utf-8"))
    plain_code, _, _ = evaluate(
        ws, "--tag", "v1.2.3", "--evidence", "promotion_guard=../outside.json", "--output-dir", "p"
    )
    plain = json.loads((ws / "p" / JSON_NAME).read_text(encoding="utf-8"))
    assert plain_code == code
    assert gate(data, "promotion_guard")["code"] == gate(plain, "promotion_guard")["code"]
    assert gate(data, "promotion_guard")["status"] != "pass"
