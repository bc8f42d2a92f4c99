"""``validate --base``/``--base-ref`` on the exception policy and the waivers file.

Changes to ``break_glass``, ``freeze_windows`` and ``waivers.max_days`` in the stages file, and
to the waivers file, are marked weaker or stronger like gate levels; ``--base-ref`` reads the
old versions from a real git repository; ``--fail-on-weaker`` exits 1 on any weakening;
``--format markdown`` renders the explanation for a pull request.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO_ROOT, CliResult, run_cli

EXAMPLE = REPO_ROOT / "examples" / "stages" / "break-glass.yml"
BASE_TEXT = EXAMPLE.read_text(encoding="utf-8")
WAIVERS = """version: 1
waivers:
  - gate: promotion_guard
    finding: "check:e2e@*"
    owner: alice
    reason: "INC-12: e2e broken on the new runners"
    expires: 2099-01-10
    evidence_sha256: "{digest}"
  - gate: deps_approval
    finding: "pkg:pypi/left-pad@*"
    owner: bob
    reason: "CHG-7: licence review under way"
    expires: 2099-01-05
""".replace("{digest}", "a" * 64)


def changes_of(result: CliResult) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    changes: list[dict[str, Any]] = data["changes"]
    return changes


def compare(tmp_path: Path, head_text: str, *extra: str) -> CliResult:
    (tmp_path / "base.yml").write_text(BASE_TEXT, encoding="utf-8")
    (tmp_path / "head.yml").write_text(head_text, encoding="utf-8")
    return run_cli(
        ["validate", "head.yml", "--base", "base.yml", "--format", "json", *extra], tmp_path
    )


@pytest.mark.parametrize(
    ("old", "new", "said", "weaker"),
    [
        (
            "allowed_actors: [octocat, ",
            "allowed_actors: [octocat, mallory, ",
            "mallory may now override",
            True,
        ),
        (
            "allowed_actors: [octocat, ",
            "allowed_actors: [",
            "octocat may no longer override",
            False,
        ),
        ("min_reason_length: 20", "min_reason_length: 5", "min_reason_length 20 -> 5", True),
        ("min_reason_length: 20", "min_reason_length: 40", "min_reason_length 20 -> 40", False),
        ('  reason_pattern: "(INC|CHG)-[0-9]+"\n', "", "reason_pattern removed", True),
        ('"(INC|CHG)-[0-9]+"', '"INC-[0-9]+"', "reason_pattern", True),
        (
            "    GA: [promotion_guard, observability_verify, freeze]",
            '    GA: "*"',
            "every gate may now be overridden",
            True,
        ),
        (
            "    GA: [promotion_guard, observability_verify, freeze]",
            "    GA: [promotion_guard]",
            "may no longer override freeze, observability_verify",
            False,
        ),
        (
            "    GA: [promotion_guard, observability_verify, freeze]",
            "    GA: [promotion_guard, observability_verify, freeze, deps_approval]",
            "may now override deps_approval",
            True,
        ),
        (
            'end: "2027-01-04T08:00:00+01:00"',
            'end: "2027-01-02T08:00:00+01:00"',
            "freeze window 'year-end'",
            True,
        ),
        (
            'end: "2027-01-04T08:00:00+01:00"',
            'end: "2027-01-06T08:00:00+01:00"',
            "freeze window 'year-end'",
            False,
        ),
        ('from: "Fri 16:00"', 'from: "Sat 10:00"', "freeze window 'weekend'", True),
        (
            "    stages: [GA]\n    weekly",
            "    stages: [PRE_GA]\n    weekly",
            "no longer freezes GA",
            True,
        ),
        ("    GA: 14", "    GA: 60", "waivers.max_days.GA 14 -> 60", True),
        ("    GA: 14", "    GA: 7", "waivers.max_days.GA 14 -> 7", False),
        ("    GA: 14\n", "", "waivers.max_days.GA (14 days) removed", True),
    ],
)
def test_each_policy_change_is_ranked(
    tmp_path: Path, old: str, new: str, said: str, weaker: bool
) -> None:
    assert old in BASE_TEXT
    result = compare(tmp_path, BASE_TEXT.replace(old, new, 1))
    found = [c for c in changes_of(result) if said in c["message"]]
    assert found, result.stdout
    assert found[0]["weaker"] is weaker
    assert found[0]["message"].endswith("(weaker)" if weaker else "(stronger)")
    assert found[0]["line"] is not None or not weaker or "removed" in said


def test_a_freeze_window_removed_is_weaker(tmp_path: Path) -> None:
    head = BASE_TEXT.split("  - name: weekend")[0] + BASE_TEXT.split("timezone: Europe/Berlin\n")[1]
    changes = changes_of(compare(tmp_path, head))
    assert any("'weekend' removed" in c["message"] and c["weaker"] for c in changes)


def test_break_glass_added_is_weaker_and_removed_is_stronger(tmp_path: Path) -> None:
    without = BASE_TEXT.split("break_glass:")[0] + "waivers:" + BASE_TEXT.split("\nwaivers:")[1]
    (tmp_path / "base.yml").write_text(without, encoding="utf-8")
    (tmp_path / "head.yml").write_text(BASE_TEXT, encoding="utf-8")
    added = run_cli(["validate", "head.yml", "--base", "base.yml", "--format", "json"], tmp_path)
    assert any("break_glass added" in c["message"] and c["weaker"] for c in changes_of(added))
    removed = run_cli(["validate", "base.yml", "--base", "head.yml", "--format", "json"], tmp_path)
    assert any(
        "break_glass removed" in c["message"] and not c["weaker"] for c in changes_of(removed)
    )


def test_fail_on_weaker_exits_1_and_plain_validate_does_not(tmp_path: Path) -> None:
    head = BASE_TEXT.replace("min_reason_length: 20", "min_reason_length: 5")
    assert compare(tmp_path, head).code == 0  # a warning, without --strict
    failing = compare(tmp_path, head, "--fail-on-weaker")
    assert failing.code == 1
    assert json.loads(failing.stdout)["weaker"] == 1
    stronger = BASE_TEXT.replace("min_reason_length: 20", "min_reason_length: 30")
    assert compare(tmp_path, stronger, "--fail-on-weaker").code == 0


def test_fail_on_weaker_needs_a_base(tmp_path: Path) -> None:
    (tmp_path / "head.yml").write_text(BASE_TEXT, encoding="utf-8")
    result = run_cli(["validate", "head.yml", "--fail-on-weaker"], tmp_path)
    assert result.code == 2
    assert "--base-ref" in result.stderr


# -- --base-ref: the base from git ------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "maturity-stages.yml").write_text(BASE_TEXT, encoding="utf-8")
    (tmp_path / "ci" / "maturity-waivers.yml").write_text(WAIVERS, encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def test_base_ref_reads_both_files_from_git(repo: Path) -> None:
    stages = repo / "ci" / "maturity-stages.yml"
    stages.write_text(
        BASE_TEXT.replace("min_reason_length: 20", "min_reason_length: 5"), encoding="utf-8"
    )
    waivers = repo / "ci" / "maturity-waivers.yml"
    text = WAIVERS.replace("expires: 2099-01-10", "expires: 2099-03-10")
    text = text.replace('    evidence_sha256: "' + "a" * 64 + '"\n', "")
    text = text.split("  - gate: deps_approval")[0]
    text += '  - gate: field_budgets\n    finding: "budget:p99"\n    owner: carol\n'
    text += '    reason: "INC-9: budget broken by the new CDN"\n    expires: 2099-02-01\n'
    waivers.write_text(text, encoding="utf-8")
    result = run_cli(["validate", "--base-ref", "main", "--format", "json"], repo)
    assert result.code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["base"]["file"] == "main:ci/maturity-stages.yml"
    messages = {c["message"]: c for c in data["changes"]}
    assert any("min_reason_length 20 -> 5" in m for m in messages)
    expected = {
        "waiver promotion_guard 'check:e2e@*': expires 2099-01-10 -> 2099-03-10 (weaker)": True,
        "waiver promotion_guard 'check:e2e@*' no longer bound to its evidence (weaker)": True,
        "waiver deps_approval 'pkg:pypi/left-pad@*' removed (stronger)": False,
    }
    for message, weaker in expected.items():
        assert messages[message]["weaker"] is weaker
        assert messages[message]["file"] == "ci/maturity-waivers.yml"
    added = [m for m in messages if m.startswith("waiver field_budgets 'budget:p99' added")]
    assert added
    assert messages[added[0]]["weaker"] is True
    assert messages[added[0]]["line"] == 8  # its `- gate:` line
    assert data["weaker"] == 4
    failing = run_cli(["validate", "--base-ref", "main", "--fail-on-weaker"], repo)
    assert failing.code == 1
    assert "weaker" in failing.stdout


def test_base_ref_without_changes_says_so(repo: Path) -> None:
    result = run_cli(["validate", "--base-ref", "main", "--fail-on-weaker"], repo)
    assert result.code == 0, result.stdout
    assert "none in effect" in result.stdout


def test_a_file_new_in_this_change_has_no_base(repo: Path) -> None:
    other = repo / "ci" / "other.yml"
    other.write_text(BASE_TEXT, encoding="utf-8")
    result = run_cli(["validate", "ci/other.yml", "--base-ref", "main"], repo)
    assert result.code == 0
    assert "no ci/other.yml at main: the stages file is new" in result.stdout


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x", "main~50"])
def test_an_unknown_base_ref_is_exit_2(repo: Path, ref: str) -> None:
    result = run_cli(["validate", f"--base-ref={ref}"], repo)
    assert result.code == 2
    assert "fetch" in result.stderr


def test_markdown_explains_the_change_for_a_pull_request(repo: Path) -> None:
    stages = repo / "ci" / "maturity-stages.yml"
    stages.write_text(BASE_TEXT.replace("    GA: 14", "    GA: 60"), encoding="utf-8")
    result = run_cli(
        ["validate", "--base-ref", "main", "--format", "markdown", "--fail-on-weaker"], repo
    )
    assert result.code == 1
    text = result.stdout
    assert text.startswith("## ⛔ maturity validate: problems found")
    assert "**1 change(s) make release gates weaker** (this check fails on it)." in text
    assert "| ⚠️ weaker | waivers\\.max\\_days\\.GA 14 \\-\\> 60 days \\(weaker\\) |" in text
    assert "<details><summary>Gate levels per stage</summary>" in text
