"""The report: everything a decision rests on, in one JSON-shaped structure.

``to_dict`` is the machine contract (``schemas/maturity-eval.schema.json``); the Markdown and
terminal renderings are drawn from the same structure so they cannot disagree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maturity import __version__
from maturity.config.resolver import Resolution
from maturity.config.types import Config
from maturity.engine import Decision, GateOutcome
from maturity.subject import Subject, commit_note

SCHEMA_VERSION = "1.2"  # 1.1: subject.sha_source and subject.commit; 1.2: gate kind, finding id


@dataclass(frozen=True)
class Report:
    generated_at: str
    subject: Subject
    config: Config
    resolution: Resolution
    decision: Decision

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
            "blocking": [_brief(o) for o in self.decision.blocking],
            "gates": [_gate(o) for o in outcomes],
            "summary": {
                "gates": len(outcomes),
                "passed": sum(o.result.status.value == "pass" for o in outcomes),
                "blocking": len(self.decision.blocking),
                "warnings": sum(o.warns for o in outcomes),
                "skipped": sum(o.result.status.value == "skipped" for o in outcomes),
            },
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
        "findings": [
            {
                "id": f.id,
                "status": f.status.value,
                "code": f.code,
                "message": f.message,
                "location": f.location,
                "remediation": f.remediation,
            }
            for f in res.findings
        ],
        "evidence": [
            {"source": e.source, "kind": e.kind, "sha256": e.sha256, "size": e.size}
            for e in res.evidence
        ],
        "details": dict(res.details),
        "duration_ms": res.duration_ms,
    }
