"""No part of the token survives: secrets are masked first, then text is shortened.

A server's error text is cut to fit a message; cutting before masking once put ``ghp_SECRE…``
into stdout, both reports and the job summary. Every shortening goes through ``text.shorten``
after ``text.mask_secrets`` (``clean_text`` does both, in that order), and a cut never leaves
a four-character or longer start of a secret. Proved here on random positions and lengths, in
process and end to end through a real HTTP stand-in.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from github_standin import REPO, SHA, GitHubStandIn, Reply, check_run, commit_status
from guard_helpers import make_workspace
from helpers import clean_env, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from maturity.markdown_text import md_code, md_text
from maturity.text import (
    MIN_SECRET_LENGTH,
    clean_text,
    mask_secrets,
    redact,
    register_secret,
    shorten,
)

# No character of the token occurs in the filler around it, so any run of four or more token
# characters in the output can only come from the token.
TOKEN = "ZQ9XWVB7KP3LMN8RTY2HCJ5GFD4S"  # noqa: S105 - a test token
FILLER = "abcdefghijklmnopqrstuvwxyz .,:;()'\"-_/"


def prefixes_shown(text: str, secret: str = TOKEN) -> list[str]:
    """Every start of *secret* (``MIN_SECRET_LENGTH`` characters or more) found in *text*."""
    return [secret[:n] for n in range(MIN_SECRET_LENGTH, len(secret) + 1) if secret[:n] in text]


def any_part_shown(text: str, secret: str = TOKEN, size: int = MIN_SECRET_LENGTH) -> bool:
    """Is any *size*-character piece of *secret* in *text*?"""
    return any(secret[i : i + size] in text for i in range(len(secret) - size + 1))


# --- in process -----------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    before=st.text(alphabet=FILLER, max_size=400),
    after=st.text(alphabet=FILLER, max_size=400),
    limit=st.integers(min_value=1, max_value=600),
    copies=st.integers(min_value=1, max_value=3),
)
def test_clean_text_never_shows_a_start_of_the_secret(
    before: str, after: str, limit: int, copies: int
) -> None:
    text = before + (TOKEN + after) * copies
    shown = mask_secrets(text, (TOKEN,))
    assert TOKEN not in shown
    cut = shorten(shown, limit, (TOKEN,))
    assert len(cut) <= max(limit, 1)
    assert prefixes_shown(cut) == []


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(alphabet=FILLER, max_size=300),
    keep=st.integers(min_value=MIN_SECRET_LENGTH, max_value=len(TOKEN) - 1),
    limit=st.integers(min_value=1, max_value=400),
)
def test_a_cut_never_leaves_the_start_of_a_secret_echoed_in_part(
    before: str, keep: int, limit: int
) -> None:
    # a server that echoes the token cut short itself: no full token to mask, only its start
    text = before + TOKEN[:keep]
    cut = shorten(text, limit, (TOKEN,))
    if len(text) > limit:
        assert prefixes_shown(cut) == []


def test_registered_secrets_are_masked_by_every_renderer(tmp_path: Path) -> None:
    # the environment's token is registered by access_from_env; here, one is registered directly
    secret = "QWERTYUIOPASDFGHJKLZXCVBNM"  # noqa: S105
    register_secret(secret)
    message = "x" * 190 + secret
    for rendered in (
        clean_text(message, 200),
        md_text(message, 200),
        md_code(message, limit=200),
        str(redact({"m": [message]})),
    ):
        assert prefixes_shown(rendered, secret) == [], rendered


def test_short_values_are_not_secrets() -> None:
    assert mask_secrets("a bc abc", ("abc",)) == "a bc abc"
    assert shorten("hello world", 6, ("worl",)) == "hello…"


# --- end to end: a 422 body of random length around the token --------------------------------


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


@pytest.mark.parametrize("seed", range(12))
def test_server_text_around_the_token_never_shows_part_of_it(
    httpserver: HTTPServer, ws: Path, seed: int
) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    standin = GitHubStandIn(httpserver, token=TOKEN)
    standin.set_check_runs([check_run(1, "build")])
    standin.set_statuses([commit_status(1, "ci/jenkins")])
    before = "".join(rng.choice(FILLER) for _ in range(rng.randint(0, 400)))
    after = "".join(rng.choice(FILLER) for _ in range(rng.randint(0, 50)))
    if seed == 0:
        before = "v" * 190  # the reported case: 190 characters, then the token
    body = json.dumps({"message": before + TOKEN + after, "documentation_url": "https://docs"})
    standin.script(r"/check-runs$", Reply(422, body))
    summary = ws / "summary.md"
    env = clean_env(
        GITHUB_API_URL=standin.base_url,
        GITHUB_TOKEN=TOKEN,
        GITHUB_REPOSITORY=REPO,
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(ws / "output.txt"),
    )
    result = run_cli(["evaluate", "--tag", "v1.2.3", "--sha", SHA], ws, env)
    assert result.code == 1, result.stderr
    report = json.loads((ws / "dist/maturity/maturity-eval.json").read_text(encoding="utf-8"))
    [guard] = [g for g in report["gates"] if g["gate"] == "promotion_guard"]
    assert guard["code"] == "GITHUB_UNPROCESSABLE"
    outputs = {"stdout": result.stdout, "stderr": result.stderr}
    for path in ws.rglob("*"):
        if path.is_file():
            outputs[str(path.relative_to(ws))] = path.read_text(encoding="utf-8")
    assert summary.is_file()
    leaks = {name: prefixes_shown(text) for name, text in outputs.items() if prefixes_shown(text)}
    assert leaks == {}
    # Markdown escapes nothing in the token (letters and digits), so pieces would show as is
    assert not any(any_part_shown(text, size=8) for text in outputs.values())
