"""Reading an audit log: a consistent snapshot, one bounded line at a time.

A log only ever grows by whole lines, each written with one ``write`` while its writer holds an
exclusive ``flock`` on the file (:func:`maturity.audit.chain.append_entry`). A reader takes the
shared lock just long enough to note the file's size, then reads up to that size without the
lock: whatever is appended later lies beyond it, so the reader never sees half a line and never
keeps a writer waiting for longer than an ``fstat``.

Lines are read with a bound (:data:`MAX_LINE_BYTES`; ``append_entry`` never writes a longer one)
and the file with another (:data:`MAX_LOG_BYTES`), so a hostile file cannot make a reader hold
more than a line in memory or read for ever.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import json.scanner
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

from maturity.errors import MaturityError

#: the longest line, without its newline, that is read (and that ``append_entry`` writes)
MAX_LINE_BYTES = 1 << 20
#: the largest log that is read (and that ``append_entry`` grows): about two million entries
MAX_LOG_BYTES = 2 << 30
#: how long a reader waits for a writer to finish its line (writes take microseconds)
READ_LOCK_WAIT_SECONDS = 10.0
LOCK_POLL_SECONDS = 0.005
_READ_BUFFER = 1 << 20

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class UnreadableLogError(MaturityError):
    """The log cannot be read at all (missing, a folder, not allowed, too big): exit 2."""


class LineFault(Enum):
    """A line that cannot be given as bytes."""

    TOO_LONG = "too long"  # over MAX_LINE_BYTES: skipped up to its newline
    TORN = "torn"  # the last line, without its newline


class NotAnObjectError(ValueError):
    """A line that is not one JSON object; the message says why, in plain words."""


def _refuse_constant(name: str) -> Any:
    raise NotAnObjectError(f"it holds {name}, which JSON does not allow")


#: called only for NaN, Infinity and -Infinity: no cost on ordinary lines
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
#: the C scanner under ``_DECODER.decode``, called directly for a line that is one value with
#: no whitespace around it (every line maturity writes): a fifth of the cost of reading a line
_SCAN: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(_DECODER)  # type: ignore[arg-type]  # typeshed has the class, not its argument


def parse_object(line: bytes) -> dict[str, Any]:
    """The JSON object *line* holds (UTF-8, one value, ``NaN``/``Infinity`` refused)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotAnObjectError(
            f"it is not UTF-8 text (byte 0x{line[exc.start]:02X} at offset {exc.start})"
        ) from None
    try:
        value, end = _SCAN(text, 0)
        if end != len(text):
            raise StopIteration(end)
    except (StopIteration, json.JSONDecodeError):
        value = _slow_parse(text)
    if type(value) is not dict:
        raise NotAnObjectError(f"it is JSON but not an object (it is {_json_type(value)})")
    return value


def _slow_parse(text: str) -> Any:
    """The value of *text* as ``json.loads`` reads it (whitespace around it allowed), or why
    not."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        message = exc.msg[:1].lower() + exc.msg[1:]
        raise NotAnObjectError(
            f"it is not valid JSON ({message} at character {exc.pos + 1})"
        ) from None


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return "a number"


def acquire_lock(
    fd: int,
    operation: int,
    timeout_s: float,
    *,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
) -> bool:
    """Take ``flock`` *operation* (``LOCK_SH`` or ``LOCK_EX``) on *fd*, polling for at most
    *timeout_s* seconds; False when another process kept it that long."""
    deadline = clock() + timeout_s
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
        if clock() >= deadline:
            return False
        sleep(LOCK_POLL_SECONDS)


@dataclass(frozen=True)
class Snapshot:
    """An open log and its size when it was opened: :meth:`lines` reads up to that size."""

    path: Path
    handle: BinaryIO
    size: int

    def lines(self) -> Iterator[bytes | LineFault]:
        """Every line, from the first, without its newline; a line over :data:`MAX_LINE_BYTES`
        is :attr:`LineFault.TOO_LONG` (and skipped), a last line without a newline is
        :attr:`LineFault.TORN`."""
        readline = self.handle.readline
        left = self.size
        try:
            self.handle.seek(0)
            while left > 0:
                line = readline(min(left, MAX_LINE_BYTES + 1))
                if not line:
                    raise UnreadableLogError(
                        f"the audit log {self.path} got shorter while it was read",
                        "something other than `maturity evaluate --audit-log` changes it; find "
                        "out what, then run the command again",
                    )
                left -= len(line)
                if line[-1] == 10:  # b"\n"
                    yield line[:-1]
                elif len(line) > MAX_LINE_BYTES:
                    yield LineFault.TOO_LONG
                    left = self._skip_line(left)
                else:
                    yield LineFault.TORN
        except OSError as exc:
            raise UnreadableLogError(
                f"cannot read the audit log {self.path}: {exc.strerror or exc}",
                "check the disk, then run the command again",
            ) from None

    def _skip_line(self, left: int) -> int:
        """Read on to the end of the current line; the bytes left after it."""
        while left > 0:
            chunk = self.handle.readline(min(left, _READ_BUFFER))
            if not chunk:
                break
            left -= len(chunk)
            if chunk[-1] == 10:
                break
        return left


@contextlib.contextmanager
def open_snapshot(path: Path) -> Iterator[Snapshot]:
    """*path* opened for reading, its size noted under the shared lock; closed on leaving.

    Raises :class:`UnreadableLogError` for a missing file, a folder, a FIFO or device, a file
    over :data:`MAX_LOG_BYTES`, or one that cannot be opened or locked.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UnreadableLogError(
            f"the audit log {path} does not exist",
            "check the path: it is the file `maturity evaluate --audit-log FILE` appends to",
        ) from None
    except OSError as exc:
        raise UnreadableLogError(
            f"cannot open the audit log {path}: {exc.strerror or exc}",
            "check the path and its permissions",
        ) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = (
            "a folder, not a file"
            if stat.S_ISDIR(mode)
            else "not a regular file (a FIFO, device or socket)"
        )
        raise UnreadableLogError(f"the audit log {path} is {what}", "pass the log file itself")
    with os.fdopen(fd, "rb", buffering=_READ_BUFFER) as handle:
        if not acquire_lock(fd, fcntl.LOCK_SH, READ_LOCK_WAIT_SECONDS):
            raise UnreadableLogError(
                f"another process kept the lock on the audit log {path} for over "
                f"{READ_LOCK_WAIT_SECONDS:g} s",
                "run the command again when the run writing to it has finished",
            )
        size = os.fstat(fd).st_size
        fcntl.flock(fd, fcntl.LOCK_UN)
        if size > MAX_LOG_BYTES:
            raise UnreadableLogError(
                f"the audit log {path} is {size} bytes, over the {MAX_LOG_BYTES}-byte limit",
                "maturity never grows a log past the limit: this file was not written by it "
                "alone; check where it came from",
            )
        yield Snapshot(path, handle, size)
