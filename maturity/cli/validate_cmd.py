"""``maturity validate``: check a stages file (and, with ``--base``, what a change to it does)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

from maturity.cli.exit_codes import EXIT_GO, EXIT_NO_GO
from maturity.cli.output import out

if TYPE_CHECKING:
    from maturity.config.types import Config
    from maturity.report.validate_writers import BaseComparison


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from pathlib import Path

    from maturity.cli.options import validate_options
    from maturity.config.explain import gate_table
    from maturity.config.load import check_config_file
    from maturity.config.types import Severity
    from maturity.kinds import CATALOG
    from maturity.report.validate_writers import VALIDATE_WRITERS, Validation

    options = validate_options(args, env)
    config, problems = check_config_file(Path(options.file), CATALOG, options.file)
    valid = config is not None and not any(p.severity is Severity.ERROR for p in problems)
    validation = Validation(
        file=options.file,
        problems=tuple(problems),
        strict=options.strict,
        gate_table=gate_table(config) if valid and config is not None else None,
        base=_compare(options.base, config if valid else None),
    )
    out(VALIDATE_WRITERS[options.format](validation))
    return EXIT_NO_GO if validation.failed else EXIT_GO


def _compare(base_path: str | None, head: Config | None) -> BaseComparison | None:
    """``--base``: the changes from the base file to *head* (None: the file is not valid)."""
    if base_path is None:
        return None
    from maturity.report.validate_writers import BaseComparison

    base, note = _load_base(base_path)
    if base is None or head is None:  # a comparison is meaningful only between two valid files
        return BaseComparison(base_path, note, comparable=False, changes=())
    from maturity.kinds.changes import all_changes

    return BaseComparison(base_path, note, comparable=True, changes=tuple(all_changes(base, head)))


def _load_base(path: str) -> tuple[Config | None, str]:
    """The base version of the stages file, or None and why not (never fatal)."""
    from pathlib import Path

    from maturity.config.load import check_config_file
    from maturity.config.types import Severity
    from maturity.errors import ConfigError
    from maturity.kinds import CATALOG

    if not Path(path).exists():
        return None, "(no base file: the stages file is new)"
    try:
        base, problems = check_config_file(Path(path), CATALOG, path)
    except ConfigError as exc:
        return None, f"(the base file cannot be read, so changes are not shown: {exc.message})"
    if base is None or any(p.severity is Severity.ERROR for p in problems):
        return None, "(the base file is not valid, so changes are not shown)"
    return base, ""
