"""The lines ``evaluate --audit-log`` appends: one per decision, one per refused override.

Built from the report as data (a decision) or from the run a refusal happened in, so the log
holds the same facts as the reports, plus the digests that tie it to them: the config, each
piece of evidence, and both report files as written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from maturity import __version__
from maturity.core import utc_timestamp
from maturity.subject import Subject


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decision_entry(report: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, Any]:
    """The line of a decision: *report* is the report as data, *files* each report file's
    name and exact text as written."""
    subject = report["subject"]
    freeze = report.get("freeze")
    waivers = report.get("waivers") or {}
    return {
        "at": report["generated_at"],
        "event": "decision",
        "tool": dict(report["tool"]),
        "subject": {
            "repository": subject["repository"],
            "ref": subject["ref"],
            "sha": subject["sha"],
            "run_id": subject["run"]["id"],
            "run_url": subject["run"]["url"],
            "actor": subject["actor"],
            "event": subject["event"],
        },
        "stage": report["stage"]["name"],
        "verdict": report["verdict"],
        "clock": {"now": report["clock"]["now"], "set": report["clock"]["source"] == "--now"},
        "overrides": [
            {
                key: o[key]
                for key in (
                    "gate",
                    "actor",
                    "reason",
                    "at",
                    "status_before",
                    "code_before",
                    "follow_up_url",
                )
            }
            for o in report.get("overrides", [])
        ],
        "override_failures": list(report.get("override_failures", [])),
        "refusal": None,
        "waivers": [
            {
                "gate": u["gate"],
                "finding": u["finding"],
                "waiver": u["waiver"],
                "owner": u["owner"],
                "expires": u["expires"],
                "state": u["state"],
            }
            for u in waivers.get("used", [])
        ],
        "freeze": {
            "window": freeze["window"] if freeze else None,
            "active": freeze is not None,
            "overridden": bool(freeze and freeze["overridden"]),
        },
        "sha256": {
            "config": report["config"]["sha256"],
            "waivers": waivers.get("sha256"),
            "evidence": {
                f"{g['gate']}:{e['source']}": e["sha256"]
                for g in report["gates"]
                for e in g["evidence"]
            },
            "reports": {name: _sha256(text) for name, text in files.items()},
        },
    }


def refusal_entry(
    *,
    subject: Subject,
    stage: str,
    config_sha256: str,
    now: dt.datetime,
    clock_set: bool,
    gates: Sequence[str],
    reason: str,
    rule: str,
    message: str,
) -> dict[str, Any]:
    """The line of a refused override: no verdict, the rule that refused it, and why."""
    return {
        "at": utc_timestamp(dt.datetime.now(dt.UTC)),
        "event": "refusal",
        "tool": {"name": "maturity", "version": __version__},
        "subject": {
            "repository": subject.repository,
            "ref": subject.ref.full,
            "sha": subject.sha,
            "run_id": subject.run.id,
            "run_url": subject.run.url,
            "actor": subject.actor,
            "event": subject.event,
        },
        "stage": stage,
        "verdict": None,
        "clock": {"now": utc_timestamp(now), "set": clock_set},
        "overrides": [
            {
                "gate": gate,
                "actor": subject.actor,
                "reason": reason,
                "at": None,
                "status_before": None,
                "code_before": None,
                "follow_up_url": None,
            }
            for gate in gates
        ],
        "override_failures": [],
        "refusal": {"rule": rule, "message": message},
        "waivers": [],
        "freeze": None,
        "sha256": {"config": config_sha256, "waivers": None, "evidence": {}, "reports": {}},
    }
