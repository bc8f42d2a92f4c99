"""Appending to the audit log: concurrent writers, a held lock, and logs it must not touch."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from audit_entries import sample_entry
from helpers import clean_env

from maturity.audit.chain import GENESIS, append_entry, encode_line, line_digest
from maturity.audit.lines import MAX_LINE_BYTES, MAX_LOG_BYTES, UnreadableLogError
from maturity.audit.verify import verify_log
from maturity.errors import OutputError

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from audit_entries import sample_entry
    from maturity.audit.chain import append_entry

    path, writer, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    sys.stdin.read()  # every writer is started and imported: the parent lets them go at once
    for i in range(count):
        append_entry(path, sample_entry(writer * 100 + i, writer=writer, index=i))
    """
)


def test_twenty_concurrent_writers_chain_every_entry_once(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    writers, each = 20, 25
    env = clean_env(PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    procs = []
    for w in range(writers):
        with (tmp_path / f"writer-{w}.err").open("wb") as errors:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", WRITER, str(log), str(w), str(each)],
                    stdin=subprocess.PIPE,
                    stderr=errors,
                    env=env,
                )
            )
    for proc in procs:  # all at once: each writer starts appending when its stdin closes
        assert proc.stdin is not None
        proc.stdin.close()
    for w, proc in enumerate(procs):
        assert proc.wait(timeout=120) == 0, (tmp_path / f"writer-{w}.err").read_text()
    result = verify_log(log)
    assert result.ok, result.problem
    assert result.lines == writers * each
    data = log.read_bytes()
    assert data.endswith(b"\n")
    assert data.count(b"\n") == writers * each
    entries = [json.loads(line) for line in data.splitlines()]
    assert [e["seq"] for e in entries] == list(range(1, writers * each + 1))
    written = sorted((e["writer"], e["index"]) for e in entries)
    assert written == [(w, i) for w in range(writers) for i in range(each)]
    for w in range(writers):  # each writer's own entries stay in the order it wrote them
        assert [e["index"] for e in entries if e["writer"] == w] == list(range(each))


def test_a_held_lock_times_out_and_nothing_is_written(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_entry(log, sample_entry(0))
    before = log.read_bytes()
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    holder = os.open(log, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        with pytest.raises(OutputError) as caught:
            append_entry(
                log, sample_entry(1), lock_timeout_s=0.5, sleep=sleep, clock=lambda: now[0]
            )
    finally:
        os.close(holder)
    assert (
        f"another process kept the lock on the audit log {log} for over 0.5 s"
        in caught.value.message
    )
    assert "nothing was appended" in caught.value.message
    assert "run again" in caught.value.remediation
    assert sum(slept) >= 0.5
    assert len(slept) > 1
    assert log.read_bytes() == before
    assert append_entry(log, sample_entry(1)).line_number == 2  # the lock is free again


def test_a_lock_released_while_waiting_is_taken(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_entry(log, sample_entry(0))
    holder = os.open(log, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # the other run finishes while we wait
        slept.append(seconds)
        os.close(holder)

    appended = append_entry(log, sample_entry(1), sleep=sleep)
    assert len(slept) == 1
    assert appended.line_number == 2
    assert verify_log(log).ok


@pytest.mark.parametrize(
    ("tail", "said"),
    [
        (b'{"seq":2', "it ends in a torn line"),
        (b"not json\n", "its last line is not a JSON object"),
        (b'{"prev":"' + GENESIS.encode() + b'"}\n', "its last line has no seq"),
        (b'{"seq":2,"prev":"xyz"}\n', "its last line has no prev"),
        (b"\n", "its last line is empty"),
    ],
)
def test_append_refuses_a_log_whose_head_cannot_be_read(
    tmp_path: Path, tail: bytes, said: str
) -> None:
    log = tmp_path / "audit.jsonl"
    append_entry(log, sample_entry(0))
    log.write_bytes(log.read_bytes() + tail)
    before = log.read_bytes()
    with pytest.raises(OutputError) as caught:
        append_entry(log, sample_entry(1))
    assert f"cannot append to the audit log {log}: {said}" in caught.value.message
    assert f"`maturity audit verify {log}`" in caught.value.remediation
    assert log.read_bytes() == before


def test_append_continues_from_the_last_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    last = encode_line(sample_entry(0), 41, "ab" * 32)
    log.write_bytes(
        b"x" * 20_000 + b"\n" + last + b"\n"
    )  # read from the end: line 1 is not looked at
    appended = append_entry(log, sample_entry(1))
    assert (appended.line_number, appended.prev) == (42, line_digest(last))
    new = log.read_bytes().split(b"\n")[-2]
    assert json.loads(new)["seq"] == 42
    assert appended.sha256 == line_digest(new)


def test_append_finds_a_long_last_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_entry(log, sample_entry(0))
    long = append_entry(log, sample_entry(1, note="n" * 300_000))
    appended = append_entry(log, sample_entry(2))
    assert appended.prev == long.sha256
    assert appended.line_number == 3
    assert verify_log(log).ok


@pytest.mark.parametrize(
    "entry",
    [{"seq": 3}, {"prev": GENESIS}, {"x": float("nan")}, {"x": object()}, {1: "a", "1": "b"}],
    ids=["seq", "prev", "nan", "object", "clashing-keys"],
)
def test_an_entry_that_is_not_json_is_a_bug_and_creates_nothing(
    tmp_path: Path, entry: dict[object, object]
) -> None:
    log = tmp_path / "audit.jsonl"
    with pytest.raises(ValueError, match="an audit entry must"):
        append_entry(log, entry)  # type: ignore[arg-type]
    assert not log.exists()


def test_an_entry_over_the_line_limit_creates_nothing(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    with pytest.raises(OutputError) as caught:
        append_entry(log, sample_entry(0, note="n" * MAX_LINE_BYTES))
    assert f"over the {MAX_LINE_BYTES}-byte limit of a line" in caught.value.message
    assert not log.exists()


def test_append_refuses_paths_that_are_not_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"keep me\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = [
        (link, "it is a symlink"),
        (fifo, "is not a regular file"),
        (tmp_path, "Is a directory"),
        (tmp_path / "missing" / "audit.jsonl", "its folder"),
    ]
    for path, said in cases:
        with pytest.raises(OutputError) as caught:
            append_entry(path, sample_entry(0))
        assert str(path) in caught.value.message
        assert said in caught.value.message
        assert caught.value.remediation
    assert target.read_bytes() == b"keep me\n"
    assert not (tmp_path / "missing").exists()


def test_a_short_write_is_cut_back(tmp_path: Path) -> None:
    """The file size limit (RLIMIT_FSIZE) makes the kernel write part of the line: the part goes."""
    log = tmp_path / "audit.jsonl"
    append_entry(log, sample_entry(0))
    before = log.read_bytes()
    script = textwrap.dedent(
        f"""
        import resource
        from pathlib import Path
        from audit_entries import sample_entry
        from maturity.audit.chain import append_entry
        from maturity.errors import OutputError

        limit = {len(before) + 100}
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            append_entry(Path({str(log)!r}), sample_entry(1))
        except OutputError as exc:
            print(exc.render())
        """
    )
    env = clean_env(PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"cannot append to the audit log {log}: only 100 of" in proc.stdout
    assert "cut back to its previous end" in proc.stdout
    assert log.read_bytes() == before


def test_append_refuses_to_grow_a_log_past_what_verify_reads(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    last = encode_line(sample_entry(0), 1, GENESIS) + b"\n"
    with log.open("wb") as handle:  # sparse: no disk used for the gap
        handle.truncate(MAX_LOG_BYTES - len(last) - 10)
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n" + last)
    size = log.stat().st_size
    with pytest.raises(OutputError) as caught:
        append_entry(log, sample_entry(1))
    assert f"would grow past {MAX_LOG_BYTES} bytes" in caught.value.message
    assert "start a new log" in caught.value.remediation
    assert log.stat().st_size == size
    with log.open("r+b") as handle:
        handle.truncate(MAX_LOG_BYTES + 1)
    with pytest.raises(UnreadableLogError, match=f"over the {MAX_LOG_BYTES}-byte limit"):
        verify_log(log)
