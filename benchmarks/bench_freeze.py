"""What checking freeze windows costs on every evaluation.

Ten windows (seven weekly, in zones with and without DST, half-hour DST and a skipped day;
three absolute), all listing ``prod``, and 10,000 instants spread over 2026 (seeded). Each
``active_freeze`` call for ``prod`` looks at windows in order until one holds, so an instant
that no window holds (about half of them) costs all ten. Also timed: a stage that only two windows
list, and one no window lists.

Prints min/median/max per call in microseconds, over the 10,000 instants.
Usage: python benchmarks/bench_freeze.py [--instants N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_common import machine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path[:0] = [str(ROOT)]
    from maturity.config.freeze import (
        FreezeWindow,
        absolute_window,
        active_freeze,
        weekly_window,
    )

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instants", type=int, default=10_000)
    count = parser.parse_args().instants

    both = ("staging", "prod")
    windows: list[FreezeWindow] = [
        absolute_window("year end", "", ("prod",), "2026-12-20T00:00+01:00", "2027-01-04T08:00Z"),
        weekly_window("weekend", "", both, "Fri 16:00", "Mon 08:00", "Europe/Berlin"),
        weekly_window("nights", "", ("prod",), "Tue 22:00", "Wed 06:00", "America/New_York"),
        weekly_window("island", "", ("prod",), "Sun 01:45", "Sun 03:00", "Australia/Lord_Howe"),
        weekly_window("workday", "", ("prod",), "Thu 09:00", "Thu 18:00", "Pacific/Apia"),
        absolute_window("audit", "", both, "2026-06-01T00:00Z", "2026-06-03T00:00Z"),
        weekly_window("lunch", "", ("prod",), "Wed 12:00", "Wed 13:00", "Asia/Kolkata"),
        weekly_window("chile", "", ("prod",), "Sat 00:00", "Sat 02:00", "America/Santiago"),
        absolute_window("launch", "", ("prod",), "2026-09-10T10:00-07:00", "2026-09-11T00:00Z"),
        weekly_window("monday", "", ("prod",), "Mon 00:00", "Mon 00:30", "UTC"),
    ]
    rng = random.Random(9)  # noqa: S311 - seeded sample instants, not a secret
    year = datetime(2026, 1, 1, tzinfo=UTC)
    instants = [year + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(count)]

    print(machine())
    print(f"{len(windows)} windows, {count:,} instants in 2026")
    for stage in ("prod", "staging", "dev"):
        samples = []
        frozen = 0
        for now in instants:
            begin = time.perf_counter_ns()
            hit = active_freeze(windows, stage, now)
            samples.append((time.perf_counter_ns() - begin) / 1000)
            frozen += hit is not None
        listing = sum(stage in w.stages for w in windows)
        print(
            f"active_freeze {stage!r:<9} ({listing:>2} windows list it, {frozen:>5} frozen)  "
            f"min {min(samples):6.1f} us   median {statistics.median(samples):6.1f} us   "
            f"max {max(samples):7.1f} us   total {sum(samples) / 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
