"""Hostile globs and regexes cannot stall ``resolve``, ``validate`` or ``evaluate``.

Each mapping here made the old matchers (``.*`` per glob star, Python's backtracking ``re``)
run for minutes or longer on a ref of a few dozen characters that almost matches. Every run is a
real ``maturity`` process with a 1,000-character ref under a generous timeout: the timeout proves
"does not hang", the assertions prove the right answer. How long they take is measured in
``benchmarks/bench_resolve.py``, not here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from maturity.refs import MAX_REF_LENGTH, ref_problem

TIMEOUT = 60  # seconds per process; a backtracking matcher would need far longer

_ALTERNATION = "(" + "|".join(f"o{i}" for i in range(150)) + "|o)+p"

# (kind, expression, a 1,000-character near miss, a 1,000-character hit)
HOSTILE = [
    ("pattern", "*a*a*a*a*a*a*a*b", "a" * 1000, "a" * 999 + "b"),
    ("pattern", "*?" * 127 + "c", "x" * 1000, "x" * 999 + "c"),
    ("pattern", "*" + "[ab]*" * 50 + "d", "ab" * 500, "ab" * 499 + "ad"),
    ("pattern", "*" + "[!e]" * 60 + "*e", "f" * 1000, "f" * 999 + "e"),
    ("regex", "(x+x+)+y", "x" * 1000, "x" * 999 + "y"),
    ("regex", "(g|g)*h", "g" * 1000, "g" * 999 + "h"),
    ("regex", "(i*)*j", "i" * 1000, "i" * 999 + "j"),
    ("regex", "(m|mm)+n", "m" * 1000, "m" * 999 + "n"),
    ("regex", "(.*q){20}r", "q" * 1000, "q" * 999 + "r"),
    ("regex", "(k?){1000}k{500}", "k" * 999 + "l", "k" * 1000),
    ("regex", _ALTERNATION, "o" * 1000, "o" * 999 + "p"),
]

_GATES = "{promotion_guard: off, observability_verify: off, deps_approval: off, policy_drift: off, field_budgets: off}"


def _quoted(expression: str) -> str:
    return "'" + expression.replace("'", "''") + "'"


def stages_file(mappings: list[tuple[str, str, list[str]]]) -> str:
    """A stages file: each (kind, expression, examples) maps to HIGH, then a catch-all to LOW."""
    lines = [
        "version: 1",
        "stages:",
        f"  LOW: {{gates: {_GATES}}}",
        f"  HIGH: {{gates: {_GATES}}}",
        "mappings:",
    ]
    for kind, expression, examples in mappings:
        lines += [f"  - {kind}: {_quoted(expression)}", "    stage: HIGH"]
        if examples:
            lines.append(f"    examples: [{', '.join(examples)}]")
    lines += ["  - pattern: '*'", "    stage: LOW"]
    return "\n".join(lines) + "\n"


def test_the_hostile_cases_are_well_formed() -> None:
    for kind, expression, miss, hit in HOSTILE:
        assert len(expression) <= (256 if kind == "pattern" else 1024)
        for ref in (miss, hit):
            assert len(ref) == 1000 <= MAX_REF_LENGTH
            assert ref_problem(ref) is None


def _resolve(tmp_path: Path, ref: str) -> dict[str, object]:
    result = run_cli(
        ["resolve", "--config", "s.yml", "--format", "json", ref], tmp_path, timeout=TIMEOUT
    )
    assert result.code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert isinstance(answer, dict)
    return answer


@pytest.mark.parametrize(("kind", "expression", "miss", "hit"), HOSTILE)
def test_resolve_answers_hostile_mappings_at_once(
    tmp_path: Path, kind: str, expression: str, miss: str, hit: str
) -> None:
    (tmp_path / "s.yml").write_text(stages_file([(kind, expression, [])]), encoding="utf-8")
    near_miss = _resolve(tmp_path, miss)
    assert (near_miss["stage"], near_miss["mapping"]) == (
        "LOW",
        {"index": 1, "kind": "pattern", "expression": "*"},
    )
    match = _resolve(tmp_path, hit)
    assert (match["stage"], match["mapping"]) == (
        "HIGH",
        {"index": 0, "kind": kind, "expression": expression},
    )


def test_validate_runs_long_examples_through_every_hostile_mapping(tmp_path: Path) -> None:
    """All the hostile mappings in one file, each with its 1,000-character hit as an example:
    every example is matched against every mapping before it, and the file is clean."""
    (tmp_path / "s.yml").write_text(
        stages_file([(kind, expression, [hit]) for kind, expression, _, hit in HOSTILE]),
        encoding="utf-8",
    )
    result = run_cli(["validate", "s.yml"], tmp_path, timeout=TIMEOUT)
    assert result.code == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout


def test_validate_reports_long_near_miss_examples(tmp_path: Path) -> None:
    """The near misses as examples: each is an error at its own line, found in bounded time."""
    text = stages_file([(kind, expression, [miss]) for kind, expression, miss, _ in HOSTILE])
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    result = run_cli(["validate", "s.yml"], tmp_path, timeout=TIMEOUT)
    assert result.code == 1, result.stdout + result.stderr
    lines = text.splitlines()
    for index, (_, _, miss, _) in enumerate(HOSTILE):
        line = next(n for n, ln in enumerate(lines, 1) if miss in ln and "examples" in ln)
        assert f"s.yml:{line}:" in result.stdout
        assert f"does not match mappings[{index}]" in result.stdout
    assert f"{len(HOSTILE)} error(s)" in result.stdout


def test_evaluate_on_a_hostile_file_decides_promptly(tmp_path: Path) -> None:
    """``evaluate`` loads, checks and resolves the same way: a near miss goes to LOW."""
    (tmp_path / "s.yml").write_text(
        stages_file([(kind, expression, [hit]) for kind, expression, _, hit in HOSTILE]),
        encoding="utf-8",
    )
    result = run_cli(
        ["evaluate", "--config", "s.yml", "--ref", "a" * 1000, "--output-dir", "out"],
        tmp_path,
        timeout=TIMEOUT,
    )
    assert result.code == 0, result.stderr
    report = json.loads((tmp_path / "out" / "maturity-eval.json").read_text(encoding="utf-8"))
    assert report["stage"]["name"] == "LOW"


# The shadowing proof compares the automata of glob pairs whose literal ends agree; some pairs
# make the subset construction explode, so the proof's step budget must stop it. The flag says
# whether the earlier glob really covers the later one (the later can never match).
SHADOW_PAIRS = [
    ("*a*a*a*a*a*a*a*b", "*a" + "?" * 40 + "b", False),
    ("*a" + "?" * 60 + "*", "*a" + "?" * 61 + "*", True),
    ("*" + "[ab]?" * 30 + "*", "*" + "[!a]?" * 30 + "*", False),
]


@pytest.mark.parametrize(("earlier", "later", "covered"), SHADOW_PAIRS)
def test_the_shadowing_proof_of_hostile_globs_is_bounded(
    tmp_path: Path, earlier: str, later: str, covered: bool
) -> None:
    text = stages_file([("pattern", earlier, []), ("pattern", later, [])])
    (tmp_path / "s.yml").write_text(text, encoding="utf-8")
    result = run_cli(["validate", "s.yml"], tmp_path, timeout=TIMEOUT)
    shadowed = "mappings[1] pattern" in result.stdout and "can never match" in result.stdout
    gave_up = "too complex to prove" in result.stdout
    if covered:  # proved (an error), or the bound stopped the proof (a warning): never "fine"
        assert (result.code, shadowed) == (1, True) or (result.code, gave_up) == (0, True)
    else:  # never a false "can never match"
        assert result.code == 0, result.stdout + result.stderr
        assert not shadowed
