"""Wall time of the composite action (``action.yml``), run step by step the way a runner runs it
(tests/action_runner.py: each ``run:`` step a ``bash --noprofile --norc -eo pipefail`` process).

1. Cold: a fresh RUNNER_TEMP, so the install step builds and installs this folder with pip
   (offline: no index, the build backend from this environment; see
   ``action_runner.prepare_offline_venv``), then evaluates.
2. Warm: the same RUNNER_TEMP again, so the install step finds its stamp and skips pip; the
   whole action and its install and evaluate steps on their own.

Every run: built-in config, GA tag, the example evidence (examples/evidence/ga-pass), a GO.
Needs setuptools>=77 in this environment (the offline build). Prints min/median/max.
Usage: python benchmarks/bench_action.py [--runs N] [--cold-runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_common import machine, show

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from action_runner import (
        ActionRun,
        ActionRunner,
        offline_pip_env,
        prepare_offline_venv,
        runner_env,
    )
    from helpers import EXAMPLES, GITHUB_ENV

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="warm runs")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold runs (each a pip install)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])

    def runner_in(root: Path, runner_temp: Path) -> ActionRunner:
        ws, home = root / "ws", root / "home"
        ws.mkdir(parents=True)
        home.mkdir()
        shutil.copytree(EXAMPLES / "ga-pass", ws / "evidence")
        base = runner_env(home, path, **GITHUB_ENV, **offline_pip_env())
        return ActionRunner(ws, runner_temp, root / "artifacts", base, github={"run_id": "1"})

    def run_once(runner: ActionRunner, attempt: int) -> tuple[float, ActionRun]:
        runner.github = {**runner.github, "run_attempt": str(attempt)}
        start = time.perf_counter()
        run = runner.run({"ref": "v1.2.3", "evidence-dir": "evidence"})
        elapsed = (time.perf_counter() - start) * 1000
        if run.outputs.get("verdict") != "GO":
            sys.exit(f"unexpected result: {[(s.id, s.outcome, s.stderr) for s in run.steps]}")
        return elapsed, run

    def step_ms(run: ActionRun, step_id: str) -> float:
        return run.step(step_id).seconds * 1000

    with tempfile.TemporaryDirectory() as tmp:
        cold_total, cold_install = [], []
        for i in range(args.cold_runs):
            runner_temp = Path(tmp, f"temp-{i}")
            prepare_offline_venv(runner_temp)
            elapsed, run = run_once(runner_in(Path(tmp, f"cold-{i}"), runner_temp), 1)
            if "pip not run" in run.step("install").stdout:
                sys.exit("a cold run found a stamp: RUNNER_TEMP was not fresh")
            cold_total.append(elapsed)
            cold_install.append(step_ms(run, "install"))
        show("cold: whole action (pip builds and installs, then GO)", cold_total)
        show("cold: install step (pip install of this folder, offline)", cold_install)

        runner = runner_in(Path(tmp, "warm"), Path(tmp, "temp-0"))
        samples: dict[str, list[float]] = {"total": [], "python": [], "install": [], "evaluate": []}
        for attempt in range(2, args.runs + 4):
            elapsed, run = run_once(runner, attempt)
            if "pip not run" not in run.step("install").stdout:
                sys.exit("a warm run ran pip: the stamp did not match")
            if attempt < 4:
                continue  # warm-up
            samples["total"].append(elapsed)
            for step_id in ("python", "install", "evaluate"):
                samples[step_id].append(step_ms(run, step_id))
        show("warm: whole action (7 steps, stamp hit, GO)", samples["total"])
        show("warm: find Python step", samples["python"])
        show("warm: install step (stamp hit: pip not run)", samples["install"])
        show("warm: evaluate step (maturity evaluate, GA, 5 gates)", samples["evaluate"])


if __name__ == "__main__":
    main()
