"""The run-time evidence check (by hand, no model build) and the schema's pydantic model agree.

``file_format.check_evidence`` decides at run time; ``file_schema.EvidenceFile`` generates
``schemas/evidence.schema.json``. Both must accept and refuse the same documents.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from maturity.evidence.file_format import Evidence, check_evidence
from maturity.evidence.file_schema import EvidenceFile

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
)
CODES = st.from_regex(r"[A-Z][A-Z0-9_]{0,70}", fullmatch=True) | st.text(max_size=8)
FIELD_VALUES = {
    "ok": st.booleans() | VALUES,
    "code": CODES | VALUES,
    "message": st.text(max_size=2100) | VALUES,
    "details": st.dictionaries(st.text(), VALUES, max_size=3) | VALUES,
}
DOCUMENTS = st.fixed_dictionaries({}, optional={**FIELD_VALUES, "extra": VALUES}) | VALUES


def model_accepts(obj: Any) -> bool:
    try:
        EvidenceFile.model_validate(obj)
    except ValidationError:
        return False
    return True


def check_accepts(obj: Any) -> bool:
    try:
        check_evidence(obj)
    except ValueError:
        return False
    return True


@settings(max_examples=600, deadline=None)
@given(DOCUMENTS)
def test_the_check_and_the_model_agree(obj: Any) -> None:
    assert check_accepts(obj) is model_accepts(obj), obj


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ([], "(top level)"),
        ({}, "ok"),
        ({"ok": 1}, "ok"),
        ({"ok": "true"}, "ok"),
        ({"ok": True, "code": "lower"}, "code"),
        ({"ok": True, "code": "SBOM\n"}, "code"),
        ({"ok": True, "message": 3}, "message"),
        ({"ok": True, "message": "x" * 2001}, "message"),
        ({"ok": True, "details": []}, "details"),
        ({"ok": True, "Ok": True}, "Ok"),
    ],
)
def test_refusals_name_the_field(obj: Any, field: str) -> None:
    with pytest.raises(
        ValueError, match=r"^" + field.replace("(", r"\(").replace(")", r"\)") + ":"
    ):
        check_evidence(obj)
    assert not model_accepts(obj)


def test_accepted_evidence_keeps_every_field() -> None:
    given_doc = {"ok": False, "code": "SBOM_MISSING", "message": "m", "details": {"a": [1]}}
    assert check_evidence(given_doc) == Evidence(False, "SBOM_MISSING", "m", {"a": [1]})
    assert check_evidence({"ok": True}) == Evidence(True)
