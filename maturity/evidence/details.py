"""The report's ``details`` of a gate judged from evidence files (``files.judge_files``).

A kind that judges files with ``judge_files`` has this form among its ``details``: the evidence
kind always, the GitHub checks kind when it is given files. The models describe the report for its schema only (``maturity._schema_gen``); ``judge_files``
writes plain dicts, and a test checks real reports against the generated schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class JudgedEvidenceFile(_Shape):
    """One evidence file that parsed; one that did not is a finding only."""

    source: str = Field(description="the file, as its evidence record names it")
    ok: bool = Field(description="what the file said: does the gate's condition hold")
    details: dict[str, Any] = Field(description="the file's own details, as written ({} if none)")


class EvidenceFilesDetails(_Shape):
    """``details`` of a gate judged from its evidence files."""

    evidence_origin: str = Field(
        min_length=1,
        description="where the paths came from: --evidence, --evidence-dir or config",
    )
    evidence: list[JudgedEvidenceFile] = Field(
        description="the files that parsed, in the order given"
    )
