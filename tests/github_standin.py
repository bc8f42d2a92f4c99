"""A GitHub REST API stand-in: real HTTP on 127.0.0.1 (pytest-httpserver), GitHub.com's behaviour.

Bodies come from ``github_bodies.py`` (GitHub's OpenAPI examples with fields replaced). Headers, pagination (``Link``), conditional requests
(``ETag``/``If-None-Match`` -> 304 at no rate-limit cost), rate-limit accounting and error bodies
follow GitHub.com's documentation. Faults are scripted per path with :class:`Reply`.

Served (under ``prefix`` for GitHub Enterprise Server, both as ``/repos/{owner}/{repo}/...`` and
``/repositories/{id}/...``, the form GitHub's Link URLs use): ``GET`` ``commits/{ref}/check-runs``,
``commits/{ref}/status``, ``git/ref/{ref}``, ``git/tags/{tag_sha}`` and ``issues`` (paginated);
``POST`` ``issues`` and ``issues/{number}/comments`` (state in :attr:`GitHubStandIn.issues`,
``tests/github_issues.py``); and ``GET /orgs/{org}/teams/{team_slug}/memberships/{username}``
(members set in :attr:`GitHubStandIn.teams`). ``{ref}`` on the commits endpoints is a known sha
or a branch/tag set with :meth:`set_ref`. Every request is logged with its JSON body, if any.

Check runs are served exactly as set, in order: ``filter=latest`` (GitHub's default) is accepted but
not applied, because GitHub does not document which runs it drops and re-runs do reach clients, so
the client's own deduplication is what the tests exercise. The combined status does show only the
newest status per context, as GitHub documents.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from github_bodies import (
    DOCS,
    FIXTURES,
    GITHUB_ACTIONS_APP_ID,
    JSON_TYPE,
    RATE_DOCS,
    REPO,
    REPO_ID,
    SHA,
    TOKEN,
    Reply,
    check_run,
    commit_status,
    error_body,
    fixture,
    load_fixture,
    node_id,
    openapi_schema,
)
from github_issues import IssueTracker, TeamDirectory
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.datastructures import Headers, MultiDict

__all__ = [
    "DOCS",
    "FIXTURES",
    "GITHUB_ACTIONS_APP_ID",
    "JSON_TYPE",
    "REPO",
    "REPO_ID",
    "SHA",
    "TOKEN",
    "GitHubStandIn",
    "Recorded",
    "Reply",
    "RequestInfo",
    "check_run",
    "commit_status",
    "fixture",
    "openapi_schema",
]


@dataclass(frozen=True)
class RequestInfo:
    """What :attr:`GitHubStandIn.before_each` is given: the request, before it is answered.

    ``path`` is the full path as received (with any prefix); ``query`` holds the first value of
    each parameter; ``headers`` have lower-case names.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Recorded(RequestInfo):
    """One request the stand-in received, with the status it answered and its body: parsed
    JSON, the text when it is not JSON, None when empty."""

    status: int
    body: Any = None


_REPO_PATH = r"^/(?:repos/(?P<owner>[^/]+)/(?P<name>[^/]+)|repositories/(?P<id>\d+))"
_ROUTES = {
    "check-runs": re.compile(_REPO_PATH + r"/commits/(?P<ref>.+)/check-runs$"),
    "status": re.compile(_REPO_PATH + r"/commits/(?P<ref>.+)/status$"),
    "git-ref": re.compile(_REPO_PATH + r"/git/ref/(?P<ref>.+)$"),
    "git-tag": re.compile(_REPO_PATH + r"/git/tags/(?P<ref>[0-9a-f]{40})$"),
}
_ISSUES = re.compile(_REPO_PATH + r"/issues$")
_COMMENTS = re.compile(_REPO_PATH + r"/issues/(?P<number>[0-9]+)/comments$")
_MEMBERSHIP = re.compile(
    r"^/orgs/(?P<org>[^/]+)/teams/(?P<team>[^/]+)/memberships/(?P<user>[^/]+)$"
)
_DOC = {
    "check-runs": f"{DOCS}/checks/runs#list-check-runs-for-a-git-reference",
    "status": f"{DOCS}/commits/statuses#get-the-combined-status-for-a-specific-reference",
    "git-ref": f"{DOCS}/git/refs#get-a-reference",
    "git-tag": f"{DOCS}/git/tags#get-a-tag",
}
_Answer = tuple[int, Any, str | None]  # status, JSON body, Link header


class GitHubStandIn:
    """GitHub's REST API for one repository, served by *server* under *prefix*.

    ``prefix`` ``""`` is api.github.com; ``"/api/v3"`` is GitHub Enterprise Server (every path and
    Link URL carries it). The commit :data:`SHA` exists from the start, with no check runs and no
    statuses. ``before_each``, when set, is called with a :class:`RequestInfo` before each request
    is handled (outside the lock, so it may call the ``set_*`` methods), e.g. to complete a check
    after N polls. :meth:`script` and :meth:`requests_to` match their regex (``re.search``) against
    the path without the prefix; :attr:`log` keeps full paths.
    """

    def __init__(
        self,
        server: HTTPServer,
        *,
        prefix: str = "",
        repo: str = REPO,
        token: str = TOKEN,
        rate_limit: int = 5000,
    ) -> None:
        self.prefix = prefix.rstrip("/")
        self.repo, self.repo_id, self.token = repo, REPO_ID, token
        self.base_url = server.url_for("/").rstrip("/") + self.prefix
        self.log: list[Recorded] = []
        self.rate_limit = self.rate_remaining = rate_limit
        self.rate_reset = int(time.time()) + 3600  # epoch seconds; the window then starts again
        self.before_each: Callable[[RequestInfo], None] | None = None
        self._lock = threading.RLock()
        self._runs: dict[str, list[dict[str, Any]]] = {SHA: []}
        self._statuses: dict[str, list[dict[str, Any]]] = {SHA: []}
        self._refs: dict[str, tuple[str, str | None]] = {}  # "tags/v1" -> (commit, tag object)
        self._scripts: list[tuple[re.Pattern[str], str | None, list[Reply]]] = []
        self.issues = IssueTracker(repo)
        self.teams = TeamDirectory()
        self._next_override: str | None = None
        self._cost = 0
        self._ids = itertools.count(1)
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    def set_check_runs(self, runs: list[dict[str, Any]], sha: str = SHA) -> None:
        """Serve *runs* (in this order, as given) for *sha*, which then exists."""
        with self._lock:
            self._runs[sha] = copy.deepcopy(runs)
            self._statuses.setdefault(sha, [])

    def set_statuses(self, statuses: list[dict[str, Any]], sha: str = SHA) -> None:
        """Statuses of *sha*; the combined status shows the newest (highest id) per context."""
        with self._lock:
            self._statuses[sha] = copy.deepcopy(statuses)
            self._runs.setdefault(sha, [])

    def set_ref(self, ref: str, sha: str = SHA, *, annotated: bool = False) -> None:
        """Point *ref* (``tags/v1.2.3``, ``heads/main``) at *sha*, through a tag object if annotated."""
        ref = ref.removeprefix("refs/")
        if annotated and not ref.startswith("tags/"):
            raise ValueError(f"only tags can be annotated, not {ref!r}")
        digest = hashlib.sha1(f"tag {ref}\n{sha}".encode(), usedforsecurity=False).hexdigest()
        with self._lock:
            self._refs[ref] = (sha, digest if annotated else None)
            self._runs.setdefault(sha, [])
            self._statuses.setdefault(sha, [])

    def script(self, path_regex: str, *replies: Reply, method: str | None = None) -> None:
        """Answer the next requests whose path matches with *replies*, in order, one each.

        *method* (``"POST"``, say): only requests with that method. A reply gets the usual
        headers (rate limit, request id, JSON content type) under its own, and costs one
        rate-limit point unless it is a 304 or sets ``x-ratelimit-remaining``.
        """
        with self._lock:
            self._scripts.append((re.compile(path_regex), method, list(replies)))

    def link_override(self, url_for_next: str | None) -> None:
        """Make every page answer's Link ``rel="next"`` this URL (None: back to normal)."""
        with self._lock:
            self._next_override = url_for_next

    def requests_to(self, path_regex: str, method: str | None = None) -> list[Recorded]:
        with self._lock:
            return [
                r
                for r in self.log
                if re.search(path_regex, self._route(r.path)) and method in (None, r.method)
            ]

    def posted(self, path_regex: str) -> list[Any]:
        """The bodies of the POST requests whose path matches, in order (answered or not)."""
        return [r.body for r in self.requests_to(path_regex, "POST")]

    @property
    def cost(self) -> int:
        """Rate-limit points spent so far: every answer but 304s and the exhausted-limit 403s."""
        with self._lock:
            return self._cost

    def _route(self, path: str) -> str:
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            return path[len(self.prefix) :]
        return path

    def _handle(self, request: Request) -> Response:
        query = dict(request.args.items())
        headers = {k.lower(): v for k, v in request.headers.items()}
        info = RequestInfo(request.method, request.path, query, headers)
        if self.before_each is not None:
            self.before_each(info)
        body = _json_or_text(request.get_data())
        with self._lock:
            response = self._respond(request, info, body)
            status = response.status_code
            self.log.append(Recorded(info.method, info.path, query, headers, status, body))
        return response

    def _respond(self, request: Request, info: RequestInfo, body: Any) -> Response:
        under_prefix = not self.prefix or info.path.startswith(self.prefix + "/")
        route = self._route(info.path) if under_prefix else ""
        for pattern, method, replies in self._scripts:
            if replies and method in (None, info.method) and pattern.search(self._route(info.path)):
                return self._scripted(replies.pop(0))
        if time.time() >= self.rate_reset:
            self.rate_remaining, self.rate_reset = self.rate_limit, int(time.time()) + 3600
        scheme, _, credential = info.headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("token", "bearer") or credential.strip() != self.token:
            return self._json(401, error_body(401, "Bad credentials"))
        if self.rate_remaining <= 0:  # GitHub's primary limit; a 403 that spends nothing
            body = error_body(403, "API rate limit exceeded for installation ID 4242.", RATE_DOCS)
            return self._json(403, body, spend=False)
        if info.method == "POST":
            return self._write(route, request, body)
        if info.method != "GET":
            return self._json(404, error_body(404, "Not Found"))
        status, answer, link = self._answer(route, request.args)
        if status != 200:
            return self._json(status, answer)
        text = json.dumps(answer, separators=(",", ":"))
        etag = f'W/"{hashlib.sha256(text.encode()).hexdigest()}"'
        if _etag_matches(info.headers.get("if-none-match", ""), etag):
            return Response(status=304, headers=self._headers(spend=False, etag=etag))
        headers = self._headers(etag=etag)
        if link:
            headers["link"] = link
        return Response(text, status=200, headers=headers, content_type=JSON_TYPE)

    def _scripted(self, reply: Reply) -> Response:
        own = {k.lower(): v for k, v in reply.headers.items()}
        headers = self._headers(spend=reply.status != 304 and "x-ratelimit-remaining" not in own)
        if reply.status != 304:
            headers["content-type"] = JSON_TYPE
        for name, value in own.items():
            headers[name] = value
        if "x-ratelimit-remaining" in own and "x-ratelimit-used" not in own:
            headers["x-ratelimit-used"] = str(self.rate_limit - int(own["x-ratelimit-remaining"]))
        return Response(reply.body, status=reply.status, headers=headers)

    def _json(self, status: int, body: Any, *, spend: bool = True) -> Response:
        text = json.dumps(body, separators=(",", ":"))
        return Response(text, status, self._headers(spend=spend), content_type=JSON_TYPE)

    def _headers(self, *, spend: bool = True, etag: str | None = None) -> Headers:
        if spend:
            self._cost += 1
            self.rate_remaining = max(0, self.rate_remaining - 1)
        n = next(self._ids)
        headers = Headers(
            {
                "x-ratelimit-limit": str(self.rate_limit),
                "x-ratelimit-remaining": str(self.rate_remaining),
                "x-ratelimit-reset": str(self.rate_reset),
                "x-ratelimit-used": str(self.rate_limit - self.rate_remaining),
                "x-ratelimit-resource": "core",
                "x-github-request-id": f"5EA1:{n:06X}:{n * 7919:07X}:{n * 104729:07X}:{n:08X}",
            }
        )
        if etag is not None:
            headers["etag"] = etag
        return headers

    def _write(self, route: str, request: Request, body: Any) -> Response:
        """A POST: GitHub answers 400 to a body that is not JSON, 201 with ``Location``."""
        if not self._ours(_ISSUES.match(route) or _COMMENTS.match(route)):
            return self._json(404, error_body(404, "Not Found"))
        if request.get_data() and isinstance(body, str):
            return self._json(400, error_body(400, "Problems parsing JSON", DOCS))
        comments = _COMMENTS.match(route)
        if comments is not None:
            status, answer = self.issues.comment(int(comments["number"]), body)
        else:
            status, answer = self.issues.create(body)
        response = self._json(status, answer)
        if status == 201:
            response.headers["location"] = answer["url"]
        return response

    def _ours(self, match: re.Match[str] | None) -> bool:
        """Whether a repository route's match names this repository (by name or id)."""
        if match is None:
            return False
        owner, name, ident = match.group("owner", "name", "id")
        return ident == str(self.repo_id) or f"{owner}/{name}".lower() == self.repo.lower()

    def _answer(self, route: str, args: MultiDict[str, str]) -> _Answer:
        membership = _MEMBERSHIP.match(route)
        if membership is not None:
            status, body = self.teams.answer(*membership.group("org", "team", "user"))
            return status, body, None
        if self._ours(_ISSUES.match(route)):
            url = f"{self.base_url}/repositories/{self.repo_id}/issues"
            page, link = self._page(self.issues.listing(args), args, url)
            return 200, page, link
        for kind, pattern in _ROUTES.items():
            match = pattern.match(route)
            if match is None:
                continue
            owner, name, ident = match.group("owner", "name", "id")
            if ident != str(self.repo_id) and f"{owner}/{name}".lower() != self.repo.lower():
                break
            ref = match["ref"]
            if kind == "git-ref":
                return self._git_ref(ref)
            if kind == "git-tag":
                return self._git_tag(ref)
            sha = self._resolve(ref)
            if sha is None:
                return 422, error_body(422, f"No commit found for SHA: {ref}", _DOC[kind]), None
            url = f"{self.base_url}/repositories/{self.repo_id}/commits/{quote(ref)}/{kind}"
            if kind == "check-runs":
                runs = [r for r in self._runs[sha] if _wanted(r, args)]
                page, link = self._page(runs, args, url)
                return 200, {"total_count": len(runs), "check_runs": page}, link
            return self._combined_status(sha, args, url)
        return 404, error_body(404, "Not Found"), None

    def _resolve(self, ref: str) -> str | None:
        if ref in self._runs:
            return ref
        for name in (ref.removeprefix("refs/"), f"heads/{ref}", f"tags/{ref}"):
            if name in self._refs:
                return self._refs[name][0]
        return None

    def _page(
        self, items: list[dict[str, Any]], args: MultiDict[str, str], url: str
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of *items* and GitHub's Link header (prev, next, last, first) for it."""
        per_page = min(_positive(args.get("per_page"), 30), 100)
        page = _positive(args.get("page"), 1)
        last = max(1, math.ceil(len(items) / per_page))

        def at(number: int) -> str:
            pairs = [(k, str(number) if k == "page" else v) for k, v in args.items(multi=True)]
            pairs = pairs if "page" in args else [*pairs, ("page", str(number))]
            return f"{url}?{urlencode(pairs)}"

        rels: list[tuple[str, str]] = []
        if page > 1:
            rels.append((at(page - 1), "prev"))
        if self._next_override is not None:
            rels.append((self._next_override, "next"))
        elif page < last:
            rels.append((at(page + 1), "next"))
        if page < last:
            rels.append((at(last), "last"))
        if page > 1:
            rels.append((at(1), "first"))
        link = ", ".join(f'<{u}>; rel="{rel}"' for u, rel in rels) or None
        return items[(page - 1) * per_page : page * per_page], link

    def _combined_status(self, sha: str, args: MultiDict[str, str], url: str) -> _Answer:
        statuses = self._statuses[sha]
        newest: dict[str, dict[str, Any]] = {}
        for item in statuses:
            if item["context"] not in newest or item["id"] > newest[item["context"]]["id"]:
                newest[item["context"]] = item
        shown = [s for s in statuses if newest[s["context"]] is s]
        states = {s["state"] for s in shown}
        state = (
            "failure"
            if states & {"error", "failure"}
            else "pending"
            if not shown or "pending" in states
            else "success"
        )
        page, link = self._page(shown, args, url)
        commit_url = f"{self.base_url}/repos/{self.repo}/commits/{sha}"
        body = {
            "state": state,
            "statuses": page,
            "sha": sha,
            "total_count": len(shown),
            "repository": self._repository(),
            "commit_url": commit_url,
            "url": f"{commit_url}/status",
        }
        return 200, body, link

    def _repository(self) -> Any:
        text = json.dumps(load_fixture("combined-status.example.json")["repository"])
        owner, name = self.repo.split("/", 1)
        text = re.sub(r"https?://api\.github\.com", self.base_url, text)
        text = re.sub(r"/octocat\b", f"/{owner}", text.replace("octocat/Hello-World", self.repo))
        repository = json.loads(text)
        repository.update(id=self.repo_id, name=name, full_name=self.repo)
        repository["owner"]["login"] = owner
        return repository

    def _git_ref(self, ref: str) -> _Answer:
        if ref not in self._refs:
            return 404, error_body(404, "Not Found", _DOC["git-ref"]), None
        sha, tag_sha = self._refs[ref]
        body = fixture("git-ref.example.json")
        body.update(
            ref=f"refs/{ref}",
            node_id=node_id("Ref", f"refs/{ref}"),
            url=f"{self.base_url}/repos/{self.repo}/git/refs/{ref}",
            object=self._object("tag", tag_sha) if tag_sha else self._object("commit", sha),
        )
        return 200, body, None

    def _git_tag(self, tag_sha: str) -> _Answer:
        for ref, (sha, tag) in self._refs.items():
            if tag == tag_sha:
                body = fixture("git-tag.example.json")
                body.update(
                    node_id=node_id("Tag", tag_sha),
                    tag=ref.removeprefix("tags/"),
                    sha=tag_sha,
                    url=f"{self.base_url}/repos/{self.repo}/git/tags/{tag_sha}",
                    object=self._object("commit", sha),
                )
                return 200, body, None
        return 404, error_body(404, "Not Found", _DOC["git-tag"]), None

    def _object(self, kind: str, sha: str) -> dict[str, str]:
        return {
            "type": kind,
            "sha": sha,
            "url": f"{self.base_url}/repos/{self.repo}/git/{kind}s/{sha}",
        }


def _wanted(run: dict[str, Any], args: MultiDict[str, str]) -> bool:
    """GitHub's ``check_name``, ``status`` and ``app_id`` filters (``filter``: module docstring)."""
    app = run.get("app") or {}
    return (
        args.get("check_name", run["name"]) == run["name"]
        and args.get("status", run["status"]) == run["status"]
        and args.get("app_id", str(app.get("id"))) == str(app.get("id"))
    )


def _positive(value: str | None, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if number >= 1 else default


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: ``W/"x"`` and ``"x"`` both match ``W/"x"``."""
    if if_none_match.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag.removeprefix("W/") in tags


def _json_or_text(data: bytes) -> Any:
    """A request body as JSON, or its text when it is not JSON; None when empty."""
    if not data:
        return None
    text = data.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
