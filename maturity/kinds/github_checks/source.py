"""One commit's check runs and statuses, read from the API: every page, conditionally.

Check runs come from ``/commits/{sha}/check-runs`` and statuses from the combined status
``/commits/{sha}/status``, both with ``per_page=100`` and followed page by page through their
``Link`` headers. Re-reading (``--wait``) repeats the same URLs with ``If-None-Match``, so pages
that did not change cost no rate limit. A tag is resolved to its commit through the git refs API
(annotated tags through the tag object they point at); every answer must name the ref or tag
object that was asked for, or it is refused (``WRONG_REF``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from maturity.errors import EvidenceError
from maturity.github.client import GitHubClient
from maturity.kinds.github_checks.answers import (
    CheckRunsPage,
    CombinedStatusPage,
    GitObject,
    GitRefAnswer,
    GitTagAnswer,
    parse_answer,
)
from maturity.kinds.github_checks.model import CommitChecks, assemble
from maturity.refs import Ref, RefType
from maturity.text import clean_text

PER_PAGE = 100
MAX_PAGES = 200  # 20,000 check runs: far past what GitHub lists for one commit
MAX_TAG_DEPTH = 5  # a tag of a tag of ... a commit
M = TypeVar("M", bound=BaseModel)


class GitHubChecksSource:
    def __init__(self, client: GitHubClient, repository: str) -> None:
        self.client = client
        self.repository = repository
        self._parsed: dict[str, BaseModel] = {}  # per URL: the page last parsed (reused on 304)

    def _repo_url(self, path: str, params: dict[str, str | int] | None = None) -> str:
        return self.client.url(f"/repos/{self.repository}{path}", params)

    def _pages(self, first: str, model: type[M], where: str) -> list[M]:
        pages: list[M] = []
        seen: set[str] = set()
        url: str | None = first
        while url is not None:
            if url in seen or len(pages) >= MAX_PAGES:
                raise EvidenceError(
                    "PAGINATION_LOOP" if url in seen else "TOO_MANY_PAGES",
                    f"the pages of {where} do not end: page {len(pages) + 1} links back to a "
                    f"page already read, or there are more than {MAX_PAGES}",
                    "check GITHUB_API_URL points at the GitHub REST API",
                )
            seen.add(url)
            answer = self.client.get(url, via_link=bool(pages))
            page = self._parsed.get(url) if answer.not_modified else None
            if not isinstance(page, model):
                page = parse_answer(model, answer.data, f"{where} (page {len(pages) + 1})")
                self._parsed[url] = page
            pages.append(page)
            url = answer.links.get("next")
        return pages

    def read(self, sha: str) -> CommitChecks:
        """Both listings for *sha*; one fresh re-read when a listing shifted while being paged
        (its counts disagree, or a page its own Link pointed to is gone)."""
        try:
            return self._read_once(sha)
        except EvidenceError as exc:
            if exc.code not in ("INCOMPLETE_LISTING", "LINKED_PAGE_NOT_FOUND"):
                raise
        return self._read_once(sha)

    def _read_once(self, sha: str) -> CommitChecks:
        where = f"the checks of {sha[:12]} in {self.repository}"
        runs = self._pages(
            self._repo_url(
                f"/commits/{sha}/check-runs", {"filter": "latest", "per_page": PER_PAGE}
            ),
            CheckRunsPage,
            f"check runs of {sha[:12]}",
        )
        statuses = self._pages(
            self._repo_url(f"/commits/{sha}/status", {"per_page": PER_PAGE}),
            CombinedStatusPage,
            f"statuses of {sha[:12]}",
        )
        return assemble(sha, runs, statuses, where)

    def resolve_commit(self, ref: Ref) -> str:
        """The commit a tag or branch points at."""
        kinds: Sequence[str]
        if ref.type is RefType.TAG:
            kinds = ("tags",)
        elif ref.type is RefType.BRANCH:
            kinds = ("heads",)
        elif ref.type is RefType.UNKNOWN:
            kinds = ("tags", "heads")
        else:
            raise EvidenceError(
                "NO_COMMIT",
                f"cannot tell which commit {clean_text(ref.full, 200)} is: only tags and "
                "branches are resolved through the API",
                "pass the commit with --sha (GITHUB_SHA in Actions)",
            )
        for kind in kinds:
            where = f"git/ref/{kind}/{clean_text(ref.name, 200)}"
            url = self._repo_url(f"/git/ref/{kind}/{quote(ref.name, safe='/')}")
            try:
                answer = self.client.get(url)
            except EvidenceError as exc:
                if exc.code == "GITHUB_NOT_FOUND" and kind != kinds[-1]:
                    continue
                raise
            found = parse_answer(GitRefAnswer, answer.data, where)
            _same("ref", f"refs/{kind}/{ref.name}", found.ref, where)
            return self._commit_of(found.object, where)
        raise AssertionError("unreachable")  # pragma: no cover

    def _commit_of(self, obj: GitObject, where: str) -> str:
        for _ in range(MAX_TAG_DEPTH):
            if obj.type == "commit":
                return obj.sha
            if obj.type != "tag":
                raise EvidenceError(
                    "NO_COMMIT",
                    f"{where} points at a {clean_text(obj.type, 20)}, not a commit",
                    "release a tag that points at a commit, or pass --sha",
                )
            tag_where = f"git/tags/{obj.sha}"
            answer = self.client.get(self._repo_url(f"/git/tags/{obj.sha}"))
            tag = parse_answer(GitTagAnswer, answer.data, tag_where)
            _same("tag object", obj.sha, tag.sha, tag_where)
            obj = tag.object
        raise EvidenceError(
            "NO_COMMIT",
            f"{where} is a chain of more than {MAX_TAG_DEPTH} tags",
            "tag the commit directly, or pass --sha",
        )


def _same(what: str, asked: str, answered: str, where: str) -> None:
    """Refuse an answer about another ref or object than the one asked for: following it would
    judge whatever commit that other ref points at."""
    if answered != asked:
        raise EvidenceError(
            "WRONG_REF",
            f"the answer to {where} is about the {what} {clean_text(answered, 200)!r}, not "
            f"{clean_text(asked, 200)!r} that was asked for; its commit was not used",
            "check GITHUB_API_URL points at the GitHub REST API and that no proxy between the "
            "runner and GitHub alters answers; or pass the commit with --sha",
        )
