"""A new kind is one module and one registry line.

The test writes a kind module into a temporary folder (nothing in the repository changes),
registers it in ``KINDS`` and declares a gate of it in a stages file. The kind then appears in
``validate``, in the generated schemas (its settings in the stages file's, its details in the
report's), in ``resolve``'s table and in both reports, with its own Markdown section.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from maturity._schema_gen import generated_schemas
from maturity.cli import main
from maturity.config.yaml_loader import load_yaml_text
from maturity.kinds import KINDS

#: jsonschema ships no type information: typed as Any.
jsonschema: Any = importlib.import_module("jsonschema")

KIND_MODULE = '''
"""A throwaway kind: passes when the evidence file's "score" reaches the threshold."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from maturity.core import Finding, GateInputs, GateResult, GateStatus
from maturity.kinds.interface import GateKind, KindSettings, RunContext


class Settings(KindSettings):
    """How high the score must be."""

    threshold: int = Field(default=3, ge=0, description="Lowest passing score.")


class Details(BaseModel):
    """What a score gate records."""

    score: int
    threshold: int


def evaluate(settings: Settings, inputs: GateInputs, run: RunContext) -> GateResult:
    [file] = inputs.files
    score = int(json.loads(file.data or b"{}")["score"])
    ok = score >= settings.threshold
    return GateResult(
        gate=inputs.gate,
        status=GateStatus.PASS if ok else GateStatus.FAIL,
        code="SCORE_OK" if ok else "SCORE_LOW",
        message=f"score {score}, threshold {settings.threshold}",
        remediation="" if ok else inputs.remediation,
        findings=(Finding("SCORE", f"score {score}", file.shown, GateStatus.PASS, "", "score:x"),),
        evidence=inputs.records,
        details={"score": score, "threshold": settings.threshold},
    )


def markdown(entry: Mapping[str, Any]) -> list[str]:
    return ["", f"Score board for {entry['gate']}: {entry['details']['score']} points."]


KIND: GateKind[Settings] = GateKind(
    name="throwaway",
    title="Score reached",
    remediation="raise the score",
    settings=Settings,
    evaluate=evaluate,
    details=lambda: Details,
    markdown=markdown,
)
'''

STAGES = """\
version: 1
stages:
  DEV:
    gates:
      promotion_guard: off
      observability_verify: off
      deps_approval: off
      policy_drift: off
      field_budgets: off
      smoke: report_only
  GA:
    extends: DEV
    gates:
      smoke: required
mappings:
  - pattern: 'v*'
    stage: GA
    examples: [v1.0.0]
  - pattern: '*'
    stage: DEV
    examples: [main]
gates:
  smoke:
    kind: throwaway
    title: Smoke score
    threshold: 5
    evidence: score.json
"""


@pytest.fixture
def registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The kind module in a folder on sys.path, one line in KINDS, a workspace using it."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "throwaway_kind.py").write_text(KIND_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(code))
    monkeypatch.setitem(KINDS, "throwaway", "throwaway_kind")  # the one registry line
    ws = tmp_path / "ws"
    (ws / "ci").mkdir(parents=True)
    (ws / "ci" / "maturity-stages.yml").write_text(STAGES, encoding="utf-8")
    for key in [k for k in os.environ if k.startswith(("GITHUB_", "MATURITY_"))]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(ws)
    yield ws
    sys.modules.pop("throwaway_kind", None)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_shows_the_gate_and_checks_its_settings(
    registered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "validate", "--strict", "ci/maturity-stages.yml")
    assert code == 0, out
    [row] = [line for line in out.splitlines() if line.startswith("smoke")]
    assert row.split() == ["smoke", "report_only", "required"]
    bad = STAGES.replace("threshold: 5", "threshold: -1")
    (registered / "bad.yml").write_text(bad, encoding="utf-8")
    code, out, _ = cli(capsys, "validate", "bad.yml")
    assert code == 1
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "threshold" in text)
    assert f"bad.yml:{line}:" in out
    assert "gates.smoke.threshold" in out


def test_the_generated_schemas_carry_its_settings_and_details(registered: Path) -> None:
    schemas = generated_schemas()
    stages = json.dumps(schemas["maturity-stages.schema.json"])
    assert '"throwaway"' in stages
    assert "Lowest passing score." in stages
    report = json.dumps(schemas["maturity-eval.schema.json"])
    assert '"throwaway"' in report
    assert "What a score gate records." in report
    validator = jsonschema.Draft202012Validator(schemas["maturity-stages.schema.json"])
    assert validator.is_valid(load_yaml_text(STAGES, "s").data)
    assert not validator.is_valid(
        load_yaml_text(STAGES.replace("threshold: 5", "threshold: x"), "s").data
    )


def test_resolve_lists_the_gate(registered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "resolve", "--tag", "v1.0.0")
    assert code == 0
    assert "  smoke                 required" in out.splitlines()


@pytest.mark.parametrize(("score", "verdict", "exit_code"), [(7, "GO", 0), (2, "NO-GO", 1)])
def test_both_reports_show_the_gate(
    registered: Path,
    capsys: pytest.CaptureFixture[str],
    score: int,
    verdict: str,
    exit_code: int,
) -> None:
    (registered / "score.json").write_text(json.dumps({"score": score}), encoding="utf-8")
    code, out, err = cli(capsys, "evaluate", "--tag", "v1.0.0", "--output-dir", "out")
    assert code == exit_code, err
    data = json.loads((registered / "out" / "maturity-eval.json").read_text("utf-8"))
    markdown = (registered / "out" / "maturity-eval.md").read_text("utf-8")
    assert data["verdict"] == verdict
    [smoke] = [g for g in data["gates"] if g["gate"] == "smoke"]
    assert (smoke["kind"], smoke["title"]) == ("throwaway", "Smoke score")
    assert smoke["details"] == {"score": score, "threshold": 5}
    assert smoke["findings"][0]["id"] == "score:x"
    assert smoke["evidence"][0]["source"] == "score.json"
    assert f"Score board for smoke: {score} points." in markdown
    assert "smoke" in out
    # the committed report schema knows only the registered kinds; the one generated now knows
    # this one too, and the report is valid against it
    validator = jsonschema.Draft202012Validator(generated_schemas()["maturity-eval.schema.json"])
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
