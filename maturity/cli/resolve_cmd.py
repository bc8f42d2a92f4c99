"""``maturity resolve``: which stage a ref resolves to, and why."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from maturity.cli.exit_codes import EXIT_GO
from maturity.cli.output import err, out


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from maturity.cli.options import resolve_options
    from maturity.config.resolver import resolve
    from maturity.report.resolve_writers import RESOLVE_WRITERS, MatchedMapping, ResolvedRef
    from maturity.workspace import load_config, workspace_from

    options = resolve_options(args)
    choice = options.config
    config, note = load_config(choice.file, choice.builtin, workspace_from(choice.workspace, env))
    resolution = resolve(config, options.ref)
    stage, mapping = resolution.stage, resolution.mapping
    resolved = ResolvedRef(
        ref=options.ref.full,
        ref_name=options.ref.name,
        ref_type=options.ref.type.value,
        config=config.source,
        stage=stage.name,
        description=stage.description,
        mapping=MatchedMapping(
            index=mapping.index,
            kind=mapping.kind,
            expression=mapping.expression,
            label=mapping.label,
            where=config.document.where(("mappings", mapping.index)),
        ),
        gates=tuple((gate, level.value) for gate, level in stage.levels.items()),
    )
    if note and options.format != "json":  # JSON output is for programs: stdout only
        err(f"maturity: note: {note}\n")
    out(RESOLVE_WRITERS[options.format](resolved))
    return EXIT_GO
