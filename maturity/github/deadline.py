"""A real-time budget: every request, retry pause and poll of one evaluation draws on it."""

from __future__ import annotations

import time
from collections.abc import Callable


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._start = clock()
        self._end = self._start + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())

    def elapsed(self) -> float:
        return self._clock() - self._start

    def expired(self) -> bool:
        return self._clock() >= self._end
