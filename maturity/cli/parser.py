"""The command line's grammar: every command, flag, help text and usage line.

Building the parser imports nothing beyond ``argparse``, so ``maturity --help`` stays fast.
"""

from __future__ import annotations

import argparse

from maturity import __version__
from maturity.cli.exit_codes import EXIT_CODES, EXIT_ERROR
from maturity.cli.output import err

#: named in ``--evidence``'s help; ``maturity.config.builtin_gates`` is the list itself, kept out
#: of here so that ``--help`` loads no config code (a test keeps the two equal)
BUILTIN_GATE_NAMES = (
    "promotion_guard",
    "observability_verify",
    "deps_approval",
    "policy_drift",
    "field_budgets",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        err(self.format_usage())
        err(f"maturity: error: {message}\n  fix: see `{self.prog} --help`\n")
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
        help="evidence file for a gate, relative to the workspace (repeatable; GATE is a gate of "
        f"the stages file: the built-in {', '.join(BUILTIN_GATE_NAMES)}, or one it declares)",
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
