"""Command line. Imports are lazy: each command pulls in only what it uses, so start-up stays fast."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from maturity import __version__

if TYPE_CHECKING:
    from maturity.config.types import Config
    from maturity.github_actions import RunnerFiles
    from maturity.refs import Ref

EXIT_GO, EXIT_NO_GO, EXIT_ERROR = 0, 1, 2

EXIT_CODES = """exit codes:
  0  GO (evaluate), clean (validate), done (other commands)
  1  NO-GO (evaluate), problems found (validate)
  2  usage, config, ref, environment or output error: no verdict, no report written"""

GATE_NAMES = (
    "promotion_guard",
    "observability_verify",
    "deps_approval",
    "policy_drift",
    "field_budgets",
)


def _out(text: str) -> None:
    _emit(sys.stdout, text)


def _err(text: str) -> None:
    _emit(sys.stderr, text)


def _emit(stream: TextIO, text: str) -> None:
    """Every line the CLI prints goes through here.

    The Actions runner reads workflow commands from stdout *and* stderr, and honours the legacy
    ``##[command]`` form anywhere in a line. Messages can quote evidence, refs or a pull
    request's YAML, so that form is defused in everything we print, not only in reports.
    """
    from maturity.github_actions import defuse_legacy_commands

    stream.write(defuse_legacy_commands(text))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        _err(self.format_usage())
        _err(f"maturity: error: {message}\n  fix: see `{self.prog} --help`\n")
        raise SystemExit(EXIT_ERROR)


def _config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="FILE",
        help="stages file, relative to the current directory (default: ci/maturity-stages.yml in "
        "the workspace; the built-in defaults if that is absent)",
    )
    p.add_argument(
        "--builtin-config", action="store_true", help="use the built-in defaults, ignoring any file"
    )
    p.add_argument(
        "--workspace", metavar="DIR", help="workspace root (default: $GITHUB_WORKSPACE, else .)"
    )


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="maturity",
        description="Decide whether a tagged commit may ship: resolve its maturity stage, run the "
        "stage's gates, and write a GO/NO-GO report.",
        epilog=EXIT_CODES,
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"maturity {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    ev = sub.add_parser(
        "evaluate",
        help="judge a ref and write maturity-eval.json / maturity-eval.md",
        description="Resolve the ref's stage, run its gates on the evidence, decide GO or NO-GO, and "
        "write both reports. Evidence per gate: --evidence if given, else --evidence-dir/<gate>.json, "
        "else gates.<gate>.evidence in the stages file. promotion_guard without evidence reads the "
        "commit's check runs and statuses from the GitHub API (GITHUB_API_URL, GITHUB_TOKEN, "
        "GITHUB_REPOSITORY), or a saved answer given with --checks-file. Under GitHub Actions (GITHUB_ACTIONS=true) it "
        "also appends the job summary, writes step outputs and emits annotations.",
        epilog=EXIT_CODES,
        formatter_class=fmt,
    )
    refs = ev.add_mutually_exclusive_group()
    refs.add_argument(
        "--ref",
        help="ref to judge: refs/tags/X, refs/heads/X or a bare name (default: $GITHUB_REF)",
    )
    refs.add_argument("--tag", help="tag to judge (a bare name is taken as refs/tags/NAME)")
    ev.add_argument("--sha", help="full commit SHA of the ref (default: $GITHUB_SHA)")
    _config_options(ev)
    ev.add_argument(
        "--evidence",
        action="append",
        default=[],
        metavar="GATE=PATH",
        help="evidence file for a gate, relative to the workspace (repeatable; gates: "
        f"{', '.join(GATE_NAMES)})",
    )
    ev.add_argument(
        "--evidence-dir",
        metavar="DIR",
        help="folder in the workspace holding <gate>.json evidence files (relative to the "
        "workspace); a gate whose file is absent is missing, except promotion_guard, which then "
        "reads GitHub (or --checks-file)",
    )
    ev.add_argument(
        "--checks-file",
        metavar="FILE",
        help="promotion_guard: judge the check runs and statuses saved in FILE, relative to the "
        "current directory (the JSON of `gh api --paginate` on .../commits/SHA/check-runs and "
        ".../commits/SHA/status) instead of asking GitHub; give --sha (or GITHUB_SHA) to bind "
        "the decision to the released commit",
    )
    ev.add_argument(
        "--wait",
        action="store_true",
        help="promotion_guard: while required checks are pending or not there yet, poll until "
        "they settle or gates.promotion_guard.wait.timeout passes (default 600 s)",
    )
    ev.add_argument(
        "--output-dir",
        metavar="DIR",
        default="dist/maturity",
        help="where reports go (default: dist/maturity)",
    )
    ev.add_argument(
        "--format", choices=("text", "json"), default="text", help="what to print on stdout"
    )

    rs = sub.add_parser(
        "resolve",
        help="show which stage a ref resolves to, and why",
        usage="%(prog)s (REF | --tag NAME | --branch NAME) [--config FILE | --builtin-config]\n"
        "       [--workspace DIR] [--format {text,json}]",
        description="Print the stage a ref resolves to, the mapping that matched (with its file and "
        "line), and the stage's gate levels. Mappings see the short name (refs/tags/v1.2.3 and "
        "v1.2.3 both give v1.2.3), so the stage is the same whatever the ref's type; --tag and "
        "--branch say what a bare name is, as evaluate will see it (a bare REF is of unknown type).",
        epilog=EXIT_CODES,
        formatter_class=fmt,
    )
    which = rs.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "ref", nargs="?", metavar="REF", help="refs/tags/X, refs/heads/X or a bare name"
    )
    which.add_argument("--tag", metavar="NAME", help="a tag: NAME or refs/tags/NAME")
    which.add_argument("--branch", metavar="NAME", help="a branch: NAME or refs/heads/NAME")
    _config_options(rs)
    rs.add_argument(
        "--format", choices=("text", "json"), default="text", help="what to print (default: text)"
    )

    va = sub.add_parser(
        "validate",
        help="check a stages file's shape and meaning",
        usage="%(prog)s [FILE] [--base BASE_FILE] [--strict] [--format {text,github,json}]",
        description="Check a stages file: schema, unknown gates or stages, stages no mapping names, "
        "shadowed mappings, a catch-all that is not last, invalid patterns, examples that resolve "
        "elsewhere (errors); a gate weaker at a more mature stage, no catch-all, and what resolving "
        "typical refs (v1.2.3, v1.2.3-rc.1, v1.2.3-beta.1, main, feature/x, ...) and every example "
        "shows: a stage none of them reaches, a full release tag sent to a weaker stage than a "
        "later mapping would give it (warnings). Exit 1 on errors (and on warnings with --strict), "
        "2 when the file cannot be read as YAML.",
        epilog=EXIT_CODES,
        formatter_class=fmt,
    )
    va.add_argument(
        "file",
        nargs="?",
        default="ci/maturity-stages.yml",
        metavar="FILE",
        help="the stages file, relative to the current directory (default: ci/maturity-stages.yml)",
    )
    va.add_argument("--strict", action="store_true", help="treat warnings as problems (exit 1)")
    va.add_argument(
        "--base",
        metavar="BASE_FILE",
        help="the previous version of the file, relative to the current directory: also show what "
        "the change does (levels that moved, weaker or stronger, and refs that now resolve to "
        "another stage); each change that weakens a release gate counts as a warning",
    )
    va.add_argument(
        "--format",
        choices=("text", "github", "json"),
        help="text, GitHub annotations, or JSON (default: github under Actions, else text)",
    )

    it = sub.add_parser(
        "init",
        help="write the built-in defaults to a stages file",
        epilog=EXIT_CODES,
        formatter_class=fmt,
    )
    it.add_argument(
        "--path",
        default="ci/maturity-stages.yml",
        help="where to write (default: ci/maturity-stages.yml)",
    )
    it.add_argument("--force", action="store_true", help="overwrite an existing file")

    sc = sub.add_parser(
        "schema", help="print a JSON Schema", epilog=EXIT_CODES, formatter_class=fmt
    )
    sc.add_argument("which", choices=("config", "evidence", "report"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        if exc.code == EXIT_ERROR:  # a usage error, explained on stderr by the parser
            from maturity.github_actions import summarise_no_verdict

            summarise_no_verdict(
                os.environ,
                "",
                "the command line was not understood (the step's log shows why)",
                "see `maturity --help`",
            )
        raise
    from maturity.errors import MaturityError
    from maturity.github_actions import summarise_no_verdict  # loaded anyway: _emit uses it

    handlers = {
        "evaluate": _evaluate,
        "resolve": _resolve,
        "validate": _validate,
        "init": _init,
        "schema": _schema,
    }
    try:
        return handlers[args.command](args)
    except MaturityError as exc:
        _err(f"maturity: error: {exc.render()}\n")
        if os.environ.get("GITHUB_ACTIONS") == "true":
            from maturity.github_actions import command

            _out(command("error", exc.render(), title="maturity") + "\n")
        summarise_no_verdict(os.environ, args.command, exc.message, exc.remediation)
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("maturity: interrupted: no verdict\n")
        summarise_no_verdict(os.environ, args.command, "interrupted", "run it again")
        return EXIT_ERROR
    except Exception:  # a bug: say so, keep the traceback, and never let it read as GO or NO-GO
        import traceback

        traceback.print_exc()
        _err(
            "maturity: internal error: no verdict\n  fix: this is a bug in maturity; please report it "
            "with the traceback above\n"
        )
        summarise_no_verdict(
            os.environ,
            args.command,
            "internal error",
            "this is a bug in maturity; please report it with the traceback in the step's log",
        )
        return EXIT_ERROR


def _evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from maturity.evaluate import EvaluateOptions, run_evaluate
    from maturity.report.atomic import check_output_folder, write_atomically
    from maturity.report.json_report import JsonReportWriter
    from maturity.report.markdown_report import MarkdownReportWriter

    env = dict(os.environ)
    output_dir = Path(args.output_dir)
    check_output_folder(output_dir)  # at once: a wrong --output-dir fails before a long --wait
    options = EvaluateOptions(
        config=args.config,
        builtin_config=args.builtin_config,
        ref=args.ref,
        tag=args.tag,
        sha=args.sha,
        evidence=tuple(_gate_path(pair) for pair in args.evidence),
        evidence_dir=args.evidence_dir,
        workspace=args.workspace,
        checks_file=args.checks_file,
        wait=args.wait,
    )
    report, note = run_evaluate(options, env)
    # Last line of defence: whatever a server or evidence echoed, no secret reaches an output.
    from maturity.text import redact

    data = redact(report.to_dict(), (env.get("GITHUB_TOKEN", "").strip(),))
    assert isinstance(data, dict)  # noqa: S101 - redact keeps the shape
    json_writer, md_writer = JsonReportWriter(), MarkdownReportWriter()
    rendered = {
        json_writer.filename: json_writer.render(data),
        md_writer.filename: md_writer.render(data),
    }
    from maturity.github_actions import RunnerFiles, in_actions

    # Every output target is checked before anything is written: the runner's files are opened
    # first (exit 2 if one cannot be), then both reports are written as one; from then on the
    # verdict stands, and the exit code is the verdict's (never 2: "no report written").
    with RunnerFiles(env if in_actions(env) else {}) as runner:
        paths = [str(p) for p in write_atomically(output_dir, rendered)]
        if note:
            _err(f"maturity: note: {note}\n")
        if args.format == "json":
            _out(rendered[json_writer.filename])
        else:
            from maturity.report.console import render_console

            _out(render_console(data, paths))
        if in_actions(env):
            # with --format json, stdout is only the report; annotations go to stderr (read alike)
            annotate = _err if args.format == "json" else _out
            _actions(runner, data, rendered[md_writer.filename], paths, annotate)
    return EXIT_GO if data["verdict"] == "GO" else EXIT_NO_GO


def _gate_path(pair: str) -> tuple[str, str]:
    from maturity.errors import UsageError

    name, sep, path = pair.partition("=")
    if not sep or not path or not name.strip():
        raise UsageError(
            f"--evidence {pair!r} is not GATE=PATH",
            "e.g. --evidence promotion_guard=checks.json",
        )
    return name.strip(), path


def _actions(
    runner: RunnerFiles,
    data: dict[str, Any],
    markdown: str,
    paths: list[str],
    annotate: Callable[[str], None],
) -> None:
    """Annotations, job summary and step outputs, once the reports are written.

    The runner's files were opened before the reports were written; a write that still fails
    (a full disk) is reported as an error, but the verdict and its exit code stand. Step outputs
    that are missing never read as GO.
    """
    from maturity.errors import OutputError
    from maturity.github_actions import annotations_for, command

    for line in annotations_for(data):
        annotate(line + "\n")
    outputs = {
        "stage": str(data["stage"]["name"]),
        "verdict": str(data["verdict"]),
        "blocking-count": str(len(data["blocking"])),
        "report-json": paths[0],
        "report-md": paths[1],
    }
    from functools import partial

    for write in (partial(runner.append_summary, markdown), partial(runner.write_outputs, outputs)):
        try:
            write()
        except OutputError as exc:
            text = f"{exc.render()}\n  (the reports were written; the verdict stands)"
            _err(f"maturity: error: {text}\n")
            annotate(command("error", text, title="maturity") + "\n")


def _resolve(args: argparse.Namespace) -> int:
    import json

    from maturity.evaluate import load_config, workspace_from
    from maturity.refs import RefType
    from maturity.resolver import resolve

    ref = _ref_to_resolve(args)
    config, note = load_config(
        args.config, args.builtin_config, workspace_from(args.workspace, os.environ)
    )
    res = resolve(config, ref)
    if args.format == "json":
        out = {
            "ref": ref.full,
            "ref_name": ref.name,
            "ref_type": ref.type.value,
            "config": config.source,
            "stage": res.stage.name,
            "description": res.stage.description,
            "mapping": {
                "index": res.mapping.index,
                "kind": res.mapping.kind,
                "expression": res.mapping.expression,
            },
            "gates": {g: lvl.value for g, lvl in res.stage.levels.items()},
        }
        _out(json.dumps(out, indent=2) + "\n")
        return EXIT_GO
    if note:
        _err(f"maturity: note: {note}\n")
    where = config.document.where(("mappings", res.mapping.index))
    kind = ref.type.value
    if ref.type is RefType.UNKNOWN:
        kind += " type: --tag or --branch says which"
    lines = [
        f"ref:     {ref.full} ({kind}; patterns see {ref.name!r})",
        f"stage:   {res.stage.name}"
        + (f" ({res.stage.description})" if res.stage.description else ""),
        f"mapping: {res.mapping.label} at {where}",
        "gates:",
        *(f"  {g:<22}{lvl.value}" for g, lvl in res.stage.levels.items()),
    ]
    _out("\n".join(lines) + "\n")
    return EXIT_GO


def _ref_to_resolve(args: argparse.Namespace) -> Ref:
    """REF as given, or ``--tag``/``--branch`` NAME typed (and qualified) as what it is."""
    from maturity.errors import UsageError
    from maturity.refs import RefType, parse_ref
    from maturity.text import clean_text

    if args.ref is not None:
        return parse_ref(args.ref, source="REF")
    if args.tag is not None:
        flag, name, ref_type, prefix, other = "--tag", args.tag, RefType.TAG, "refs/tags/", "branch"
    else:
        flag, name, ref_type, prefix, other = (
            "--branch",
            args.branch,
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


def _validate(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from maturity.config.explain import Change, gate_table
    from maturity.config.load import check_config_file
    from maturity.config.types import Severity
    from maturity.github_actions import command, in_actions
    from maturity.kinds import CATALOG
    from maturity.kinds.changes import all_changes

    fmt = args.format or ("github" if in_actions(os.environ) else "text")
    config, problems = check_config_file(Path(args.file), CATALOG, args.file)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    base, base_note = _load_base(args.base)
    comparable = False  # a valid base and a valid file: only then is a comparison meaningful
    changed: list[Change] = []
    if base is not None and config is not None and not errors:
        comparable, changed = True, all_changes(base, config)
    weakened = sum(c.weaker for c in changed)  # each change that weakens a gate is a warning
    warning_count = len(warnings) + weakened
    failed = bool(errors) or (args.strict and warning_count > 0)
    if fmt == "json":
        out: dict[str, Any] = {
            "file": args.file,
            "valid": not failed,
            "problems": [
                {
                    "severity": p.severity.value,
                    "where": p.where,
                    "line": p.line,
                    "message": p.message,
                    "remediation": p.remediation,
                }
                for p in problems
            ],
        }
        if args.base is not None:
            out["base"] = {"file": args.base, "note": base_note}
            out["changes"] = [
                {"kind": c.kind, "message": c.message, "weaker": c.weaker, "line": c.line}
                for c in changed
            ]
        _out(json.dumps(out, indent=2) + "\n")
        return EXIT_NO_GO if failed else EXIT_GO
    out_lines: list[str] = []
    for p in problems:
        if fmt == "github":
            kind = "error" if p.severity is Severity.ERROR else "warning"
            fix = f" (fix: {p.remediation})" if p.remediation else ""
            out_lines.append(
                command(
                    kind, p.message + fix, file=args.file, line=p.line, title="maturity validate"
                )
            )
        else:
            out_lines.append(p.render())
    if config is not None and not errors:
        out_lines.append(gate_table(config).rstrip("\n"))
    if args.base is not None:
        out_lines.append(f"changes from {args.base}:" + (f" {base_note}" if base_note else ""))
        if comparable and not changed:
            out_lines.append("  none in effect")
        for c in changed:
            if fmt == "github":
                kind = "warning" if c.weaker else "notice"
                title = "maturity: weaker release gate" if c.weaker else "maturity: stage change"
                out_lines.append(command(kind, c.message, file=args.file, line=c.line, title=title))
            else:
                out_lines.append(f"  {'warning: ' if c.weaker else ''}{c.message}")
    summary = f"{args.file}: {len(errors)} error(s), {warning_count} warning(s)"
    if weakened:
        summary += f" ({weakened} of them weaker than {args.base})"
    out_lines.append(summary + ("" if failed else ": valid"))
    _out("\n".join(out_lines) + "\n")
    return EXIT_NO_GO if failed else EXIT_GO


def _load_base(path: str | None) -> tuple[Config | None, str]:
    """The base version of the stages file for ``--base``, or None and why not (never fatal)."""
    if path is None:
        return None, ""
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


def _init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from maturity.config.defaults import DEFAULT_STAGES_YAML
    from maturity.errors import OutputError, UsageError
    from maturity.report.atomic import describe, not_a_folder, write_atomically

    path = Path(args.path)
    example = "ci/maturity-stages.yml"
    if not args.path.strip():
        raise UsageError("--path is empty", f"give the path of the file to write, e.g. {example}")
    if path.is_dir() or args.path.endswith(("/", os.sep)):
        what = "a folder" if path.is_dir() else "a folder name (it ends in /)"
        raise UsageError(
            f"--path {args.path} is {what}, not a file",
            f"give the path of the stages file to write, e.g. "
            f"--path {(path / 'maturity-stages.yml').as_posix()}",
        )
    if (culprit := not_a_folder(path.parent)) is not None:
        raise OutputError(
            f"cannot write {args.path}: {culprit} is {describe(culprit)}",
            f"move {culprit} away, or pass a --path in a folder",
        )
    if (path.exists() or path.is_symlink()) and not args.force:
        raise UsageError(f"{args.path} already exists", "pass --force to overwrite it")
    try:
        write_atomically(path.parent, {path.name: DEFAULT_STAGES_YAML}, flag="--path")
    except OutputError as exc:
        raise OutputError(
            f"cannot write {args.path}: {exc.message.partition(': ')[2] or exc.message}",
            "check that the folder is writable, or pass another --path",
        ) from None
    _out(
        f"wrote the built-in defaults to {args.path}; check it with `maturity validate {args.path}`\n"
    )
    return EXIT_GO


def _schema(args: argparse.Namespace) -> int:
    from importlib import resources

    name = {
        "config": "maturity-stages.schema.json",
        "evidence": "evidence.schema.json",
        "report": "maturity-eval.schema.json",
    }[args.which]
    _out(resources.files("maturity").joinpath("schemas", name).read_text(encoding="utf-8"))
    return EXIT_GO
