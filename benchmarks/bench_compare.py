"""Whole-process ``maturity evaluate`` of two installs, runs interleaved (A, B, A, B, ...).

On a shared machine the load changes during a benchmark; interleaving makes it hit both installs
alike, so the difference between them means something. Each install is a Python with maturity
installed (non-editable, so that the tree in the current folder is not what gets imported).

Two cases: the built-in defaults (``--builtin-config``), and the same stages as a file in the
workspace (``ci/maturity-stages.yml``, read and validated like any user's file).

Usage: python benchmarks/bench_compare.py OLD_PYTHON NEW_PYTHON [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench_common import machine, show

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old", help="python of the install to compare against")
    parser.add_argument("new", help="python of the install being measured")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(REPO / "examples", work / "examples")
        (work / "ci").mkdir()
        shutil.copy(REPO / "ci" / "maturity-stages.yml", work / "ci" / "maturity-stages.yml")
        cases = {"built-in defaults": ["--builtin-config"], "stages file": []}
        times: dict[tuple[str, str], list[float]] = {
            (case, py): [] for case in cases for py in (args.old, args.new)
        }
        for _ in range(args.runs):
            for (case, python), samples in times.items():
                command = [python, "-m", "maturity", "evaluate", *cases[case]]
                command += ["--tag", "v1.2.3", "--evidence-dir", "examples/evidence/ga-pass"]
                started = time.perf_counter()
                subprocess.run(command, cwd=work, capture_output=True, check=True)
                samples.append((time.perf_counter() - started) * 1000)
        for (case, python), samples in times.items():
            show(f"evaluate, {case}: {python}", samples)


if __name__ == "__main__":
    main()
