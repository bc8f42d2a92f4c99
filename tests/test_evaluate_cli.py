"""``maturity evaluate`` end to end, as a subprocess in a temporary workspace."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from helpers import (
    GATE_NAMES,
    GITHUB_ENV,
    SHA,
    assert_valid_report,
    clean_env,
    copy_examples,
    gate,
    reports,
    run_cli,
    write_all_evidence,
    write_evidence,
)

from maturity.config.defaults import DEFAULT_STAGES_YAML

GA, RC, BRANCH = "v1.2.3", "v1.2.3-rc.1", "refs/heads/feature/x"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    copy_examples(tmp_path)
    return tmp_path


def write_config(workspace: Path, gates_block: str = "gates: {}") -> Path:
    text = DEFAULT_STAGES_YAML.replace("gates: {}", gates_block)
    assert gates_block in text
    path = workspace / "ci" / "maturity-stages.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_no_reports(workspace: Path) -> None:
    assert not (workspace / "dist").exists()


# --- verdicts -------------------------------------------------------------------------------


def test_ga_tag_with_passing_evidence_is_go(ws: Path) -> None:
    code, out, err = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-pass"], ws)
    assert code == 0, err
    assert out.startswith("maturity: GO for refs/tags/v1.2.3 at stage GA")
    data, markdown = reports(ws)
    assert_valid_report(data)
    assert data["verdict"] == "GO"
    assert data["verdict_line"] == "GO"
    assert data["blocking"] == []
    assert data["stage"]["name"] == "GA"
    assert [g["status"] for g in data["gates"]] == ["pass"] * 5
    assert [g["level"] for g in data["gates"]] == ["required"] * 5
    for g in data["gates"]:
        [evidence] = g["evidence"]
        raw = (ws / "ga-pass" / f"{g['gate']}.json").read_bytes()
        assert evidence == {
            "source": f"ga-pass/{g['gate']}.json",
            "kind": "file",
            "sha256": hashlib.sha256(raw).hexdigest(),
            "size": len(raw),
        }
        assert g["evidence_sha256"] == evidence["sha256"]  # one record: its own digest
        # an evidence file decides every gate, promotion_guard's kind included
        assert [(f["id"], f["status"]) for f in g["findings"]] == [
            (f"evidence:ga-pass/{g['gate']}.json", "pass")
        ]
    assert [g["kind"] for g in data["gates"]] == ["github_checks", *["evidence"] * 4]
    assert markdown.startswith("# ✅ GO")
    assert "BLOCKING" not in out


def test_ga_tag_with_failing_evidence_is_no_go(ws: Path) -> None:
    code, out, err = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-fail"], ws)
    assert code == 1, err
    assert out.startswith("maturity: NO-GO for refs/tags/v1.2.3 at stage GA")
    data, markdown = reports(ws)
    assert_valid_report(data)
    assert data["verdict"] == "NO-GO"
    brief = [(b["gate"], b["status"], b["code"]) for b in data["blocking"]]
    assert brief == [
        ("deps_approval", "fail", "DEPS_UNAPPROVED"),
        ("field_budgets", "error", "INVALID_EVIDENCE"),
    ]
    assert "left-pad@1.3.0" in data["blocking"][0]["message"]
    assert "ga-fail/field_budgets.json" in data["blocking"][1]["message"]
    assert all(b["remediation"] for b in data["blocking"])
    assert data["summary"] == {
        "gates": 5,
        "passed": 3,
        "blocking": 2,
        "warnings": 0,
        "skipped": 0,
        "waived": 0,
        "overridden": 0,
    }
    assert data["verdict_line"] == "NO-GO"
    assert markdown.startswith("# ⛔ NO-GO")
    assert "blocking: deps_approval is fail (DEPS_UNAPPROVED)" in out
    assert "blocking: field_budgets is error (INVALID_EVIDENCE)" in out


def test_release_candidate_with_failing_evidence_is_go_with_warnings(ws: Path) -> None:
    code, out, err = run_cli(["evaluate", "--tag", RC, "--evidence-dir", "ga-fail"], ws)
    assert code == 0, err
    data, markdown = reports(ws)
    assert_valid_report(data)
    assert data["verdict"] == "GO"
    assert data["stage"]["name"] == "PRE_GA"
    assert data["blocking"] == []
    assert gate(data, "deps_approval")["level"] == "report_only"
    assert gate(data, "deps_approval")["status"] == "fail"
    assert gate(data, "field_budgets")["status"] == "error"
    assert data["summary"]["warnings"] == 2
    assert "## Report-only warnings (not blocking)" in markdown
    warned = [line for line in out.splitlines() if line.rstrip().endswith("warning")]
    assert [line.split()[0] for line in warned] == ["deps_approval", "field_budgets"]


def test_branch_without_any_evidence_is_go(tmp_path: Path) -> None:
    code, _out, err = run_cli(["evaluate", "--ref", BRANCH], tmp_path)
    assert code == 0, err
    data, _ = reports(tmp_path)
    assert_valid_report(data)
    assert data["verdict"] == "GO"
    assert data["stage"]["name"] == "PILOT"
    assert data["subject"]["ref_type"] == "branch"
    assert data["subject"]["ref_name"] == "feature/x"
    statuses = {g["gate"]: g["status"] for g in data["gates"]}
    assert statuses.pop("promotion_guard") == "error"  # reads GitHub; no token here
    assert set(statuses.values()) == {"missing"}
    assert data["summary"]["warnings"] == 5


def test_ga_without_any_evidence_is_no_go(tmp_path: Path) -> None:
    code, _out, _err = run_cli(["evaluate", "--tag", GA], tmp_path)
    assert code == 1
    data, _ = reports(tmp_path)
    assert_valid_report(data)
    assert data["verdict"] == "NO-GO"
    assert [b["gate"] for b in data["blocking"]] == list(GATE_NAMES)
    codes = {b["gate"]: b["code"] for b in data["blocking"]}
    assert codes.pop("promotion_guard") == "GITHUB_TOKEN_MISSING"
    assert set(codes.values()) == {"MISSING_EVIDENCE"}


def test_format_json_prints_the_report(ws: Path) -> None:
    code, out, _err = run_cli(
        ["evaluate", "--tag", GA, "--evidence-dir", "ga-fail", "--format", "json"], ws
    )
    assert code == 1
    printed = json.loads(out)
    data, _ = reports(ws)
    assert printed == data
    assert_valid_report(printed)


def test_output_dir_option(ws: Path) -> None:
    code, out, _ = run_cli(
        ["evaluate", "--tag", GA, "--evidence-dir", "ga-pass", "--output-dir", "out/here"], ws
    )
    assert code == 0
    data, _ = reports(ws, "out/here")
    assert data["verdict"] == "GO"
    assert "reports: out/here/maturity-eval.json, out/here/maturity-eval.md" in out
    assert_no_reports(ws)


# --- configuration ---------------------------------------------------------------------------


def test_no_config_file_uses_builtin_defaults_and_says_so(ws: Path) -> None:
    code, out, err = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-pass"], ws)
    assert code == 0
    data, markdown = reports(ws)
    assert data["config"]["builtin"] is True
    assert data["config"]["source"] == "built-in defaults"
    assert data["config"]["sha256"] == hashlib.sha256(DEFAULT_STAGES_YAML.encode()).hexdigest()
    assert "built-in defaults" in markdown
    assert "maturity: note: no ci/maturity-stages.yml" in err
    assert "built-in defaults" in err
    assert "config: built-in defaults" in out


def test_config_file_in_the_workspace_is_used(ws: Path) -> None:
    path = write_config(ws)
    code, out, err = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-pass"], ws)
    assert code == 0, err
    data, markdown = reports(ws)
    assert_valid_report(data)
    assert data["config"]["builtin"] is False
    assert data["config"]["source"] == "ci/maturity-stages.yml"
    assert data["config"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "note" not in err
    assert "built-in defaults" not in markdown
    assert data["config"]["sha256"][:16] in markdown
    assert "config: ci/maturity-stages.yml" in out


def test_explicit_config_and_builtin_flag(ws: Path) -> None:
    path = write_config(ws / "elsewhere")
    code, _, err = run_cli(
        ["evaluate", "--tag", GA, "--evidence-dir", "ga-pass", "--config", str(path)], ws
    )
    assert code == 0, err
    data, _ = reports(ws)
    assert data["config"]["builtin"] is False
    assert data["config"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()

    write_config(ws)
    code, _, err = run_cli(
        ["evaluate", "--tag", GA, "--evidence-dir", "ga-pass", "--builtin-config"], ws
    )
    assert code == 0, err
    data, _ = reports(ws)
    assert data["config"]["builtin"] is True


def test_the_config_decides_the_stage(ws: Path) -> None:
    text = DEFAULT_STAGES_YAML.replace(
        "mappings:\n",
        "mappings:\n  - pattern: v9.9.9\n    stage: PILOT\n    examples: [v9.9.9]\n",
        1,
    )
    (ws / "ci").mkdir()
    (ws / "ci" / "maturity-stages.yml").write_text(text, encoding="utf-8")
    code, _, err = run_cli(["evaluate", "--tag", "v9.9.9", "--evidence-dir", "ga-fail"], ws)
    assert code == 0, err
    data, _ = reports(ws)
    assert data["stage"]["name"] == "PILOT"
    assert data["stage"]["mapping"] == {"index": 0, "kind": "pattern", "expression": "v9.9.9"}
    code, _, err = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-fail"], ws)
    assert code == 1, err
    assert reports(ws)[0]["stage"]["mapping"]["index"] == 1


def test_config_error_is_exit_2(ws: Path) -> None:
    """A stage no mapping reaches is a configuration error: no verdict at all."""
    text = DEFAULT_STAGES_YAML.replace("stage: GA\n", "stage: PILOT\n", 1)
    (ws / "ci").mkdir()
    (ws / "ci" / "maturity-stages.yml").write_text(text, encoding="utf-8")
    code, out, err = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-fail"], ws)
    assert code == 2
    assert out == ""
    assert "no mapping reaches stage 'GA'" in err
    assert_no_reports(ws)


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nstages: [",  # not YAML
        DEFAULT_STAGES_YAML.replace("version: 1", "version: 2"),
        DEFAULT_STAGES_YAML.replace("gates: {}", "gates: {}\nsurprise: true"),
        DEFAULT_STAGES_YAML.replace("field_budgets: required", "field_budgets: mandatory"),
        "",
    ],
)
def test_bad_config_is_exit_2_without_reports(text: str, ws: Path) -> None:
    (ws / "ci").mkdir()
    (ws / "ci" / "maturity-stages.yml").write_text(text, encoding="utf-8")
    code, out, err = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-pass"], ws)
    assert code == 2
    assert out == ""
    assert "maturity: error:" in err
    assert "ci/maturity-stages.yml" in err
    assert_no_reports(ws)


def test_bad_config_leaves_previous_reports_untouched(ws: Path) -> None:
    assert run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-pass"], ws).code == 0
    before = {p.name: p.read_bytes() for p in (ws / "dist" / "maturity").iterdir()}
    (ws / "ci").mkdir()
    (ws / "ci" / "maturity-stages.yml").write_text("stages: [", encoding="utf-8")
    assert run_cli(["evaluate", "--tag", GA, "--evidence-dir", "ga-fail"], ws).code == 2
    after = {p.name: p.read_bytes() for p in (ws / "dist" / "maturity").iterdir()}
    assert after == before


# --- evidence selection ------------------------------------------------------------------------


@pytest.fixture
def three_sources(ws: Path) -> Path:
    """deps_approval evidence from the config, a folder and a flag, each with its own code."""
    write_evidence(ws / "cfg" / "deps.json", ok=False, code="FROM_CONFIG")
    write_evidence(ws / "dir" / "deps_approval.json", ok=False, code="FROM_DIR")
    write_evidence(ws / "flag.json", ok=False, code="FROM_FLAG")
    write_evidence(ws / "cfg" / "budgets.json", ok=True, code="BUDGETS_FROM_CONFIG")
    write_config(
        ws,
        "gates:\n"
        "  deps_approval:\n    evidence: cfg/deps.json\n"
        "  field_budgets:\n    evidence: [cfg/budgets.json]\n",
    )
    return ws


def test_config_evidence_is_used_by_default(three_sources: Path) -> None:
    code, _, err = run_cli(["evaluate", "--tag", GA], three_sources)
    assert code == 1, err
    data, _ = reports(three_sources)
    deps = gate(data, "deps_approval")
    assert deps["code"] == "FROM_CONFIG"
    assert deps["details"]["evidence_origin"] == "config"
    assert [e["source"] for e in deps["evidence"]] == ["cfg/deps.json"]
    assert gate(data, "field_budgets")["code"] == "BUDGETS_FROM_CONFIG"
    assert gate(data, "promotion_guard")["code"] == "GITHUB_TOKEN_MISSING"


def test_evidence_dir_beats_config(three_sources: Path) -> None:
    code, _, _ = run_cli(["evaluate", "--tag", GA, "--evidence-dir", "dir"], three_sources)
    assert code == 1
    data, _ = reports(three_sources)
    deps = gate(data, "deps_approval")
    assert deps["code"] == "FROM_DIR"
    assert deps["details"]["evidence_origin"] == "--evidence-dir"
    # the folder stands in for the config for every gate: no dir/field_budgets.json -> missing
    budgets = gate(data, "field_budgets")
    assert budgets["status"] == "missing"
    assert budgets["details"]["evidence_origin"] == "--evidence-dir"


def test_evidence_flag_beats_evidence_dir_and_config(three_sources: Path) -> None:
    code, _, _ = run_cli(
        [
            "evaluate",
            "--tag",
            GA,
            "--evidence-dir",
            "dir",
            "--evidence",
            "deps_approval=flag.json",
        ],
        three_sources,
    )
    assert code == 1
    data, _ = reports(three_sources)
    deps = gate(data, "deps_approval")
    assert deps["code"] == "FROM_FLAG"
    assert deps["details"]["evidence_origin"] == "--evidence"
    assert [e["source"] for e in deps["evidence"]] == ["flag.json"]


def test_repeated_evidence_flag_gives_several_files(ws: Path) -> None:
    args = ["evaluate", "--tag", GA, "--evidence-dir", "ga-pass"]
    args += ["--evidence", "deps_approval=ga-pass/deps_approval.json"]
    args += ["--evidence", "deps_approval=ga-fail/deps_approval.json"]
    code, _, _ = run_cli(args, ws)
    assert code == 1
    data, _ = reports(ws)
    deps = gate(data, "deps_approval")
    assert deps["status"] == "fail"
    assert "1 of 2" in deps["message"]
    assert len(deps["evidence"]) == 2


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--evidence", "no_such_gate=x.json"], "unknown gate"),
        (["--evidence", "deps_approval"], "GATE=PATH"),
        (["--evidence", "deps_approval="], "GATE=PATH"),
        (["--evidence-dir", "does-not-exist"], "not a folder"),
        (["--evidence-dir", "ga-pass/deps_approval.json"], "not a folder"),
        (["--ref", "refs/heads/a..b"], "'..'"),
        (["--tag", "v1.2.3.lock"], ".lock"),
        (["--tag", GA, "--sha", "abc123"], "commit"),
        (["--tag", GA, "--ref", "refs/tags/v1"], "not allowed with"),
        (["--tag", GA, "--bogus"], "unrecognized"),
        ([], "no ref"),
    ],
)
def test_usage_errors_are_exit_2_without_reports(args: list[str], fragment: str, ws: Path) -> None:
    full = ["evaluate", *args]
    if not any(a in args for a in ("--tag", "--ref")) and args:
        full += ["--tag", GA]
    code, out, err = run_cli(full, ws)
    assert code == 2
    assert out == ""
    assert fragment in err
    assert_no_reports(ws)


def test_output_dir_that_is_a_file_is_exit_2(ws: Path) -> None:
    (ws / "taken").write_text("not a folder", encoding="utf-8")
    code, out, err = run_cli(
        ["evaluate", "--tag", GA, "--evidence-dir", "ga-pass", "--output-dir", "taken"], ws
    )
    assert code == 2
    assert out == ""
    assert "taken" in err
    assert "fix:" in err
    assert (ws / "taken").read_text(encoding="utf-8") == "not a folder"
    assert [p.name for p in ws.iterdir() if p.name.startswith(".")] == []


def test_output_dir_below_a_file_is_exit_2(ws: Path) -> None:
    (ws / "taken").write_text("x", encoding="utf-8")
    code, out, _ = run_cli(["evaluate", "--tag", GA, "--output-dir", "taken/reports"], ws)
    assert code == 2
    assert out == ""


# --- the environment --------------------------------------------------------------------------


def test_subject_from_the_github_environment(ws: Path) -> None:
    env = clean_env(**GITHUB_ENV, GITHUB_REF=f"refs/tags/{GA}", GITHUB_WORKSPACE=str(ws))
    code, _, err = run_cli(["evaluate", "--evidence-dir", "ga-pass"], ws, env)
    assert code == 0, err
    data, markdown = reports(ws)
    assert_valid_report(data)
    assert data["subject"] == {
        "repository": "octo-org/widget",
        "ref": "refs/tags/v1.2.3",
        "ref_name": "v1.2.3",
        "ref_type": "tag",
        "sha": SHA,
        "sha_source": "GITHUB_SHA",
        "commit": "from GITHUB_SHA",
        "run": {
            "id": "4242",
            "attempt": "2",
            "url": "https://github.com/octo-org/widget/actions/runs/4242/attempts/2",
        },
        "actor": "octocat",
        "event": "push",
        "workflow": "release",
        "job": "gate",
    }
    assert SHA in markdown
    assert "https://github.com/octo-org/widget/actions/runs/4242/attempts/2" in markdown


def test_ref_name_and_type_from_the_environment(ws: Path) -> None:
    env = clean_env(GITHUB_REF_NAME=RC, GITHUB_REF_TYPE="tag")
    code, _, err = run_cli(["evaluate", "--evidence-dir", "ga-pass"], ws, env)
    assert code == 0, err
    data, _ = reports(ws)
    assert data["subject"]["ref"] == f"refs/tags/{RC}"
    assert data["stage"]["name"] == "PRE_GA"


def test_flags_beat_the_environment(ws: Path) -> None:
    env = clean_env(GITHUB_REF="refs/heads/main", GITHUB_SHA="f" * 40)
    code, _, _ = run_cli(
        ["evaluate", "--tag", GA, "--sha", "A" * 40, "--evidence-dir", "ga-pass"], ws, env
    )
    assert code == 0
    data, _ = reports(ws)
    assert data["subject"]["ref"] == "refs/tags/v1.2.3"
    assert data["subject"]["sha"] == "a" * 40


def test_workspace_from_the_environment(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    write_all_evidence(workspace / "evidence")
    write_config(
        workspace, "gates:\n  promotion_guard:\n    evidence: evidence/promotion_guard.json"
    )
    runner = tmp_path / "runner"
    runner.mkdir()
    env = clean_env(GITHUB_WORKSPACE=str(workspace))
    code, _, err = run_cli(["evaluate", "--ref", "main"], runner, env)
    assert code == 0, err
    data, _ = reports(runner)
    assert data["config"]["source"] == "ci/maturity-stages.yml"
    assert gate(data, "promotion_guard")["status"] == "pass"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GITHUB_REPOSITORY", "not a repo"),
        ("GITHUB_RUN_ID", "12; rm -rf /"),
        ("GITHUB_SERVER_URL", "javascript:alert(1)"),
        ("GITHUB_SHA", "HEAD"),
        ("GITHUB_REF", "refs/heads/bad..ref"),
        ("GITHUB_EVENT_NAME", "push\n::error::x"),
    ],
)
def test_malformed_environment_is_exit_2(name: str, value: str, ws: Path) -> None:
    env = clean_env(**{name: value})
    args = ["evaluate", "--evidence-dir", "ga-pass"]
    if name != "GITHUB_REF":
        args += ["--tag", GA]
    code, out, err = run_cli(args, ws, env)
    assert code == 2
    assert out == ""
    assert name in err
    assert_no_reports(ws)
