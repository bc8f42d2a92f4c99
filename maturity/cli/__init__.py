"""The command line: parse, dispatch to one module per command, turn failures into exit codes.

Imports are lazy: each command pulls in only what it uses, so start-up stays fast (``--help``,
``schema`` and ``init`` load no pydantic; ``resolve`` loads no gate kind the config does not
name).

- ``parser.py``: the grammar (flags, help, usage); ``options.py``: each command's options.
- ``evaluate_cmd.py``, ``resolve_cmd.py``, ``validate_cmd.py``, ``audit_cmd.py``,
  ``init_cmd.py``, ``schema_cmd.py``, ``migrate_cmd.py``: the commands (``base_ref.py``: validate's base from
  git); ``output.py``: every printed line.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence

from maturity.cli.exit_codes import EXIT_CODES, EXIT_ERROR, EXIT_GO, EXIT_NO_GO
from maturity.cli.output import err, out

__all__ = ["EXIT_CODES", "EXIT_ERROR", "EXIT_GO", "EXIT_NO_GO", "main"]

Command = Callable[[argparse.Namespace, Mapping[str, str]], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line *argv* (default: ``sys.argv[1:]``) and return its exit code.

    ``--help``, ``--version`` and usage errors leave through ``SystemExit``, as argparse does.
    """
    # pydantic looks for third-party plugins in every installed package's entry points the
    # first time it builds a model (~15 ms of start-up); maturity uses none, and a plugin
    # would see the stages file and the evidence as they are validated
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from maturity.cli.parser import build_parser

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        if exc.code == EXIT_ERROR:  # a usage error, explained on stderr by the parser
            _no_verdict(
                "",
                "the command line was not understood (the step's log shows why)",
                "see `maturity --help`",
            )
        raise
    return _run(args.command, args)


#: each command's module (``maturity.cli.<module>``), imported only when it is the one asked for
COMMAND_MODULES = {
    "evaluate": "evaluate_cmd",
    "resolve": "resolve_cmd",
    "validate": "validate_cmd",
    "init": "init_cmd",
    "schema": "schema_cmd",
    "audit": "audit_cmd",
    "migrate": "migrate_cmd",
}


def _command(name: str) -> Command:
    """The command's ``run``, imported only when it is the one asked for."""
    # __import__ rather than importlib.import_module, as for kinds: `python -X importtime`
    # lists it, so start-up profiles show the command's own imports
    module = __import__(f"maturity.cli.{COMMAND_MODULES[name]}", fromlist=["run"])
    run: Command = module.run
    return run


def _run(name: str, args: argparse.Namespace) -> int:
    """Run the command *name*; every failure is exit 2 (no verdict), said on stderr and in the job summary."""
    from maturity.errors import MaturityError
    from maturity.github_actions import in_actions  # loaded anyway: every printed line uses it

    try:
        return _command(name)(args, os.environ)
    except MaturityError as exc:
        err(f"maturity: error: {exc.render()}\n")
        if in_actions(os.environ):
            from maturity.github_actions import command as workflow_command

            out(workflow_command("error", exc.render(), title="maturity") + "\n")
        _no_verdict(name, exc.message, exc.remediation)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err("maturity: interrupted: no verdict\n")
        _no_verdict(name, "interrupted", "run it again")
        return EXIT_ERROR
    except Exception:  # a bug: say so, keep the traceback, and never let it read as GO or NO-GO
        import traceback

        traceback.print_exc()
        err(
            "maturity: internal error: no verdict\n  fix: this is a bug in maturity; please report it "
            "with the traceback above\n"
        )
        _no_verdict(
            name,
            "internal error",
            "this is a bug in maturity; please report it with the traceback in the step's log",
        )
        return EXIT_ERROR


def _no_verdict(name: str, message: str, remediation: str) -> None:
    from maturity.github_actions import summarise_no_verdict

    summarise_no_verdict(os.environ, name, message, remediation)
