"""From a waivers file to a :class:`WaiverSet`, or to located problems.

``evaluate`` calls :func:`load_waivers_file`: any error is a ``ConfigError`` listing every
problem as ``file:line:col`` (no verdict, exit 2), because a waiver that silently did not load
would turn a waived gate back into a failing one, or worse, the reverse. A valid file takes
the fast path of ``fast_check.py`` (no pydantic); the models are the fallback that says what
is wrong. ``validate`` calls :func:`check_waivers_file`, which adds the advisory checks of
``checks.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from maturity.config.types import Problem, Severity, problem_at
from maturity.config.yaml_loader import LoadedYaml, load_yaml_file
from maturity.errors import ConfigError
from maturity.waivers.checks import advisory_problems
from maturity.waivers.fast_check import trusted_waivers
from maturity.waivers.types import Waiver, WaiverSet

if TYPE_CHECKING:
    from maturity.waivers.models import WaiversFile

__all__ = ["Waiver", "WaiverSet", "check_waivers_file", "load_waivers_file"]


def load_waivers_file(path: Path, display: str | None = None) -> WaiverSet:
    """The waivers of *path*; any problem in it is a ``ConfigError`` that lists them all.

    A file the hand check of ``fast_check.py`` proves valid never imports pydantic (that
    import and the models' build would cost ``evaluate`` more than everything else the waivers
    do); any other file goes through the models, which accept it or say where it is wrong.
    """
    doc, raw = _read(path, display)
    trusted = trusted_waivers(doc.data, doc, doc.source, hashlib.sha256(raw).hexdigest())
    if trusted is not None:
        return trusted
    waivers, problems = parse_waivers(doc, raw)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or waivers is None:
        lines = "\n".join(p.render() for p in errors)
        raise ConfigError(
            f"{doc.source}: {len(errors)} error(s) in the waivers file:\n{lines}",
            f"fix {doc.source} and check it with `maturity validate --waivers {doc.source}`",
        )
    return waivers


def check_waivers_file(
    path: Path,
    display: str | None,
    gates: Collection[str] | None,
    stage_caps: Mapping[str, int],
    now: dt.datetime,
) -> tuple[WaiverSet | None, list[Problem]]:
    """For ``validate``: the waivers (None when the schema refuses the file) and every problem.

    *gates*: the stages file's gates, when it is valid (an unknown gate is then an error);
    *stage_caps*: its ``waivers.max_days``. ``ConfigError`` only when the file cannot be read.
    """
    doc, raw = _read(path, display)
    waivers, problems = parse_waivers(doc, raw)
    if waivers is None:
        return None, problems
    return waivers, problems + advisory_problems(doc, waivers, gates, stage_caps, now)


def parse_waivers(doc: LoadedYaml, raw: bytes) -> tuple[WaiverSet | None, list[Problem]]:
    """Validate a parsed document against the schema; the waivers, or the located problems."""
    if not isinstance(doc.data, dict):
        return None, [
            problem_at(
                doc, (), Severity.ERROR, "the document must be a mapping with version, waivers"
            )
        ]
    from pydantic import ValidationError  # noqa: PLC0415 - only when a waivers file is read

    from maturity.waivers.models import WaiversFile  # noqa: PLC0415

    try:
        model = WaiversFile.model_validate(doc.data)
    except ValidationError as exc:
        from maturity.config.schema_problems import schema_problems  # noqa: PLC0415

        return None, schema_problems(doc, exc, WaiversFile)
    return _waiver_set(doc, raw, model), []


def _waiver_set(doc: LoadedYaml, raw: bytes, model: WaiversFile) -> WaiverSet:
    waivers = []
    for i, entry in enumerate(model.waivers):
        pos = doc.position(("waivers", i))
        waivers.append(
            Waiver(
                index=i,
                where=f"{doc.source}:{pos.line}" if pos else doc.source,
                gate=entry.gate,
                finding=entry.finding,
                owner=entry.owner,
                reason=entry.reason,
                expires=entry.expires,
                evidence_sha256=entry.evidence_sha256,
            )
        )
    return WaiverSet(doc.source, hashlib.sha256(raw).hexdigest(), tuple(waivers))


def _read(path: Path, display: str | None) -> tuple[LoadedYaml, bytes]:
    """Read and parse *path*, with fixes that speak of the waivers file, not the stages file."""
    source = display or str(path)
    if not path.exists() and not path.is_symlink():
        raise ConfigError(
            f"{source}: no such file",
            "pass the right path with --waivers (examples/waivers/maturity-waivers.yml shows "
            "the format)",
        )
    try:
        return load_yaml_file(path, display)
    except ConfigError as exc:
        if exc.message == f"{source}: the file is empty":
            raise ConfigError(
                exc.message, "write `version: 1` and `waivers: []`, or delete the file"
            ) from None
        raise
