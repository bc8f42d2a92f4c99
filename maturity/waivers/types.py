"""What a loaded waivers file is to the rest of the tool: frozen values, globs compiled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from maturity.config.glob import GlobMatcher, compile_glob


@dataclass(frozen=True)
class Waiver:
    """One entry of the waivers file, with where it is written (``file:line``)."""

    index: int  # its position in ``waivers:``
    where: str
    gate: str
    finding: str  # a glob on a finding id
    owner: str
    reason: str
    expires: dt.date  # the last day (UTC) on which it counts
    evidence_sha256: str | None = None  # granted for exactly this evidence digest
    matcher: GlobMatcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", compile_glob(self.finding))

    def matches(self, finding_id: str) -> bool:
        """Whether the glob matches the whole finding id (never an empty id)."""
        return bool(finding_id) and self.matcher.fullmatch(finding_id)


@dataclass(frozen=True)
class WaiverSet:
    """A loaded waivers file: its name as shown, the sha256 of its bytes, and its entries."""

    source: str
    sha256: str
    waivers: tuple[Waiver, ...] = ()
