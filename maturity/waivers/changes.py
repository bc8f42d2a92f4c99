"""``validate --base-ref``: what a change to the waivers file does, weaker or stronger.

A waiver is an exception, so adding one, widening what it covers, moving its expiry later or
unbinding it from its evidence is weaker; the reverse is stronger. Entries are matched by gate
and finding glob; a glob that changed reads as one waiver removed and another added.
"""

from __future__ import annotations

from maturity.config.explain import Change
from maturity.waivers.types import Waiver, WaiverSet


def _line(waiver: Waiver) -> int | None:
    _, _, line = waiver.where.rpartition(":")
    return int(line) if line.isdigit() else None


def _change(head: WaiverSet, message: str, weaker: bool, at: Waiver | None) -> Change:
    mark = " (weaker)" if weaker else " (stronger)"
    line = _line(at) if at is not None else None
    return Change("waiver", message + mark, weaker=weaker, line=line, file=head.source)


def waiver_changes(base: WaiverSet | None, head: WaiverSet) -> list[Change]:
    """Every waiver added, removed, extended, shortened, bound or unbound (*base* None: the
    file is new, so every waiver in it is added)."""
    before = {(w.gate, w.finding): w for w in (base.waivers if base is not None else ())}
    after = {(w.gate, w.finding): w for w in head.waivers}
    out: list[Change] = []
    for key, new in after.items():
        name = f"waiver {new.gate} {new.finding!r}"
        old = before.get(key)
        if old is None:
            out.append(
                _change(head, f"{name} added (owner {new.owner}, expires {new.expires})", True, new)
            )
            continue
        if new.expires != old.expires:
            later = new.expires > old.expires
            out.append(_change(head, f"{name}: expires {old.expires} -> {new.expires}", later, new))
        if new.evidence_sha256 != old.evidence_sha256:
            if new.evidence_sha256 is None:
                message, weaker = f"{name} no longer bound to its evidence", True
            elif old.evidence_sha256 is None:
                message, weaker = f"{name} now bound to evidence {new.evidence_sha256[:12]}…", False
            else:
                message = f"{name} now covers other evidence ({new.evidence_sha256[:12]}…)"
                weaker = True
            out.append(_change(head, message, weaker, new))
    for key, old in before.items():
        if key not in after:
            out.append(_change(head, f"waiver {old.gate} {old.finding!r} removed", False, None))
    return out
