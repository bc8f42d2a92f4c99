"""Evidence files, read by the engine's collect step (LocalFileSource) and judged by the real
evidence kind, as for the built-in deps_approval gate."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import REPO_ROOT, write_evidence

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.types import GateSpec
from maturity.core import GateResult, GateStatus
from maturity.engine import EvidencePlan, collect
from maturity.errors import EvidenceError
from maturity.evidence.file_format import MAX_NESTING, parse_evidence
from maturity.evidence.files import collect_files
from maturity.evidence.local_file import MAX_EVIDENCE_BYTES, LocalFileSource
from maturity.kinds import load_kind
from maturity.kinds.interface import RunContext

GATE = "deps_approval"
BUILTIN = BUILTIN_GATES[GATE]
SPEC = GateSpec(GATE, BUILTIN.kind, BUILTIN.title, BUILTIN.remediation, builtin=True)


def judge(workspace: Path, *paths: str, origin: str = "--evidence") -> GateResult:
    """The deps_approval gate on *paths* in *workspace*: collected by the engine, judged by
    its kind (evidence)."""
    run = RunContext(workspace=workspace)
    inputs = collect(SPEC, EvidencePlan(paths, origin), run)
    return load_kind(SPEC.kind).run(SPEC.settings, inputs, run)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    return workspace


# --- ok / not ok / missing ---------------------------------------------------------------


def test_ok_true_passes_with_its_code(ws: Path) -> None:
    write_evidence(ws / "e.json", ok=True, code="DEPS_APPROVED", message="87 of 87 approved")
    result = judge(ws, "e.json")
    assert result.status is GateStatus.PASS
    assert result.code == "DEPS_APPROVED"
    assert result.message == "87 of 87 approved"
    assert result.remediation == ""
    assert result.details["evidence_origin"] == "--evidence"


def test_ok_true_without_code_or_message(ws: Path) -> None:
    write_evidence(ws / "e.json", ok=True)
    result = judge(ws, "e.json")
    assert (result.status, result.code, result.message) == (GateStatus.PASS, "OK", "evidence ok")


def test_ok_false_fails_with_the_given_code_and_message(ws: Path) -> None:
    write_evidence(ws / "e.json", ok=False, code="DEPS_UNAPPROVED", message="left-pad@1.3.0")
    result = judge(ws, "e.json")
    assert result.status is GateStatus.FAIL
    assert result.code == "DEPS_UNAPPROVED"
    assert result.message == "left-pad@1.3.0"
    assert result.remediation == BUILTIN.remediation
    [finding] = result.findings
    assert (finding.id, finding.status, finding.location) == (
        "evidence:e.json",
        GateStatus.FAIL,
        "e.json",
    )


def test_ok_false_defaults_to_evidence_not_ok(ws: Path) -> None:
    write_evidence(ws / "sub" / "e.json", ok=False)
    result = judge(ws, "sub/e.json")
    assert result.status is GateStatus.FAIL
    assert result.code == "EVIDENCE_NOT_OK"
    assert "sub/e.json" in result.message


def test_missing_file_is_missing(ws: Path) -> None:
    result = judge(ws, "nope.json")
    assert result.status is GateStatus.MISSING
    assert result.code == "MISSING_EVIDENCE"
    assert "nope.json" in result.message
    assert result.evidence == ()
    assert [(f.id, f.status) for f in result.findings] == [
        ("evidence:nope.json", GateStatus.MISSING)
    ]


def test_no_evidence_configured_is_missing(ws: Path) -> None:
    result = judge(ws, origin="none")
    assert result.status is GateStatus.MISSING
    assert result.code == "MISSING_EVIDENCE"
    assert GATE in result.message
    assert f"--evidence {GATE}=PATH" in result.remediation
    assert result.findings == ()


def test_details_are_kept(ws: Path) -> None:
    write_evidence(ws / "e.json", ok=True, details={"sbom": "dist/sbom.json", "n": [1, 2.5]})
    result = judge(ws, "e.json")
    [kept] = result.details["evidence"]
    assert kept == {
        "source": "e.json",
        "ok": True,
        "details": {"sbom": "dist/sbom.json", "n": [1, 2.5]},
    }


# --- invalid files -----------------------------------------------------------------------

INVALID: dict[str, bytes] = {
    "not-json": b"{ok: true}",
    "truncated": b'{"ok": false, "code": "BUDGET_EXCEEDED", "message": "p95"',
    "empty": b"",
    "duplicate-key": b'{"ok": true, "ok": false}',
    "duplicate-nested-key": b'{"ok": true, "details": {"a": 1, "a": 2}}',
    "nan": b'{"ok": true, "details": {"x": NaN}}',
    "infinity": b'{"ok": true, "details": {"x": Infinity}}',
    "minus-infinity": b'{"ok": true, "details": {"x": -Infinity}}',
    "overflowing-float": b'{"ok": true, "details": {"x": 1e400}}',
    "huge-int": b'{"ok": true, "details": {"x": ' + b"9" * 5000 + b"}}",
    "non-utf8": b'{"ok": true, "message": "caf\xe9"}',
    "utf16": '{"ok": true}'.encode("utf-16"),
    "lone-surrogate": b'{"ok": true, "details": {"x": "\\udcff"}}',
    "lone-surrogate-key": b'{"ok": true, "details": {"\\ud800": 1}}',
    "deep-arrays": b"[" * 100_000,
    "deep-objects": b'{"a":' * 100_000,
    "deep-details": b'{"ok": true, "details": {"x": ' + b"[" * 985 + b"]" * 985 + b"}}",
    # Python 3.12 parses this but its JSON encoder cannot write it back: refused up front
    "deep-details-1200": b'{"ok": true, "details": {"x": ' + b"[" * 1200 + b"]" * 1200 + b"}}",
    "ok-string": b'{"ok": "true"}',
    "ok-number": b'{"ok": 1}',
    "ok-null": b'{"ok": null}',
    "no-ok": b'{"message": "forgot ok"}',
    "message-number": b'{"ok": true, "message": 5}',
    "code-number": b'{"ok": true, "code": 5}',
    "details-list": b'{"ok": true, "details": [1]}',
    "unknown-field": b'{"ok": true, "status": "green"}',
    "code-lowercase": b'{"ok": false, "code": "deps_bad"}',
    "code-too-long": b'{"ok": false, "code": "' + b"A" * 65 + b'"}',
    "code-trailing-newline": b'{"ok": false, "code": "DEPS\\n"}',
    "code-empty": b'{"ok": false, "code": ""}',
    "message-too-long": b'{"ok": false, "message": "' + b"m" * 2001 + b'"}',
    "top-level-array": b"[true]",
    "top-level-null": b"null",
    "trailing-garbage": b'{"ok": true} {"ok": false}',
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_evidence_is_an_error_naming_the_file(name: str, ws: Path) -> None:
    (ws / f"{name}.json").write_bytes(INVALID[name])
    result = judge(ws, f"{name}.json")
    assert result.status is GateStatus.ERROR, result.message
    assert result.code == "INVALID_EVIDENCE"
    assert f"{name}.json" in result.message
    assert result.remediation
    assert "\n" not in result.message


def test_wrong_type_message_says_which_field(ws: Path) -> None:
    (ws / "e.json").write_bytes(INVALID["ok-string"])
    assert "ok" in judge(ws, "e.json").message
    (ws / "e.json").write_bytes(INVALID["unknown-field"])
    assert "status" in judge(ws, "e.json").message


def test_nesting_within_the_bound_is_fine(ws: Path) -> None:
    depth = MAX_NESTING - 2  # the top-level object and details are two levels already
    (ws / "e.json").write_bytes(
        b'{"ok": true, "details": {"x": ' + b"[" * depth + b"]" * depth + b"}}"
    )
    assert judge(ws, "e.json").status is GateStatus.PASS
    (ws / "e.json").write_bytes(
        b'{"ok": true, "details": {"x": ' + b"[" * (depth + 1) + b"]" * (depth + 1) + b"}}"
    )
    assert judge(ws, "e.json").code == "INVALID_EVIDENCE"


def test_parse_evidence_raises_evidence_error() -> None:
    with pytest.raises(EvidenceError) as caught:
        parse_evidence(b"{", "shown/path.json")
    assert caught.value.code == "INVALID_EVIDENCE"
    assert "shown/path.json" in caught.value.message
    assert not caught.value.missing


# --- size ---------------------------------------------------------------------------------


def test_oversized_file_is_refused_without_reading_it(ws: Path) -> None:
    big = ws / "big.json"
    with big.open("wb") as fh:
        fh.truncate(16 * 1024**3)  # sparse: reading it all would take a long time and 16 GiB
    result = judge(ws, "big.json")
    assert result.status is GateStatus.ERROR
    assert result.code == "EVIDENCE_TOO_LARGE"
    assert str(16 * 1024**3) in result.message
    assert "big.json" in result.message


def test_file_just_over_the_limit(ws: Path) -> None:
    over = ws / "over.json"
    over.write_bytes(b" " * (MAX_EVIDENCE_BYTES + 1))
    assert judge(ws, "over.json").code == "EVIDENCE_TOO_LARGE"


def test_size_bound_is_exact(ws: Path) -> None:
    data = b'{"ok": true}'
    (ws / "e.json").write_bytes(data)
    source = LocalFileSource(ws, max_bytes=len(data))
    assert source.read("e.json").data == data
    with pytest.raises(EvidenceError) as caught:
        LocalFileSource(ws, max_bytes=len(data) - 1).read("e.json")
    assert caught.value.code == "EVIDENCE_TOO_LARGE"


# --- where files may be -------------------------------------------------------------------


def test_symlink_out_of_the_workspace_is_refused(ws: Path, tmp_path: Path) -> None:
    secret = write_evidence(tmp_path / "outside" / "e.json", ok=True)
    (ws / "link.json").symlink_to(secret)
    result = judge(ws, "link.json")
    assert result.status is GateStatus.ERROR
    assert result.code == "EVIDENCE_OUTSIDE_WORKSPACE"
    assert "link.json" in result.message
    assert result.evidence == ()


def test_symlinked_folder_out_of_the_workspace_is_refused(ws: Path, tmp_path: Path) -> None:
    write_evidence(tmp_path / "outside" / "e.json", ok=True)
    (ws / "dir").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert judge(ws, "dir/e.json").code == "EVIDENCE_OUTSIDE_WORKSPACE"


def test_absolute_path_outside_is_refused(ws: Path, tmp_path: Path) -> None:
    outside = write_evidence(tmp_path / "outside.json", ok=True)
    result = judge(ws, str(outside))
    assert result.code == "EVIDENCE_OUTSIDE_WORKSPACE"
    assert judge(ws, "/etc/passwd").code == "EVIDENCE_OUTSIDE_WORKSPACE"


def test_absolute_path_inside_is_fine(ws: Path) -> None:
    inside = write_evidence(ws / "e.json", ok=True, code="FINE")
    assert judge(ws, str(inside)).code == "FINE"


def test_dotdot_path_is_refused(ws: Path, tmp_path: Path) -> None:
    write_evidence(tmp_path / "outside.json", ok=True)
    result = judge(ws, "../outside.json")
    assert result.status is GateStatus.ERROR
    assert result.code == "EVIDENCE_OUTSIDE_WORKSPACE"
    assert judge(ws, "sub/../../outside.json").code == "EVIDENCE_OUTSIDE_WORKSPACE"


def test_dotdot_that_stays_inside_is_fine(ws: Path) -> None:
    write_evidence(ws / "e.json", ok=True, code="FINE")
    (ws / "sub").mkdir()
    assert judge(ws, "sub/../e.json").code == "FINE"


def test_symlink_inside_pointing_inside_is_fine(ws: Path) -> None:
    target = write_evidence(ws / "real" / "e.json", ok=True, code="VIA_LINK")
    (ws / "link.json").symlink_to(target)
    result = judge(ws, "link.json")
    assert result.status is GateStatus.PASS
    assert result.code == "VIA_LINK"
    [record] = result.evidence
    assert record.source == "real/e.json"  # the file actually read


def test_workspace_given_through_a_symlink(ws: Path, tmp_path: Path) -> None:
    write_evidence(ws / "e.json", ok=True, code="FINE")
    alias = tmp_path / "alias"
    alias.symlink_to(ws, target_is_directory=True)
    assert judge(alias, "e.json").code == "FINE"


def test_dangling_symlink_is_missing(ws: Path) -> None:
    (ws / "link.json").symlink_to(ws / "gone.json")
    result = judge(ws, "link.json")
    assert result.status is GateStatus.MISSING
    assert result.code == "MISSING_EVIDENCE"


def test_symlink_loop_is_an_error(ws: Path) -> None:
    (ws / "a.json").symlink_to(ws / "b.json")
    (ws / "b.json").symlink_to(ws / "a.json")
    result = judge(ws, "a.json")
    assert result.status is GateStatus.ERROR
    assert result.code == "INVALID_EVIDENCE"


def test_fifo_does_not_hang(ws: Path) -> None:
    os.mkfifo(ws / "pipe.json")
    results: list[GateResult] = []
    worker = threading.Thread(target=lambda: results.append(judge(ws, "pipe.json")), daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the reader so the test run can finish, then fail
        with open(ws / "pipe.json", "wb"):
            pass
        pytest.fail("reading a FIFO as evidence hung")
    [result] = results
    assert result.status is GateStatus.ERROR
    assert result.code == "INVALID_EVIDENCE"
    assert "not a regular file" in result.message


def test_directory_is_an_error(ws: Path) -> None:
    (ws / "dir.json").mkdir()
    result = judge(ws, "dir.json")
    assert result.status is GateStatus.ERROR
    assert result.code == "INVALID_EVIDENCE"
    assert "dir.json" in result.message


def test_device_inside_the_workspace_is_refused(ws: Path) -> None:
    (ws / "zero.json").symlink_to("/dev/zero")  # resolves outside, refused before opening
    assert judge(ws, "zero.json").code == "EVIDENCE_OUTSIDE_WORKSPACE"


# --- several files for one gate --------------------------------------------------------------


def test_several_files_all_ok_pass(ws: Path) -> None:
    write_evidence(ws / "a.json", ok=True)
    write_evidence(ws / "b.json", ok=True)
    result = judge(ws, "a.json", "b.json")
    assert result.status is GateStatus.PASS
    assert result.message == "all 2 evidence files ok"
    assert len(result.findings) == 2
    assert [r.source for r in result.evidence] == ["a.json", "b.json"]


def test_one_failing_file_of_two_fails(ws: Path) -> None:
    write_evidence(ws / "a.json", ok=True)
    write_evidence(ws / "b.json", ok=False, code="SBOM_STALE", message="stale SBOM")
    result = judge(ws, "a.json", "b.json")
    assert result.status is GateStatus.FAIL
    assert result.code == "SBOM_STALE"
    assert "1 of 2" in result.message
    assert "b.json" in result.message
    assert "stale SBOM" in result.message
    assert [f.location for f in result.findings] == ["a.json", "b.json"]
    assert [f.code for f in result.findings] == ["OK", "SBOM_STALE"]
    assert [f.id for f in result.findings] == ["evidence:a.json", "evidence:b.json"]


@pytest.mark.parametrize(
    ("kinds", "status", "code"),
    [
        (("error", "fail"), GateStatus.ERROR, "INVALID_EVIDENCE"),
        (("fail", "error"), GateStatus.ERROR, "INVALID_EVIDENCE"),
        (("missing", "fail"), GateStatus.FAIL, "NOT_OK"),
        (("fail", "missing"), GateStatus.FAIL, "NOT_OK"),
        (("missing", "error"), GateStatus.ERROR, "INVALID_EVIDENCE"),
        (("pass", "missing"), GateStatus.MISSING, "MISSING_EVIDENCE"),
        (("missing", "pass", "fail", "error"), GateStatus.ERROR, "INVALID_EVIDENCE"),
    ],
)
def test_worst_file_decides(
    kinds: tuple[str, ...], status: GateStatus, code: str, ws: Path
) -> None:
    paths = []
    for i, kind in enumerate(kinds):
        path = ws / f"{i}-{kind}.json"
        if kind == "pass":
            write_evidence(path, ok=True)
        elif kind == "fail":
            write_evidence(path, ok=False, code="NOT_OK")
        elif kind == "error":
            path.write_text("{", encoding="utf-8")
        paths.append(path.name)
    result = judge(ws, *paths)
    assert result.status is status
    assert result.code == code
    not_ok = sum(k != "pass" for k in kinds)
    assert f"{not_ok} of {len(kinds)} evidence files not ok" in result.message
    assert len(result.findings) == len(kinds)
    assert [f.id for f in result.findings] == [f"evidence:{p}" for p in paths]
    assert [f.status.value for f in result.findings] == list(kinds)


# --- what is recorded ----------------------------------------------------------------------


def test_records_carry_sha256_and_size_of_the_bytes(ws: Path) -> None:
    raw = b'{"ok": true, "message": "caf\xc3\xa9"}\n'
    (ws / "e.json").write_bytes(raw)
    [record] = judge(ws, "e.json").evidence
    assert record.sha256 == hashlib.sha256(raw).hexdigest()
    assert record.size == len(raw)
    assert record.source == "e.json"
    assert record.kind == "file"


def test_collect_reads_bytes_and_digests_or_says_why_not(ws: Path, tmp_path: Path) -> None:
    raw = b'{"ok": true}'
    (ws / "e.json").write_bytes(raw)
    outside = write_evidence(tmp_path / "outside.json")
    read, missing, refused = collect_files(ws, ["e.json", "gone.json", str(outside)])
    assert (read.locator, read.shown, read.data) == ("e.json", "e.json", raw)
    assert read.record is not None
    assert read.record.sha256 == hashlib.sha256(raw).hexdigest()
    assert (missing.data, missing.record, missing.missing) == (None, None, True)
    assert missing.error_code == "MISSING_EVIDENCE"
    assert (refused.data, refused.missing) == (None, False)
    assert refused.error_code == "EVIDENCE_OUTSIDE_WORKSPACE"
    assert refused.error_remediation


def test_invalid_but_read_files_are_still_recorded(ws: Path) -> None:
    raw = b'{"ok": tru'
    (ws / "e.json").write_bytes(raw)
    result = judge(ws, "e.json")
    assert result.code == "INVALID_EVIDENCE"
    [record] = result.evidence
    assert record.sha256 == hashlib.sha256(raw).hexdigest()


def test_message_control_characters_are_cleaned(ws: Path) -> None:
    hostile = "line one\nline two\r\n::error::x\x1b[31mred\x00 \u202eevil\ttab"
    write_evidence(ws / "e.json", ok=False, message=hostile)
    message = judge(ws, "e.json").message
    for bad in ("\n", "\r", "\x1b", "\x00", "\u202e", "\t"):
        assert bad not in message
    assert "line one line two" in message
    assert "\\u001b" in message
    assert "\\u202e" in message


def test_hostile_path_is_cleaned_in_messages(ws: Path) -> None:
    result = judge(ws, "no\nsuch\x1b.json")
    assert result.status is GateStatus.MISSING
    assert "\n" not in result.message
    assert "\x1b" not in result.message
    [finding] = result.findings
    assert finding.id.startswith("evidence:no")
    assert "\n" not in finding.id
    assert "\x1b" not in finding.id


@pytest.mark.parametrize(
    "module",
    [
        "maturity.evidence.file_format",
        "maturity.evidence.local_file",
        "maturity.evidence.interface",
        "maturity.evidence.files",
        "maturity.kinds.evidence",
        "maturity.core",
        "maturity.engine",
    ],
)
def test_evidence_modules_import_on_their_own(module: str) -> None:
    """Importing an evidence module (or the kind and engine above it) first must not trip over
    an import cycle."""
    proc = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_evidence_schema_matches_the_parser() -> None:
    schema = json.loads((REPO_ROOT / "maturity/schemas/evidence.schema.json").read_text("utf-8"))
    assert schema["required"] == ["ok"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"ok", "code", "message", "details"}


def test_the_worst_file_is_named_even_when_it_is_not_first(ws: Path) -> None:
    write_evidence(ws / "a.json", ok=False, code="SBOM_STALE", message="stale SBOM")
    (ws / "b.json").write_text('{"ok": tru', encoding="utf-8")
    result = judge(ws, "a.json", "b.json")
    assert result.status is GateStatus.ERROR
    assert result.code == "INVALID_EVIDENCE"
    assert result.message.startswith("2 of 2 evidence files not ok; worst: b.json: ")
    # each finding keeps its own fix; the gate's fix is the worst file's
    by_file = {f.location: f for f in result.findings}
    assert by_file["a.json"].remediation.startswith("produce the SBOM")
    assert "maturity schema evidence" in by_file["b.json"].remediation
    assert result.remediation == by_file["b.json"].remediation
    assert by_file["a.json"].status is GateStatus.FAIL
