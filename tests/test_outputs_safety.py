"""Outputs: a report pair always comes from one run, and exit 2 means nothing was written.

- Concurrent runs into one output folder never leave one run's JSON beside another's Markdown.
- Every output target (report folder, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) is checked before
  anything is written: an unwritable one is exit 2 with no report.
- Under Actions, an exit 2 leaves a short job summary naming the error and the fix.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import GITHUB_ENV, REPO_ROOT, clean_env, copy_examples, run_cli, unescaped
from hypothesis import given
from hypothesis import strategies as st

from maturity.errors import OutputError
from maturity.github_actions import no_verdict_summary
from maturity.report.atomic import LOCK_NAME, write_atomically

JSON_NAME, MD_NAME = "maturity-eval.json", "maturity-eval.md"
REPORT_NAMES = {JSON_NAME, MD_NAME}
NO_VERDICT = "## ⚠️ maturity: no verdict\n"


def report_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.name in REPORT_NAMES or p.name.endswith(".tmp"))


def markdown_ref(markdown: str) -> str:
    [ref] = re.findall(r"^\| Ref \| `([^`]*)`", markdown, re.MULTILINE)
    return str(ref)


# --- concurrent runs into one folder ------------------------------------------------------------

PROCESSES = 20  # forked writers
CLI_PROCESSES, CLI_ROUNDS = 10, 3  # real CLI runs: about 0.4 s of CPU each
EVALUATE = [sys.executable, "-m", "maturity", "evaluate", "--builtin-config"]
EVALUATE += ["--evidence-dir", "examples/evidence/ga-pass"]  # in the repository's workspace


def test_concurrent_evaluate_runs_never_mix_a_pair(tmp_path: Path) -> None:
    """Real ``maturity evaluate`` processes, each judging its own tag, all into one --output-dir.

    The test holds the folder's lock while they start, so they pile up at their renames (which
    also shows the CLI takes the lock), then lets them all go at once.
    """
    out = tmp_path / "shared"
    env = clean_env()
    for round_no in range(CLI_ROUNDS):
        tags = [f"v1.{round_no}.{i}" for i in range(CLI_PROCESSES)]
        lock = hold_lock(out)
        procs = [
            subprocess.Popen(
                [*EVALUATE, "--tag", tag, "--output-dir", str(out)],
                cwd=REPO_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for tag in tags
        ]
        try:
            # every run has staged its pair and waits for the lock; or 5 s have passed since the
            # first did (well within the 10 s a run waits, however slow this machine is)
            first_staged = None
            while (staged := len(list(out.glob("*.tmp")))) < 2 * CLI_PROCESSES:
                assert [p.poll() for p in procs] == [None] * CLI_PROCESSES, "a run did not wait"
                if staged and first_staged is None:
                    first_staged = time.monotonic()
                if first_staged is not None and time.monotonic() - first_staged > 5:
                    break
                time.sleep(0.01)
            assert [p.poll() for p in procs] == [None] * CLI_PROCESSES, "a run did not wait"
        finally:
            os.close(lock)
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        data = json.loads((out / JSON_NAME).read_text(encoding="utf-8"))
        markdown = (out / MD_NAME).read_text(encoding="utf-8")
        assert data["subject"]["ref"] in {f"refs/tags/{t}" for t in tags}
        assert markdown_ref(markdown) == data["subject"]["ref"], f"mixed pair in round {round_no}"
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, JSON_NAME, MD_NAME]


def _write_pair(out: str, run: int, start: Callable[[], object]) -> None:
    start()
    write_atomically(Path(out), {JSON_NAME: f"run {run}\n", MD_NAME: f"run {run}\n"})


def test_writers_released_together_never_mix_a_pair(tmp_path: Path) -> None:
    """The same, racier: forked writers released at one instant by a barrier, many rounds.

    Without the lock, this left a mixed pair in 42 of 100 rounds.
    """
    ctx = multiprocessing.get_context("fork")
    for round_no in range(20):
        out = tmp_path / f"round{round_no}"
        barrier = ctx.Barrier(PROCESSES)
        workers = [
            ctx.Process(target=_write_pair, args=(str(out), i, barrier.wait))
            for i in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [w.exitcode for w in workers] == [0] * PROCESSES
        json_text = (out / JSON_NAME).read_text(encoding="utf-8")
        assert (out / MD_NAME).read_text(encoding="utf-8") == json_text, f"round {round_no}"


def hold_lock(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_lock_held_too_long_replaces_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_atomically(out, {JSON_NAME: "old json", MD_NAME: "old md"})
    fd = hold_lock(out)  # another run that never lets go
    try:
        with pytest.raises(OutputError) as caught:
            write_atomically(out, {JSON_NAME: "new", MD_NAME: "new"}, lock_wait=0.2)
    finally:
        os.close(fd)
    assert LOCK_NAME in caught.value.message
    assert "--output-dir" in caught.value.remediation
    assert (out / JSON_NAME).read_text(encoding="utf-8") == "old json"
    assert (out / MD_NAME).read_text(encoding="utf-8") == "old md"
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, JSON_NAME, MD_NAME]


def test_a_lock_released_in_time_is_waited_for(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fd = hold_lock(out)
    timer = threading.Timer(0.3, os.close, (fd,))
    timer.start()
    started = time.monotonic()
    write_atomically(out, {JSON_NAME: "new", MD_NAME: "new"}, lock_wait=30)
    timer.join()
    assert time.monotonic() - started >= 0.25  # it did wait for the other run
    assert (out / JSON_NAME).read_text(encoding="utf-8") == "new"


def test_a_symlink_planted_as_the_lock_is_not_followed(tmp_path: Path) -> None:
    out, target = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    (out / LOCK_NAME).symlink_to(target)
    with pytest.raises(OutputError) as caught:
        write_atomically(out, {JSON_NAME: "new", MD_NAME: "new"})
    assert caught.value.message.endswith(f"{LOCK_NAME}: it is a symlink")
    assert not target.exists()
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # no report, no temporary file


def test_a_single_file_needs_no_lock(tmp_path: Path) -> None:
    write_atomically(tmp_path, {"maturity-stages.yml": "x"})
    assert [p.name for p in tmp_path.iterdir()] == ["maturity-stages.yml"]


# --- every output target is checked before anything is written -----------------------------------


def actions_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **GITHUB_ENV,
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REF": "refs/tags/v1.2.3",
        "GITHUB_OUTPUT": str(tmp_path / "gh-output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "gh-summary"),
    }
    return clean_env(**{**env, **extra})


def _folder(path: Path) -> str:
    path.mkdir()
    return str(path)


def _missing_folder(path: Path) -> str:
    return str(path / "no-such-folder" / "file")


def _under_a_file(path: Path) -> str:
    path.write_text("a file\n", encoding="utf-8")
    return str(path / "file")


def _pipe_nobody_reads(path: Path) -> str:
    os.mkfifo(path)
    return str(path)


def _read_only_file(path: Path) -> str:
    path.write_text("", encoding="utf-8")
    path.chmod(0o444)
    return str(path)


UNWRITABLE: list[object] = [
    pytest.param(_folder, "it is a folder", id="folder"),
    pytest.param(_missing_folder, "its folder does not exist", id="missing-folder"),
    pytest.param(_under_a_file, "a part of its path is a file", id="under-a-file"),
    pytest.param(_pipe_nobody_reads, "a pipe that nothing reads", id="fifo"),
    pytest.param(
        _read_only_file,
        "permission denied",
        id="read-only",
        marks=pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files"),
    ),
]


@pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"])
@pytest.mark.parametrize(("make", "why"), UNWRITABLE)
def test_an_unwritable_runner_file_stops_before_any_report(
    variable: str, make: Callable[[Path], str], why: str, tmp_path: Path
) -> None:
    copy_examples(tmp_path)
    env = actions_env(tmp_path, **{variable: make(tmp_path / "target")})
    code, out, err = run_cli(["evaluate", "--evidence-dir", "ga-pass"], tmp_path, env, timeout=30)
    assert code == 2, err
    assert f"maturity: error: cannot write {variable} (" in err
    assert why in err
    assert f"fix: under GitHub Actions the runner sets {variable} to a writable file" in err
    assert "::error title=maturity::" in out
    assert report_files(tmp_path) == []
    assert not (tmp_path / "dist").exists()
    assert not (tmp_path / "gh-output").exists()  # the other file is not written either
    if variable == "GITHUB_OUTPUT":  # the summary is writable: it says there is no verdict
        summary = (tmp_path / "gh-summary").read_text(encoding="utf-8")
        assert summary.startswith(NO_VERDICT)
        assert "GITHUB\\_OUTPUT" in summary
    else:
        assert not (tmp_path / "gh-summary").exists()


@pytest.mark.parametrize(
    ("output_dir", "prepare", "message"),
    [
        ("taken", "file", "--output-dir taken is a file, not a folder"),
        ("taken/reports", "file", "--output-dir taken/reports cannot be created: taken is a file"),
        ("dist/maturity", "json-is-a-folder", "dist/maturity/maturity-eval.json is a folder"),
    ],
)
def test_an_unusable_report_folder_stops_before_the_runner_files(
    output_dir: str, prepare: str, message: str, tmp_path: Path
) -> None:
    copy_examples(tmp_path)
    if prepare == "file":
        (tmp_path / "taken").write_text("not a folder\n", encoding="utf-8")
    else:
        (tmp_path / output_dir / JSON_NAME).mkdir(parents=True)
    env = actions_env(tmp_path)
    args = ["evaluate", "--evidence-dir", "ga-pass", "--output-dir", output_dir]
    code, _, err = run_cli(args, tmp_path, env)
    assert code == 2, err
    assert message in err
    assert "fix:" in err
    assert [p for p in report_files(tmp_path) if p.is_file()] == []
    assert not (tmp_path / "gh-output").exists()
    assert (tmp_path / "gh-summary").read_text(encoding="utf-8").startswith(NO_VERDICT)


def test_go_still_writes_everything_when_every_target_is_writable(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    (tmp_path / "gh-output").write_text("earlier=1\n", encoding="utf-8")
    code, _, err = run_cli(
        ["evaluate", "--evidence-dir", "ga-pass"], tmp_path, actions_env(tmp_path)
    )
    assert code == 0, err
    assert {p.name for p in report_files(tmp_path)} == REPORT_NAMES
    assert "verdict<<" in (tmp_path / "gh-output").read_text(encoding="utf-8")
    assert "# ✅ GO" in (tmp_path / "gh-summary").read_text(encoding="utf-8")


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> (
        None
    ):  # in the child: writes past *limit* bytes fail with EFBIG (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"])
@pytest.mark.parametrize(("evidence", "verdict_code"), [("ga-pass", 0), ("ga-fail", 1)])
def test_a_runner_file_failing_after_the_reports_keeps_the_verdict(
    variable: str, evidence: str, verdict_code: int, tmp_path: Path
) -> None:
    """Opened fine, then a write fails (the file is full): the reports stand, so no exit 2."""
    copy_examples(tmp_path)
    limit = 256 * 1024  # far above a report's size
    full = tmp_path / ("gh-output" if variable == "GITHUB_OUTPUT" else "gh-summary")
    full.write_text("x=" + "y" * limit + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "maturity", "evaluate", "--evidence-dir", evidence],
        cwd=tmp_path,
        env=actions_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_file_size_limit(limit),
    )
    assert proc.returncode == verdict_code, proc.stderr
    assert {p.name for p in report_files(tmp_path)} == REPORT_NAMES
    assert f"maturity: error: cannot append to {variable}" in proc.stderr
    assert "the reports were written; the verdict stands" in proc.stderr
    if variable == "GITHUB_STEP_SUMMARY":  # the other file is still written
        outputs = (tmp_path / "gh-output").read_text(encoding="utf-8")
        assert "verdict<<" in outputs
    else:
        assert "verdict<<" not in full.read_text(encoding="utf-8")[-1000:]
        assert (tmp_path / "gh-summary").read_text(encoding="utf-8").startswith("# ")


# --- exit 2 leaves a job summary -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "files", "expected"),
    [
        pytest.param(
            ["evaluate"],
            {"ci/maturity-stages.yml": "stages: ["},
            "ci\\/maturity\\-stages\\.yml",
            id="config",
        ),
        pytest.param(
            ["evaluate", "--config", "no<b>such</b>.yml"], {}, "no\\<b\\>such", id="missing-config"
        ),
        pytest.param(["evaluate", "--ref", "refs/heads/a..b"], {}, "a\\.\\.b", id="bad-ref"),
        pytest.param(["evaluate", "--evidence", "nope=x.json"], {}, "nope", id="bad-evidence-flag"),
        pytest.param(["evaluate", "--no-such-flag"], {}, "not understood", id="argparse"),
        pytest.param(["validate", "bad.yml"], {"bad.yml": "a: [\n"}, "bad\\.yml", id="validate"),
        pytest.param(["init", "--path", "ci"], {"ci/x": ""}, "is a folder", id="init"),
    ],
)
def test_exit_2_under_actions_leaves_a_summary_and_no_report(
    args: list[str], files: dict[str, str], expected: str, tmp_path: Path
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "gh-summary").write_text("from an earlier step\n", encoding="utf-8")
    code, _, err = run_cli(args, tmp_path, actions_env(tmp_path))
    assert code == 2, err
    assert "Traceback" not in err
    summary = (tmp_path / "gh-summary").read_text(encoding="utf-8")
    assert summary.startswith("from an earlier step\n" + NO_VERDICT)
    assert "exit code 2: no verdict, no report written" in summary
    assert expected in summary
    assert "**Fix:**" in summary
    assert report_files(tmp_path) == []
    assert not (tmp_path / "gh-output").exists()


def test_no_summary_outside_actions(tmp_path: Path) -> None:
    env = actions_env(tmp_path, GITHUB_ACTIONS="false")
    code, _, _ = run_cli(["evaluate", "--ref", "refs/heads/a..b"], tmp_path, env)
    assert code == 2
    assert not (tmp_path / "gh-summary").exists()


def test_an_unwritable_summary_does_not_hide_the_error(tmp_path: Path) -> None:
    (tmp_path / "gh-summary").mkdir()
    code, _, err = run_cli(
        ["evaluate", "--ref", "refs/heads/a..b"], tmp_path, actions_env(tmp_path)
    )
    assert code == 2
    assert "maturity: error:" in err
    assert "Traceback" not in err
    assert list((tmp_path / "gh-summary").iterdir()) == []


@given(st.text(max_size=300), st.text(max_size=300))
def test_the_no_verdict_summary_escapes_whatever_it_quotes(message: str, fix: str) -> None:
    summary = no_verdict_summary("evaluate", message, fix)
    lines = summary.split("\n")
    assert summary.startswith(NO_VERDICT)
    assert summary.endswith("\n")
    assert "\r" not in summary
    quoted = [line for line in lines[2:] if line.startswith(("**Error:**", "- ", "**Fix:**"))]
    for line in quoted:
        body = line.split(" ", 1)[1] if " " in line else ""
        for ch in ("<", ">", "&", "`", "[", "]", "|", "*", "_", "#", "!"):
            assert unescaped(body, ch) == [], (ch, line)
    # every line is ours: a quoted newline can never start a heading, a table or a fence
    for line in lines[1:]:
        assert line == "" or line.startswith(
            ("`maturity evaluate`", "**Error:**", "- ", "**Fix:**")
        )
