"""Which check run is the evaluator's own: the one rule by which a run may be left unjudged.

The evaluator runs as a job, and that job is itself an unfinished check run on the commit; judged,
it would wait on itself for ever. Dropping a run is also the easiest way to make a gate say GO,
so the rule is narrow, and every environment variable it reads can only narrow it further:

* it only happens under GitHub Actions (``GITHUB_RUN_ID`` is known), to at most ONE run;
* that run is unfinished (a completed run, failed or not, is never the evaluator's own),
  was posted by the ``github-actions`` app, and is not named literally in ``required_checks``;
* it is the run whose id is ``MATURITY_CHECK_RUN_ID`` (``${{ job.check_run_id }}``); when no id is
  known, the one run named like ``GITHUB_JOB`` (plain, a matrix leg ``job (a, b)``, or
  ``caller / job``) whose link shows it belongs to this workflow run (``/actions/runs/<id>/``).
  When several runs qualify by name, none is dropped: the evaluator cannot tell which is its own.

The report lists the run that was dropped and why, and every run that was considered and kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from maturity.github.access import SelfIdentity
from maturity.kinds.github_checks.model import COMPLETED, CheckItem, CheckKind
from maturity.kinds.github_checks.settings import CheckPattern

GITHUB_ACTIONS_APP = "github-actions"
_RUN_IN_URL = re.compile(r"/actions/runs/([0-9]{1,20})(?:/|$)")
_GLOB_CHARS = frozenset("*?[")
MAX_KEPT_LISTED = 20


@dataclass(frozen=True)
class SelfExclusion:
    """The outcome of looking for the evaluator's own run."""

    excluded: CheckItem | None
    reason: str  # why that run was dropped, or why none was
    kept: tuple[tuple[CheckItem, str], ...] = ()  # runs that looked like ours, and why they stay

    def as_dict(self) -> dict[str, object]:
        shown = self.excluded
        return {
            "excluded": (
                {"id": shown.id, "name": shown.name, "app": shown.app}
                if shown is not None
                else None
            ),
            "reason": self.reason,
            "kept": [
                {"id": item.id, "name": item.name, "app": item.app, "why": why}
                for item, why in self.kept[:MAX_KEPT_LISTED]
            ],
        }


def named_explicitly(item: CheckItem, required: Iterable[CheckPattern]) -> bool:
    """Is *item* listed by its literal name (no glob) in ``required_checks``?"""
    return any(
        p.name == item.name
        and not _GLOB_CHARS.intersection(p.name)
        and (p.app is None or p.app == item.app)
        for p in required
    )


def _named_like_job(name: str, job: str) -> bool:
    base = name.rsplit(" / ", maxsplit=1)[-1]
    return base == job or base.startswith(f"{job} (")


def _why_not(item: CheckItem, me: SelfIdentity, required: Sequence[CheckPattern]) -> str | None:
    """Why *item* cannot be the evaluator's own run, or None when it can."""
    if item.status == COMPLETED:
        return f"it is completed ({item.state}); the evaluator's own run is still in progress"
    if item.app != GITHUB_ACTIONS_APP:
        return f"it was posted by app {item.app or '(none)'}, not {GITHUB_ACTIONS_APP}"
    if named_explicitly(item, required):
        return "it is named in gates.promotion_guard.required_checks"
    shown = _RUN_IN_URL.search(item.url or "")
    if shown is not None and me.run_id is not None and shown.group(1) != me.run_id:
        return f"it belongs to workflow run {shown.group(1)}, not this one ({me.run_id})"
    if shown is None and me.check_run_id is None:
        return "its link does not show which workflow run it belongs to"
    return None


def find_self(
    runs: Iterable[CheckItem], me: SelfIdentity | None, required: Sequence[CheckPattern]
) -> SelfExclusion:
    """The evaluator's own run among *runs* (the newest run of each check), by the rule above."""
    if me is None or (me.check_run_id is None and not me.job):
        return SelfExclusion(None, "not running as a GitHub Actions job: no run is excluded")
    if me.run_id is None:
        return SelfExclusion(
            None,
            "GITHUB_RUN_ID is not set, so this is not a GitHub Actions job: no run is excluded",
        )
    check_runs = [r for r in runs if r.kind is CheckKind.CHECK_RUN]
    if me.check_run_id is not None:
        by_id = [r for r in check_runs if r.id == me.check_run_id]
        if not by_id:
            return SelfExclusion(
                None, f"no check run on the commit has id {me.check_run_id} (MATURITY_CHECK_RUN_ID)"
            )
        item = by_id[0]
        why = _why_not(item, me, required)
        if why is not None:
            return SelfExclusion(
                None,
                f"MATURITY_CHECK_RUN_ID names run {item.id}, which is judged: {why}",
                ((item, why),),
            )
        return SelfExclusion(item, f"its id is MATURITY_CHECK_RUN_ID ({item.id})")
    job = me.job or ""
    named = [r for r in check_runs if _named_like_job(r.name, job)]
    kept: list[tuple[CheckItem, str]] = []
    fitting: list[CheckItem] = []
    for item in named:
        why = _why_not(item, me, required)
        if why is None:
            fitting.append(item)
        else:
            kept.append((item, why))
    if len(fitting) == 1:
        return SelfExclusion(
            fitting[0],
            f"the only unfinished {GITHUB_ACTIONS_APP} run of this workflow run named like "
            f"GITHUB_JOB ({job})",
            tuple(kept),
        )
    if fitting:
        kept += [
            (item, "several unfinished runs are named like GITHUB_JOB; which is ours is unknown")
            for item in fitting
        ]
        return SelfExclusion(
            None,
            f"{len(fitting)} unfinished runs of this workflow run are named like GITHUB_JOB "
            f"({job}), so none is excluded; set MATURITY_CHECK_RUN_ID: ${{{{ job.check_run_id }}}}",
            tuple(kept),
        )
    return SelfExclusion(
        None, f"no unfinished run of this workflow run is named like {job}", tuple(kept)
    )
