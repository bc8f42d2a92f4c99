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


#: ``--promotion-guard`` -> ``promotion_guard``: the gate each of evaluate's gate aliases names
ALIAS_GATES = {"--" + gate.replace("_", "-"): gate for gate in BUILTIN_GATE_NAMES}
_ALIAS_NOTE = "(the TypeScript evaluator's flag; see docs/migrating.md)"


def _typescript_aliases(ev: argparse.ArgumentParser) -> None:
    """The TypeScript evaluator's flags, so a workflow step written for it keeps working."""
    group = ev.add_argument_group("aliases for the TypeScript evaluator's flags")
    group.add_argument("--policy", metavar="FILE", help=f"alias of --config FILE {_ALIAS_NOTE}")
    for flag, gate in ALIAS_GATES.items():
        group.add_argument(
            flag,
            metavar="FILE",
            dest=f"alias_{gate}",
            help=f"alias of --evidence {gate}=FILE {_ALIAS_NOTE}",
        )
    for flag, what in (("--output-json", "JSON"), ("--output-md", "Markdown")):
        group.add_argument(
            flag,
            metavar="FILE",
            help=f"alias of --output-dir for the {what} report alone: write it to FILE, "
            f"relative to the current directory {_ALIAS_NOTE}",
        )


def _audit_parser(
    sub: argparse._SubParsersAction[_Parser], fmt: type[argparse.HelpFormatter]
) -> None:
    """``maturity audit verify|show FILE`` (its own function: build_parser is long enough)."""
    audit_exit_codes = """exit codes:
  0  the chain holds (verify), entries shown (show)
  1  the chain is broken: the first bad line and what is wrong are printed (verify)
  2  the log cannot be read (missing, a folder, not allowed, over 2 GiB), or a bad --anchor"""
    au = sub.add_parser(
        "audit",
        help="check or show an audit log (evaluate --audit-log FILE)",
        description="An audit log holds one JSON line per run; each line carries the sha256 of "
        "the line before it, so editing, removing, inserting or reordering lines breaks the "
        "chain where it happened.",
        epilog=audit_exit_codes,
        formatter_class=fmt,
    )
    audit = au.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=_Parser)
    audit.required = True
    av = audit.add_parser(
        "verify",
        help="check the chain: exit 0 if it holds, 1 at the first bad line",
        description="Check that every line is a JSON object whose prev is the sha256 of the line "
        "before it (64 zeros for the first) and whose seq is its line number. Prints the number "
        "of lines and the head (the last line's sha256) when the chain holds, else the first bad "
        "line and what happened: edited, removed, inserted, reordered, copied or truncated. The "
        "chain cannot show lines removed from the end, or a last line edited: give --anchor, a "
        "head printed earlier and kept outside the log.",
        epilog=audit_exit_codes,
        formatter_class=fmt,
    )
    av.add_argument("file", metavar="FILE", help="the audit log, relative to the current directory")
    av.add_argument(
        "--anchor",
        metavar="SHA256",
        help="a line's sha256 kept outside the log (an earlier head), or LINE:SHA256: it must "
        "still be the digest of a line of the log (of line LINE, when given)",
    )
    av.add_argument(
        "--format", choices=("text", "json"), default="text", help="what to print (default: text)"
    )
    ash = audit.add_parser(
        "show",
        help="print the entries as a table or JSON",
        description="Print each entry: time, ref, stage, verdict (or the rule a refused "
        "override broke) and overrides (gate by actor: reason). Lines that are not JSON objects "
        "are left out and named on stderr, as is whether the chain holds: showing does not "
        "require it to (see `maturity audit verify`).",
        epilog=audit_exit_codes,
        formatter_class=fmt,
    )
    ash.add_argument(
        "file", metavar="FILE", help="the audit log, relative to the current directory"
    )
    ash.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="an aligned table, the entries as a JSON array, or a Markdown table (default: text)",
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
        "--now",
        metavar="ISO8601",
        help="the time to judge freeze windows and waivers at, with an offset or Z (for replay "
        "and tests; default: the system clock); the report records that it was set",
    )
    ev.add_argument(
        "--waivers",
        metavar="FILE",
        help="waivers file, relative to the current directory (default: "
        "ci/maturity-waivers.yml in the workspace, if present)",
    )
    ev.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="GATE",
        help="break glass: let a blocking gate through (repeatable); needs --reason and the "
        "stages file's break_glass policy to allow it for this actor (GITHUB_ACTOR) and stage",
    )
    ev.add_argument(
        "--override-freeze",
        action="store_true",
        help="break glass: let a run through an active freeze window (as --override freeze)",
    )
    ev.add_argument(
        "--reason",
        metavar="TEXT",
        help="why the override is needed (one reason covers every --override); recorded in "
        "both reports and the audit log",
    )
    ev.add_argument(
        "--audit-log",
        metavar="FILE",
        help="append this run's decision (or a refused override) to FILE, a hash-chained JSON "
        "Lines log (`maturity audit verify FILE` checks it); if the line cannot be written, "
        "exit 2 and no verdict",
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
    _typescript_aliases(ev)

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
        help="check a stages file's shape and meaning (and the waivers file)",
        usage="%(prog)s [FILE] [--waivers WAIVERS_FILE] [--base BASE_FILE | --base-ref REF]\n"
        "       [--base-waivers FILE] [--strict] [--fail-on-weaker]\n"
        "       [--format {text,github,json,markdown}]",
        description="Check a stages file: schema, unknown gates or stages, stages no mapping names, "
        "shadowed mappings, a catch-all that is not last, invalid patterns, examples that resolve "
        "elsewhere (errors); a gate weaker at a more mature stage, no catch-all, and what resolving "
        "typical refs (v1.2.3, v1.2.3-rc.1, v1.2.3-beta.1, main, feature/x, ...) and every example "
        "shows: a stage none of them reaches, a full release tag sent to a weaker stage than a "
        "later mapping would give it (warnings). Also checks the waivers file (--waivers, or "
        "ci/maturity-waivers.yml when it exists): schema, gates the stages file does not declare "
        "(errors); waivers already expired, longer than a stage's waivers.max_days, or given "
        "twice (warnings). Exit 1 on errors (and on warnings with --strict, and on a change "
        "that weakens a release gate with --fail-on-weaker), 2 when a file cannot be read as "
        "YAML or --base-ref names a ref git does not have.",
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
    va.add_argument(
        "--waivers",
        metavar="WAIVERS_FILE",
        help="the waivers file to check too, relative to the current directory (default: "
        "ci/maturity-waivers.yml when it exists; none otherwise)",
    )
    va.add_argument("--strict", action="store_true", help="treat warnings as problems (exit 1)")
    base = va.add_mutually_exclusive_group()
    base.add_argument(
        "--base",
        metavar="BASE_FILE",
        help="the previous version of the file, relative to the current directory: also show what "
        "the change does (levels that moved, weaker or stronger, refs that now resolve to "
        "another stage, and changes to break_glass, freeze_windows and waivers.max_days); each "
        "change that weakens a release gate counts as a warning",
    )
    base.add_argument(
        "--base-ref",
        metavar="REF",
        help="as --base, with the previous versions of the stages file and the waivers file "
        "read from git at REF (git show REF:./FILE), e.g. origin/main in a pull request; waivers "
        "added, extended or unbound count as weaker too",
    )
    va.add_argument(
        "--base-waivers",
        metavar="FILE",
        help="with --base: the previous version of the waivers file, to show what its change does",
    )
    va.add_argument(
        "--fail-on-weaker",
        action="store_true",
        help="exit 1 when anything got weaker than the base (without --strict's other warnings), "
        "so a workflow can ask for an extra review",
    )
    va.add_argument(
        "--format",
        choices=("text", "github", "json", "markdown"),
        help="text, GitHub annotations, JSON, or Markdown for a pull-request comment or job "
        "summary (default: github under Actions, else text)",
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
    sc.add_argument("which", choices=("config", "evidence", "report", "waivers"))

    _audit_parser(sub, fmt)
    _migrate_parser(sub, fmt)
    return parser


def _migrate_parser(
    sub: argparse._SubParsersAction[_Parser], fmt: type[argparse.HelpFormatter]
) -> None:
    """``maturity migrate [FILE] [--write | --output OUT] [--ref REF ...]``."""
    mg = sub.add_parser(
        "migrate",
        help="convert the TypeScript evaluator's stages file to this format, checked",
        usage="%(prog)s [FILE] [--write | --output OUT] [--ref REF ...]",
        description="Read a stages file of the TypeScript evaluator (no version; each pattern a "
        "JavaScript regular expression found anywhere in the ref name; PILOT when none "
        "matches) and print a version 1 file of the same meaning: regex mappings that match "
        "the whole name, the stages and levels kept, an explicit catch-all for the old "
        "fallback, and examples. Before printing, it resolves the typical tags and branches "
        "and every --ref both ways; if any would change stage, it lists them and writes "
        "nothing. Notes and the check's summary go to stderr.",
        epilog="""exit codes:
  0  migrated: every ref checked resolves to the same stage both ways
  1  some ref would change stage (listed); nothing printed or written
  2  usage error, or FILE cannot be read, is already migrated, or holds a pattern or stage
     that cannot be kept (the message names the line and the fix)""",
        formatter_class=fmt,
    )
    mg.add_argument(
        "file",
        nargs="?",
        default="ci/maturity-stages.yml",
        metavar="FILE",
        help="the old stages file, relative to the current directory "
        "(default: ci/maturity-stages.yml)",
    )
    where = mg.add_mutually_exclusive_group()
    where.add_argument(
        "--write",
        action="store_true",
        help="replace FILE with the migrated file (atomically; no backup: git has the old one)",
    )
    where.add_argument(
        "--output", metavar="OUT", help="write the migrated file to OUT instead of stdout"
    )
    mg.add_argument(
        "--ref",
        action="append",
        default=[],
        metavar="REF",
        help="one more ref to check and to use as an example (repeatable): refs/tags/X, "
        "refs/heads/X or a short name",
    )
