"""``maturity validate``: check a stages file and the waivers file; with ``--base`` or
``--base-ref``, also what a change to them does (``--fail-on-weaker``: exit 1 on a weakening).

The waivers file is ``--waivers``, or ``ci/maturity-waivers.yml`` when it exists.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maturity.cli.exit_codes import EXIT_GO, EXIT_NO_GO
from maturity.cli.output import out

if TYPE_CHECKING:
    from pathlib import Path

    from maturity.cli.options import ValidateOptions
    from maturity.config.types import Config
    from maturity.report.validate_writers import BaseComparison, WaiversCheck
    from maturity.waivers.types import WaiverSet


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from pathlib import Path

    from maturity.cli.options import validate_options
    from maturity.config.explain import gate_table
    from maturity.config.load import check_config_file
    from maturity.config.types import Severity
    from maturity.kinds import CATALOG
    from maturity.report.validate_writers import VALIDATE_WRITERS, Validation

    options = validate_options(args, env)
    if options.base_ref is not None:
        from maturity.cli.base_ref import check_ref

        check_ref(options.base_ref)  # before anything: an unknown base is exit 2
    config, problems = check_config_file(Path(options.file), CATALOG, options.file)
    valid = config is not None and not any(p.severity is Severity.ERROR for p in problems)
    head = config if valid else None
    waivers = _check_waivers(options.waivers, head)
    validation = Validation(
        file=options.file,
        problems=tuple(problems),
        strict=options.strict,
        gate_table=gate_table(config) if valid and config is not None else None,
        base=_compare(options, head, waivers),
        waivers=waivers.check if waivers is not None else None,
        fail_on_weaker=options.fail_on_weaker,
    )
    out(VALIDATE_WRITERS[options.format](validation))
    return EXIT_NO_GO if validation.failed else EXIT_GO


@dataclass(frozen=True)
class _Waivers:
    check: WaiversCheck
    loaded: WaiverSet | None  # None: the file's schema refuses it


def _check_waivers(given: str | None, config: Config | None) -> _Waivers | None:
    """The waivers file's problems: *given* (which must exist), else the default file if it
    exists, else None. Gate names are checked against *config* (None: the stages file is not
    valid, so only the waivers file's own shape is checked)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from maturity.waivers import DEFAULT_WAIVERS_PATH

    if given is None and not Path(DEFAULT_WAIVERS_PATH).exists():
        return None
    from maturity.report.validate_writers import WaiversCheck
    from maturity.waivers.load import check_waivers_file

    file = given if given is not None else DEFAULT_WAIVERS_PATH
    waivers, problems = check_waivers_file(
        Path(file),
        file,
        gates=tuple(config.gates) if config is not None else None,
        stage_caps=config.waiver_max_days if config is not None else {},
        now=datetime.now(UTC),
    )
    count = len(waivers.waivers) if waivers is not None else None
    return _Waivers(WaiversCheck(file, tuple(problems), count), waivers)


def _compare(
    options: ValidateOptions, head: Config | None, waivers: _Waivers | None
) -> BaseComparison | None:
    """The changes from the base to *head* (None: the file is not valid), the waivers file's
    included when both versions of it can be read."""
    if options.base is None and options.base_ref is None:
        return None
    from maturity.report.validate_writers import BaseComparison

    if options.base_ref is not None:
        label = f"{options.base_ref}:{options.file}"
        base, note = _base_at_ref(options.base_ref, options.file)
    else:
        assert options.base is not None  # noqa: S101 - one of the two is given
        label = options.base
        base, note = _load_base(options.base)
    if base is None or head is None:  # a comparison is meaningful only between two valid files
        return BaseComparison(label, note, comparable=False, changes=())
    from maturity.kinds.changes import all_changes

    changes = all_changes(base, head)
    if waivers is not None and waivers.loaded is not None:
        from maturity.waivers.changes import waiver_changes

        changes += waiver_changes(_base_waivers(options, waivers.check.file), waivers.loaded)
    return BaseComparison(label, note, comparable=True, changes=tuple(changes))


def _load_base(path: str, display: str | None = None) -> tuple[Config | None, str]:
    """The base version of the stages file, or None and why not (never fatal)."""
    from pathlib import Path

    from maturity.config.load import check_config_file
    from maturity.config.types import Severity
    from maturity.errors import ConfigError
    from maturity.kinds import CATALOG

    if not Path(path).exists():
        return None, "(no base file: the stages file is new)"
    try:
        base, problems = check_config_file(Path(path), CATALOG, display or path)
    except ConfigError as exc:
        return None, f"(the base file cannot be read, so changes are not shown: {exc.message})"
    if base is None or any(p.severity is Severity.ERROR for p in problems):
        return None, "(the base file is not valid, so changes are not shown)"
    return base, ""


def _base_at_ref(ref: str, file: str) -> tuple[Config | None, str]:
    from maturity.cli.base_ref import file_at

    data = file_at(ref, file)
    if data is None:
        return None, f"(no {file} at {ref}: the stages file is new)"
    with _temporary(data, file) as path:
        return _load_base(str(path), f"{ref}:{file}")


def _base_waivers(options: ValidateOptions, file: str) -> WaiverSet | None:
    """The base version of the waivers file: from git with --base-ref, --base-waivers with
    --base; None when there is none (every waiver is new) or it cannot be read."""
    from maturity.errors import ConfigError
    from maturity.waivers.load import load_waivers_file

    try:
        if options.base_ref is not None:
            from maturity.cli.base_ref import file_at

            data = file_at(options.base_ref, file)
            if data is None:
                return None
            with _temporary(data, file) as path:
                return load_waivers_file(path, f"{options.base_ref}:{file}")
        if options.base_waivers is not None:
            from pathlib import Path

            return load_waivers_file(Path(options.base_waivers), options.base_waivers)
    except ConfigError:
        return None  # an invalid base: every waiver of the new file shows as added
    return None


@contextmanager
def _temporary(data: bytes, file: str) -> Iterator[Path]:
    """A temporary file holding *data* (a file's version from git), named like *file*, so it
    is read by the same bounded readers as any file (messages show the display name)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="maturity-base-") as folder:
        path = Path(folder) / Path(file).name
        path.write_bytes(data)
        yield path
