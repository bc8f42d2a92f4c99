"""``maturity migrate``: the TypeScript evaluator's stages file as a version 1 file, checked.

Prints the new file (or, with ``--write``, replaces FILE with it; with ``--output``, writes it
there), after resolving the typical refs and every ``--ref`` both ways (the old reading and the
new file); when any ref would change stage, nothing is printed or written and the exit code is
1. Notes, warnings and the check's summary go to stderr, so stdout is the file alone.

``--write`` keeps no backup beside the file: the old version is in git (the stages file is
committed), a backup file in ``ci/`` would be one more file for tools to pick up, and a file
that is already migrated is refused, so running the command twice cannot lose anything.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from maturity.cli.exit_codes import EXIT_GO, EXIT_NO_GO
from maturity.cli.output import err, out

if TYPE_CHECKING:
    from maturity.cli.options import MigrateOptions
    from maturity.config.migrate import Difference, Migration


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from pathlib import Path

    from maturity.cli.options import migrate_options
    from maturity.config.migrate import OldReadingError, check, migrate
    from maturity.config.old_format import read_old_file
    from maturity.config.typical_refs import TYPICAL_REFS
    from maturity.config.yaml_loader import load_yaml_file
    from maturity.errors import ConfigError
    from maturity.kinds import CATALOG

    options = migrate_options(args)
    path = Path(options.file)
    if not path.exists() and not path.is_symlink():
        raise ConfigError(
            f"{options.file}: no such file",
            "give the TypeScript evaluator's stages file: maturity migrate FILE "
            "(default: ci/maturity-stages.yml, relative to the current directory)",
        )
    doc, _ = load_yaml_file(path, options.file)
    old = read_old_file(doc)
    candidates = list(dict.fromkeys([*options.refs, *TYPICAL_REFS]))
    migration = migrate(old, candidates, CATALOG, options.target or f"{options.file} (migrated)")
    try:
        with _time_limit(OLD_READING_SECONDS, options.file):
            differences = check(old, migration.config, candidates)
    except OldReadingError as exc:
        err(
            f"maturity: error: {exc}\n  fix: simplify that pattern in {options.file}, or "
            "convert it by hand; nothing was written\n"
        )
        return EXIT_NO_GO
    if differences:
        _report_differences(options.file, differences, len(candidates))
        return EXIT_NO_GO
    _report(migration, options, len(candidates))
    if options.target is None:
        out(migration.text)
        return EXIT_GO
    _write(options.target, migration.text, "FILE" if args.write else "--output")
    err(f"maturity: wrote {options.target}; check it with `maturity validate {options.target}`\n")
    return EXIT_GO


#: Longest the old reading may take over all the refs. Python's ``re`` backtracks, as
#: JavaScript's engine did: ``(a+)+$`` against a long ref would run for hours.
OLD_READING_SECONDS = 5.0


@contextmanager
def _time_limit(seconds: float, file: str) -> Iterator[None]:
    """Stop the old reading after *seconds* with :class:`OldReadingError` (``re`` checks for
    signals while it matches). Only where a real-time timer exists, in the main thread."""
    import signal
    import threading

    from maturity.config.migrate import OldReadingError

    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise OldReadingError(
            f"{file}: reading the refs with the old patterns took more than {seconds:g} s: a "
            "pattern backtracks catastrophically (nested repetition such as (a+)+ ), as it "
            "did under JavaScript, so the check cannot finish"
        )

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _stage(stage: str | None) -> str:
    return stage if stage is not None else "no stage (an error)"


def _report_differences(file: str, differences: list[Difference], checked: int) -> None:
    from maturity.text import clean_text

    lines = [
        f"maturity: error: {len(differences)} of {checked} refs would change stage; nothing "
        "was written:"
    ]
    lines += [
        f"  {clean_text(d.name, 200)}: before {_stage(d.old)}, after {_stage(d.new)}"
        for d in differences
    ]
    lines.append(
        f"  fix: rewrite those patterns in {file} so that JavaScript and RE2 read them alike "
        "(docs/migrating.md lists where they differ), or convert them by hand"
    )
    err("\n".join(lines) + "\n")


def _report(migration: Migration, options: MigrateOptions, checked: int) -> None:
    from maturity.text import clean_text

    for note in migration.notes:
        err(f"maturity: note: {clean_text(note, 500)}\n")
    for m in migration.mappings:
        if m.examples or m.old is None:
            continue
        err(
            f"maturity: warning: {clean_text(m.old.where, 300)}: mappings[{m.old.index}] "
            f"('{clean_text(m.old.pattern, 120)}') gets no example: none of the {checked} refs "
            "checked resolves to it, so the check says nothing about it\n"
            "  fix: pass refs it should match with --ref (repeatable), e.g. --ref NAME, and "
            "migrate again\n"
        )
    for problem in migration.warnings:
        err(f"maturity: warning: {problem.render()}\n")
    extra = f", {len(options.refs)} given with --ref" if options.refs else ""
    err(
        f"maturity: {checked} refs checked (the typical tags and branches{extra}): every one "
        "resolves to the same stage under the old file (JavaScript patterns, found anywhere in "
        "the name) and the new one\n"
    )


def _write(target: str, text: str, flag: str) -> None:
    from pathlib import Path

    from maturity.errors import OutputError
    from maturity.report.atomic import write_file

    path = Path(target)
    if path.is_dir():
        raise OutputError(f"{target} is a folder", "give the path of a file")
    write_file(
        path,
        text,
        flag=flag,
        display=target,
        fix="check that the folder is writable, or pass another --output",
    )
