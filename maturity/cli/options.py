"""What each command was asked, as frozen dataclasses built from argparse's ``Namespace``.

Checks that need only the command line live here (``GATE=PATH``, a ``--tag`` that names a
branch), so a command starts from options that make sense. Checks that
read files or the environment stay with the commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from maturity.errors import UsageError

if TYPE_CHECKING:
    from maturity.evaluate import EvaluateOptions
    from maturity.refs import Ref


@dataclass(frozen=True)
class ConfigChoice:
    """``--config FILE``, ``--builtin-config`` and ``--workspace DIR``.

    Giving both of the first two is refused where the choice is made, by
    ``maturity.workspace.load_config``, for every caller alike.
    """

    file: str | None
    builtin: bool
    workspace: str | None


def config_choice(args: argparse.Namespace) -> ConfigChoice:
    return ConfigChoice(args.config, args.builtin_config, args.workspace)


@dataclass(frozen=True)
class EvaluateCommandOptions:
    """``evaluate``: what to judge (:class:`maturity.evaluate.EvaluateOptions`), where the reports
    go, and what stdout shows (``text`` or ``json``)."""

    run: EvaluateOptions
    output_dir: Path
    stdout_format: str


def evaluate_options(args: argparse.Namespace) -> EvaluateCommandOptions:
    from maturity.evaluate import EvaluateOptions

    evidence = tuple(gate_path(pair) for pair in args.evidence)
    config = config_choice(args)
    run = EvaluateOptions(
        config=config.file,
        builtin_config=config.builtin,
        ref=args.ref,
        tag=args.tag,
        sha=args.sha,
        evidence=evidence,
        evidence_dir=args.evidence_dir,
        workspace=config.workspace,
        checks_file=args.checks_file,
        wait=args.wait,
    )
    return EvaluateCommandOptions(run, Path(args.output_dir), args.format)


def gate_path(pair: str) -> tuple[str, str]:
    """``--evidence GATE=PATH`` as ``(gate, path)``; whether the gate exists is the config's say."""
    name, sep, path = pair.partition("=")
    if not sep or not path or not name.strip():
        raise UsageError(
            f"--evidence {pair!r} is not GATE=PATH",
            "e.g. --evidence promotion_guard=checks.json",
        )
    return name.strip(), path


@dataclass(frozen=True)
class ResolveOptions:
    ref: Ref
    config: ConfigChoice
    format: str


def resolve_options(args: argparse.Namespace) -> ResolveOptions:
    ref = ref_to_resolve(args.ref, args.tag, args.branch)
    return ResolveOptions(ref, config_choice(args), args.format)


def ref_to_resolve(ref: str | None, tag: str | None, branch: str | None) -> Ref:
    """REF as given, or ``--tag``/``--branch`` NAME typed (and qualified) as what it is."""
    from maturity.refs import RefType, parse_ref
    from maturity.text import clean_text

    if ref is not None:
        return parse_ref(ref, source="REF")
    if tag is not None:
        flag, name, ref_type, prefix, other = "--tag", tag, RefType.TAG, "refs/tags/", "branch"
    else:
        assert branch is not None  # noqa: S101 - argparse requires one of the three
        flag, name, ref_type, prefix, other = (
            "--branch",
            branch,
            RefType.BRANCH,
            "refs/heads/",
            "tag",
        )
    if name.startswith("refs/") and not name.startswith(prefix):
        raise UsageError(
            f"{flag} '{clean_text(name, 80)}' is not a {ref_type.value} ref",
            f"pass the full ref as REF, or use --{other} for a {other}",
        )
    return parse_ref(name, hint=ref_type, source=flag)


@dataclass(frozen=True)
class ValidateOptions:
    file: str
    base: str | None
    strict: bool
    format: str  # text, github or json; the default already chosen


def validate_options(args: argparse.Namespace, env: Mapping[str, str]) -> ValidateOptions:
    from maturity.github_actions import in_actions

    fmt = args.format or ("github" if in_actions(env) else "text")
    return ValidateOptions(args.file, args.base, args.strict, fmt)


@dataclass(frozen=True)
class InitOptions:
    path: str
    force: bool


def init_options(args: argparse.Namespace) -> InitOptions:
    if not args.path.strip():
        raise UsageError(
            "--path is empty", "give the path of the file to write, e.g. ci/maturity-stages.yml"
        )
    return InitOptions(args.path, args.force)


@dataclass(frozen=True)
class SchemaOptions:
    which: str  # config, evidence or report


def schema_options(args: argparse.Namespace) -> SchemaOptions:
    return SchemaOptions(args.which)
