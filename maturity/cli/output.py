"""Every line the CLI prints goes through :func:`emit`."""

from __future__ import annotations

import sys
from typing import TextIO


def out(text: str) -> None:
    emit(sys.stdout, text)


def err(text: str) -> None:
    emit(sys.stderr, text)


def emit(stream: TextIO, text: str) -> None:
    """Write *text* with the runner's legacy workflow commands defused.

    The Actions runner reads workflow commands from stdout *and* stderr, and honours the legacy
    ``##[command]`` form anywhere in a line. Messages can quote evidence, refs or a pull
    request's YAML, so that form is defused in everything we print, not only in reports.
    """
    from maturity.github_actions import defuse_legacy_commands

    stream.write(defuse_legacy_commands(text))
