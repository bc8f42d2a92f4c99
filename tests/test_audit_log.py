"""The audit log's chain: appending, and every kind of tampering found at its first bad line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from audit_entries import sample_entry

from maturity.audit.chain import GENESIS, append_entry, encode_line, line_digest
from maturity.audit.lines import MAX_LINE_BYTES
from maturity.audit.verify import Verification, verify_log

LINES = 8


def make_log(path: Path, count: int = LINES) -> list[bytes]:
    """Append *count* sample entries; the log's lines (without newlines)."""
    for i in range(count):
        append_entry(path, sample_entry(i))
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def forged(seq: int, prev: str, i: int = 99) -> bytes:
    """A line as append_entry would write it, with the chain keys chosen by a forger."""
    return encode_line(sample_entry(i), seq, prev)


def broken_at(result: Verification, line: int, *words: str) -> str:
    """Assert *result* is broken at *line* with *words* in its message; the message."""
    assert not result.ok
    assert result.problem is not None, result
    assert result.problem.line == line, result.problem
    for word in words:
        assert word in result.problem.what, result.problem.what
    assert result.lines == line - 1
    return result.problem.what


def test_round_trip_chains_each_line_to_the_one_before(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    appended = [append_entry(log, sample_entry(i)) for i in range(3)]
    lines = log.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert len(lines) == 4
    entries = [json.loads(line) for line in lines[:3]]
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert [e["prev"] for e in entries] == [
        GENESIS,
        hashlib.sha256(lines[0]).hexdigest(),
        hashlib.sha256(lines[1]).hexdigest(),
    ]
    assert [a.line_number for a in appended] == [1, 2, 3]
    assert [a.prev for a in appended] == [e["prev"] for e in entries]
    assert appended[-1].sha256 == line_digest(lines[2])
    assert appended[-1].anchor == f"3:{appended[-1].sha256}"
    for i, entry in enumerate(entries):  # the caller's entry, unchanged, plus the two keys
        assert {k: v for k, v in entry.items() if k not in ("seq", "prev")} == sample_entry(i)
    result = verify_log(log)
    assert result.ok
    assert result.problem is None
    assert (result.lines, result.head) == (3, appended[-1].sha256)


def test_lines_are_canonical_json(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_entry(log, {"b": "é\u202e", "a": [1, 2]})
    assert log.read_bytes() == (
        b'{"a":[1,2],"b":"\\u00e9\\u202e","prev":"' + GENESIS.encode() + b'","seq":1}\n'
    )


def test_an_empty_log_holds_with_the_genesis_head(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_bytes(b"")
    assert verify_log(log) == Verification(0, GENESIS)


def test_an_anchor_still_holds_after_the_log_grew(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    make_log(log, 3)
    head = verify_log(log).head
    make_log(log, 2)
    for anchor in (head, head.upper(), f"3:{head}"):
        result = verify_log(log, anchor)
        assert result.ok
        assert result.lines == 5
        assert result.anchor_line == 3


# -- tampering: each found at its first bad line, said plainly ------------------------------


def edit_byte(line: bytes, old: bytes, new: bytes) -> bytes:
    assert line.count(old) >= 1
    return line.replace(old, new, 1)


def test_an_edited_middle_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    lines[3] = edit_byte(lines[3], b'"verdict":"GO"', b'"verdict":"NO"')
    write_lines(log, lines)
    result = verify_log(log)
    broken_at(result, 4, "line 4 was edited", "line 5's prev")
    assert result.head == line_digest(lines[2])


def test_an_edited_prev_inside_a_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    prev = json.loads(lines[3])["prev"]
    lines[3] = edit_byte(
        lines[3], prev.encode(), ("0" if prev[0] != "0" else "1").encode() + prev[1:].encode()
    )
    write_lines(log, lines)
    broken_at(verify_log(log), 4, "line 4 was edited", "its prev no longer matches line 3")


def test_an_edited_seq(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    lines[4] = edit_byte(lines[4], b'"seq":5', b'"seq":6')
    write_lines(log, lines)
    broken_at(verify_log(log), 5, "line 5 has seq 6, not its line number 5")


def test_an_edited_last_line_needs_an_anchor(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    head = verify_log(log).head
    lines[-1] = edit_byte(lines[-1], b'"verdict":"GO"', b'"verdict":"NO"')
    write_lines(log, lines)
    assert verify_log(log).ok  # nothing after it to notice
    broken_at(verify_log(log, head), LINES + 1, f"the anchor {head}", "digest of none")
    broken_at(verify_log(log, f"{LINES}:{head}"), LINES, f"line {LINES}'s digest is not the anchor")


def test_a_removed_middle_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, lines[:3] + lines[4:])
    broken_at(verify_log(log), 4, "line 4 has seq 5", "1 line (seq 4) was removed before it")


def test_removed_middle_lines(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, lines[:2] + lines[5:])
    result = verify_log(log)
    broken_at(result, 3, "3 lines (seq 3..5) were removed before it")
    assert result.head == line_digest(lines[1])


@pytest.mark.parametrize(
    ("removed", "said"), [(1, "the first line was"), (3, "the first 3 lines were")]
)
def test_removed_first_lines(tmp_path: Path, removed: int, said: str) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, lines[removed:])
    broken_at(
        verify_log(log), 1, "line 1 does not start the chain", f"{said} removed from the start"
    )


def test_an_edited_first_line_prev(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    lines[0] = edit_byte(lines[0], GENESIS.encode(), b"1" + GENESIS[1:].encode())
    write_lines(log, lines)
    broken_at(verify_log(log), 1, "line 1 does not start the chain", "line 1 was edited")


@pytest.mark.parametrize(("first", "second"), [(3, 4), (1, 5)])
def test_swapped_lines(tmp_path: Path, first: int, second: int) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    lines[first], lines[second] = lines[second], lines[first]
    write_lines(log, lines)
    what = broken_at(verify_log(log), first + 1, "out of order", f"seq {second + 1}")
    assert "swapped or moved" in what


@pytest.mark.parametrize(("count", "said"), [(1, "line 5 was"), (2, "lines 5..6 were")])
def test_inserted_lines_that_chain_to_the_line_before(
    tmp_path: Path, count: int, said: str
) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    inserted = [forged(5, line_digest(lines[3]))]  # the right prev and seq for line 5
    if count == 2:
        inserted.append(forged(6, line_digest(inserted[0]), i=98))
    write_lines(log, [*lines[:4], *inserted, *lines[4:]])
    result = verify_log(log)
    broken_at(result, 5, f"line {5 + count}'s prev is the digest of line 4", f"{said} inserted")
    assert result.head == line_digest(lines[3])  # the lines before the bad one end at line 4


def test_a_copied_line(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, [*lines, lines[2]])
    broken_at(verify_log(log), LINES + 1, f"line {LINES + 1} repeats line 3 byte for byte")


@pytest.mark.parametrize(
    ("cut", "line"),
    [
        (lambda data: data[:-1], LINES),  # the final newline dropped
        (lambda data: data[: len(data) - 40], LINES),  # the last line cut mid-way
        (lambda data: data[: data.index(b"\n", data.index(b'"seq":5')) - 10], 5),
    ],
    ids=["final-newline", "last-line-cut", "middle-cut"],
)
def test_a_truncated_log(tmp_path: Path, cut: Callable[[bytes], bytes], line: int) -> None:
    log = tmp_path / "audit.jsonl"
    make_log(log)
    log.write_bytes(cut(log.read_bytes()))
    broken_at(verify_log(log), line, f"line {line} is truncated", "without a newline")


def test_removed_trailing_lines_need_an_anchor(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    head = verify_log(log).head
    write_lines(log, lines[:5])
    assert verify_log(log).ok
    broken_at(verify_log(log, head), 6, "digest of none of the log's 5 lines")
    broken_at(
        verify_log(log, f"{LINES}:{head}"),
        6,
        f"the log ends at line 5, but the anchor is line {LINES}",
        "lines 6..8 were removed from its end",
    )


def test_an_appended_line_with_a_wrong_prev(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, [*lines, forged(LINES + 1, "ab" * 32)])
    broken_at(verify_log(log), LINES + 1, f"line {LINES + 1}'s prev does not match", "forged")


def test_an_appended_line_with_the_right_prev_and_a_wrong_seq(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, [*lines, forged(42, line_digest(lines[-1]))])
    broken_at(verify_log(log), LINES + 1, f"line {LINES + 1} has seq 42, not its line number")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (b"not json", "it is not valid JSON (expecting value at character 1)"),
        (b"", "is empty"),
        (b'["a"]', "it is JSON but not an object (it is an array)"),
        (b'{"seq": NaN}', "it holds NaN, which JSON does not allow"),
        (b'{"a": "\xff"}', "it is not UTF-8 text (byte 0xFF at offset 7)"),
        (b'{"a": 1} {"b": 2}', "extra data"),
        (b'{"seq": 9}', "no valid prev"),
    ],
)
def test_an_appended_line_that_is_not_an_entry(tmp_path: Path, line: bytes, said: str) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, [*lines, line])
    broken_at(verify_log(log), LINES + 1, said)


def test_a_line_over_the_limit(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    write_lines(log, [*lines[:2], b"x" * (MAX_LINE_BYTES + 5), *lines[2:]])
    broken_at(verify_log(log), 3, f"line 3 is over {MAX_LINE_BYTES} bytes")


def test_a_forged_chain_holds_but_misses_the_anchor(tmp_path: Path) -> None:
    """What the chain cannot prove: lines rewritten with their chain recomputed. An anchor can."""
    log = tmp_path / "audit.jsonl"
    lines = make_log(log)
    anchor = f"6:{line_digest(lines[5])}"
    rewritten = lines[:4]
    for seq in range(5, LINES + 1):
        rewritten.append(forged(seq, line_digest(rewritten[-1]), i=seq + 50))
    write_lines(log, rewritten)
    assert verify_log(log).ok
    broken_at(verify_log(log, anchor), 6, "line 6's digest is not the anchor", "rewritten")
