"""Regenerate the schemas that are derived from models: ``python -m maturity._schema_gen``.

A test fails when the committed files differ from what this produces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent / "schemas"


def generated_schemas() -> dict[str, dict[str, Any]]:
    from maturity.config.models import StagesFile
    from maturity.evidence.file_format import EvidenceFile

    return {
        "maturity-stages.schema.json": StagesFile.model_json_schema(),
        "evidence.schema.json": EvidenceFile.model_json_schema(),
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    for name, schema in generated_schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema), encoding="utf-8")
        print(f"wrote {SCHEMA_DIR / name}")


if __name__ == "__main__":
    main()
