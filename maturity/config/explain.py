"""What a stages file means, and what a change to it does: for the pull-request reviewer.

``gate_table`` shows each stage's gate levels. ``changes`` compares a base file with the new one:
stages added or removed, gates declared or dropped, gate levels that moved (marked weaker or
stronger), gates now decided by evidence files, and refs that now resolve to a different stage.
Settings changes are each kind's to judge (``GateKind.changes``); ``maturity.kinds.changes`` adds
them, since this layer loads no kind. Refs
tried: the typical ones ``validate`` also resolves (``typical_refs``) plus every ``examples``
entry of either file, so a mapping edit shows up as its effect ("v1.2.3: GA -> PILOT"), not as a
diff. Every change marked ``weaker`` counts as a warning of ``validate``.
"""

from __future__ import annotations

from dataclasses import dataclass

from maturity.config.resolver import first_match
from maturity.config.types import Config, Stage
from maturity.config.typical_refs import TYPICAL_REFS
from maturity.refs import parse_ref, ref_problem


@dataclass(frozen=True)
class Change:
    kind: str  # "stage-added" | "stage-removed" | "level" | "setting" | "resolution"
    message: str
    weaker: bool = False
    line: int | None = None  # in the new file, where the change can be seen
    file: str | None = None  # that file, when it is not the stages file (the waivers file)


def gate_table(config: Config) -> str:
    stages = sorted(config.stages.values(), key=lambda s: s.order)
    width = max(13, *(len(s.name) + 2 for s in stages))
    first = max(22, *(len(g) + 2 for g in config.gates))
    rows = ["gate".ljust(first) + "".join(s.name.ljust(width) for s in stages)]
    for gate in config.gates:
        rows.append(gate.ljust(first) + "".join(s.levels[gate].value.ljust(width) for s in stages))
    rows.append("mappings (first match wins):")
    rows += [f"  [{m.index}] {m.shown} -> {m.stage}" for m in config.mappings]
    return "\n".join(r.rstrip() for r in rows) + "\n"


def _weakened(before: Stage, after: Stage) -> list[str]:
    return [
        f"{g} {level.value} -> {after.levels[g].value}"
        for g, level in before.levels.items()
        if g in after.levels and after.levels[g].strength < level.strength
    ]


def line_of(config: Config, *loc: str | int, key: bool = False) -> int | None:
    """The line of *loc* in *config*'s file (None when it is not written there)."""
    pos = config.document.position(loc, key=key)
    return pos.line if pos else None


def _stage_changes(base: Config, head: Config) -> list[Change]:
    changes = [
        Change("stage-added", f"stage {name} added", line=line_of(head, "stages", name, key=True))
        for name in head.stages
        if name not in base.stages
    ]
    changes += [
        Change("stage-removed", f"stage {name} removed")
        for name in base.stages
        if name not in head.stages
    ]
    for name, after in head.stages.items():
        before = base.stages.get(name)
        if before is None:
            continue
        for gate, new in after.levels.items():
            old = before.levels.get(gate)
            if old is None:
                continue  # a gate the base did not have: see _gate_changes
            if old is not new:
                weaker = new.strength < old.strength
                changes.append(
                    Change(
                        "level",
                        f"stage {name}: {gate} {old.value} -> {new.value} "
                        f"({'weaker' if weaker else 'stronger'})",
                        weaker=weaker,
                        line=line_of(head, "stages", name, "gates", gate)
                        or line_of(head, "stages", name, key=True),
                    )
                )
    return changes


def _resolution_changes(base: Config, head: Config) -> list[Change]:
    probes = dict.fromkeys(
        [
            *TYPICAL_REFS,
            *(e for m in base.mappings for e in m.examples),
            *(e for m in head.mappings for e in m.examples),
        ]
    )
    changes = []
    for probe in probes:
        if ref_problem(probe) is not None:
            continue
        name = parse_ref(probe).name
        was, now = first_match(base, name), first_match(head, name)
        was_stage = was.stage if was else None
        now_stage = now.stage if now else None
        if was_stage == now_stage:
            continue
        line = line_of(head, "mappings", now.index) if now else None
        if now is None:
            message = f"{probe}: {was_stage} -> no stage (evaluate will stop on it with exit 2)"
            changes.append(Change("resolution", message, line=line))
            continue
        if was is None:
            changes.append(Change("resolution", f"{probe}: no stage -> {now_stage}", line=line))
            continue
        lost = _weakened(base.stages[was.stage], head.stages[now.stage])
        message = f"{probe}: {was_stage} -> {now_stage} (now {now.label})"
        if lost:
            message += f"; weaker: {', '.join(lost)}"
        changes.append(Change("resolution", message, weaker=bool(lost), line=line))
    return changes


def _gate_changes(base: Config, head: Config) -> list[Change]:
    """Gates declared or dropped, kinds swapped, and gates now decided by evidence files."""
    out: list[Change] = []
    for name, gate in head.gates.items():
        line = line_of(head, "gates", name, key=True)
        was = base.gates.get(name)
        if was is None:
            out.append(Change("gate-added", f"gate {name} (kind {gate.kind}) added", line=line))
        elif was.kind != gate.kind:
            message = f"gate {name}: kind {was.kind} -> {gate.kind}"
            out.append(Change("gate-kind", message, weaker=True, line=line))
        elif gate.evidence and not was.evidence and gate.kind != "evidence":
            message = (
                f"gate {name} is now decided by evidence files instead of its kind's own "
                f"source ({gate.kind})"
            )
            where = line_of(head, "gates", name, "evidence") or line
            out.append(Change("setting", message, weaker=True, line=where))
    for name, gate in base.gates.items():
        if name not in head.gates:
            message = f"gate {name} (kind {gate.kind}) removed: it no longer counts at any stage"
            out.append(Change("gate-removed", message, weaker=True))
    return out


def changes(base: Config, head: Config, settings: list[Change] | None = None) -> list[Change]:
    """Everything that differs in effect between *base* and *head*: stages, gates, the kinds'
    *settings* changes (from ``maturity.kinds.changes``), then how refs resolve."""
    return [
        *_stage_changes(base, head),
        *_gate_changes(base, head),
        *(settings or []),
        *_resolution_changes(base, head),
    ]
