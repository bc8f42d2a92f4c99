"""``validate --base``: what a change to the stages file does, kinds' settings included.

The config layer compares stages, gates and how refs resolve; each kind judges its own settings
(``GateKind.changes``). A kind is loaded only for a gate whose block changed.
"""

from __future__ import annotations

from maturity.config.explain import Change, changes, line_of
from maturity.config.types import Config
from maturity.kinds import load_kind


def setting_changes(base: Config, head: Config) -> list[Change]:
    out: list[Change] = []
    for name, gate in head.gates.items():
        was = base.gates.get(name)
        if was is None or was.kind != gate.kind or dict(was.written) == dict(gate.written):
            continue
        kind = load_kind(gate.kind)
        for change in kind.setting_changes(was.settings, gate.settings):
            line = line_of(head, "gates", name, change.field) or line_of(
                head, "gates", name, key=True
            )
            mark = " (weaker)" if change.weaker else ""
            message = f"{name} {change.message}{mark}"
            out.append(Change("setting", message, weaker=change.weaker, line=line))
    return out


def all_changes(base: Config, head: Config) -> list[Change]:
    """Everything that differs in effect between *base* and *head*, the exception policy
    (break_glass, freeze_windows, waiver caps) included."""
    from maturity.config.exception_changes import exception_changes

    return [*changes(base, head, setting_changes(base, head)), *exception_changes(base, head)]
