"""``maturity audit verify|show FILE``: check an audit log's chain, or show its entries.

``verify`` exits 0 when the chain holds, 1 when it is broken (naming the first bad line and
what happened to it), 2 when the file cannot be read. ``show`` prints the entries whatever the
state of the chain (it is for reading what happened, also in a broken log), and says on stderr
whether the chain holds, so a table is never taken for verified when it is not.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from maturity.cli.exit_codes import EXIT_GO, EXIT_NO_GO
from maturity.cli.output import err, out

if TYPE_CHECKING:
    from maturity.audit.verify import Verification


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    if args.audit_command == "verify":
        return _verify(Path(args.file), args.anchor, args.format, env)
    return _show(Path(args.file), args.format)


def _verify(path: Path, anchor_text: str | None, format: str, env: Mapping[str, str]) -> int:
    from maturity.audit.verify import parse_anchor, verify_log

    anchor = parse_anchor(anchor_text) if anchor_text is not None else None
    result = verify_log(path, anchor)
    if format == "json":
        out(json.dumps(_as_json(path, result, anchor_text is not None), indent=2) + "\n")
    else:
        out(_as_text(result))
    if result.problem is not None:
        from maturity.github_actions import command, in_actions

        if in_actions(env):
            message = f"the audit log {path} is broken at line {result.problem.line}: {result.problem.what}"
            out(command("error", message, title="maturity audit verify", file=str(path)) + "\n")
        return EXIT_NO_GO
    return EXIT_GO


def _as_text(result: Verification) -> str:
    if result.problem is None:
        anchored = f", anchor at line {result.anchor_line}" if result.anchor_line else ""
        return f"holds: {_lines(result.lines)}, head sha256 {result.head}{anchored}\n"
    text = f"broken at line {result.problem.line}: {result.problem.what}\n"
    if result.lines:
        text += (
            f"the {_lines(result.lines)} before it chain correctly (head sha256 {result.head}); "
            f"line {result.problem.line} on cannot be trusted\n"
        )
    return text


def _as_json(path: Path, result: Verification, anchored: bool) -> dict[str, object]:
    problem = result.problem
    return {
        "file": str(path),
        "ok": result.ok,
        "lines": result.lines,
        "head": result.head,
        "problem": None if problem is None else {"line": problem.line, "what": problem.what},
        "anchor_line": result.anchor_line if anchored else None,
    }


def _lines(count: int) -> str:
    return "1 line" if count == 1 else f"{count} lines"


def _show(path: Path, format: str) -> int:
    from maturity.audit.show import LoggedEntry, Skipped, iter_log, iter_render
    from maturity.audit.verify import verify_log
    from maturity.text import clean_text

    skipped: list[Skipped] = []

    def entries() -> Iterator[LoggedEntry]:
        for item in iter_log(path):
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                yield item

    for piece in iter_render(entries(), format):  # as it is read: a long log is not held
        out(piece)
    for line in skipped:
        err(f"maturity: note: line {line.line} is not shown: {clean_text(line.why, 300)}\n")
    result = verify_log(path)
    if result.problem is None:
        err(
            f"maturity: note: the chain holds ({_lines(result.lines)}, head sha256 {result.head})\n"
        )
    else:
        err(
            f"maturity: warning: the chain is broken at line {result.problem.line}, so these "
            f"entries cannot be trusted from there on: {result.problem.what}\n"
            f"  see `maturity audit verify {path}`\n"
        )
    return EXIT_GO
