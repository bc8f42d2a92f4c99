"""``--wait``: read, judge, and read again while something required is pending or missing.

The loop sleeps the configured interval with +-20% jitter (so many waiting releases do not poll in
step), and always keeps a margin of the deadline for the last read. It never decides by itself:
the last judgement stands, marked timed out when the deadline ended the waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from maturity.errors import EvidenceError
from maturity.github.deadline import Deadline
from maturity.kinds.github_checks.judge import Judgement
from maturity.kinds.github_checks.model import CommitChecks


@dataclass(frozen=True)
class Polled:
    checks: CommitChecks
    judgement: Judgement
    polls: int
    waited_s: float
    timed_out: bool


class PollFailed(EvidenceError):
    """A read failed; carries how far polling got, for the report."""

    def __init__(self, cause: EvidenceError, polls: int, waited_s: float, last: Judgement | None):
        message = cause.message
        if last is not None:
            message = f"{message} (after {polls} reads; last seen: {last.message})"
        super().__init__(cause.code, message, cause.remediation, missing=cause.missing)
        self.polls = polls
        self.waited_s = waited_s


def poll(
    read: Callable[[], CommitChecks],
    decide: Callable[[CommitChecks], Judgement],
    *,
    wait: bool,
    interval_s: float,
    deadline: Deadline,
    sleep: Callable[[float], None] = time.sleep,
) -> Polled:
    polls, waited = 0, 0.0
    last: Judgement | None = None
    margin = min(5.0, deadline.seconds * 0.1)
    while True:
        try:
            checks = read()
        except EvidenceError as exc:
            raise PollFailed(exc, polls, waited, last) from None
        polls += 1
        last = decide(checks)
        if not (wait and last.waitable):
            return Polled(checks, last, polls, waited, timed_out=False)
        room = deadline.remaining() - margin
        if room <= 0:
            return Polled(checks, last, polls, waited, timed_out=True)
        pause = min(room, interval_s * (0.8 + 0.4 * random.random()))  # noqa: S311 - jitter
        sleep(pause)
        waited += pause
