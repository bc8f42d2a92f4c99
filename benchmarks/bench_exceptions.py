"""The added cost of freeze windows and waivers to an offline ``maturity evaluate``.

Two workspaces with the same stages and evidence (one gate failing): **plain** has no
exception policy; **exceptions** has ``examples/stages/break-glass.yml`` (two freeze windows,
break_glass, waiver caps) and a waivers file of 50 waivers, one of which covers the failing
finding. Whole-process runs are interleaved (plain, exceptions, plain, ...) so load on a shared
machine hits both alike; the difference of the medians is the added cost, imports and the
waivers file's validation included. Then, in one process, the steps themselves: reading the
waivers file, finding the active freeze window, applying the waivers.

Usage: python benchmarks/bench_exceptions.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_common import GATES, REPO, machine, show, timed

NOW = "2026-12-02T12:00:00Z"


def _plain_stages() -> str:
    text = (REPO / "examples" / "stages" / "break-glass.yml").read_text(encoding="utf-8")
    return text.split("\nfreeze_windows:")[0] + "\n"


def _waivers(count: int) -> str:
    lines = ["version: 1", "waivers:"]
    for i in range(count):
        finding = "evidence:ev/promotion_guard.json" if i == count - 1 else f"check:job-{i}@*"
        lines += [
            "  - gate: promotion_guard",
            f"    finding: {json.dumps(finding)}",
            "    owner: alice",
            f"    reason: 'INC-{i}: a known failure with a fix under way'",
            "    expires: 2026-12-10",
        ]
    return "\n".join(lines) + "\n"


def _workspace(root: Path, *, exceptions: bool) -> Path:
    (root / "ci").mkdir(parents=True)
    (root / "ev").mkdir()
    for gate in GATES:
        body = {"ok": gate != "promotion_guard", "code": "X", "message": gate}
        (root / "ev" / f"{gate}.json").write_text(json.dumps(body), encoding="utf-8")
    if exceptions:
        shutil.copy(
            REPO / "examples" / "stages" / "break-glass.yml", root / "ci" / "maturity-stages.yml"
        )
        (root / "ci" / "maturity-waivers.yml").write_text(_waivers(50), encoding="utf-8")
    else:
        (root / "ci" / "maturity-stages.yml").write_text(_plain_stages(), encoding="utf-8")
    return root


def _whole_process(work: Path, runs: int) -> None:
    cases = {
        "plain": _workspace(work / "plain", exceptions=False),
        "exceptions": _workspace(work / "exceptions", exceptions=True),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    command = [sys.executable, "-m", "maturity", "evaluate", "--tag", "v1.2.3-rc.1"]
    command += ["--evidence-dir", "ev", "--now", NOW]
    # as installed: modules compiled once (a PYTHONDONTWRITEBYTECODE=1 in the environment would
    # make every run compile every module, and the difference measured would be mostly that)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for folder in cases.values():  # one run each to write the bytecode
        subprocess.run(command, cwd=folder, capture_output=True, check=False, env=env)
    for _ in range(runs):
        for name, folder in cases.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = dt.datetime.now()
            subprocess.run(command, cwd=folder, capture_output=True, check=False, env=env)
            samples[name].append((dt.datetime.now() - started).total_seconds() * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpu[name].append(used * 1000)
    for name, values in samples.items():
        show(f"evaluate, whole process, {name}: wall", values)
        show(f"evaluate, whole process, {name}: CPU (user + system)", cpu[name])
    for label, data in (("wall", samples), ("CPU", cpu)):
        added = statistics.median(data["exceptions"]) - statistics.median(data["plain"])
        print(
            f"added by freeze windows + 50 waivers, {label} (difference of medians): {added:.1f} ms"
        )


def _steps(work: Path, runs: int) -> None:
    from maturity.config.freeze import active_freeze
    from maturity.config.load import load_config_file
    from maturity.core import EvidenceRecord, Finding, GateResult, GateStatus
    from maturity.kinds import CATALOG
    from maturity.waivers.apply import apply_waivers
    from maturity.waivers.load import load_waivers_file

    folder = work / "exceptions"
    config = load_config_file(folder / "ci" / "maturity-stages.yml", CATALOG)
    waivers_path = folder / "ci" / "maturity-waivers.yml"
    now = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
    record = EvidenceRecord("ev/promotion_guard.json", "0" * 64, 10)
    failing = Finding("X", "failed", id="evidence:ev/promotion_guard.json")
    results = {
        gate: GateResult(
            gate, GateStatus.FAIL, "X", "failed", findings=(failing,), evidence=(record,)
        )
        for gate in GATES
    }
    waivers = load_waivers_file(waivers_path)
    show(
        "read and validate the waivers file (50 waivers)",
        timed(lambda: load_waivers_file(waivers_path), runs),
    )
    show(
        "find the active freeze window",
        timed(lambda: active_freeze(config.freeze_windows, "GA", now), runs),
    )
    show(
        "apply 50 waivers to 5 failing gates",
        timed(lambda: apply_waivers(results, waivers, now=now, max_days=14), runs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _whole_process(work, args.runs)
        _steps(work, args.runs * 10)


if __name__ == "__main__":
    main()
