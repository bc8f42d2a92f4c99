"""The chain rule, and appending one entry to a log: locked, whole lines, nothing on failure.

A line is the entry with two keys added, ``seq`` (its 1-based line number) and ``prev`` (the
sha256, in hex, of the previous line's bytes without their newline; :data:`GENESIS` for the
first line), serialised as canonical JSON (sorted keys, no spaces, ASCII only) plus ``"\\n"``.

Appending takes an exclusive ``flock`` on the log itself, reads the last line (the chain head),
and writes the new line with one ``write`` on a descriptor opened with ``O_APPEND``, then
``fsync``. Concurrent runs therefore chain one after another, and a reader taking the shared
lock never sees half a line. The new ``seq`` is the last line's ``seq`` + 1, read from that line
rather than by counting every line, so an append costs the same on a log of any length; on a log
whose chain holds, the two are equal (``maturity audit verify`` checks that every ``seq`` is its
line number).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from maturity.audit.lines import (
    MAX_LINE_BYTES,
    MAX_LOG_BYTES,
    Clock,
    NotAnObjectError,
    Sleep,
    acquire_lock,
    parse_object,
)
from maturity.errors import OutputError

#: ``prev`` of the first line
GENESIS = "0" * 64
#: the keys :func:`append_entry` adds; an entry must not bring its own
CHAIN_KEYS = ("prev", "seq")
LOCK_WAIT_SECONDS = 30.0
_TAIL_CHUNK = 1 << 13
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class AppendedEntry:
    """Where an entry went: its line number (its ``seq``), the sha256 of its line (the log's
    new head) and the ``prev`` it was chained to."""

    line_number: int
    sha256: str
    prev: str

    @property
    def anchor(self) -> str:
        """``LINE:SHA256``: what to keep elsewhere and give to ``maturity audit verify --anchor``."""
        return f"{self.line_number}:{self.sha256}"


def is_digest(value: object) -> TypeGuard[str]:
    """Whether *value* is a sha256 as the log writes it: 64 lowercase hex digits."""
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def line_digest(line: bytes) -> str:
    """The sha256 (hex) of a line's bytes, without its newline: the next line's ``prev``."""
    return hashlib.sha256(line).hexdigest()


def encode_line(entry: Mapping[str, Any], seq: int, prev: str) -> bytes:
    """The line for *entry* at *seq* after *prev*, without its newline.

    Raises ``ValueError`` for an entry that brings ``seq`` or ``prev``, or that is not JSON
    (NaN, a non-string key, an object JSON has no form for): a bug in the caller.
    """
    clash = [key for key in CHAIN_KEYS if key in entry]
    if clash:
        raise ValueError(f"an audit entry must not set {', '.join(clash)}: append_entry does")
    try:
        text = json.dumps(
            {**entry, "seq": seq, "prev": prev},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
            allow_nan=False,
        )
    except (TypeError, ValueError) as exc:  # an object json cannot encode; NaN or Infinity
        raise ValueError(f"an audit entry must be JSON: {exc}") from None
    return text.encode("ascii")


def append_entry(
    path: Path,
    entry: Mapping[str, Any],
    *,
    lock_timeout_s: float = LOCK_WAIT_SECONDS,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
) -> AppendedEntry:
    """Append *entry* to the log at *path* (created, mode 0644, if missing) as its next line.

    Raises ``OutputError``, having written nothing, when the log cannot be opened (a missing
    folder, a symlink, not a regular file), when another process holds its lock for over
    *lock_timeout_s* seconds, when its last line is torn or not a chained entry, when it would
    grow past :data:`~maturity.audit.lines.MAX_LOG_BYTES`, or when the write fails.
    *sleep* and *clock* are how the lock is waited for.
    """
    _check_size(path, encode_line(entry, 1, GENESIS))  # before the file is touched (or made)
    fd = _open_for_append(path)
    try:
        if not acquire_lock(fd, fcntl.LOCK_EX, lock_timeout_s, sleep=sleep, clock=clock):
            raise OutputError(
                f"another process kept the lock on the audit log {path} for over "
                f"{lock_timeout_s:g} s, so nothing was appended",
                "run again when the other run has finished, or find the process holding it "
                f"(e.g. `fuser {path}`)",
            )
        size = os.fstat(fd).st_size
        try:
            seq, prev = _next_link(fd, size, path)
        except OSError as exc:
            raise _unreadable_head(path, exc.strerror or str(exc)) from None
        line = encode_line(entry, seq, prev)
        _check_size(path, line)
        if size + len(line) + 1 > MAX_LOG_BYTES:
            raise OutputError(
                f"the audit log {path} would grow past {MAX_LOG_BYTES} bytes, the most "
                "`maturity audit verify` reads, so nothing was appended",
                f"keep {path} and the output of `maturity audit verify {path}` (its head), and "
                "start a new log",
            )
        _write_line(fd, path, size, line + b"\n")
        if size == 0:
            _sync_folder(path)
        return AppendedEntry(seq, line_digest(line), prev)
    finally:
        os.close(fd)  # the lock goes with it


def _check_size(path: Path, line: bytes) -> None:
    if len(line) > MAX_LINE_BYTES:
        raise OutputError(
            f"the audit entry for {path} is {len(line)} bytes, over the {MAX_LINE_BYTES}-byte "
            "limit of a line, so nothing was appended",
            "this is a bug in maturity; please report it",
        )


def _open_for_append(path: Path) -> int:
    # O_RDWR: the chain head is read through the descriptor that holds the lock (the same file,
    # whatever happens to the name); O_APPEND puts every write at the end; O_NOFOLLOW refuses a
    # symlink planted under the log's name; O_NONBLOCK keeps a FIFO from hanging the open
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except FileNotFoundError:
        raise OutputError(
            f"cannot create the audit log {path}: its folder {path.parent} does not exist",
            "create the folder, or pass --audit-log a path in an existing folder",
        ) from None
    except OSError as exc:
        why = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise OutputError(
            f"cannot open the audit log {path} for appending: {why}",
            "pass --audit-log the path of a regular file (or of one to create) that this user "
            "may write",
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputError(
            f"the audit log {path} is not a regular file (a FIFO, device or socket)",
            "pass --audit-log the path of a regular file (or of one to create)",
        )
    return fd


def _next_link(fd: int, size: int, path: Path) -> tuple[int, str]:
    """The ``seq`` and ``prev`` of the line after the last one (the first, on an empty log)."""
    if size == 0:
        return 1, GENESIS
    last = _last_line(fd, size, path)
    try:
        head = parse_object(last)
    except NotAnObjectError as exc:
        raise _unreadable_head(path, f"its last line is not a JSON object: {exc}") from None
    seq = head.get("seq")
    if type(seq) is not int or seq < 1:
        raise _unreadable_head(path, "its last line has no seq (a line number)")
    if not is_digest(head.get("prev")):
        raise _unreadable_head(path, "its last line has no prev (a sha256)")
    return seq + 1, line_digest(last)


def _last_line(fd: int, size: int, path: Path) -> bytes:
    """The bytes of the last line (without its newline), read backwards from the end."""
    if os.pread(fd, 1, size - 1) != b"\n":
        raise _unreadable_head(
            path, "it ends in a torn line (no newline after its last line: a write was cut short)"
        )
    end = size - 1  # the last line's newline
    pieces: list[bytes] = []  # the last line's bytes, from its end backwards
    have, chunk = 0, _TAIL_CHUNK
    while True:
        start = max(0, end - have - chunk)
        piece = os.pread(fd, end - have - start, start)
        if len(piece) != end - have - start:
            raise _unreadable_head(path, "it got shorter while its last line was read")
        newline = piece.rfind(b"\n")
        if newline >= 0:
            pieces.append(piece[newline + 1 :])
            break
        pieces.append(piece)
        have += len(piece)
        if start == 0 or have > MAX_LINE_BYTES:
            break
        chunk = min(chunk * 2, MAX_LINE_BYTES)
    line = b"".join(reversed(pieces))
    if len(line) > MAX_LINE_BYTES:
        raise _unreadable_head(path, f"its last line is over {MAX_LINE_BYTES} bytes")
    if not line:
        raise _unreadable_head(path, "its last line is empty")
    return line


def _unreadable_head(path: Path, why: str) -> OutputError:
    return OutputError(
        f"cannot append to the audit log {path}: {why}; nothing was appended",
        f"run `maturity audit verify {path}` to see what is wrong; keep the file as evidence "
        "and start a new log, or restore it from a copy whose chain holds",
    )


def _write_line(fd: int, path: Path, size: int, data: bytes) -> None:
    """Write *data* with one ``write`` and ``fsync`` it; on failure, cut the file back to
    *size* (the lock is held, so no other line can have followed)."""
    try:
        written = os.write(fd, data)
        if written != len(data):
            raise OSError(errno.EIO, f"only {written} of {len(data)} bytes were written")
        os.fsync(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
        raise OutputError(
            f"cannot append to the audit log {path}: {exc.strerror or exc}; the file was cut "
            "back to its previous end",
            f"check free space and permissions, then run `maturity audit verify {path}`",
        ) from None


def _sync_folder(path: Path) -> None:
    """fsync the log's folder, so a log just created survives a crash along with its line."""
    try:
        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the line itself is synced
    finally:
        os.close(fd)
