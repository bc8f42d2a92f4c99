"""Running promotion_guard against the GitHub stand-in, in process or as ``maturity evaluate``.

For test_json_inputs.py and test_github_refs_and_pages.py: the gate in process for the many
variants, the CLI in a workspace where every other gate has ok evidence for the verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.defaults import DEFAULT_STAGES_YAML
from maturity.core import GateInputs, GateResult
from maturity.github.access import access_from_env
from maturity.kinds.github_checks import KIND
from maturity.kinds.github_checks.settings import (
    CheckPattern,
    CheckPatternSpec,
    GitHubChecksSettings,
)
from maturity.kinds.interface import RunContext
from maturity.refs import Ref

GA = "v1.2.3"
OTHER_GATES = ("observability_verify", "deps_approval", "policy_drift", "field_budgets")
#: words that would mean Python's own text reached a message
INTERNALS = ("Python", "Traceback", "Exceeds the limit", "JSONDecodeError", "Expecting", "codec")


def pattern_spec(pattern: str | CheckPattern) -> str | CheckPatternSpec:
    """A check pattern as the stages file writes it: a glob, or ``{name, app}``."""
    if isinstance(pattern, str):
        return pattern
    if pattern.app is None:
        return pattern.name
    return CheckPatternSpec(name=pattern.name, app=pattern.app)


def checks_settings(
    required: Sequence[str | CheckPattern] = (),
    ignore: Sequence[str | CheckPattern] = (),
    **kw: Any,
) -> GitHubChecksSettings:
    """github_checks settings from patterns (*kw*: the other fields, by their YAML names)."""
    return GitHubChecksSettings(
        required_checks=tuple(pattern_spec(p) for p in required),
        ignore=tuple(pattern_spec(p) for p in ignore),
        **kw,
    )


FAST = GitHubChecksSettings(time_budget=10.0)


def online_env(standin: GitHubStandIn, **extra: str) -> dict[str, str]:
    base = {"GITHUB_API_URL": standin.base_url, "GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO}
    return {**base, **extra}


def run_env(
    standin: GitHubStandIn,
    extra: Mapping[str, str] | None = None,
    *,
    sha: str | None = SHA,
    ref: Ref | None = None,
) -> RunContext:
    """What the engine hands promotion_guard: access to the stand-in, the commit, the ref."""
    access = access_from_env(online_env(standin, **(extra or {})))
    return RunContext(workspace=Path.cwd(), github=access, sha=sha, ref=ref)


def guard_inputs(origin: str = "none") -> GateInputs:
    """promotion_guard's inputs as the engine collects them when it has no evidence file."""
    builtin = BUILTIN_GATES["promotion_guard"]
    return GateInputs(
        gate="promotion_guard", title=builtin.title, remediation=builtin.remediation, origin=origin
    )


def guard(
    standin: GitHubStandIn,
    *,
    sha: str | None = SHA,
    ref: Ref | None = None,
    settings: GitHubChecksSettings = FAST,
    extra: Mapping[str, str] | None = None,
) -> GateResult:
    """promotion_guard (its kind, github_checks), in process, reading the stand-in
    (*extra*: more environment)."""
    return KIND.run(settings, guard_inputs(), run_env(standin, extra, sha=sha, ref=ref))


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
    entry = gate(data, "promotion_guard")
    assert (entry["kind"], entry["title"]) == ("github_checks", "Required checks passed")
    return result, data, entry


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
    "checks_settings",
    "commit_status",
    "dumps",
    "evaluate_cli",
    "guard",
    "guard_inputs",
    "make_workspace",
    "online_env",
    "pattern_spec",
    "run_env",
    "runs_page",
    "status_page",
]
