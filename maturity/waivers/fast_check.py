"""The waivers file's rules in plain Python, and :func:`trusted_waivers`, the fast path.

``evaluate`` reads the waivers file on every run; importing pydantic and building the models'
core schemas costs 15-40 ms on a cold process, several times the whole budget of waivers and
freeze windows. So :func:`trusted_waivers` checks a parsed document by hand and returns its
:class:`WaiverSet` only when the document is certainly valid; anything it is not sure of
(a wrong type, a value pydantic would coerce, a broken rule) gives None, and the caller falls
back to the models, which say where and why.

The field rules (``check_gate``, ``check_owner``, ...) are the very functions the models in
``models.py`` run as validators, so the two paths cannot drift on them; only the types and the
keys are checked here again, more strictly than pydantic does (exact ``str``/``int``/``list``/
``dict``, nothing coerced). ``tests/test_waivers_fast_agreement.py`` keeps the two equal.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from maturity.config.glob import valid_glob
from maturity.config.types import FREEZE_GATE
from maturity.waivers.types import Waiver, WaiverSet

if TYPE_CHECKING:
    from maturity.config.yaml_loader import LoadedYaml

MAX_WAIVERS = 1000
MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 500
#: as ``maturity.config.models.GATE_NAME_PATTERN`` (not imported: that module imports pydantic)
GATE_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
#: a GitHub user, or org/team-slug (as ``break_glass.allowed_actors`` takes them)
OWNER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$"
DIGEST_PATTERN = r"^[0-9a-f]{64}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_GATE = re.compile(GATE_NAME_PATTERN)
_OWNER = re.compile(OWNER_PATTERN)
_DIGEST = re.compile(DIGEST_PATTERN)
_DATE = re.compile(DATE_PATTERN)

_TEXT_FIELDS = ("gate", "finding", "owner", "reason")
_REQUIRED = frozenset({*_TEXT_FIELDS, "expires"})
_ENTRY_KEYS = _REQUIRED | {"evidence_sha256"}
_TOP_KEYS = frozenset({"version", "waivers"})


def check_gate(value: str) -> str:
    if value == FREEZE_GATE:
        raise ValueError(
            "a freeze window is not waived: it is overridden for one run by an allowed actor "
            "(break_glass in the stages file)"
        )
    if not _GATE.fullmatch(value):
        raise ValueError(
            "not a gate name: lower-case letters, digits and '_', starting with a letter "
            "(at most 64), as in the stages file"
        )
    return value


def check_owner(value: str) -> str:
    if not _OWNER.fullmatch(value):
        raise ValueError("give a GitHub user (alice) or org/team-slug (octo-org/release-team)")
    return value


def check_reason(value: str) -> str:
    if len(value.strip()) < MIN_REASON_LENGTH:
        raise ValueError(
            f"give the why in at least {MIN_REASON_LENGTH} characters "
            "(a ticket, what is accepted, which fix ends it)"
        )
    if len(value) > MAX_REASON_LENGTH:
        raise ValueError(f"at most {MAX_REASON_LENGTH} characters; link a ticket for the rest")
    return value


def check_expires(value: object) -> dt.date:
    """A date (as a YAML 1.1 loader gives one), or the text ``"2026-12-15"``: a ``date``.

    The stages loader keeps an unquoted ``expires: 2026-12-15`` as its text, so the text is
    what this usually sees."""
    if isinstance(value, dt.datetime):  # a subclass of date: a time is not what is asked
        raise ValueError("give a day as YYYY-MM-DD, without a time")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("give a day as YYYY-MM-DD (the last day, in UTC, on which it counts)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a day of the calendar") from None


def check_digest(value: str) -> str:
    if not _DIGEST.fullmatch(value):
        raise ValueError(
            "give the gate's evidence digest: 64 lower-case hex digits (the report shows it)"
        )
    return value


def trusted_waivers(data: Any, doc: LoadedYaml, source: str, sha256: str) -> WaiverSet | None:
    """The waivers of *data* (a parsed waivers file) when it is certainly valid, else None.

    *doc* says where each entry is written (``where`` is ``source:line``, as the models' path
    gives it); *source* is the file's name as shown and *sha256* the digest of its bytes.
    None never means invalid, only "not proven valid here": ask the models.
    """
    if type(data) is not dict or data.keys() != _TOP_KEYS:
        return None
    version, entries = data["version"], data["waivers"]
    if type(version) is not int or version != 1:  # a bool is not an int here
        return None
    if type(entries) is not list or len(entries) > MAX_WAIVERS:
        return None
    waivers: list[Waiver] = []
    for index, entry in enumerate(entries):
        waiver = _trusted_entry(entry, index, doc, source)
        if waiver is None:
            return None
        waivers.append(waiver)
    return WaiverSet(source, sha256, tuple(waivers))


def _trusted_entry(entry: Any, index: int, doc: LoadedYaml, source: str) -> Waiver | None:
    if type(entry) is not dict or not _REQUIRED <= entry.keys() <= _ENTRY_KEYS:
        return None
    if any(type(entry[key]) is not str for key in _TEXT_FIELDS):
        return None
    expires = entry["expires"]
    if type(expires) is not str and type(expires) is not dt.date:
        return None
    digest = entry.get("evidence_sha256")
    if "evidence_sha256" in entry and type(digest) is not str:  # an explicit null is refused
        return None
    try:
        day = check_expires(expires)
        gate = check_gate(entry["gate"])
        finding = valid_glob(entry["finding"])
        owner = check_owner(entry["owner"])
        reason = check_reason(entry["reason"])
        if digest is not None:
            check_digest(digest)
    except ValueError:
        return None
    pos = doc.position(("waivers", index))
    return Waiver(
        index=index,
        where=f"{source}:{pos.line}" if pos else source,
        gate=gate,
        finding=finding,
        owner=owner,
        reason=reason,
        expires=day,
        evidence_sha256=digest,
    )
