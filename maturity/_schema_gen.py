"""Regenerate the schemas that are derived from models: ``python -m maturity._schema_gen``.

The kinds registry (``maturity.kinds.KINDS``) decides what the stages-file and report schemas
say about gates: each built-in gate takes its default kind's settings, any other gate names its
kind and takes that kind's settings (a union told apart by ``kind``), and each gate entry of a
report has its kind's ``details``. A test fails when the committed files differ from what this
produces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

SCHEMA_DIR = Path(__file__).parent / "schemas"

CUSTOM_GATE = "CustomGate"


def _gates(refs: dict[str, Any], description: str) -> dict[str, Any]:
    """``gates:``: each built-in gate with its kind's declaration, any other a custom gate.

    *refs*: each kind's declaration model, as a ``$ref``.
    """
    from maturity.config.builtin_gates import BUILTIN_GATES
    from maturity.config.models import GATE_NAME_PATTERN

    return {
        "description": description,
        "title": "Gates",
        "type": "object",
        "propertyNames": {"pattern": GATE_NAME_PATTERN},
        "properties": {name: refs[gate.kind] for name, gate in BUILTIN_GATES.items()},
        "additionalProperties": {"$ref": f"#/$defs/{CUSTOM_GATE}"},
    }


def _custom_gate(refs: dict[str, Any]) -> dict[str, Any]:
    """Any gate but the built-in ones: one branch per kind, chosen by its required ``kind``."""
    branches = [
        {"allOf": [ref], "properties": {"kind": {"const": kind}}, "required": ["kind"]}
        for kind, ref in refs.items()
    ]
    return {
        "description": "A gate other than the built-in ones: `kind` names its code "
        f"({', '.join(refs)}), whose settings sit beside it.",
        "oneOf": branches,
    }


def stages_schema() -> dict[str, Any]:
    """``maturity-stages.schema.json``: :class:`StagesFile`, with ``gates`` from the registry."""
    from maturity.config.declaration import declaration_model
    from maturity.config.exception_models import ExceptionPolicySpec
    from maturity.config.exception_policy import POLICY_KEYS
    from maturity.config.models import StagesFile
    from maturity.kinds import CATALOG

    models = {
        kind: declaration_model(kind, CATALOG.settings_model(kind)) for kind in CATALOG.kind_names()
    }
    refs, top = models_json_schema(
        [
            (StagesFile, "validation"),
            (ExceptionPolicySpec, "validation"),
            *((m, "validation") for m in models.values()),
        ],
        ref_template="#/$defs/{model}",
    )
    defs = top["$defs"]
    schema = defs.pop(StagesFile.__name__)
    # the exception policy's sections, as its models describe them (the loader validates them
    # with those models; StagesFile reads them as plain data)
    policy = defs.pop(ExceptionPolicySpec.__name__)
    for key in POLICY_KEYS:
        schema["properties"][key] = policy["properties"][key]
    kind_refs = {kind: refs[model, "validation"] for kind, model in models.items()}
    schema["properties"]["gates"] = _gates(
        kind_refs, StagesFile.model_fields["gates"].description or ""
    )
    defs[CUSTOM_GATE] = _custom_gate(kind_refs)
    schema["$defs"] = defs
    return GenerateJsonSchema().sort(schema)


def report_schema() -> dict[str, Any]:
    """``maturity-eval.schema.json``: the report's models, each gate's details its kind's."""
    from maturity.kinds import KINDS, load_kind
    from maturity.report.schema_models import report_schema as build

    kinds = {name: load_kind(name) for name in KINDS}
    return build({name: kind.details() if kind.details else None for name, kind in kinds.items()})


def generated_schemas() -> dict[str, dict[str, Any]]:
    from maturity.evidence.file_schema import EvidenceFile
    from maturity.waivers.models import WaiversFile

    return {
        "maturity-stages.schema.json": stages_schema(),
        "evidence.schema.json": EvidenceFile.model_json_schema(),
        "maturity-eval.schema.json": report_schema(),
        "maturity-waivers.schema.json": WaiversFile.model_json_schema(),
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for name, schema in generated_schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema), encoding="utf-8")
        print(f"wrote {SCHEMA_DIR / name}")


if __name__ == "__main__":
    main()
