"""A log's entries as a table (text or Markdown) or as JSON, for people reading what happened.

Entries come from a file anyone may have edited, so every field is read defensively (a field
of the wrong type shows as empty) and every shown value is cleaned (``clean_text``) or escaped
for Markdown (``md_text``/``md_code``): a reason holding pipes, newlines or backticks stays in
its cell. Showing does not check the chain; a line that is not a JSON object is left out and
reported as :class:`Skipped`.

Entries stream from the file to the output: JSON and Markdown hold one entry at a time, the
text table only its cleaned cells (it needs every row for the column widths), so showing a
large log does not hold its parsed entries (several times the file's size) in memory.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maturity.audit.lines import (
    MAX_LINE_BYTES,
    LineFault,
    NotAnObjectError,
    open_snapshot,
    parse_object,
)
from maturity.markdown_text import md_code, md_text
from maturity.text import clean_text, mask_secrets, shorten

FORMATS = ("text", "json", "markdown")
COLUMNS = ("line", "time", "ref", "stage", "verdict", "overrides")
#: the longest text shown in a cell (overrides: in all, for all of an entry's overrides)
_CELL_LIMIT = 120
_OVERRIDES_LIMIT = 1000


@dataclass(frozen=True)
class LoggedEntry:
    """One line of the log (*line* is its number in the file) and the object it holds."""

    line: int
    entry: Mapping[str, Any]


@dataclass(frozen=True)
class Skipped:
    """A line that is not shown, and why."""

    line: int
    why: str


def iter_log(path: Path) -> Iterator[LoggedEntry | Skipped]:
    """Each line of the log at *path*, in order: the object it holds, or why it has none.

    Raises :class:`~maturity.audit.lines.UnreadableLogError` when the file cannot be read
    (when the first item is asked for).
    """
    with open_snapshot(path) as snapshot:
        for number, item in enumerate(snapshot.lines(), start=1):
            if item is LineFault.TORN:
                yield Skipped(number, "truncated (no newline at its end)")
            elif item is LineFault.TOO_LONG:
                yield Skipped(number, f"over {MAX_LINE_BYTES} bytes")
            elif isinstance(item, bytes):
                try:
                    yield LoggedEntry(number, parse_object(item))
                except NotAnObjectError as exc:
                    yield Skipped(number, "empty" if not item else f"not a JSON object: {exc}")


def iter_render(entries: Iterable[LoggedEntry], format: str) -> Iterator[str]:
    """*entries* in *format* (one of :data:`FORMATS`), in pieces whose whole ends with a
    newline, taking the entries one at a time as it goes (a log of any size streams through)."""
    return _RENDERERS[format](iter(entries))


@dataclass(frozen=True)
class Row:
    """What a table shows of an entry, as plain (uncleaned) text."""

    line: int
    time: str
    ref: str
    stage: str
    verdict: str
    overrides: tuple[tuple[str, str, str], ...]  # (gate, actor, reason)


def row_of(logged: LoggedEntry) -> Row:
    entry = logged.entry
    subject = _mapping(entry.get("subject"))
    verdict = _scalar(entry.get("verdict"))
    if entry.get("event") == "refusal":
        rule = _scalar(_mapping(entry.get("refusal")).get("rule"))
        verdict = f"refused: {rule}" if rule else "refused"
    overrides = entry.get("overrides")
    given = overrides if isinstance(overrides, list) else []
    return Row(
        line=logged.line,
        time=_scalar(entry.get("at")),
        ref=_scalar(subject.get("ref")),
        stage=_scalar(entry.get("stage")),
        verdict=verdict,
        overrides=tuple(
            (_scalar(o.get("gate")), _scalar(o.get("actor")), _scalar(o.get("reason")))
            for o in map(_mapping, given)
        ),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _scalar(value: object) -> str:
    """A string or number as text; anything else (null, a list, an object) as nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _clean(value: str, limit: int) -> str:
    """``clean_text``, with a fast path for printable ASCII (almost every cell), which it would
    only mask and shorten."""
    if value.isascii() and value.isprintable():
        return shorten(mask_secrets(value), limit)
    return clean_text(value, limit)


def _override_text(override: tuple[str, str, str]) -> str:
    gate, actor, reason = override
    return f"{gate or '?'} by {actor or '?'}: {reason}"


def _text(entries: Iterator[LoggedEntry]) -> Iterator[str]:
    header = ("LINE", "TIME", "REF", "STAGE", "VERDICT", "OVERRIDES")
    table: list[tuple[str, ...]] = [header]
    for row in map(row_of, entries):
        cells = (str(row.line), row.time, row.ref, row.stage, row.verdict)
        shown = tuple(_clean(cell, _CELL_LIMIT) or "-" for cell in cells)
        overrides = "; ".join(map(_override_text, row.overrides))
        table.append((*shown, _clean(overrides, _OVERRIDES_LIMIT) or "-"))
    if len(table) == 1:
        yield "the audit log has no entries\n"
        return
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    for r in table:
        padded = "  ".join(cell.ljust(width) for cell, width in zip(r[:-1], widths, strict=True))
        yield f"{padded}  {r[-1]}\n"


def _markdown(entries: Iterator[LoggedEntry]) -> Iterator[str]:
    first = next(entries, None)
    if first is None:
        yield "The audit log has no entries.\n"
        return
    yield "| Line | Time | Ref | Stage | Verdict | Overrides |\n|---:|---|---|---|---|---|\n"
    for row in map(row_of, itertools.chain([first], entries)):
        overrides = "; ".join(
            f"{md_code(gate or '?', in_table=True)} by {md_text(actor or '?', _CELL_LIMIT)}: "
            f"{md_text(reason, _CELL_LIMIT * 4)}"
            for gate, actor, reason in row.overrides
        )
        cells = (
            str(row.line),
            md_text(row.time, _CELL_LIMIT),
            md_code(row.ref, in_table=True, limit=_CELL_LIMIT),
            md_text(row.stage, _CELL_LIMIT),
            md_text(row.verdict, _CELL_LIMIT),
            overrides,
        )
        yield "| " + " | ".join(cells) + " |\n"


def _json(entries: Iterator[LoggedEntry]) -> Iterator[str]:
    """A JSON array, one entry a line (``indent`` would take the pure-Python encoder)."""
    separator = "[\n"
    for logged in entries:
        yield separator + json.dumps(logged.entry, ensure_ascii=True)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


_RENDERERS: Mapping[str, Callable[[Iterator[LoggedEntry]], Iterator[str]]] = {
    "text": _text,
    "json": _json,
    "markdown": _markdown,
}
