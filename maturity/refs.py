"""Git refs: validation by git's own ``check-ref-format`` rules, and splitting into type + name.

Refs flow into reports, Markdown, workflow outputs and annotations, so anything git itself
would refuse is rejected before any other work (exit 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from maturity.errors import RefError
from maturity.text import BIDI_CONTROLS

MAX_REF_LENGTH = 1024

# Characters git refuses anywhere in a ref (git-check-ref-format(1), rules 4, 5 and 10).
_FORBIDDEN_CHARS = frozenset(" ~^:?*[\\")


class RefType(StrEnum):
    TAG = "tag"
    BRANCH = "branch"
    PULL = "pull"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Ref:
    """A validated ref: ``full`` as given (or qualified), ``name`` the short name patterns match."""

    full: str
    name: str
    type: RefType


def ref_problem(ref: str) -> str | None:
    """Return why git would refuse *ref* (one sentence), or ``None`` when it is acceptable."""
    if not ref:
        return "it is empty"
    if len(ref) > MAX_REF_LENGTH:
        return f"it is longer than {MAX_REF_LENGTH} characters"
    for ch in ref:
        if ord(ch) < 0x20 or ord(ch) == 0x7F or 0x80 <= ord(ch) <= 0x9F:
            return f"it contains the control character U+{ord(ch):04X}"
        if ch in BIDI_CONTROLS:
            return f"it contains the bidirectional control character U+{ord(ch):04X}"
        if 0xD800 <= ord(ch) <= 0xDFFF:  # a byte that is not UTF-8, as Python decodes argv/env
            return f"it is not valid UTF-8 (it contains the surrogate U+{ord(ch):04X})"
        if ch in _FORBIDDEN_CHARS:
            return f"it contains {ch!r}, which git does not allow in refs"
    if ref == "@":
        return "'@' alone is not a valid ref"
    if ".." in ref:
        return "it contains '..'"
    if "@{" in ref:
        return "it contains '@{'"
    if ref.startswith("/") or ref.endswith("/"):
        return "it begins or ends with '/'"
    if "//" in ref:
        return "it contains '//'"
    if ref.endswith("."):
        return "it ends with '.'"
    for component in ref.split("/"):
        if component.startswith("."):
            return f"the component {component!r} begins with '.'"
        if component.endswith(".lock"):
            return f"the component {component!r} ends with '.lock'"
    return None


def validate_ref(ref: str, *, source: str = "ref") -> None:
    """Raise ``RefError`` when *ref* is not something git would accept."""
    problem = ref_problem(ref)
    if problem is not None:
        shown = ref.encode("unicode_escape").decode("ascii")[:120]
        raise RefError(
            f"invalid {source} '{shown}': {problem}",
            "pass the tag or branch exactly as git names it, e.g. --ref refs/tags/v1.2.3 or --tag v1.2.3",
        )


_PREFIXES = (
    ("refs/tags/", RefType.TAG),
    ("refs/heads/", RefType.BRANCH),
    ("refs/pull/", RefType.PULL),
)


def parse_ref(ref: str, *, hint: RefType = RefType.UNKNOWN, source: str = "ref") -> Ref:
    """Validate *ref* and split it into its type and the short name that patterns match.

    ``refs/tags/X`` and ``refs/heads/X`` give ``X``; ``refs/pull/N/merge`` gives ``N/merge``;
    other ``refs/...`` lose only ``refs/``. A bare name keeps its text and takes its type from
    *hint* (``--tag`` or ``GITHUB_REF_TYPE``), and is qualified in ``full`` when the type is known.
    """
    validate_ref(ref, source=source)
    for prefix, ref_type in _PREFIXES:
        if ref.startswith(prefix):
            name = ref[len(prefix) :]
            if not name:
                break
            return Ref(full=ref, name=name, type=ref_type)
    if ref.startswith("refs/"):
        return Ref(full=ref, name=ref[len("refs/") :], type=RefType.OTHER)
    full = {RefType.TAG: "refs/tags/", RefType.BRANCH: "refs/heads/"}.get(hint, "") + ref
    return Ref(full=full, name=ref, type=hint)


_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def validate_sha(sha: str, *, source: str = "--sha") -> str:
    """Return the lower-cased commit id, or raise when it is not a full SHA-1/SHA-256 hex id."""
    value = sha.strip().lower()
    if not _SHA_RE.fullmatch(value):
        shown = sha.encode("unicode_escape").decode("ascii")[:80]
        raise RefError(
            f"invalid commit id in {source}: '{shown}'",
            "give the full 40-character commit SHA (git rev-parse HEAD)",
        )
    return value
