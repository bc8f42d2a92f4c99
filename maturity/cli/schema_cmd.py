"""``maturity schema``: print one of the JSON Schemas shipped with the package."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from maturity.cli.exit_codes import EXIT_GO
from maturity.cli.output import out

#: ``schema WHICH`` -> its file in ``maturity/schemas``
SCHEMA_FILES = {
    "config": "maturity-stages.schema.json",
    "evidence": "evidence.schema.json",
    "report": "maturity-eval.schema.json",
    "waivers": "maturity-waivers.schema.json",
}


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from importlib import resources

    from maturity.cli.options import schema_options

    options = schema_options(args)
    name = SCHEMA_FILES[options.which]
    out(resources.files("maturity").joinpath("schemas", name).read_text(encoding="utf-8"))
    return EXIT_GO
