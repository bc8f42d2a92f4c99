"""Shared fixtures: the GitHub stand-in, and a foreign host that must never see the token."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from github_standin import JSON_TYPE, GitHubStandIn
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str | None, int | None]:
    """pytest-httpserver's ``httpserver`` on 127.0.0.1 (its default is "localhost")."""
    return "127.0.0.1", 0


@pytest.fixture
def standin(httpserver: HTTPServer) -> GitHubStandIn:
    """GitHub's REST API (api.github.com style, no prefix) for :data:`github_standin.REPO`."""
    return GitHubStandIn(httpserver)


def _empty_page(request: Request) -> Response:
    return Response(json.dumps({"total_count": 0, "check_runs": []}), 200, content_type=JSON_TYPE)


@pytest.fixture
def foreign_server() -> Iterator[HTTPServer]:
    """Another host: 127.0.0.2. Its ``log`` keeps every (request, response) it got.

    It answers everything 200 with an empty check-runs page, which a careless client would
    accept, so a test can assert on the log that no request (and no token) ever arrived.
    """
    try:
        server = HTTPServer(host="127.0.0.2")
        server.start()
    except OSError:
        # 127.0.0.2 is not a local address everywhere (macOS has only 127.0.0.1 on lo0): fall
        # back to the name "localhost", a different host name (and port) from 127.0.0.1.
        server = HTTPServer(host="localhost")
        server.start()
    server.expect_request(re.compile(".*")).respond_with_handler(_empty_page)
    yield server
    server.clear()
    if server.is_running():
        server.stop()
