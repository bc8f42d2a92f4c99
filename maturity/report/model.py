"""The report: everything a decision rests on, in one JSON-shaped structure.

``to_dict`` is the machine contract (``schemas/maturity-eval.schema.json``); the Markdown and
terminal renderings are drawn from the same structure so they cannot disagree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maturity import __version__
from maturity.config.resolver import Resolution
from maturity.config.types import Config
from maturity.engine import Decision, GateOutcome, Override
from maturity.subject import Subject, commit_note

if TYPE_CHECKING:
    from maturity.overrides import OverrideFailure
    from maturity.waivers.load import WaiverSet

#: 1.1: subject.sha_source and subject.commit; 1.2: gate kind, finding id; 1.3: break glass
#: (clock, freeze, overrides, waivers, audit_log; gate overridden and evidence_sha256; finding
#: waiver; status waived; summary waived and overridden)
SCHEMA_VERSION = "1.3"


@dataclass(frozen=True)
class Clock:
    now: str  # ISO 8601 UTC: the time freeze windows and waivers were judged at
    source: str  # "--now" or "system clock"


@dataclass(frozen=True)
class Report:
    generated_at: str
    subject: Subject
    config: Config
    resolution: Resolution
    decision: Decision
    clock: Clock | None = None
    waivers_file: WaiverSet | None = None
    override_failures: tuple[OverrideFailure, ...] = ()
    audit_log: str | None = None  # the log this run's line is appended to

    def to_dict(self) -> dict[str, Any]:
        s, r, c = self.subject, self.resolution, self.config
        outcomes = self.decision.outcomes
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "maturity", "version": __version__},
            "generated_at": self.generated_at,
            "subject": {
                "repository": s.repository,
                "ref": s.ref.full,
                "ref_name": s.ref.name,
                "ref_type": s.ref.type.value,
                "sha": s.sha,
                "sha_source": s.sha_source.value if s.sha_source else None,
                "commit": commit_note(s),
                "run": {"id": s.run.id, "attempt": s.run.attempt, "url": s.run.url},
                "actor": s.actor,
                "event": s.event,
                "workflow": s.workflow,
                "job": s.job,
            },
            "config": {
                "source": c.source,
                "builtin": c.builtin,
                "sha256": c.sha256,
                "warnings": [
                    {"where": w.where, "message": w.message, "remediation": w.remediation}
                    for w in c.warnings
                ],
            },
            "stage": {
                "name": r.stage.name,
                "description": r.stage.description,
                "mapping": {
                    "index": r.mapping.index,
                    "kind": r.mapping.kind,
                    "expression": r.mapping.expression,
                },
            },
            "verdict": self.decision.verdict.value,
            "verdict_line": verdict_line(self.decision.verdict.value, len(self.decision.overrides)),
            "clock": _clock(self.clock, self.generated_at),
            "freeze": self._freeze(),
            "overrides": [_override(o) for o in self.decision.overrides],
            "override_failures": [{"gate": f.gate, "why": f.why} for f in self.override_failures],
            "waivers": self._waivers(),
            "audit_log": self.audit_log,
            "blocking": [_brief(o) for o in self.decision.blocking],
            "gates": [_gate(o) for o in outcomes],
            "summary": {
                "gates": len(outcomes),
                "passed": sum(o.result.status.value == "pass" for o in outcomes),
                "blocking": len(self.decision.blocking),
                "warnings": sum(o.warns for o in outcomes),
                "skipped": sum(o.result.status.value == "skipped" for o in outcomes),
                "waived": sum(o.result.status.value == "waived" for o in outcomes),
                "overridden": sum(o.overridden for o in outcomes),
            },
        }

    def _freeze(self) -> dict[str, Any] | None:
        hit = self.decision.freeze
        if hit is None:
            return None
        freeze = self.decision.outcome("freeze")
        if freeze is None:  # the engine adds the pseudo-gate whenever a window is in force
            return None
        # the window's facts as the pseudo-gate's details give them, said once
        return {
            **freeze.result.details,
            "message": hit.window.message,
            "overridden": freeze.overridden,
        }

    def _waivers(self) -> dict[str, Any] | None:
        file = self.waivers_file
        if file is None:
            return None
        return {
            "source": file.source,
            "sha256": file.sha256,
            "count": len(file.waivers),
            "used": [
                {
                    "gate": u.gate,
                    "finding": u.finding,
                    "waiver": u.waiver,
                    "owner": u.owner,
                    "reason": u.reason,
                    "expires": u.expires,
                    "state": u.state.value,
                }
                for u in self.decision.waivers
            ],
        }


def verdict_line(verdict: str, overrides: int) -> str:
    """``GO``, ``NO-GO``, or ``GO (break glass: N override(s))``: the verdict as people read it."""
    if verdict == "GO" and overrides:
        return f"GO (break glass: {overrides} override(s))"
    return verdict


def _clock(clock: Clock | None, generated_at: str) -> dict[str, str]:
    if clock is None:
        return {"now": generated_at, "source": "system clock"}
    return {"now": clock.now, "source": clock.source}


def _override(o: Override) -> dict[str, Any]:
    return {
        "gate": o.gate,
        "actor": o.actor,
        "allowed_by": o.allowed_by,
        "reason": o.reason,
        "at": o.at,
        "status_before": o.status_before.value,
        "code_before": o.code_before,
        "message_before": o.message_before,
        "follow_up_url": o.follow_up_url,
    }


def _brief(o: GateOutcome) -> dict[str, Any]:
    res = o.result
    return {
        "gate": res.gate,
        "level": o.level.value,
        "status": res.status.value,
        "code": res.code,
        "message": res.message,
        "remediation": res.remediation,
    }


def _gate(o: GateOutcome) -> dict[str, Any]:
    res = o.result
    return {
        **_brief(o),
        "kind": o.kind,
        "title": o.title or res.gate,
        "blocking": o.blocking,
        "overridden": o.overridden,
        "findings": [
            {
                "id": f.id,
                "status": f.status.value,
                "code": f.code,
                "message": f.message,
                "location": f.location,
                "remediation": f.remediation,
                "waiver": f.waiver or None,
            }
            for f in res.findings
        ],
        "evidence_sha256": res.evidence_digest,
        "evidence": [
            {"source": e.source, "kind": e.kind, "sha256": e.sha256, "size": e.size}
            for e in res.evidence
        ],
        "details": dict(res.details),
        "duration_ms": res.duration_ms,
    }
