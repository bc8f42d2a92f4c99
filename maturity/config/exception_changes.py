"""``validate --base``: what a change to the exception policy does (break glass, freeze
windows, waiver caps), each marked weaker or stronger like a gate level.

Weaker is what lets more releases through with less review: an override allowed to more
people, at more stages, for more gates, on a shorter or pattern-free reason, or without a
follow-up issue; a freeze window dropped, shortened or freezing fewer stages; a waiver cap
raised or dropped. A change this cannot rank (a new reason pattern, a rescheduled weekly
window) counts as weaker: it needs the same review.
"""

from __future__ import annotations

from maturity.config.explain import Change, line_of
from maturity.config.freeze import FreezeWindow
from maturity.config.types import ALL_GATES, BreakGlass, Config


def _change(head: Config, message: str, weaker: bool, *loc: str | int, key: bool = False) -> Change:
    mark = " (weaker)" if weaker else " (stronger)"
    line = line_of(head, *loc, key=key) if loc else None
    return Change("exception-policy", message + mark, weaker=weaker, line=line)


def _break_glass_changes(
    base: BreakGlass | None, head: BreakGlass | None, cfg: Config
) -> list[Change]:
    if base is None and head is None:
        return []
    if base is None:
        return [
            _change(
                cfg, "break_glass added: overrides are now allowed", True, "break_glass", key=True
            )
        ]
    if head is None:
        return [_change(cfg, "break_glass removed: no override is allowed any more", False)]
    out: list[Change] = []
    at = ("break_glass",)
    added = sorted(
        {a.lower() for a in head.allowed_actors} - {a.lower() for a in base.allowed_actors}
    )
    removed = sorted(
        {a.lower() for a in base.allowed_actors} - {a.lower() for a in head.allowed_actors}
    )
    if added:
        out.append(
            _change(
                cfg,
                f"break_glass.allowed_actors: {', '.join(added)} may now override",
                True,
                *at,
                "allowed_actors",
            )
        )
    if removed:
        out.append(
            _change(
                cfg,
                f"break_glass.allowed_actors: {', '.join(removed)} may no longer override",
                False,
                *at,
                "allowed_actors",
            )
        )
    if head.min_reason_length != base.min_reason_length:
        weaker = head.min_reason_length < base.min_reason_length
        out.append(
            _change(
                cfg,
                f"break_glass.min_reason_length {base.min_reason_length} -> {head.min_reason_length}",
                weaker,
                *at,
                "min_reason_length",
            )
        )
    if head.reason_pattern != base.reason_pattern:
        if head.reason_pattern is None:
            message, weaker = "break_glass.reason_pattern removed: any reason will do", True
        elif base.reason_pattern is None:
            message, weaker = f"break_glass.reason_pattern {head.reason_pattern!r} added", False
        else:
            message = (
                f"break_glass.reason_pattern {base.reason_pattern!r} -> {head.reason_pattern!r}"
            )
            weaker = True  # cannot be ranked: review it as a weakening
        out.append(_change(cfg, message, weaker, *at, "reason_pattern"))
    for stage in sorted(set(base.stages) | set(head.stages)):
        before, after = set(base.stages.get(stage, ())), set(head.stages.get(stage, ()))
        if before == after:
            continue
        where = (*at, "stages", stage)
        if ALL_GATES in after and ALL_GATES not in before:
            out.append(
                _change(
                    cfg,
                    f"break_glass.stages.{stage}: every gate may now be overridden",
                    True,
                    *where,
                )
            )
            continue
        if ALL_GATES in before and ALL_GATES not in after:
            shown = ", ".join(sorted(after)) or "none"
            out.append(_change(cfg, f"break_glass.stages.{stage}: '*' -> {shown}", False, *where))
            continue
        if after - before:
            out.append(
                _change(
                    cfg,
                    f"break_glass.stages.{stage}: may now override {', '.join(sorted(after - before))}",
                    True,
                    *where,
                )
            )
        if before - after:
            out.append(
                _change(
                    cfg,
                    f"break_glass.stages.{stage}: may no longer override {', '.join(sorted(before - after))}",
                    False,
                    *where,
                )
            )
    if base.follow_up is not None and head.follow_up is None:
        out.append(
            _change(cfg, "break_glass.follow_up removed: overrides no longer open an issue", True)
        )
    elif base.follow_up is None and head.follow_up is not None:
        out.append(
            _change(
                cfg, "break_glass.follow_up added: overrides open an issue", False, *at, "follow_up"
            )
        )
    return out


def _covers(new: FreezeWindow, old: FreezeWindow) -> bool:
    """*new* freezes at least every instant *old* did (weekly: only when unchanged)."""
    if new.weekly or old.weekly:
        return (new.weekly_from, new.weekly_to, new.timezone) == (
            old.weekly_from,
            old.weekly_to,
            old.timezone,
        )
    if new.start is None or new.end is None or old.start is None or old.end is None:
        return False
    return new.start <= old.start and new.end >= old.end


def _freeze_changes(base: Config, head: Config) -> list[Change]:
    out: list[Change] = []
    before = {w.name: w for w in base.freeze_windows}
    after = {w.name: w for w in head.freeze_windows}
    index = {w.name: i for i, w in enumerate(head.freeze_windows)}
    for name, old in before.items():
        new = after.get(name)
        if new is None:
            out.append(_change(head, f"freeze window {name!r} removed ({old.describe()})", True))
            continue
        where = ("freeze_windows", index[name])
        lost = sorted(set(old.stages) - set(new.stages))
        gained = sorted(set(new.stages) - set(old.stages))
        if lost:
            out.append(
                _change(
                    head,
                    f"freeze window {name!r} no longer freezes {', '.join(lost)}",
                    True,
                    *where,
                    "stages",
                )
            )
        if gained:
            out.append(
                _change(
                    head,
                    f"freeze window {name!r} now freezes {', '.join(gained)}",
                    False,
                    *where,
                    "stages",
                )
            )
        if old.describe() != new.describe():
            weaker = not _covers(new, old)
            out.append(
                _change(
                    head,
                    f"freeze window {name!r}: {old.describe()} -> {new.describe()}",
                    weaker,
                    *where,
                )
            )
    for name, new in after.items():
        if name not in before:
            out.append(
                _change(
                    head,
                    f"freeze window {name!r} added ({new.describe()})",
                    False,
                    "freeze_windows",
                    index[name],
                )
            )
    return out


def _cap_changes(base: Config, head: Config) -> list[Change]:
    out: list[Change] = []
    for stage in sorted(set(base.waiver_max_days) | set(head.waiver_max_days)):
        old, new = base.waiver_max_days.get(stage), head.waiver_max_days.get(stage)
        if old == new:
            continue
        where = ("waivers", "max_days", stage)
        if new is None:
            out.append(
                _change(
                    head,
                    f"waivers.max_days.{stage} ({old} days) removed: waivers of any length count there",
                    True,
                )
            )
        elif old is None:
            out.append(_change(head, f"waivers.max_days.{stage} = {new} days added", False, *where))
        else:
            out.append(
                _change(head, f"waivers.max_days.{stage} {old} -> {new} days", new > old, *where)
            )
    return out


def exception_changes(base: Config, head: Config) -> list[Change]:
    """Changes to break_glass, freeze_windows and waivers.max_days, in that order."""
    return [
        *_break_glass_changes(base.break_glass, head.break_glass, head),
        *_freeze_changes(base, head),
        *_cap_changes(base, head),
    ]
