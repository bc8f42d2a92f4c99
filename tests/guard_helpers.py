"""Running promotion_guard against the GitHub stand-in, in process or as ``maturity evaluate``.

For test_json_inputs.py and test_github_refs_and_pages.py: the gate in process for the many
variants, the CLI in a workspace where every other gate has ok evidence for the verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from github_standin import REPO, SHA, TOKEN, GitHubStandIn, check_run, commit_status
from helpers import (
    CliResult,
    assert_valid_report,
    clean_env,
    gate,
    reports,
    run_cli,
    write_evidence,
)

from maturity.checks.settings import PromotionGuardSettings
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.gates.interface import GateContext, GateName, GateResult, RunEnvironment
from maturity.gates.promotion_guard import PromotionGuardGate
from maturity.github.access import access_from_env
from maturity.refs import Ref

GA = "v1.2.3"
FAST = PromotionGuardSettings(time_budget_s=10.0)
OTHER_GATES = ("observability_verify", "deps_approval", "policy_drift", "field_budgets")
#: words that would mean Python's own text reached a message
INTERNALS = ("Python", "Traceback", "Exceeds the limit", "JSONDecodeError", "Expecting", "codec")


def online_env(standin: GitHubStandIn, **extra: str) -> dict[str, str]:
    base = {"GITHUB_API_URL": standin.base_url, "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO}
    return {**base, **extra}


def run_env(
    standin: GitHubStandIn,
    extra: Mapping[str, str] | None = None,
    *,
    sha: str | None = SHA,
    ref: Ref | None = None,
) -> RunEnvironment:
    """What the engine hands promotion_guard: access to the stand-in, the commit, the ref."""
    access = access_from_env(online_env(standin, **(extra or {})))
    return RunEnvironment(github=access, sha=sha, ref=ref)


def guard(
    standin: GitHubStandIn,
    *,
    sha: str | None = SHA,
    ref: Ref | None = None,
    settings: PromotionGuardSettings = FAST,
    extra: Mapping[str, str] | None = None,
) -> GateResult:
    """promotion_guard, in process, reading the stand-in (*extra*: more environment)."""
    context = GateContext(
        gate=GateName.PROMOTION_GUARD.value,
        workspace=Path.cwd(),
        evidence_paths=(),
        evidence_origin="none",
        settings=settings,
        run=run_env(standin, extra, sha=sha, ref=ref),
    )
    return PromotionGuardGate().evaluate(context)


def make_workspace(
    root: Path, time_budget: float = 5.0, wait: tuple[float, float] | None = None
) -> Path:
    """A workspace whose other gates all have ok evidence, so the verdict is promotion_guard's.

    *wait* is ``(timeout, interval)`` for ``--wait``, in seconds.
    """
    lines = ["gates:", "  promotion_guard:", f"    time_budget: {time_budget}"]
    if wait is not None:
        lines += [f"    wait: {{timeout: {wait[0]}, interval: {wait[1]}}}"]
    for other in OTHER_GATES:
        write_evidence(root / "evidence" / f"{other}.json")
        lines += [f"  {other}:", f"    evidence: evidence/{other}.json"]
    (root / "ci").mkdir(parents=True, exist_ok=True)
    text = DEFAULT_STAGES_YAML.replace("gates: {}", "\n".join(lines))
    (root / "ci" / "maturity-stages.yml").write_text(text, encoding="utf-8")
    return root


def evaluate_cli(
    ws: Path, env: dict[str, str], *args: str, tag: str = GA
) -> tuple[CliResult, dict[str, Any], dict[str, Any]]:
    """``maturity evaluate``: the CLI result, the JSON report and its promotion_guard entry."""
    result = run_cli(["evaluate", "--tag", tag, *args], ws, clean_env(**env))
    assert result.code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    data, _ = reports(ws)
    assert_valid_report(data)
    return result, data, gate(data, "promotion_guard")


def runs_page(*runs: dict[str, Any]) -> dict[str, Any]:
    return {"total_count": len(runs), "check_runs": list(runs)}


def status_page(*statuses: dict[str, Any], sha: str = SHA) -> dict[str, Any]:
    states = {s["state"] for s in statuses}
    state = "failure" if states & {"failure", "error"} else "success" if statuses else "pending"
    return {"state": state, "sha": sha, "total_count": len(statuses), "statuses": list(statuses)}


def dumps(value: Any) -> str:
    """As ``gh api`` prints an answer: indented, so lines and columns mean something."""
    return json.dumps(value, indent=2)


__all__ = [
    "FAST",
    "GA",
    "INTERNALS",
    "check_run",
    "commit_status",
    "dumps",
    "evaluate_cli",
    "guard",
    "make_workspace",
    "online_env",
    "run_env",
    "runs_page",
    "status_page",
]
