"""Audit entries shaped as ``evaluate --audit-log`` writes them, for the audit tests and benchmark.

Every tenth run is a break-glass override, every seventh carries a waiver, every thirteenth is
a refused override; the rest are plain decisions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

_START = datetime(2026, 12, 1, tzinfo=UTC)


def _at(i: int) -> str:
    return (_START + timedelta(minutes=17 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def sample_entry(i: int, **changes: Any) -> dict[str, Any]:
    """The *i*-th run's entry (deterministic), with *changes* applied at the top level."""
    at = _at(i)
    refused = i % 13 == 12
    overridden = i % 10 == 9 and not refused
    override = {
        "gate": "promotion_guard",
        "actor": "octocat",
        "reason": f"INC-{1000 + i}: hotfix for the checkout outage, approved by the on-call lead",
        "at": at,
        "status_before": "fail",
        "code_before": "CHECKS_FAILED",
        "follow_up_url": f"https://github.com/octo-org/widget/issues/{i}",
    }
    entry: dict[str, Any] = {
        "at": at,
        "event": "refusal" if refused else "decision",
        "tool": {"name": "maturity", "version": "0.3.0"},
        "subject": {
            "repository": "octo-org/widget",
            "ref": f"refs/tags/v1.{i // 100}.{i % 100}",
            "sha": f"{i:040x}",
            "run_id": str(4000 + i),
            "run_url": f"https://github.com/octo-org/widget/actions/runs/{4000 + i}",
            "actor": "octocat",
            "event": "push",
        },
        "stage": None if refused else "GA",
        "verdict": None if refused else ("NO-GO" if i % 5 == 4 else "GO"),
        "clock": {"now": at, "set": False},
        "overrides": [override] if overridden else [],
        "refusal": (
            {"rule": "min_reason_length", "message": "the reason is shorter than 20 characters"}
            if refused
            else None
        ),
        "waivers": (
            [
                {
                    "gate": "promotion_guard",
                    "finding": "check:e2e@*",
                    "waiver": "ci/maturity-waivers.yml:12",
                    "owner": "alice",
                    "expires": "2026-12-15",
                }
            ]
            if i % 7 == 6
            else []
        ),
        "freeze": {"window": None, "active": False, "overridden": False},
        "sha256": {
            "config": f"{i:064x}",
            "evidence": {"promotion_guard:github": f"{i + 1:064x}"},
            "reports": {
                "maturity-eval.json": f"{i + 2:064x}",
                "maturity-eval.md": f"{i + 3:064x}",
            },
        },
    }
    entry.update(changes)
    return entry
