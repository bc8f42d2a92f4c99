"""``maturity audit verify`` and ``maturity audit show`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_entries import sample_entry
from helpers import clean_env, run_cli, run_importtime, unescaped, unescaped_pipes

from maturity.audit.chain import append_entry, line_digest

HOSTILE = "INC-7 | rollback\n| --- | x `code` ``` <script>alert(1)</script> **bold** \u202eevil ##[error]boom"


def make_log(tmp_path: Path, count: int = 3) -> Path:
    log = tmp_path / "audit.jsonl"
    for i in range(count):
        append_entry(log, sample_entry(i))
    return log


def lines_of(log: Path) -> list[bytes]:
    return log.read_bytes().split(b"\n")[:-1]


def test_verify_a_log_that_holds(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    head = line_digest(lines_of(log)[-1])
    result = run_cli(["audit", "verify", "audit.jsonl"], tmp_path)
    assert result.code == 0, result.stderr
    assert result.stdout == f"holds: 3 lines, head sha256 {head}\n"
    anchored = run_cli(["audit", "verify", "audit.jsonl", "--anchor", f"3:{head}"], tmp_path)
    assert (anchored.code, anchored.stdout) == (
        0,
        f"holds: 3 lines, head sha256 {head}, anchor at line 3\n",
    )
    as_json = run_cli(["audit", "verify", "audit.jsonl", "--format", "json"], tmp_path)
    assert as_json.code == 0
    assert json.loads(as_json.stdout) == {
        "file": "audit.jsonl",
        "ok": True,
        "lines": 3,
        "head": head,
        "problem": None,
        "anchor_line": None,
    }


def test_verify_a_broken_log_names_the_first_bad_line(tmp_path: Path) -> None:
    log = make_log(tmp_path, 5)
    lines = lines_of(log)
    lines[2] = lines[2].replace(b'"stage":"GA"', b'"stage":"XX"')
    log.write_bytes(b"".join(line + b"\n" for line in lines))
    result = run_cli(["audit", "verify", "audit.jsonl"], tmp_path)
    assert result.code == 1, result.stderr
    assert result.stdout.splitlines() == [
        "broken at line 3: line 3 was edited: its digest no longer matches line 4's prev",
        f"the 2 lines before it chain correctly (head sha256 {line_digest(lines[1])}); line 3 on "
        "cannot be trusted",
    ]
    as_json = json.loads(
        run_cli(["audit", "verify", "audit.jsonl", "--format", "json"], tmp_path).stdout
    )
    assert as_json["ok"] is False
    assert as_json["lines"] == 2
    assert as_json["problem"]["line"] == 3
    assert "line 3 was edited" in as_json["problem"]["what"]
    actions = run_cli(
        ["audit", "verify", "audit.jsonl"], tmp_path, env=clean_env(GITHUB_ACTIONS="true")
    )
    assert actions.code == 1
    assert (
        "::error title=maturity audit verify,file=audit.jsonl::the audit log audit.jsonl is broken at line 3"
        in actions.stdout
    )


def test_verify_with_an_anchor_sees_lines_removed_from_the_end(tmp_path: Path) -> None:
    log = make_log(tmp_path, 4)
    head = line_digest(lines_of(log)[-1])
    log.write_bytes(b"".join(line + b"\n" for line in lines_of(log)[:2]))
    assert run_cli(["audit", "verify", "audit.jsonl"], tmp_path).code == 0
    result = run_cli(["audit", "verify", "audit.jsonl", "--anchor", f"4:{head}"], tmp_path)
    assert result.code == 1
    assert result.stdout.startswith(
        "broken at line 3: the log ends at line 2, but the anchor is line 4: lines 3..4 were "
        "removed from its end\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["audit", "verify", "missing.jsonl"], "the audit log missing.jsonl does not exist"),
        (["audit", "verify", "."], "the audit log . is a folder, not a file"),
        (["audit", "show", "missing.jsonl"], "the audit log missing.jsonl does not exist"),
        (["audit", "verify", "audit.jsonl", "--anchor", "abc"], "--anchor 'abc' is not a sha256"),
        (["audit", "verify", "audit.jsonl", "--anchor", "0:" + "a" * 64], "is not a sha256"),
        (["audit", "verify"], "the following arguments are required: FILE"),
        (["audit"], "the following arguments are required: ACTION"),
        (["audit", "show", "audit.jsonl", "--format", "yaml"], "invalid choice: 'yaml'"),
    ],
)
def test_unreadable_logs_and_usage_errors_exit_2(
    tmp_path: Path, args: list[str], said: str
) -> None:
    make_log(tmp_path, 1)
    result = run_cli(args, tmp_path)
    assert result.code == 2
    assert said in result.stderr
    assert "fix:" in result.stderr
    assert result.stdout == ""


def test_show_as_text(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    for i in (0, 9, 12):  # a decision, an override, a refused override
        append_entry(log, sample_entry(i))
    result = run_cli(["audit", "show", "audit.jsonl"], tmp_path)
    assert result.code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["LINE", "TIME", "REF", "STAGE", "VERDICT", "OVERRIDES"]
    assert rows[1].split() == ["1", "2026-12-01T00:00:00Z", "refs/tags/v1.0.0", "GA", "GO", "-"]
    assert rows[2].split()[:6] == [
        "2",
        "2026-12-01T02:33:00Z",
        "refs/tags/v1.0.9",
        "GA",
        "NO-GO",
        "promotion_guard",
    ]
    assert rows[2].endswith(
        "promotion_guard by octocat: INC-1009: hotfix for the checkout outage, approved by the on-call lead"
    )
    assert rows[3].split()[:5] == [
        "3",
        "2026-12-01T03:24:00Z",
        "refs/tags/v1.0.12",
        "-",
        "refused:",
    ]
    assert "refused: min_reason_length" in rows[3]
    assert (
        len({row.index("REF") if i == 0 else row.index("refs/") for i, row in enumerate(rows)}) == 1
    )  # aligned
    assert "the chain holds (3 lines, head sha256" in result.stderr


def test_show_as_json_gives_the_entries(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    result = run_cli(["audit", "show", "audit.jsonl", "--format", "json"], tmp_path)
    assert result.code == 0
    assert json.loads(result.stdout) == [json.loads(line) for line in lines_of(log)]


def test_show_keeps_a_hostile_reason_in_its_cell(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    override = {"gate": "promotion_guard", "actor": "mallory|x", "reason": HOSTILE}
    append_entry(log, sample_entry(0, overrides=[override, {**override, "gate": "a`b|c"}]))
    append_entry(
        log, sample_entry(1, subject={"ref": "refs/tags/v1|`x`\n| y"}, stage=["not", "text"])
    )
    markdown = run_cli(["audit", "show", "audit.jsonl", "--format", "markdown"], tmp_path)
    assert markdown.code == 0, markdown.stderr
    rows = markdown.stdout.splitlines()
    assert len(rows) == 4  # header, separator, one line per entry: no newline got through
    for row in rows:
        assert unescaped_pipes(row) == 7, row  # six cells: no pipe splits one
    for char in ("<", "*", "`"):
        assert not unescaped(rows[2], char), char  # no HTML, no emphasis, no code span opened
    assert "\u202e" not in markdown.stdout
    assert "##[" not in markdown.stdout
    assert "mallory\\|x" in rows[2]
    assert "``a`b\\|c``" in rows[2]
    assert rows[2].count(" by ") == 2  # both overrides, joined in one cell
    text = run_cli(["audit", "show", "audit.jsonl"], tmp_path)
    assert text.code == 0
    assert len(text.stdout.splitlines()) == 3
    assert "INC-7 | rollback | --- | x `code`" in text.stdout
    assert "\\u202eevil" in text.stdout
    assert "##[" not in text.stdout


def test_show_a_broken_log_says_so_and_shows_what_it_can(tmp_path: Path) -> None:
    log = make_log(tmp_path, 3)
    lines = lines_of(log)
    log.write_bytes(lines[0] + b"\n" + b"garbage\n" + lines[2] + b"\n")
    result = run_cli(["audit", "show", "audit.jsonl"], tmp_path)
    assert result.code == 0
    assert [row.split()[0] for row in result.stdout.splitlines()] == ["LINE", "1", "3"]
    assert (
        "maturity: note: line 2 is not shown: not a JSON object: it is not valid JSON"
        in result.stderr
    )
    assert (
        "maturity: warning: the chain is broken at line 2, so these entries cannot be trusted"
        in result.stderr
    )
    assert "`maturity audit verify audit.jsonl`" in result.stderr


def test_show_an_empty_log(tmp_path: Path) -> None:
    (tmp_path / "audit.jsonl").write_bytes(b"")
    for fmt, said in (
        ("text", "the audit log has no entries\n"),
        ("markdown", "The audit log has no entries.\n"),
        ("json", "[]\n"),
    ):
        result = run_cli(["audit", "show", "audit.jsonl", "--format", fmt], tmp_path)
        assert (result.code, result.stdout) == (0, said)


def test_help_names_the_command_and_its_exit_codes(tmp_path: Path) -> None:
    top = run_cli(["--help"], tmp_path)
    assert "audit" in top.stdout
    assert "check or show an audit log" in top.stdout
    verify = run_cli(["audit", "verify", "--help"], tmp_path)
    assert verify.code == 0
    assert "--anchor SHA256" in verify.stdout
    assert "1  the chain is broken" in verify.stdout


def test_audit_commands_load_no_config_or_gate_code(tmp_path: Path) -> None:
    make_log(tmp_path)
    for action in ("verify", "show"):
        proc, modules = run_importtime(
            ["-m", "maturity", "audit", action, "audit.jsonl"], tmp_path, timeout=60
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert f"maturity.audit.{action}" in modules  # the command did run
        loaded = {m.split(".")[0] for m in modules} | {
            m for m in modules if m.startswith("maturity.")
        }
        assert not loaded & {
            "pydantic",
            "yaml",
            "requests",
            "github",
            "maturity.config",
            "maturity.engine",
        }
