"""One commit's checks in a source-neutral form, assembled from GitHub's paginated answers.

Assembly is where listings are checked for consistency: every check run must be for the commit
asked about, and the listing must hold as many distinct entries as GitHub's ``total_count`` says
(pages that shift while being read can drop an entry; that is refused, never guessed past).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from maturity.errors import EvidenceError
from maturity.kinds.github_checks.answers import (
    CheckRunAnswer,
    CheckRunsPage,
    CombinedStatusPage,
    StatusAnswer,
)
from maturity.text import clean_text

COMPLETED = "completed"


class CheckKind(StrEnum):
    CHECK_RUN = "check_run"
    STATUS = "status"


@dataclass(frozen=True)
class CheckItem:
    """A check run, or a commit status (``status`` is then ``completed`` or ``pending``)."""

    kind: CheckKind
    id: int
    name: str  # check run name, or status context
    app: str | None  # app slug of a check run; None for a commit status
    status: str
    conclusion: str | None  # check run conclusion, or the status's state once not pending
    url: str | None

    @property
    def shown(self) -> str:
        if self.kind is CheckKind.STATUS:
            return f"{self.name} (commit status)"
        return f"{self.name} (app {self.app})" if self.app else self.name

    @property
    def state(self) -> str:
        return self.conclusion if self.status == COMPLETED and self.conclusion else self.status

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "id": self.id,
            "name": self.name,
            "app": self.app,
            "status": self.status,
            "conclusion": self.conclusion,
            "url": self.url,
        }


@dataclass(frozen=True)
class CommitChecks:
    sha: str
    check_runs: tuple[CheckItem, ...]
    statuses: tuple[CheckItem, ...]


def _web_url(*candidates: str | None) -> str | None:
    """The first http(s) URL, cleaned; anything else (``javascript:``, junk) is dropped."""
    for url in candidates:
        if url and url.startswith(("https://", "http://")):
            return clean_text(url, 500)
    return None


def check_run_item(run: CheckRunAnswer) -> CheckItem:
    return CheckItem(
        kind=CheckKind.CHECK_RUN,
        id=run.id,
        name=clean_text(run.name, 300),
        app=clean_text(run.app.slug, 100) if run.app and run.app.slug else None,
        status=clean_text(run.status, 40),
        conclusion=clean_text(run.conclusion, 40) if run.conclusion else None,
        url=_web_url(run.details_url, run.html_url),
    )


def status_item(status: StatusAnswer) -> CheckItem:
    state = clean_text(status.state, 40)
    pending = state == "pending"
    return CheckItem(
        kind=CheckKind.STATUS,
        id=status.id,
        name=clean_text(status.context, 300),
        app=None,
        status="pending" if pending else COMPLETED,
        conclusion=None if pending else state,
        url=_web_url(status.target_url),
    )


def assemble(
    sha: str,
    run_pages: Sequence[CheckRunsPage],
    status_pages: Sequence[CombinedStatusPage],
    where: str,
) -> CommitChecks:
    """Join the pages of both listings into one :class:`CommitChecks` for *sha*."""
    runs: dict[int, CheckItem] = {}
    for page in run_pages:
        for run in page.check_runs:
            if run.head_sha != sha:
                raise EvidenceError(
                    "WRONG_COMMIT",
                    f"{where} holds check run {run.id} for commit {run.head_sha}, not {sha}",
                    "read the checks of the commit being released (check --sha / GITHUB_SHA)",
                )
            runs[run.id] = check_run_item(run)
    statuses: dict[int, CheckItem] = {}
    for status_page in status_pages:
        if status_page.sha != sha:
            raise EvidenceError(
                "WRONG_COMMIT",
                f"{where} holds the statuses of commit {status_page.sha}, not {sha}",
                "read the checks of the commit being released (check --sha / GITHUB_SHA)",
            )
        for status in status_page.statuses:
            statuses[status.id] = status_item(status)
    _complete("check runs", len(runs), [p.total_count for p in run_pages], where)
    _complete("statuses", len(statuses), [p.total_count for p in status_pages], where)
    return CommitChecks(
        sha, tuple(sorted(runs.values(), key=lambda c: c.id)), tuple(statuses.values())
    )


def _complete(what: str, got: int, totals: list[int], where: str) -> None:
    expected = max(totals, default=0)
    if got < expected:
        raise EvidenceError(
            "INCOMPLETE_LISTING",
            f"{where}: GitHub counts {expected} {what} but the pages held {got} distinct ones "
            "(entries were added or removed while the pages were read)",
            "re-run the evaluation; the listing settles once the checks stop changing",
        )
