"""What promotion_guard costs on the GitHub Checks API, measured against the stand-in.

The stand-in is tests/github_standin.py on a pytest-httpserver on 127.0.0.1 (no internet).

1. A commit with 1,000 check runs and 50 statuses, all passing: requests per evaluation (as the
   stand-in logged them and as the report counts them), rate-limit points spent, and wall time.
   The minimum is 10 check-run pages + 1 status page = 11 requests (``per_page=100``). Measured
   in process (the gate alone) and as a whole ``maturity evaluate`` process.
2. ``--wait`` while one required check of that commit stays ``in_progress``: the first answer,
   then 20 polls that see no change, then the check completes and the next poll sees it. Each
   poll re-reads all 11 pages with ``If-None-Match``; the target is 0 rate-limit points spent by
   the 20 unchanged polls.

Prints min/median/max over repeated runs and a Markdown table of the results.
Usage: python benchmarks/bench_checks.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_common import machine, show

if TYPE_CHECKING:
    from github_standin import GitHubStandIn, RequestInfo

ROOT = Path(__file__).resolve().parent.parent
CHECK_RUNS = 1000
STATUSES = 50
MIN_REQUESTS = CHECK_RUNS // 100 + 1  # 10 check-run pages + 1 status page
UNCHANGED_POLLS = 20
POLL_INTERVAL_S = 0.05
WAIT_TIMEOUT_S = 60.0
TAG = "v1.2.3"
OTHER_GATES = ("observability_verify", "deps_approval", "policy_drift", "field_budgets")
SLOW = "check 0000"  # the required check that stays in_progress (on page 1)


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of promotion_guard and what the stand-in saw of it."""

    ms: float
    status: str
    api: dict[str, Any]  # details.api of the gate's result
    received: int  # requests the stand-in logged
    by_endpoint: dict[str, int]  # check-runs / status / git-ref / other
    cost: int  # rate-limit points spent (the stand-in's accounting)


@dataclass
class WaitTrace:
    """Marks taken by the stand-in's ``before_each`` on each read of check-runs page 1."""

    page1_reads: int = 0
    first_answer: tuple[int, int] | None = None  # (requests logged, cost) after poll 1
    unchanged: tuple[int, int] | None = None  # the same after poll 1 + UNCHANGED_POLLS


def endpoint(path: str) -> str:
    for suffix in ("/check-runs", "/status"):
        if path.endswith(suffix):
            return suffix[1:]
    return "git-ref" if "/git/" in path else "other"


def measure(
    standin: GitHubStandIn, evaluate: Callable[[], tuple[str, dict[str, Any]]]
) -> Evaluation:
    logged, cost = len(standin.log), standin.cost
    start = time.perf_counter()
    status, details = evaluate()
    ms = (time.perf_counter() - start) * 1000
    by_endpoint: dict[str, int] = {}
    for entry in standin.log[logged:]:
        kind = endpoint(entry.path)
        by_endpoint[kind] = by_endpoint.get(kind, 0) + 1
    return Evaluation(
        ms=ms,
        status=status,
        api=dict(details.get("api") or {}),
        received=len(standin.log) - logged,
        by_endpoint=by_endpoint,
        cost=standin.cost - cost,
    )


def repeat(
    standin: GitHubStandIn,
    evaluate: Callable[[], tuple[str, dict[str, Any]]],
    runs: int,
    warmup: int = 1,
) -> list[Evaluation]:
    """*runs* measured evaluations after *warmup* unmeasured ones; each must pass."""
    samples = []
    for i in range(warmup + runs):
        sample = measure(standin, evaluate)
        if sample.status != "pass":
            sys.exit(f"promotion_guard gave {sample.status}, not pass: {sample.api}")
        if i >= warmup:
            samples.append(sample)
    return samples


def github_env(standin: GitHubStandIn) -> dict[str, str]:
    from github_standin import REPO, TOKEN

    return {"GITHUB_API_URL": standin.base_url, "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO}


def in_process(
    standin: GitHubStandIn, workspace: Path, *, wait: bool = False, from_tag: bool = False
) -> Callable[[], tuple[str, dict[str, Any]]]:
    """The promotion_guard gate alone, as the engine runs it (every check required)."""
    from github_standin import SHA

    from maturity.config.builtin_gates import BUILTIN_GATES
    from maturity.core import GateInputs
    from maturity.github.access import access_from_env
    from maturity.kinds.github_checks import KIND
    from maturity.kinds.github_checks.settings import GitHubChecksSettings, WaitSpec
    from maturity.kinds.interface import RunContext
    from maturity.refs import parse_ref

    settings = GitHubChecksSettings(wait=WaitSpec(timeout=WAIT_TIMEOUT_S, interval=POLL_INTERVAL_S))
    run = RunContext(
        workspace=workspace,
        ref=parse_ref(f"refs/tags/{TAG}"),
        sha=None if from_tag else SHA,
        github=access_from_env(github_env(standin)),
        wait=wait,
    )
    builtin = BUILTIN_GATES["promotion_guard"]
    inputs = GateInputs(
        gate="promotion_guard", title=builtin.title, remediation=builtin.remediation, origin="none"
    )

    def evaluate() -> tuple[str, dict[str, Any]]:
        result = KIND.run(settings, inputs, run)
        return result.status.value, dict(result.details)

    return evaluate


def whole_process(
    standin: GitHubStandIn, workspace: Path, *, wait: bool = False
) -> Callable[[], tuple[str, dict[str, Any]]]:
    """``maturity evaluate`` as a user runs it; promotion_guard is the only gate that is on."""
    from github_standin import SHA

    stages = workspace / "stages.yml"
    stages.write_text(
        "version: 1\n"
        "stages:\n"
        "  GA:\n"
        "    gates:\n"
        "      promotion_guard: required\n"
        + "".join(f"      {gate}: off\n" for gate in OTHER_GATES)
        + "mappings:\n"
        "  - pattern: '*'\n"
        "    stage: GA\n"
        "gates:\n"
        "  promotion_guard:\n"
        f"    wait: {{timeout: {WAIT_TIMEOUT_S}, interval: {POLL_INTERVAL_S}}}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(github_env(standin))
    cmd = [
        sys.executable, "-m", "maturity", "evaluate", "--config", str(stages), "--tag", TAG,
        "--sha", SHA, "--output-dir", "out", "--format", "json", *(["--wait"] if wait else []),
    ]  # fmt: skip

    def evaluate() -> tuple[str, dict[str, Any]]:
        proc = subprocess.run(cmd, cwd=workspace, env=env, capture_output=True, check=False)
        report_path = workspace / "out" / "maturity-eval.json"
        if proc.returncode not in (0, 1) or not report_path.exists():
            sys.exit(f"maturity evaluate exited {proc.returncode}: {proc.stderr.decode()}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
        gate = next(g for g in report["gates"] if g["gate"] == "promotion_guard")
        return str(gate["status"]), dict(gate["details"])

    return evaluate


def serve_commit(standin: GitHubStandIn, *, slow_pending: bool) -> None:
    """1,000 check runs (all success, or SLOW in_progress) and 50 statuses on SHA."""
    from github_standin import check_run, commit_status

    runs = [check_run(i + 1, f"check {i:04d}") for i in range(CHECK_RUNS)]
    if slow_pending:
        runs[0] = check_run(1, SLOW, status="in_progress")
    standin.set_check_runs(runs)
    standin.set_statuses([commit_status(i + 1, f"ci/status-{i:02d}") for i in range(STATUSES)])


def watch_waiting(standin: GitHubStandIn) -> WaitTrace:
    """Serve SLOW in_progress; complete it when check-runs page 1 is read for the 22nd time.

    Read 1 is the first answer, reads 2..21 are the unchanged polls; before read 22 is answered
    the stand-in completes SLOW, so that poll sees the change and the gate passes.
    """
    serve_commit(standin, slow_pending=True)
    trace = WaitTrace()

    def before_each(info: RequestInfo) -> None:
        if not info.path.endswith("/check-runs") or info.query.get("page", "1") != "1":
            return
        trace.page1_reads += 1
        if trace.page1_reads == 2:
            trace.first_answer = (len(standin.log), standin.cost)
        elif trace.page1_reads == UNCHANGED_POLLS + 2:
            trace.unchanged = (len(standin.log), standin.cost)
            serve_commit(standin, slow_pending=False)

    standin.before_each = before_each
    return trace


@dataclass(frozen=True)
class WaitResult:
    label: str
    sample: Evaluation
    first: tuple[int, int, int]  # requests, 304s, rate-limit points of the first answer
    unchanged: tuple[int, int, int]  # the same for the unchanged polls
    last: tuple[int, int, int]  # requests, 304s, cost of the poll that saw the change


def run_waiting(
    standin: GitHubStandIn, label: str, make: Callable[[], Callable[[], tuple[str, dict[str, Any]]]]
) -> WaitResult:
    trace = watch_waiting(standin)
    evaluate = make()
    logged, cost = len(standin.log), standin.cost
    sample = measure(standin, evaluate)
    standin.before_each = None
    if sample.status != "pass" or trace.first_answer is None or trace.unchanged is None:
        sys.exit(f"{label}: gate {sample.status} after {trace.page1_reads} reads: {sample.api}")
    (first_log, first_cost), (same_log, same_cost) = trace.first_answer, trace.unchanged

    def not_modified(start: int, end: int) -> int:
        return sum(1 for entry in standin.log[start:end] if entry.status == 304)

    end = len(standin.log)
    return WaitResult(
        label,
        sample,
        first=(first_log - logged, not_modified(logged, first_log), first_cost - cost),
        unchanged=(same_log - first_log, not_modified(first_log, same_log), same_cost - first_cost),
        last=(end - same_log, not_modified(same_log, end), standin.cost - same_cost),
    )


def spread(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}..{high}"


def report(
    gate: list[Evaluation], tag: list[Evaluation], cli: list[Evaluation], waits: list[WaitResult]
) -> None:
    """Timings as bench_cli.py prints them, then the results as Markdown tables."""
    label = f"{CHECK_RUNS:,} check runs + {STATUSES} statuses"
    show(f"{label}: gate in process", [s.ms for s in gate])
    show(f"{label}: maturity evaluate, whole process", [s.ms for s in cli])
    for wait in waits:
        print(
            f"--wait, {wait.label}: {wait.sample.api.get('polls')} polls in "
            f"{wait.sample.ms:.0f} ms (poll_wait_s {wait.sample.api.get('poll_wait_s')}, "
            f"elapsed_s {wait.sample.api.get('elapsed_s')})"
        )

    print()
    print(f"### Requests per evaluation, {label} (target: {MIN_REQUESTS})")
    print()
    print(
        "| evaluation | runs | stand-in received | report `api.requests` | by endpoint | rate-limit points |"
    )
    print("|---|---|---|---|---|---|")
    rows = (
        ("gate in process, `--sha`", gate),
        ("gate in process, commit resolved from the tag", tag),
        ("`maturity evaluate --sha`, whole process", cli),
    )
    for name, samples in rows:
        endpoints = sorted({kind for s in samples for kind in s.by_endpoint})
        by = ", ".join(
            f"{k} {spread([s.by_endpoint.get(k, 0) for s in samples])}" for k in endpoints
        )
        print(
            f"| {name} | {len(samples)} | {spread([s.received for s in samples])} | "
            f"{spread([int(s.api.get('requests', -1)) for s in samples])} | {by} | "
            f"{spread([s.cost for s in samples])} |"
        )
    print()
    print("### Wall time per evaluation (ms)")
    print()
    print("| evaluation | runs | min | median | max |")
    print("|---|---|---|---|---|")
    for name, samples in (rows[0], rows[2]):
        ms = [s.ms for s in samples]
        print(
            f"| {name} | {len(ms)} | {min(ms):.1f} | {statistics.median(ms):.1f} | {max(ms):.1f} |"
        )
    print()
    print(
        f"### `--wait`: {UNCHANGED_POLLS} polls with no change, {label}, interval "
        f"{POLL_INTERVAL_S} s (target: 0 points after the first answer)"
    )
    print()
    print("| evaluation | phase | polls | requests | 304s | rate-limit points |")
    print("|---|---|---|---|---|---|")
    for wait in waits:
        api = wait.sample.api
        phases = (
            ("first answer", 1, wait.first),
            ("no change", UNCHANGED_POLLS, wait.unchanged),
            ("the poll that sees the check complete", 1, wait.last),
            (
                "whole evaluation (report `api`)",
                api.get("polls"),
                (api.get("requests"), api.get("not_modified"), wait.sample.cost),
            ),
        )
        for phase, polls, (requests, not_modified, cost) in phases:
            print(f"| {wait.label} | {phase} | {polls} | {requests} | {not_modified} | {cost} |")
    print()
    print(f"machine: {machine()}")


def main() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    from github_standin import GitHubStandIn
    from pytest_httpserver import HTTPServer

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access line per request
    print(f"machine: {machine()}")

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        standin = GitHubStandIn(server)
        standin.set_ref(f"tags/{TAG}")
        with tempfile.TemporaryDirectory() as tmp:
            ws = Path(tmp)
            serve_commit(standin, slow_pending=False)
            gate = repeat(standin, in_process(standin, ws), args.runs)
            tag = repeat(standin, in_process(standin, ws, from_tag=True), 1, warmup=0)
            cli = repeat(standin, whole_process(standin, ws), args.runs)
            server.clear_log()  # pytest-httpserver keeps every body; the stand-in's log is enough
            waits = [
                run_waiting(standin, "in process", lambda: in_process(standin, ws, wait=True)),
                run_waiting(
                    standin, "whole process", lambda: whole_process(standin, ws, wait=True)
                ),
            ]
    finally:
        server.clear()
        server.stop()

    report(gate, tag, cli, waits)


if __name__ == "__main__":
    main()
