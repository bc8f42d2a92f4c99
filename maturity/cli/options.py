"""What each command was asked, as frozen dataclasses built from argparse's ``Namespace``.

Checks that need only the command line live here (``GATE=PATH``, a ``--tag`` that names a
branch), so a command starts from options that make sense. Checks that
read files or the environment stay with the commands.
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from maturity.errors import UsageError

if TYPE_CHECKING:
    from maturity.evaluate import EvaluateOptions
    from maturity.refs import Ref


def non_empty(flag: str, value: str | None, fix: str) -> str | None:
    """*value* as given (None when the option is absent); an empty or blank one is refused,
    since it would name the current folder or nothing at all."""
    if value is not None and not value.strip():
        raise UsageError(f"{flag} is empty", fix)
    return value


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
    audit_log: Path | None = None
    output_json: Path | None = None  # --output-json FILE: the JSON report's own path
    output_md: Path | None = None  # --output-md FILE: the Markdown report's own path


def evaluate_options(args: argparse.Namespace) -> EvaluateCommandOptions:
    from maturity.evaluate import EvaluateOptions

    evidence = evidence_pairs(args)
    config = config_choice(args)
    file = policy_or_config(args.policy, config)
    run = EvaluateOptions(
        config=file,
        builtin_config=config.builtin,
        ref=args.ref,
        tag=args.tag,
        sha=args.sha,
        evidence=evidence,
        evidence_dir=args.evidence_dir,
        workspace=config.workspace,
        checks_file=args.checks_file,
        wait=args.wait,
        now=now_option(args.now),
        waivers=args.waivers,
        overrides=tuple(args.override),
        override_freeze=args.override_freeze,
        reason=args.reason,
    )
    audit_log = non_empty("--audit-log", args.audit_log, "give the path of the audit log file")
    return EvaluateCommandOptions(
        run,
        Path(args.output_dir),
        args.format,
        None if audit_log is None else Path(audit_log),
        output_json=_report_path("--output-json", args.output_json),
        output_md=_report_path("--output-md", args.output_md),
    )


def policy_or_config(policy: str | None, config: ConfigChoice) -> str | None:
    """``--policy FILE`` (the TypeScript evaluator's flag) is ``--config FILE``; giving it with
    ``--config`` or ``--builtin-config`` is refused, as those two are together."""
    if policy is None:
        return config.file
    other = (
        "--config" if config.file is not None else "--builtin-config" if config.builtin else None
    )
    if other is not None:
        raise UsageError(
            f"give --policy or {other}, not both",
            "drop one of them (--policy FILE is an alias of --config FILE)",
        )
    return policy


def evidence_pairs(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """``--evidence GATE=PATH`` pairs, then one per gate alias given (``--promotion-guard FILE``
    is ``--evidence promotion_guard=FILE``); an alias and ``--evidence`` for one gate is refused."""
    from maturity.cli.parser import ALIAS_GATES

    pairs = [gate_path(pair) for pair in args.evidence]
    named = {name for name, _ in pairs}
    for flag, gate in ALIAS_GATES.items():
        path = non_empty(
            flag,
            getattr(args, f"alias_{gate}"),
            "give the evidence file's path, relative to the workspace",
        )
        if path is None:
            continue
        if gate in named:
            raise UsageError(
                f"give {flag} FILE or --evidence {gate}=PATH, not both",
                f"drop one of them ({flag} FILE is an alias of --evidence {gate}=FILE)",
            )
        pairs.append((gate, path))
    return tuple(pairs)


def _report_path(flag: str, value: str | None) -> Path | None:
    path = non_empty(flag, value, f"give {flag} the path of the report file to write")
    return None if path is None else Path(path)


def now_option(value: str | None) -> datetime.datetime | None:
    """``--now``: an ISO 8601 time with an explicit offset or Z."""
    if value is None:
        return None
    from maturity.config.freeze import parse_instant
    from maturity.text import clean_text

    try:
        return parse_instant(value)
    except ValueError as exc:
        raise UsageError(
            f"--now {clean_text(value, 80)!r}: {exc}",
            "give a time with its offset, e.g. --now 2026-12-24T10:00:00Z",
        ) from None


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
    #: --waivers FILE (must exist); None: ci/maturity-waivers.yml if it exists, decided by the command
    waivers: str | None = None
    base_ref: str | None = None  # --base-ref REF: the base versions come from git
    base_waivers: str | None = None  # --base-waivers FILE (with --base)
    fail_on_weaker: bool = False


def validate_options(args: argparse.Namespace, env: Mapping[str, str]) -> ValidateOptions:
    from maturity.github_actions import in_actions

    fmt = args.format or ("github" if in_actions(env) else "text")
    non_empty("--waivers", args.waivers, "give the waivers file, e.g. ci/maturity-waivers.yml")
    if args.base_waivers is not None and args.base is None:
        raise UsageError(
            "--base-waivers needs --base",
            "give --base BASE_FILE too, or use --base-ref REF, which reads both from git",
        )
    if args.fail_on_weaker and args.base is None and args.base_ref is None:
        raise UsageError(
            "--fail-on-weaker needs something to compare with",
            "give --base-ref REF (e.g. origin/main) or --base BASE_FILE",
        )
    return ValidateOptions(
        args.file,
        args.base,
        args.strict,
        fmt,
        args.waivers,
        base_ref=args.base_ref,
        base_waivers=args.base_waivers,
        fail_on_weaker=args.fail_on_weaker,
    )


@dataclass(frozen=True)
class InitOptions:
    path: str
    force: bool


def init_options(args: argparse.Namespace) -> InitOptions:
    non_empty(
        "--path", args.path, "give the path of the file to write, e.g. ci/maturity-stages.yml"
    )
    return InitOptions(args.path, args.force)


@dataclass(frozen=True)
class MigrateOptions:
    file: str
    refs: tuple[str, ...]  # short names, validated
    target: str | None  # where to write: FILE (--write), --output, or None (stdout)


def migrate_options(args: argparse.Namespace) -> MigrateOptions:
    from maturity.refs import parse_ref

    non_empty("FILE", args.file, "give the old stages file, e.g. ci/maturity-stages.yml")
    non_empty("--output", args.output, "give the path of the file to write")
    refs = tuple(dict.fromkeys(parse_ref(r, source="--ref").name for r in args.ref))
    target = args.file if args.write else args.output
    return MigrateOptions(args.file, refs, target)


@dataclass(frozen=True)
class SchemaOptions:
    which: str  # config, evidence or report


def schema_options(args: argparse.Namespace) -> SchemaOptions:
    return SchemaOptions(args.which)
