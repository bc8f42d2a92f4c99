"""The GitHub stand-in's issues, issue comments and team memberships (break-glass follow-ups).

State and GitHub's answers only; ``github_standin.py`` routes requests here and adds headers,
authentication and pagination. Bodies are built by ``github_bodies.py`` from the octokit
examples. What GitHub validates on the writes used is validated the same way: a title is
required and at most 256 characters, a body at most 65536, assignees must be assignable, an
issue comment needs a ``body`` and an existing issue.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from github_bodies import (
    ACTIONS_BOT,
    DOCS,
    error_body,
    issue,
    issue_comment,
    team_membership,
    validation_failed,
)
from werkzeug.datastructures import MultiDict

_Answer = tuple[int, Any]  # status, JSON body
_CREATE_DOCS = f"{DOCS}/issues/issues#create-an-issue"
_COMMENT_DOCS = f"{DOCS}/issues/comments#create-an-issue-comment"
_MEMBERSHIP_DOCS = f"{DOCS}/teams/members#get-team-membership-for-a-user"
MAX_TITLE = 256
MAX_BODY = 65536


def _invalid_request(field: str, docs: str) -> dict[str, str]:
    """GitHub's 422 for a request its JSON schema refuses (a required field missing)."""
    return error_body(422, f'Invalid request.\n\n"{field}" wasn\'t supplied.', docs)


class IssueTracker:
    """The repository's issues (pull requests included, as GitHub lists them) and comments.

    ``assignable`` None: every login can be assigned; a set: only those (GitHub answers 422
    naming the others). Issues the token creates are by ``github-actions[bot]`` (a Bot).
    """

    def __init__(self, repo: str) -> None:
        self.repo = repo
        self.assignable: set[str] | None = None
        self._issues: dict[int, dict[str, Any]] = {}
        self._comments: dict[int, list[dict[str, Any]]] = {}
        self._numbers = itertools.count(1347)
        self._comment_ids = itertools.count(1)

    def add(self, title: str, body: str | None, **fields: Any) -> dict[str, Any]:
        """An existing issue (``fields``: those of :func:`github_bodies.issue`); a copy of it."""
        number = next(self._numbers)
        self._issues[number] = issue(number, title, body, repo=self.repo, **fields)
        return copy.deepcopy(self._issues[number])

    def get(self, number: int) -> dict[str, Any]:
        return copy.deepcopy(self._issues[number])

    def all(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(self._issues[n]) for n in sorted(self._issues)]

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        return copy.deepcopy(self._comments.get(number, []))

    def listing(self, args: MultiDict[str, str]) -> list[dict[str, Any]]:
        """``GET …/issues``: ``state`` (default open) and ``labels`` (all of them, any case)
        applied, newest first (GitHub's default sort)."""
        state = args.get("state", "open")
        wanted = {n.strip().casefold() for n in args.get("labels", "").split(",") if n.strip()}
        found = []
        for number in sorted(self._issues, reverse=True):
            item = self._issues[number]
            names = {lbl["name"].casefold() for lbl in item["labels"]}
            if state in (item["state"], "all") and wanted <= names:
                found.append(copy.deepcopy(item))
        return found

    def create(self, data: Any) -> _Answer:
        """``POST …/issues``."""
        if not isinstance(data, dict) or data.get("title") in (None, ""):
            return 422, _invalid_request("title", _CREATE_DOCS)
        title, body = str(data["title"]), data.get("body")
        errors = []
        if len(title) > MAX_TITLE:
            errors.append(_too_long("title", MAX_TITLE))
        if isinstance(body, str) and len(body) > MAX_BODY:
            errors.append(_too_long("body", MAX_BODY))
        assignees = tuple(data.get("assignees") or ())
        for login in assignees:
            if self.assignable is not None and login not in self.assignable:
                errors.append(
                    {"value": login, "resource": "Issue", "field": "assignees", "code": "invalid"}
                )
        if errors:
            return 422, validation_failed(*errors, documentation_url=_CREATE_DOCS)
        number = next(self._numbers)
        item = issue(
            number,
            title,
            body,
            labels=tuple(data.get("labels") or ()),
            assignees=assignees,
            user=ACTIONS_BOT,
            user_type="Bot",
            author_association="NONE",
            repo=self.repo,
        )
        self._issues[number] = item
        return 201, copy.deepcopy(item)

    def comment(self, number: int, data: Any) -> _Answer:
        """``POST …/issues/{number}/comments``."""
        if number not in self._issues:
            return 404, error_body(404, "Not Found", _COMMENT_DOCS)
        if not isinstance(data, dict) or not isinstance(data.get("body"), str):
            return 422, _invalid_request("body", _COMMENT_DOCS)
        if len(data["body"]) > MAX_BODY:
            return 422, validation_failed(
                _too_long("body", MAX_BODY, "IssueComment"), documentation_url=_COMMENT_DOCS
            )
        ident = next(self._comment_ids)
        item = issue_comment(ident, number, data["body"], repo=self.repo)
        self._comments.setdefault(number, []).append(item)
        self._issues[number]["comments"] += 1
        return 201, copy.deepcopy(item)


def _too_long(field: str, limit: int, resource: str = "Issue") -> dict[str, str]:
    return {
        "resource": resource,
        "code": "custom",
        "field": field,
        "message": f"{field} is too long (maximum is {limit} characters)",
    }


class TeamDirectory:
    """Teams of organisations and their members; anyone else, or any other team, is a 404
    (GitHub's answer both for a non-member and for a team the token cannot see)."""

    def __init__(self) -> None:
        self._teams: dict[tuple[str, str], tuple[int, dict[str, tuple[str, str]]]] = {}
        self._ids = itertools.count(2_000_001)

    def set_member(
        self, org: str, team_slug: str, login: str, state: str = "active", role: str = "member"
    ) -> None:
        key = (org.casefold(), team_slug.casefold())
        members = self._teams.setdefault(key, (next(self._ids), {}))[1]
        members[login.casefold()] = (state, role)

    def answer(self, org: str, team_slug: str, login: str) -> _Answer:
        team = self._teams.get((org.casefold(), team_slug.casefold()))
        member = team[1].get(login.casefold()) if team else None
        if team is None or member is None:
            return 404, error_body(404, "Not Found", _MEMBERSHIP_DOCS)
        state, role = member
        return 200, team_membership(team[0], login, state, role)
