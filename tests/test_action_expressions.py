"""The harness reads ``if:`` and ``${{ }}`` as the runner does (tests/action_expressions.py):
a misread condition would make the runner-style test pass where GitHub would not."""

from __future__ import annotations

from typing import Any

import pytest
from action_expressions import ExpressionError, Status, evaluate, step_condition, substitute

CONTEXTS: dict[str, Any] = {
    "inputs": {"wait": "false", "artifact-name": "gate", "empty": ""},
    "steps": {"python": {"outputs": {"found": "true"}}, "evaluate": {"outputs": {}}},
    "github": {"run_id": "4242", "run_attempt": "2"},
}
OK, FAILED = Status(failed=False), Status(failed=True)


@pytest.mark.parametrize(
    ("condition", "status", "runs"),
    [
        (None, OK, True),
        (None, FAILED, False),
        ("steps.python.outputs.found != 'true'", OK, False),
        ("steps.python.outputs.found == 'TRUE'", OK, True),  # strings compare ignoring case
        ("steps.python.outputs.found == 'true'", FAILED, False),  # implicit success()
        ("always() && steps.evaluate.outputs.exit-code != ''", FAILED, False),  # missing == ''
        ("always() && steps.python.outputs.found != ''", FAILED, True),
        ("failure()", OK, False),
        ("failure() || inputs.wait == 'true'", FAILED, True),
        ("${{ inputs.wait }}", OK, True),  # the string 'false' is truthy
        ("!inputs.empty && success()", OK, True),
        (True, OK, True),
        (False, OK, False),
    ],
)
def test_step_conditions(condition: str | bool | None, status: Status, runs: bool) -> None:
    assert step_condition(condition, CONTEXTS, status) is runs


def test_and_or_yield_operands() -> None:
    assert evaluate("inputs.empty || 'fallback'", CONTEXTS, OK) == "fallback"
    assert evaluate("inputs.wait && 'yes'", CONTEXTS, OK) == "yes"
    assert evaluate("'it''s'", CONTEXTS, OK) == "it's"


def test_substitution_in_values() -> None:
    text = "${{ inputs.artifact-name }}-${{ github.run_id }}-${{ github.run_attempt }}"
    assert substitute(text, CONTEXTS) == "gate-4242-2"
    assert substitute("${{ steps.evaluate.outputs.verdict }}", CONTEXTS) == ""
    assert substitute("${{ inputs.WAIT }}", CONTEXTS) == "false"  # names ignore case


@pytest.mark.parametrize("text", ["contains(inputs.wait, 'f')", "inputs.wait > 1", "(always()"])
def test_anything_outside_the_subset_is_an_error(text: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(text, CONTEXTS, OK)
