"""Does a log's chain hold? If not, the first bad line and what happened to it.

One streaming pass: each line must be a JSON object whose ``prev`` is the sha256 of the line
before it (:data:`~maturity.audit.chain.GENESIS` for the first) and whose ``seq`` is its line
number. Memory stays at one line, whatever the log's length.

When a line breaks the chain, a second pass (over digests only) finds where its ``prev`` and its
own bytes occur elsewhere in the log, which tells the tampering apart: lines removed (``seq``
jumps and ``prev`` names no line of the log), reordered (``prev`` names a later line), inserted
(``prev`` names an earlier line), copied (the same bytes earlier), or edited (the next line's
``prev`` no longer matches; the line after that says which of the two was changed).

The chain alone cannot see lines removed from the end, or a last line edited, or lines
rewritten with their chain recomputed: an *anchor* kept elsewhere (a sha256 the log had as a
line's digest, optionally with that line's number) covers those.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maturity.audit.chain import GENESIS, is_digest
from maturity.audit.lines import (
    MAX_LINE_BYTES,
    LineFault,
    NotAnObjectError,
    Snapshot,
    open_snapshot,
    parse_object,
)
from maturity.errors import UsageError
from maturity.text import clean_text

_ANCHOR = re.compile(r"(?:([1-9][0-9]{0,17}):)?([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class Problem:
    """The first bad line (a line past the end for lines missing there) and what is wrong."""

    line: int
    what: str


@dataclass(frozen=True)
class Anchor:
    """A line's digest kept outside the log, and that line's number when known."""

    sha256: str
    line: int | None = None


@dataclass(frozen=True)
class Verification:
    """The outcome: *lines* and *head* describe the lines before the first bad one (all of them
    when the chain holds); *head* is the last of those lines' digest (``GENESIS`` for none).
    *anchor_line* is the line whose digest is the anchor, when one was given and found."""

    lines: int
    head: str
    problem: Problem | None = None
    anchor_line: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def parse_anchor(text: str) -> Anchor:
    """``SHA256`` or ``LINE:SHA256`` (what ``AppendedEntry.anchor`` gives) as an :class:`Anchor`."""
    match = _ANCHOR.fullmatch(text.strip())
    if match is None:
        raise UsageError(
            f"--anchor {clean_text(text, 100)!r} is not a sha256 (64 hex digits) or LINE:SHA256",
            "pass a line's digest as `maturity audit verify` prints it (head sha256 ...), "
            "optionally after its line number and a colon",
        )
    line = int(match[1]) if match[1] else None
    return Anchor(match[2].lower(), line)


def verify_log(path: Path, anchor: str | Anchor | None = None) -> Verification:
    """Check the log at *path*; *anchor* must then be the digest of one of its lines.

    Raises :class:`~maturity.audit.lines.UnreadableLogError` when the file cannot be read and
    ``UsageError`` for an anchor that is not a sha256.
    """
    wanted = parse_anchor(anchor) if isinstance(anchor, str) else anchor
    with open_snapshot(path) as snapshot:
        return _verify(snapshot, wanted)


def _verify(snapshot: Snapshot, anchor: Anchor | None) -> Verification:
    lines = snapshot.lines()
    expected, before = GENESIS, GENESIS  # the digests of lines n-1 and n-2
    anchor_line: int | None = None
    n = 0
    sha256 = hashlib.sha256
    for item in lines:
        n += 1
        if isinstance(item, LineFault):
            return _broken(n, expected, _fault(n, item))
        digest = sha256(item).hexdigest()
        try:
            entry = parse_object(item)
        except NotAnObjectError as exc:
            what = f"line {n} is empty" if not item else f"line {n} is not a JSON object: {exc}"
            return _broken(n, expected, what + "; maturity writes one JSON object per line")
        seq = entry.get("seq")
        if entry.get("prev") != expected or seq != n or type(seq) is not int:
            problem = _diagnose(snapshot, lines, n=n, digest=digest, entry=entry, expected=expected)
            # the digest of the line before the bad one: n-1's, n-2's, or (lines inserted after
            # line j) j's, which is line n's prev
            head = {n: expected, n - 1: before}.get(problem.line, entry.get("prev"))
            return _broken(problem.line, head if isinstance(head, str) else GENESIS, problem.what)
        if anchor is not None:
            if digest == anchor.sha256 and anchor.line in (None, n):
                anchor_line = n
            elif anchor.line == n:
                return _broken(n, expected, _anchor_mismatch(n, anchor))
        before, expected = expected, digest
    if anchor is not None and anchor_line is None:
        return _broken(n + 1, expected, _anchor_missing(n, anchor))
    return Verification(n, expected, None, anchor_line)


def _broken(line: int, head: str, what: str) -> Verification:
    return Verification(line - 1, head, Problem(line, what))


def _fault(n: int, fault: LineFault) -> str:
    if fault is LineFault.TORN:
        return (
            f"line {n} is truncated: the log ends without a newline after it (a write was cut "
            "short, or the end of the file was cut off)"
        )
    return f"line {n} is over {MAX_LINE_BYTES} bytes, which maturity never writes"


def _diagnose(
    snapshot: Snapshot,
    lines: Iterator[bytes | LineFault],
    *,
    n: int,
    digest: str,
    entry: dict[str, Any],
    expected: str,
) -> Problem:
    """What is wrong with line *n*, whose ``prev`` or ``seq`` does not chain."""
    prev, seq = entry.get("prev"), entry.get("seq")
    if not is_digest(prev):
        return Problem(
            n,
            f"line {n} has no valid prev (the sha256 of the line before it, 64 lowercase hex "
            "digits): it was not written by maturity, or was edited",
        )
    if type(seq) is not int or seq < 1:
        return Problem(
            n,
            f"line {n} has no valid seq (its line number, {n}): it was not written by "
            "maturity, or was edited",
        )
    if prev == expected:
        after = "starts the chain" if n == 1 else f"chains to line {n - 1}"
        return Problem(
            n,
            f"line {n} has seq {seq}, not its line number {n}, though its prev {after}: "
            f"line {n} was edited, or forged with a recomputed prev",
        )
    if n == 1:
        if seq > 1:
            return Problem(
                1,
                f"line 1 does not start the chain (its prev is not 64 zeros) and has seq {seq}: "
                f"{_count(seq - 1, 'the first')} {_was(seq - 1)} removed from the start of the "
                "log",
            )
        return Problem(
            1,
            "line 1 does not start the chain (its prev is not 64 zeros): line 1 was edited, or "
            "lines were removed from the start of the log",
        )
    following = next(lines, None)  # read before the second pass moves the file's position
    seen = _positions(snapshot, {prev, digest})
    copies = [k for k in seen.get(digest, ()) if k < n]
    if copies:
        return Problem(n, f"line {n} repeats line {copies[0]} byte for byte: a line was copied")
    later = [j for j in seen.get(prev, ()) if j > n]
    if later:
        return Problem(
            n,
            f"lines are out of order: line {n} (seq {seq}) belongs right after line "
            f"{later[0]}, whose digest is its prev: lines were swapped or moved",
        )
    earlier = [j for j in seen.get(prev, ()) if j < n - 1]
    if earlier:
        j = earlier[-1]
        return Problem(
            j + 1,
            f"line {n}'s prev is the digest of line {j}, not of line {n - 1}: "
            f"{_span(j + 1, n - 1)} inserted (or moved) between them",
        )
    if seq > n:
        return Problem(
            n,
            f"line {n} has seq {seq} and its prev is the digest of no line of the log: "
            f"{_count(seq - n)} ({_seqs(n, seq - 1)}) {_was(seq - n)} removed before it",
        )
    if seq < n:
        return Problem(
            n,
            f"seq goes back from {n - 1} to {seq} at line {n}, and its prev is the digest of no "
            "line of the log: lines were removed and reordered, or line "
            f"{n} was copied from another log",
        )
    return _edited(n, digest, following)


def _edited(n: int, digest: str, following: bytes | LineFault | None) -> Problem:
    """Line *n*'s ``prev`` is not line *n-1*'s digest, though its ``seq`` is right: one of the
    two was edited, and line *n+1* says which (its ``prev`` is still *n*'s digest when line *n*
    is untouched)."""
    if type(following) is bytes:
        try:
            intact = parse_object(following).get("prev") == digest
        except NotAnObjectError:
            intact = False
        if intact:
            return Problem(
                n - 1,
                f"line {n - 1} was edited: its digest no longer matches line {n}'s prev",
            )
        return Problem(
            n,
            f"line {n} was edited: its prev no longer matches line {n - 1}'s digest, and its own "
            f"digest no longer matches line {n + 1}'s prev",
        )
    return Problem(
        n,
        f"line {n}'s prev does not match line {n - 1}'s digest: line {n - 1} was edited, or "
        f"line {n} was forged or edited (it is the last line, so nothing tells which)",
    )


def _positions(snapshot: Snapshot, digests: set[str]) -> dict[str, list[int]]:
    """The line numbers whose digest is one of *digests* (a second pass: digests only)."""
    found: dict[str, list[int]] = {}
    for number, item in enumerate(snapshot.lines(), start=1):
        if type(item) is bytes and (digest := hashlib.sha256(item).hexdigest()) in digests:
            found.setdefault(digest, []).append(number)
    return found


def _anchor_mismatch(n: int, anchor: Anchor) -> str:
    return (
        f"line {n}'s digest is not the anchor {anchor.sha256}: line {n} was edited, or "
        "rewritten along with the lines after it (their chain recomputed)"
    )


def _anchor_missing(lines: int, anchor: Anchor) -> str:
    if anchor.line is not None:  # beyond the end: a line at or before the end would have shown
        return (
            f"the log ends at line {lines}, but the anchor is line {anchor.line}: "
            f"{_span(lines + 1, anchor.line)} removed from its end"
        )
    return (
        f"the anchor {anchor.sha256} is the digest of none of the log's {lines} lines: lines "
        "were removed from its end, or its last line was edited, or lines at or before the "
        "anchored one were rewritten with their chain recomputed (an anchor given as "
        "LINE:SHA256 tells which)"
    )


def _span(first: int, last: int) -> str:
    """``line 4 was`` / ``lines 4..6 were``."""
    return f"line {first} was" if first == last else f"lines {first}..{last} were"


def _count(lines: int, which: str = "") -> str:
    """``1 line`` / ``3 lines``; with *which* ``the first``: ``the first line`` /
    ``the first 3 lines``."""
    if lines == 1:
        return f"{which} line" if which else "1 line"
    return f"{which} {lines} lines".strip()


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _seqs(first: int, last: int) -> str:
    return f"seq {first}" if first == last else f"seq {first}..{last}"
