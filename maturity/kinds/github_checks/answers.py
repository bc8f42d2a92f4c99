"""GitHub's answers, typed: only the fields the gate reads, each checked.

Unlike our own file formats these models ignore unknown fields (``extra="ignore"``): GitHub adds
fields to its answers without a new API version, and a new field must not stop releases. Every
field we read is still checked strictly, so a wrong shape is an error, never a guess.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from maturity.errors import EvidenceError
from maturity.text import clean_text

Sha = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")]
Text = Annotated[StrictStr, Field(max_length=4096)]
Id = Annotated[StrictInt, Field(ge=0)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class App(_Answer):
    id: Id | None = None
    slug: Text | None = None
    name: Text | None = None


class CheckRunAnswer(_Answer):
    id: Id
    name: Text
    head_sha: Sha
    status: Text
    conclusion: Text | None = None
    started_at: Text | None = None
    completed_at: Text | None = None
    details_url: Text | None = None
    html_url: Text | None = None
    app: App | None = None


class CheckRunsPage(_Answer):
    total_count: Id
    check_runs: list[CheckRunAnswer]


class StatusAnswer(_Answer):
    id: Id
    context: Text
    state: Text
    description: Text | None = None
    target_url: Text | None = None
    created_at: Text | None = None
    updated_at: Text | None = None


class CombinedStatusPage(_Answer):
    state: Text
    sha: Sha
    total_count: Id
    statuses: list[StatusAnswer]


class GitObject(_Answer):
    type: Text
    sha: Sha


class GitRefAnswer(_Answer):
    ref: Text
    object: GitObject


class GitTagAnswer(_Answer):
    sha: Sha
    object: GitObject


M = TypeVar("M", bound=BaseModel)


def parse_answer(model: type[M], data: Any, where: str) -> M:
    """Validate *data* as *model*, or raise ``MALFORMED_ANSWER`` naming the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise EvidenceError(
            "MALFORMED_ANSWER",
            f"the answer to {where} is not shaped like GitHub's: {clean_text(field, 100)}: "
            f"{clean_text(first['msg'], 150)} ({exc.error_count()} problem(s))",
            "check GITHUB_API_URL points at the GitHub REST API; for a saved answer "
            "(--checks-file), save it again with `gh api`",
        ) from None
