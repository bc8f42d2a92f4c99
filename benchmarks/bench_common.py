"""What every benchmark script prints the same way: the machine, and min/median/max lines."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

#: the repository (benchmarks/..)
REPO = Path(__file__).resolve().parent.parent
#: the built-in gates, in report order (as maturity/config/builtin_gates.py lists them)
GATES = (
    "promotion_guard",
    "observability_verify",
    "deps_approval",
    "policy_drift",
    "field_budgets",
)


def machine() -> str:
    """CPU model, cores, Python and platform: results mean nothing without them."""
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; {platform.platform()}"
    )


def show(label: str, samples: list[float]) -> None:
    """One line: *label*, the number of runs and min/median/max in milliseconds."""
    print(
        f"{label:<58} n={len(samples):<4} min {min(samples):8.1f} ms   "
        f"median {statistics.median(samples):8.1f} ms   max {max(samples):8.1f} ms"
    )


def timed(fn: Callable[[], object], runs: int, warmup: int = 2) -> list[float]:
    """Milliseconds of *runs* calls of *fn*, after *warmup* calls that are not counted."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
