"""The migration against a real JavaScript engine: node runs ``new RegExp(p).test(r)``.

For every pattern x ref, node's answer must equal the migrated regex's under our resolver (a
full match, RE2), and, on the subset ``maturity.config.migrate`` documents, the old reading's
stand-in (Python's ``re.search`` with ``re.ASCII``). Where that stand-in is known to read a
pattern differently, node must side with the migrated regex.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from maturity.config.js_regex import translate
from maturity.config.migrate import compile_old_pattern
from maturity.config.types import RefMapping
from maturity.refs import ref_problem

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

_SCRIPT = """
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const answers = input.patterns.map(p => {
  const re = new RegExp(p);
  return input.refs.map(r => re.test(r));
});
process.stdout.write(JSON.stringify(answers));
"""

PATTERNS = [
    r"^v[0-9]+\.[0-9]+\.[0-9]+$",
    r"^v[0-9]+\.[0-9]+\.[0-9]+-rc\.[0-9]+$",
    "^main$",
    ".*",
    "",
    "main",
    "^release/",
    "-rc",
    "rc$",
    "^a|b$",
    "^(main|master)$",
    r"^v\d+(\.\d+){2}$",
    r"\d",
    r"^[^/]+$",
    r"^feature\/.+",
    r"^hotfix/\w+-\d*$",
    r"\bfix\b",
    r"^v1\.",
    r"(^v1)",
    r"v1$|^main",
    "a^b",
    r"[.-]rc",
    r"^(?:dependabot|renovate)/",
    r"^v\d+\.\d+$|^v\d+$",
    r"x{2}|y{1,}",
    r"^.{4}$",
    r"[[:alpha:]]",
    r"(?<name>v)1",
    r"\x76\u0031",
    r"^é",
    "[]",
    "[^]",
    r"\c1",
]
REFS = [
    "v1.2.3",
    "v1.2.3-rc.1",
    "v1.2.3-rc1",
    "v10.20.30",
    "v1.2",
    "v1",
    "1.2.3",
    "main",
    "master",
    "main-x",
    "my-main",
    "develop",
    "feature/x",
    "feature/y/z",
    "fix/y",
    "hotfix/a-12",
    "release/1.2",
    "dependabot/pip/requests-2.32.0",
    "a",
    "b",
    "ab",
    "xx",
    "yyy",
    "abcd",
    "l",
    "alpha",
    "éa",
    "ça",
    "x.rc",
    "v1-rc",
]


def node_answers(patterns: list[str], refs: list[str]) -> list[list[bool]]:
    assert NODE is not None
    proc = subprocess.run(
        [NODE, "-e", _SCRIPT],
        input=json.dumps({"patterns": patterns, "refs": refs}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    answers: list[list[bool]] = json.loads(proc.stdout)
    return answers


def migrated_matches(pattern: str, ref: str) -> bool:
    regex = translate(pattern)
    kind, expression = ("pattern", "*") if regex == ".*" else ("regex", regex)
    return RefMapping(0, kind, expression, "S").matches(ref)


def test_the_refs_are_ones_git_accepts() -> None:
    assert [r for r in REFS if ref_problem(r) is not None] == []


def test_node_the_migrated_regex_and_the_old_reading_agree() -> None:
    answers = node_answers(PATTERNS, REFS)
    migrated, emulated = [], []
    for pattern, row in zip(PATTERNS, answers, strict=True):
        for ref, js in zip(REFS, row, strict=True):
            if migrated_matches(pattern, ref) != js:
                migrated.append((pattern, ref, js))
            if pattern in ("[]", "[^]", r"\c1"):
                continue  # Python's re cannot read these: the check says so (see the docstring)
            if (compile_old_pattern(pattern).search(ref) is not None) != js:
                emulated.append((pattern, ref, js))
    assert migrated == []
    assert emulated == []
    assert sum(map(sum, answers)) > len(REFS)  # the table is not all False


@pytest.mark.parametrize(
    ("pattern", "ref"),
    [
        (r"^a\sb$", "a\u00a0b"),  # JavaScript's \s includes U+00A0; ASCII \s does not
        ("^v{,2}$", "v{,2}"),  # '{,2}' is literal in JavaScript, a count in Python
        (r"^\A$", "A"),  # an escaped letter with no meaning is the letter in JavaScript
    ],
)
def test_where_pythons_reading_differs_node_sides_with_the_migration(
    pattern: str, ref: str
) -> None:
    assert ref_problem(ref) is None
    [[js]] = node_answers([pattern], [ref])
    assert js is True
    assert migrated_matches(pattern, ref) is True
    assert compile_old_pattern(pattern).search(ref) is None
