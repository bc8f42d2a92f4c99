"""``maturity init``: write the built-in defaults to a stages file."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

from maturity.cli.exit_codes import EXIT_GO
from maturity.cli.output import out


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from pathlib import Path

    from maturity.cli.options import init_options
    from maturity.config.defaults import DEFAULT_STAGES_YAML
    from maturity.errors import OutputError, UsageError
    from maturity.report.atomic import describe, not_a_folder, write_file

    options = init_options(args)
    path = Path(options.path)
    if path.is_dir() or options.path.endswith(("/", os.sep)):
        what = "a folder" if path.is_dir() else "a folder name (it ends in /)"
        raise UsageError(
            f"--path {options.path} is {what}, not a file",
            f"give the path of the stages file to write, e.g. "
            f"--path {(path / 'maturity-stages.yml').as_posix()}",
        )
    if (culprit := not_a_folder(path.parent)) is not None:
        raise OutputError(
            f"cannot write {options.path}: {culprit} is {describe(culprit)}",
            f"move {culprit} away, or pass a --path in a folder",
        )
    if (path.exists() or path.is_symlink()) and not options.force:
        raise UsageError(f"{options.path} already exists", "pass --force to overwrite it")
    write_file(
        path,
        DEFAULT_STAGES_YAML,
        flag="--path",
        display=options.path,
        fix="check that the folder is writable, or pass another --path",
    )
    out(
        f"wrote the built-in defaults to {options.path}; check it with "
        f"`maturity validate {options.path}`\n"
    )
    return EXIT_GO
