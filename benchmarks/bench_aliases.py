"""Whole-process ``maturity evaluate`` with the TypeScript evaluator's flags vs the plain ones.

The same work both ways: a GA tag, the default stages as a file, one evidence file per gate,
both reports into one folder. **plain** gives ``--config``, ``--evidence GATE=FILE`` (x5) and
``--output-dir``; **aliases** gives ``--policy``, ``--promotion-guard FILE`` and the other four,
``--output-json`` and ``--output-md``. A third case, **aliases, two folders**, puts the reports
in folders of their own (two folder locks instead of one) for scale. Runs are interleaved
(plain, aliases, two folders, plain, ...) so load on a shared machine hits every case alike;
the difference of the medians is what the aliases cost.

Usage: python benchmarks/bench_aliases.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import GATES, REPO, machine, show


def commands() -> dict[str, list[str]]:
    base = [sys.executable, "-m", "maturity", "evaluate", "--tag", "v1.2.3"]
    base += ["--now", "2026-03-01T12:00:00Z"]
    plain = [*base, "--config", "policy.yml", "--output-dir", "out-plain"]
    for gate in GATES:
        plain += ["--evidence", f"{gate}=ev/{gate}.json"]
    evidence = [a for g in GATES for a in ("--" + g.replace("_", "-"), f"ev/{g}.json")]
    aliases = [*base, "--policy", "policy.yml", *evidence]
    return {
        "plain": plain,
        "aliases": [
            *aliases,
            *("--output-json", "out-alias/maturity-eval.json"),
            *("--output-md", "out-alias/maturity-eval.md"),
        ],
        "aliases, two folders": [
            *aliases,
            *("--output-json", "out-json/maturity-eval.json"),
            *("--output-md", "out-md/maturity-eval.md"),
        ],
    }


def markdown(folder: Path) -> str:
    """The Markdown report without its last line, which holds the time it was made."""
    return re.sub(r"<sub>maturity .*</sub>", "", (folder / "maturity-eval.md").read_text("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    cases = commands()
    # as installed: modules compiled once (see bench_exceptions.py)
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("GITHUB_")
    }
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        shutil.copytree(REPO / "examples" / "evidence" / "ga-pass", ws / "ev")
        shutil.copy(REPO / "ci" / "maturity-stages.yml", ws / "policy.yml")
        for command in cases.values():  # warm-up: bytecode written, and each must be GO
            proc = subprocess.run(command, cwd=ws, env=env, capture_output=True, check=False)
            if proc.returncode != 0:
                sys.exit(f"unexpected exit {proc.returncode}: {proc.stderr.decode()}")
        for _ in range(args.runs):
            for name, command in cases.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                subprocess.run(command, cwd=ws, env=env, capture_output=True, check=True)
                wall[name].append((time.perf_counter() - started) * 1000)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                cpu[name].append(used * 1000)
        if markdown(ws / "out-alias") != markdown(ws / "out-plain"):
            sys.exit("the two runs did not write the same Markdown report")
    for name in cases:
        show(f"evaluate, whole process, {name}: wall", wall[name])
        show(f"evaluate, whole process, {name}: CPU", cpu[name])
    for label, data in (("wall", wall), ("CPU", cpu)):
        for name in list(cases)[1:]:
            added = statistics.median(data[name]) - statistics.median(data["plain"])
            print(f"{name} minus plain, {label} (difference of medians): {added:+.1f} ms")


if __name__ == "__main__":
    main()
