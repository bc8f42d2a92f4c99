"""The release workflows' audit-branch scripts, run as the jobs run them, on real git repos.

``.github/scripts/audit-log-fetch.sh`` (the gate job) and ``audit-log-push.sh`` (the audit
job) against a bare repository standing in for GitHub: the first run creates the orphan
branch, later runs append, and a rewritten log, a rewritten branch history, a broken chain or
a push that lost a race are refused.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from audit_entries import sample_entry
from helpers import REPO_ROOT, clean_env

from maturity.audit.chain import append_entry, line_digest

SCRIPTS = REPO_ROOT / ".github" / "scripts"
BRANCH = "maturity-audit"
BRANCH_REF = f"refs/heads/{BRANCH}"


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


def git(*args: str, git_dir: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        capture_output=True,
        text=True,
        check=True,
        env=env or git_env(),
        timeout=30,
    )
    return proc.stdout.strip()


def git_env(**extra: str) -> dict[str, str]:
    """No user or system git config; ``maturity`` (this venv's) first on PATH."""
    env = {k: v for k, v in clean_env().items() if not k.startswith(("GIT_", "AUDIT_"))}
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(PATH=path, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", **extra)
    return env


def run_script(name: str, tmp_path: Path, **env: str) -> Run:
    outputs = tmp_path / f"outputs-{name}"
    outputs.write_text("")
    proc = subprocess.run(
        ["bash", str(SCRIPTS / name)],
        check=False,
        capture_output=True,
        text=True,
        env=git_env(GITHUB_OUTPUT=str(outputs), **env),
        timeout=60,
    )
    pairs = [line.split("=", 1) for line in outputs.read_text().splitlines()]
    return Run(proc.returncode, proc.stdout, proc.stderr, dict(pairs))


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True, env=git_env())
    return path


def fetch(tmp_path: Path, remote: Path, log: Path) -> Run:
    return run_script("audit-log-fetch.sh", tmp_path, AUDIT_REMOTE=str(remote), AUDIT_LOG=str(log))


def push(tmp_path: Path, remote: Path, log: Path, **env: str) -> Run:
    return run_script(
        "audit-log-push.sh",
        tmp_path,
        AUDIT_REMOTE=str(remote),
        AUDIT_LOG=str(log),
        AUDIT_MESSAGE="maturity audit: refs/tags/v1.2.3, run 42",
        **env,
    )


def tip(remote: Path) -> str:
    return git("rev-parse", "--verify", BRANCH_REF, git_dir=remote)


def branch_log(remote: Path) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={remote}", "cat-file", "blob", f"{BRANCH_REF}:audit.jsonl"],
        capture_output=True,
        check=True,
        env=git_env(),
    ).stdout


def commit_on_branch(remote: Path, files: dict[str, bytes], message: str) -> str:
    """A commit made by hand (not by the scripts) on top of the branch: a rewrite attempt."""
    entries = []
    for name, content in files.items():
        blob = (
            subprocess.run(
                ["git", f"--git-dir={remote}", "hash-object", "-w", "--stdin"],
                input=content,
                capture_output=True,
                check=True,
                env=git_env(),
            )
            .stdout.decode()
            .strip()
        )
        entries.append(f"100644 blob {blob}\t{name}\n")
    tree = subprocess.run(
        ["git", f"--git-dir={remote}", "mktree"],
        input="".join(entries),
        capture_output=True,
        text=True,
        check=True,
        env=git_env(),
    ).stdout.strip()
    identity = {
        "GIT_AUTHOR_NAME": "mallory",
        "GIT_AUTHOR_EMAIL": "m@example.com",
        "GIT_COMMITTER_NAME": "mallory",
        "GIT_COMMITTER_EMAIL": "m@example.com",
    }
    commit = git(
        "commit-tree",
        tree,
        "-p",
        tip(remote),
        "-m",
        message,
        git_dir=remote,
        env=git_env(**identity),
    )
    git("update-ref", BRANCH_REF, commit, git_dir=remote)
    return commit


def write_log(path: Path, indexes: range, **changes: object) -> Path:
    path.unlink(missing_ok=True)
    for i in indexes:
        append_entry(path, sample_entry(i, **changes))
    return path


def released(tmp_path: Path, remote: Path, count: int) -> Path:
    """The branch after *count* runs of gate (fetch, append) and audit (push)."""
    log = tmp_path / "gate" / "audit.jsonl"
    for i in range(count):
        assert fetch(tmp_path, remote, log).code == 0
        append_entry(log, sample_entry(i))
        pushed = push(tmp_path, remote, log)
        assert pushed.code == 0, pushed.stderr
    return log


def test_first_run_starts_an_empty_log_and_creates_the_orphan_branch(
    tmp_path: Path, remote: Path
) -> None:
    log = tmp_path / "gate" / "audit.jsonl"
    fetched = fetch(tmp_path, remote, log)
    assert fetched.code == 0, fetched.stderr
    assert fetched.outputs == {"base": "", "lines": "0"}
    assert log.read_bytes() == b""

    append_entry(log, sample_entry(0))
    pushed = push(tmp_path, remote, log)
    assert pushed.code == 0, pushed.stderr
    commit = tip(remote)
    assert pushed.outputs == {"commit": commit}
    assert git("rev-list", "--parents", "-n1", commit, git_dir=remote) == commit  # orphan
    assert git("ls-tree", "--name-only", commit, git_dir=remote) == "audit.jsonl"
    assert branch_log(remote) == log.read_bytes()
    head = line_digest(log.read_bytes().rstrip(b"\n"))
    message = git("log", "-1", "--format=%B", commit, git_dir=remote)
    assert message.splitlines()[0] == "maturity audit: refs/tags/v1.2.3, run 42"
    assert f"Maturity-Audit-Head: 1:{head}" in message
    assert git("log", "-1", "--format=%an", commit, git_dir=remote) == "github-actions[bot]"


def test_later_runs_fetch_the_branch_and_append_one_commit_each(
    tmp_path: Path, remote: Path
) -> None:
    released(tmp_path, remote, 2)
    first_two = tip(remote)
    log = tmp_path / "next" / "audit.jsonl"
    fetched = fetch(tmp_path, remote, log)
    assert fetched.code == 0, fetched.stderr
    assert fetched.outputs == {"base": first_two, "lines": "2"}
    assert "holds: 2 lines" in fetched.stdout
    assert log.read_bytes() == branch_log(remote)

    append_entry(log, sample_entry(2))
    assert push(tmp_path, remote, log).code == 0
    assert git("rev-parse", f"{tip(remote)}^", git_dir=remote) == first_two
    assert branch_log(remote) == log.read_bytes()
    assert len(branch_log(remote).splitlines()) == 3


def test_a_rerun_of_the_audit_job_pushes_nothing(tmp_path: Path, remote: Path) -> None:
    log = released(tmp_path, remote, 1)
    before = tip(remote)
    again = push(tmp_path, remote, log)
    assert again.code == 0, again.stderr
    assert "nothing to push" in again.stdout
    assert tip(remote) == before


def test_push_refuses_a_log_that_does_not_extend_the_branch(tmp_path: Path, remote: Path) -> None:
    released(tmp_path, remote, 2)
    before = tip(remote)
    # The same number of lines and more, chained correctly, but line 1 says something else.
    rewritten = write_log(tmp_path / "rewritten.jsonl", range(3), stage="PILOT")
    refused = push(tmp_path, remote, rewritten)
    assert refused.code == 1
    assert "does not extend the log on maturity-audit" in refused.stderr
    assert tip(remote) == before


def test_push_refuses_when_another_run_appended_since_the_gate_read(
    tmp_path: Path, remote: Path
) -> None:
    log = released(tmp_path, remote, 1)
    stale = tmp_path / "stale.jsonl"
    stale.write_bytes(log.read_bytes())
    append_entry(log, sample_entry(1))
    assert push(tmp_path, remote, log).code == 0  # the other run
    before = tip(remote)
    append_entry(stale, sample_entry(7))  # this run's line, chained to the old head
    refused = push(tmp_path, remote, stale)
    assert refused.code == 1
    assert "does not extend" in refused.stderr
    assert tip(remote) == before


def test_push_refuses_a_log_whose_chain_is_broken(tmp_path: Path, remote: Path) -> None:
    log = released(tmp_path, remote, 1)
    before = tip(remote)
    with log.open("ab") as f:
        f.write(b'{"seq":2,"prev":"' + b"0" * 64 + b'"}\n')  # extends the bytes, wrong prev
    refused = push(tmp_path, remote, log)
    assert refused.code == 1
    assert "broken at line 2" in refused.stdout + refused.stderr
    assert tip(remote) == before


def test_a_push_that_lost_the_race_is_rejected_not_forced(tmp_path: Path, remote: Path) -> None:
    released(tmp_path, remote, 1)
    theirs = released_elsewhere(tmp_path, remote)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    # Between this script's read of the branch and its push, another run pushes its commit.
    (hooks / "pre-push").write_text(
        f"#!/bin/sh\nexec git --git-dir='{remote}' update-ref {BRANCH_REF} {theirs}\n"
    )
    (hooks / "pre-push").chmod(0o755)
    log = tmp_path / "mine.jsonl"
    log.write_bytes(branch_log(remote))
    append_entry(log, sample_entry(5))
    lost = push(
        tmp_path,
        remote,
        log,
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0="core.hooksPath",
        GIT_CONFIG_VALUE_0=str(hooks),
    )
    assert lost.code != 0
    assert "[remote rejected]" in lost.stderr
    assert "pushed" not in lost.stdout
    assert tip(remote) == theirs


def released_elsewhere(tmp_path: Path, remote: Path) -> str:
    """Another run's commit (its line appended to the branch's log), not yet on the branch."""
    before = tip(remote)
    log = tmp_path / "theirs.jsonl"
    log.write_bytes(branch_log(remote))
    append_entry(log, sample_entry(4))
    assert push(tmp_path, remote, log).code == 0
    theirs = tip(remote)
    git("update-ref", BRANCH_REF, before, git_dir=remote)
    return theirs


def test_the_token_reaches_git_through_the_environment_only(tmp_path: Path, remote: Path) -> None:
    token = "ghs_0123456789abcdefTOKEN"  # noqa: S105 (a made-up token)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    seen = tmp_path / "seen-by-git.txt"
    (hooks / "pre-push").write_text(
        f"#!/bin/sh\ngit config --show-origin --get-all http.extraheader > '{seen}'\n"
        f"grep -rl extraheader \"$GIT_DIR\" >> '{seen}' || true\n"
    )
    (hooks / "pre-push").chmod(0o755)
    log = write_log(tmp_path / "audit.jsonl", range(1))
    pushed = push(
        tmp_path,
        remote,
        log,
        AUDIT_TOKEN=token,
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0="core.hooksPath",
        GIT_CONFIG_VALUE_0=str(hooks),
    )
    assert pushed.code == 0, pushed.stderr
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    # Set from the environment ("command line" origin), and in no file of the work repository.
    assert seen.read_text() == f"command line:\tAUTHORIZATION: basic {basic}\n"
    assert token not in pushed.stdout + pushed.stderr


def test_fetch_refuses_a_history_that_edited_a_line(tmp_path: Path, remote: Path) -> None:
    released(tmp_path, remote, 2)
    # A consistent rewrite: a chain that holds (verify alone would accept it), line 1 changed.
    rewritten = write_log(tmp_path / "rewritten.jsonl", range(3), stage="PILOT")
    bad = commit_on_branch(remote, {"audit.jsonl": rewritten.read_bytes()}, "tidy up")
    log = tmp_path / "gate.jsonl"
    refused = fetch(tmp_path, remote, log)
    assert refused.code == 1
    assert f"commit {bad} on maturity-audit does more than add lines to audit.jsonl" in (
        refused.stderr
    )
    assert refused.outputs == {}


def test_fetch_refuses_a_history_that_inserted_a_line(tmp_path: Path, remote: Path) -> None:
    log = released(tmp_path, remote, 2)
    lines = log.read_bytes().splitlines(keepends=True)
    inserted = lines[0] + b'{"seq":2}\n' + lines[1]
    bad = commit_on_branch(remote, {"audit.jsonl": inserted}, "insert")
    refused = fetch(tmp_path, remote, tmp_path / "gate.jsonl")
    assert refused.code == 1
    assert f"commit {bad} on maturity-audit does not only append whole lines" in refused.stderr


def test_fetch_refuses_a_commit_that_touches_another_file(tmp_path: Path, remote: Path) -> None:
    log = released(tmp_path, remote, 1)
    commit_on_branch(remote, {"audit.jsonl": log.read_bytes(), "notes.txt": b"hi\n"}, "notes")
    refused = fetch(tmp_path, remote, tmp_path / "gate.jsonl")
    assert refused.code == 1
    assert "does more than add lines" in refused.stderr
    assert "notes.txt" in refused.stderr


def test_fetch_fails_on_a_broken_chain_the_history_cannot_show(
    tmp_path: Path, remote: Path
) -> None:
    log = released(tmp_path, remote, 1)
    appended = log.read_bytes() + b'{"seq":2,"prev":"' + b"f" * 64 + b'"}\n'
    commit_on_branch(remote, {"audit.jsonl": appended}, "append a forged line")
    refused = fetch(tmp_path, remote, tmp_path / "gate.jsonl")
    assert refused.code == 1
    assert "broken at line 2" in refused.stdout + refused.stderr
    assert refused.outputs == {}


def test_fetch_fails_when_the_remote_cannot_be_read(tmp_path: Path) -> None:
    log = tmp_path / "gate.jsonl"
    failed = fetch(tmp_path, tmp_path / "no-such-remote.git", log)
    assert failed.code == 1
    assert "cannot list maturity-audit" in failed.stderr
    assert not log.exists()  # not mistaken for a first run
    assert failed.outputs == {}
