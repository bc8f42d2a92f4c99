"""What a stages file means, and what a change to it does: for the pull-request reviewer.

``gate_table`` shows each stage's gate levels. ``changes`` compares a base file with the new one:
stages added or removed, gate levels that moved (marked weaker or stronger), promotion_guard
settings that let more commits through, and refs that now resolve to a different stage. Refs
tried: the typical ones ``validate`` also resolves (``typical_refs``) plus every ``examples``
entry of either file, so a mapping edit shows up as its effect ("v1.2.3: GA -> PILOT"), not as a
diff. Every change marked ``weaker`` counts as a warning of ``validate``.
"""

from __future__ import annotations

from dataclasses import dataclass

from maturity.checks.settings import PromotionGuardSettings
from maturity.config.types import Config, Stage
from maturity.config.typical_refs import TYPICAL_REFS
from maturity.gates.interface import GateName
from maturity.refs import parse_ref, ref_problem
from maturity.resolver import first_match


@dataclass(frozen=True)
class Change:
    kind: str  # "stage-added" | "stage-removed" | "level" | "setting" | "resolution"
    message: str
    weaker: bool = False
    line: int | None = None  # in the new file, where the change can be seen


def gate_table(config: Config) -> str:
    stages = sorted(config.stages.values(), key=lambda s: s.order)
    width = max(13, *(len(s.name) + 2 for s in stages))
    rows = ["gate".ljust(22) + "".join(s.name.ljust(width) for s in stages)]
    for gate in GateName:
        rows.append(
            gate.value.ljust(22) + "".join(s.levels[gate].value.ljust(width) for s in stages)
        )
    rows.append("mappings (first match wins):")
    rows += [f"  [{m.index}] {m.shown} -> {m.stage}" for m in config.mappings]
    return "\n".join(r.rstrip() for r in rows) + "\n"


def _weakened(before: Stage, after: Stage) -> list[str]:
    return [
        f"{g.value} {before.levels[g].value} -> {after.levels[g].value}"
        for g in GateName
        if after.levels[g].strength < before.levels[g].strength
    ]


def _line(config: Config, *loc: str | int, key: bool = False) -> int | None:
    pos = config.document.position(loc, key=key)
    return pos.line if pos else None


def _stage_changes(base: Config, head: Config) -> list[Change]:
    changes = [
        Change("stage-added", f"stage {name} added", line=_line(head, "stages", name, key=True))
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
        for gate in GateName:
            old, new = before.levels[gate], after.levels[gate]
            if old is not new:
                weaker = new.strength < old.strength
                changes.append(
                    Change(
                        "level",
                        f"stage {name}: {gate.value} {old.value} -> {new.value} "
                        f"({'weaker' if weaker else 'stronger'})",
                        weaker=weaker,
                        line=_line(head, "stages", name, "gates", gate.value),
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
        line = _line(head, "mappings", now.index) if now else None
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


def _guard(config: Config) -> PromotionGuardSettings:
    found = config.settings.get(GateName.PROMOTION_GUARD)
    return found if isinstance(found, PromotionGuardSettings) else PromotionGuardSettings()


def _setting(head: Config, field: str, message: str, *, weaker: bool) -> Change:
    where = _line(head, "gates", "promotion_guard", field)
    where = where or _line(head, "gates", "promotion_guard", key=True)
    mark = " (weaker)" if weaker else ""
    return Change("setting", f"promotion_guard {message}{mark}", weaker=weaker, line=where)


def _guard_changes(base: Config, head: Config) -> list[Change]:
    """Settings of promotion_guard that let more (weaker) or fewer commits through."""
    was, now = _guard(base), _guard(head)
    out: list[Change] = []
    if was.required != now.required:
        if not now.required:
            out.append(_setting(head, "required_checks", "now requires every check", weaker=False))
        elif not was.required:
            listed = ", ".join(p.label for p in now.required)
            msg = f"now requires only {listed}; other checks no longer block"
            out.append(_setting(head, "required_checks", msg, weaker=True))
        else:
            gone = [p.label for p in was.required if p not in now.required]
            new = [p.label for p in now.required if p not in was.required]
            if gone:
                msg = f"no longer requires {', '.join(gone)}"
                out.append(_setting(head, "required_checks", msg, weaker=True))
            if new:
                msg = f"now also requires {', '.join(new)}"
                out.append(_setting(head, "required_checks", msg, weaker=False))
    ignored = [p.label for p in now.ignore if p not in was.ignore]
    if ignored:
        out.append(_setting(head, "ignore", f"now ignores {', '.join(ignored)}", weaker=True))
    passing = sorted(now.pass_conclusions - was.pass_conclusions)
    if passing:
        msg = f"now passes conclusion {', '.join(passing)}"
        out.append(_setting(head, "pass_conclusions", msg, weaker=True))
    if now.allow_missing and not was.allow_missing:
        msg = "now accepts required checks that never appeared (allow_missing)"
        out.append(_setting(head, "allow_missing", msg, weaker=True))
    if now.min_checks < was.min_checks:
        msg = f"min_checks {was.min_checks} -> {now.min_checks}"
        out.append(_setting(head, "min_checks", msg, weaker=True))
    if GateName.PROMOTION_GUARD in head.evidence and GateName.PROMOTION_GUARD not in base.evidence:
        msg = "is now decided by evidence files instead of the commit's checks on GitHub"
        out.append(_setting(head, "evidence", msg, weaker=True))
    return out


def changes(base: Config, head: Config) -> list[Change]:
    """Everything that differs in effect between *base* and *head*."""
    return _stage_changes(base, head) + _guard_changes(base, head) + _resolution_changes(base, head)
