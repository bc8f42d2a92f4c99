"""``validate``'s checks of a waivers file beyond its schema, each located at its entry.

- a gate the stages file does not declare: an error (the waiver could never apply), checked
  only when the stages file is valid;
- a waiver that has already expired: a warning (it no longer counts; renew it or remove it);
- a waiver that runs longer than a stage's ``waivers.max_days``: a warning naming the stages
  where it does not count (WAIVER_TOO_LONG there);
- an entry identical to an earlier one: a warning (the second can never be the one that applies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from maturity.config.types import Problem, Severity, problem_at
from maturity.config.yaml_loader import LoadedYaml
from maturity.text import clean_text
from maturity.waivers.types import Waiver, WaiverSet


def advisory_problems(
    doc: LoadedYaml,
    waivers: WaiverSet,
    gates: Collection[str] | None,
    stage_caps: Mapping[str, int],
    now: dt.datetime,
) -> list[Problem]:
    today = utc_day(now)
    problems: list[Problem] = []
    first_of: dict[tuple[object, ...], Waiver] = {}
    for w in waivers.waivers:
        at = ("waivers", w.index)
        if gates is not None and w.gate not in gates:
            problems.append(
                problem_at(
                    doc,
                    (*at, "gate"),
                    Severity.ERROR,
                    f"waivers[{w.index}]: unknown gate {w.gate!r}",
                    f"use a gate of the stages file: {clean_text(', '.join(gates), 500)}",
                )
            )
        if w.expires < today:
            problems.append(
                problem_at(
                    doc,
                    (*at, "expires"),
                    Severity.WARNING,
                    f"waivers[{w.index}]: expired on {w.expires.isoformat()}: it no longer "
                    f"counts (owner {w.owner})",
                    "renew it after a fresh review (a later expires), or remove it",
                )
            )
        else:
            problems.extend(_too_long(doc, w, today, stage_caps))
        key = (w.gate, w.finding, w.owner, w.reason, w.expires, w.evidence_sha256)
        if (first := first_of.setdefault(key, w)) is not w:
            problems.append(
                problem_at(
                    doc,
                    at,
                    Severity.WARNING,
                    f"waivers[{w.index}]: the same as waivers[{first.index}] "
                    f"({clean_text(first.where, 300)})",
                    "remove one of them",
                )
            )
    return problems


def _too_long(
    doc: LoadedYaml, w: Waiver, today: dt.date, stage_caps: Mapping[str, int]
) -> list[Problem]:
    days = (w.expires - today).days
    over = [f"{stage} (max_days {cap})" for stage, cap in stage_caps.items() if days > cap]
    if not over:
        return []
    return [
        problem_at(
            doc,
            ("waivers", w.index, "expires"),
            Severity.WARNING,
            f"waivers[{w.index}]: expires {w.expires.isoformat()}, {days} day(s) from today: "
            f"longer than {', '.join(over)} allows, so it does not count there",
            "set an earlier expires if it must count at those stages",
        )
    ]


def utc_day(now: dt.datetime) -> dt.date:
    """The UTC calendar day of *now*, which must be aware (a naive time has no day)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (UTC)")
    return now.astimezone(dt.UTC).date()
