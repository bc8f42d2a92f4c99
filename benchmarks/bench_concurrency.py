"""Gates run concurrently: five GitHub-checks gates that each wait on a slow local server.

The server is the GitHub stand-in of the tests (tests/github_standin.py on a threaded
pytest-httpserver on 127.0.0.1) with a delay before every answer, so each gate spends about
2 x DELAY waiting (one page of check runs, one combined status). The stages file has
promotion_guard and four more gates of the same kind, all required.

1. ``maturity evaluate`` as a whole process (the engine's default pool of 8 threads);
2. the same five gates in process with a pool of 1 (one after the other: the sum) and of 8.

Prints min/median/max over repeated runs. Usage: python benchmarks/bench_concurrency.py [--runs N]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_common import machine, show, timed

ROOT = Path(__file__).resolve().parent.parent
DELAY_S = 0.25
GATES = ("promotion_guard", "checks_b", "checks_c", "checks_d", "checks_e")
OFF = ("observability_verify", "deps_approval", "policy_drift", "field_budgets")

STAGES = (
    "version: 1\nstages:\n  GA:\n    gates:\n"
    + "".join(f"      {g}: required\n" for g in GATES)
    + "".join(f"      {g}: off\n" for g in OFF)
    + "mappings:\n  - pattern: '*'\n    stage: GA\ngates:\n"
    + "".join(f"  {g}:\n    kind: github_checks\n    required_checks: [test]\n" for g in GATES[1:])
)


def main() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from github_bodies import REPO, SHA, TOKEN, check_run
    from github_standin import GitHubStandIn
    from pytest_httpserver import HTTPServer

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--delay", type=float, default=DELAY_S, help="seconds before each answer")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"server delay per answer: {args.delay * 1000:.0f} ms; 2 answers per gate; 5 gates")

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        standin = GitHubStandIn(server)
        standin.set_check_runs([check_run(1, "test", conclusion="success")])
        standin.before_each = lambda _info: time.sleep(args.delay)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env |= {
            "GITHUB_API_URL": standin.base_url,
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": REPO,
        }
        with tempfile.TemporaryDirectory() as tmp:
            ws = Path(tmp)
            (ws / "stages.yml").write_text(STAGES, encoding="utf-8")
            command = [
                sys.executable, "-m", "maturity", "evaluate", "--config", "stages.yml",
                "--ref", "main", "--sha", SHA, "--output-dir", "out",
            ]  # fmt: skip

            def whole() -> None:
                proc = subprocess.run(command, cwd=ws, env=env, capture_output=True, check=False)
                if proc.returncode != 0:
                    sys.exit(f"evaluate exited {proc.returncode}: {proc.stdout.decode()}")

            show("evaluate, whole process, 5 slow gates", timed(whole, args.runs, warmup=1))
            for workers in (1, 8):
                label = f"the 5 gates in process, pool of {workers}"
                show(label, timed(in_process(ws, env, workers), args.runs, warmup=1))
    finally:
        server.clear()
        server.stop()


def in_process(ws: Path, env: dict[str, str], workers: int) -> Callable[[], None]:
    from github_bodies import SHA

    from maturity.config.load import load_config_file
    from maturity.engine import EvidencePlan, evaluate_stage
    from maturity.github.access import access_from_env
    from maturity.kinds import CATALOG
    from maturity.kinds.interface import RunContext
    from maturity.refs import parse_ref

    config = load_config_file(ws / "stages.yml", CATALOG)
    stage = config.stages["GA"]
    context = RunContext(
        workspace=ws, ref=parse_ref("refs/heads/main"), sha=SHA, github=access_from_env(env)
    )
    plans = {g: EvidencePlan((), "none") for g in config.gates}

    def run() -> None:
        decision = evaluate_stage(stage, config.gates, plans, context, max_workers=workers)
        if decision.verdict.value != "GO":
            sys.exit(f"unexpected {decision.verdict}: {decision.blocking}")

    return run


if __name__ == "__main__":
    main()
