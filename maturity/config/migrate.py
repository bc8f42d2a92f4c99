"""From the TypeScript evaluator's stages file to a version 1 file of the same meaning, checked.

:func:`migrate` converts each JavaScript pattern (found anywhere in the name) into a ``regex:``
that must match the whole name (``js_regex.translate``), keeps the stages, levels and
descriptions, makes the old fallback explicit (a last ``pattern: '*'`` to PILOT), and fills each
mapping's ``examples`` with the candidate refs that resolve to it.

:func:`check` then resolves every candidate both ways and lists the refs whose stage differs:

* the old reading, :func:`old_stage`: Python's ``re.search`` with ``re.ASCII`` stands in for
  JavaScript's ``.test()``. The two agree on the patterns people write for refs (literals,
  ``.``, classes, ``\\d``/``\\w``/``\\b``, groups, alternation, counts, ``^``/``$``) and on ref
  names git accepts. They differ on ``\\s`` (JavaScript's includes U+00A0 and other Unicode
  spaces), ``{,n}`` (literal in JavaScript, a count in Python), and an escaped letter with no
  meaning in JavaScript (``\\A``, ``\\Z``: the letter itself there, anchors in Python); a
  difference there is reported, never hidden. Named groups ``(?<n>...)`` are read as Python's
  ``(?P<n>...)``; a pattern Python cannot read at all (``[^]``, ``\\cX``) cannot be checked, and
  says so.
* the new reading: the generated file, loaded as ``evaluate`` loads it, and its resolver.

A real JavaScript engine agrees with both readings on the test suite's patterns and refs
(``tests/test_migrate_js.py`` runs node).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maturity.config.builtin_gates import BUILTIN_GATES
from maturity.config.defaults import SCHEMA_COMMENT
from maturity.config.js_regex import JsRegexError, translate
from maturity.config.load import parse_document
from maturity.config.old_format import FALLBACK_STAGE, OldFile, OldMapping
from maturity.config.regex import RegexError, compile_regex
from maturity.config.resolver import first_match
from maturity.config.types import Config, Problem, RefMapping, Severity
from maturity.config.yaml_loader import load_yaml_text
from maturity.errors import ConfigError

if TYPE_CHECKING:
    from maturity.config.declaration import KindCatalog

#: at most this many examples per mapping (the check covers every candidate anyway)
MAX_EXAMPLES = 10
_CATCH_ALL_GLOB = "*"


@dataclass(frozen=True)
class NewMapping:
    """A mapping of the migrated file: a regex, or the catch-all glob ``*``."""

    regex: str | None  # None: pattern '*'
    stage: str
    old: OldMapping | None  # None: the explicit fallback to PILOT
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Migration:
    text: str
    config: Config
    mappings: tuple[NewMapping, ...]
    #: what the person migrating should know: dropped fields, mappings or stages
    notes: tuple[str, ...]
    #: warnings `maturity validate` gives on the new file
    warnings: tuple[Problem, ...]


def _convert(mapping: OldMapping) -> str:
    try:
        regex = translate(mapping.pattern)
        compile_regex(regex)
    except (JsRegexError, RegexError) as exc:
        raise ConfigError(
            f"{mapping.where}: mappings[{mapping.index}].pattern cannot be migrated: {exc}",
            "rewrite the pattern in the old file, then migrate again",
        ) from None
    return regex


def _is_catch_all(regex: str) -> bool:
    return RefMapping(0, "regex", regex, "").is_catch_all


def _new_mappings(old: OldFile) -> tuple[list[NewMapping], list[str]]:
    mappings: list[NewMapping] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    for m in old.mappings:
        regex = _convert(m)
        catch_all = mappings[-1].old if mappings and mappings[-1].regex is None else None
        if catch_all is not None:
            notes.append(
                f"mappings[{m.index}] dropped: the earlier mappings[{catch_all.index}] matches "
                "every ref, so it never matched before either"
            )
            continue
        if regex in seen:
            notes.append(
                f"mappings[{m.index}] dropped: it means the same as mappings[{seen[regex]}], "
                "which comes first, so it never matched before either"
            )
            continue
        seen[regex] = m.index
        mappings.append(NewMapping(None if _is_catch_all(regex) else regex, m.stage, m))
    if not mappings or mappings[-1].regex is not None:
        if old.fallback is not None:
            mappings.append(NewMapping(None, FALLBACK_STAGE, None))
        else:
            notes.append(
                f"no catch-all added: a ref no pattern matched went to {FALLBACK_STAGE}, which "
                f"{old.source} does not define, so such a ref was an error ('Stage configuration "
                "not found', exit 1); it still is: `maturity evaluate` stops with exit 2 when "
                "no mapping matches the ref"
            )
    if not mappings:
        raise ConfigError(
            f"{old.source}: no mappings and no {FALLBACK_STAGE} stage: every ref was an error",
            f"add mappings, or a {FALLBACK_STAGE} stage, then migrate again",
        )
    return mappings, notes


def _quoted(text: str) -> str:
    """*text* as a YAML scalar on one line: single-quoted, or double-quoted with escapes."""
    if all(ch.isprintable() for ch in text):
        return "'" + text.replace("'", "''") + "'"
    out = []
    for ch in text:
        cp = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif cp <= 0xFF:
            out.append(f"\\x{cp:02x}")
        elif cp <= 0xFFFF:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(f"\\U{cp:08x}")
    return '"' + "".join(out) + '"'


def render(
    old: OldFile, mappings: Sequence[NewMapping], stages: Sequence[str], checked: int
) -> str:
    """The version 1 file's text."""
    lines = [
        SCHEMA_COMMENT.rstrip("\n"),
        f"# Migrated by `maturity migrate` from the TypeScript evaluator's {old.source}.",
        "# There, each `pattern:` was a JavaScript regular expression found anywhere in the ref",
        f"# name, and a ref that no pattern matched went to {FALLBACK_STAGE}. Here each mapping is a",
        "# `regex:` (RE2) that must match the whole short name (v1.2.3, main, feature/x), with the",
        "# same meaning; `# was:` shows the old pattern. The first match wins. `examples` are refs",
        "# that must resolve to their mapping; `maturity validate` checks them.",
        f"# `maturity migrate` resolved {checked} refs both ways: each got the same stage.",
        "version: 1",
        "",
        "stages:",
    ]
    for name in stages:
        stage = old.stages[name]
        lines.append(f"  {name}:")
        if stage.description:
            lines.append(f"    description: {_quoted(stage.description)}")
        lines.append("    gates:")
        lines += [f"      {gate}: {stage.levels[gate]}" for gate in BUILTIN_GATES]
    lines += ["", "mappings:"]
    for m in mappings:
        if m.old is None:
            lines.append(f"  # was: no pattern matched, so {FALLBACK_STAGE} (the old fallback)")
        else:
            lines.append(f"  # was: pattern: {_quoted(m.old.pattern)}")
        if m.regex is None:
            lines.append(f"  - pattern: '{_CATCH_ALL_GLOB}'")
        else:
            lines.append(f"  - regex: {_quoted(m.regex)}")
        lines.append(f"    stage: {m.stage}")
        if m.examples:
            lines.append(f"    examples: [{', '.join(_quoted(e) for e in m.examples)}]")
    return "\n".join(lines) + "\n"


def _parse(text: str, source: str, catalog: KindCatalog) -> tuple[Config, list[Problem]]:
    config, problems = parse_document(load_yaml_text(text, source), text.encode(), catalog)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if config is None or errors:  # a bug here, or an input this module does not foresee
        shown = "\n".join(p.render() for p in errors)
        raise ConfigError(
            f"the migrated file would not be valid:\n{shown}",
            "please report this with the old file; meanwhile convert the listed mappings by hand",
        )
    return config, problems


def migrate(
    old: OldFile, candidates: Sequence[str], catalog: KindCatalog, source: str = "migrated file"
) -> Migration:
    """The version 1 file for *old*; *candidates* (short names) become examples."""
    mappings, notes = _new_mappings(old)
    reached = dict.fromkeys(m.stage for m in mappings)
    stages = [name for name in old.stages if name in reached]
    for name in old.stages:
        if name not in reached:
            notes.append(
                f"stage {name} dropped: no mapping names it, so no ref ever got it "
                "(maturity refuses a stage no mapping reaches)"
            )
    notes += [f"{path} dropped: the TypeScript evaluator ignored it" for path in old.ignored]
    draft, _ = _parse(render(old, mappings, stages, len(candidates)), source, catalog)
    taken: dict[int, list[str]] = {}
    for name in candidates:
        hit = first_match(draft, name)
        if hit is not None and len(taken.setdefault(hit.index, [])) < MAX_EXAMPLES:
            taken[hit.index].append(name)
    mappings = [
        NewMapping(m.regex, m.stage, m.old, tuple(taken.get(i, ()))) for i, m in enumerate(mappings)
    ]
    text = render(old, mappings, stages, len(candidates))
    config, problems = _parse(text, source, catalog)
    return Migration(
        text,
        config,
        tuple(mappings),
        tuple(notes),
        tuple(p for p in problems if p.severity is Severity.WARNING),
    )


# --- the check -----------------------------------------------------------------------------------

_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_$])")


@dataclass(frozen=True)
class Difference:
    name: str
    old: str | None  # the stage before (None: no stage, an error)
    new: str | None


class OldReadingError(ValueError):
    """A pattern Python's ``re`` cannot read, so the old reading cannot be emulated."""


def compile_old_pattern(pattern: str) -> re.Pattern[str]:
    """The old reading's stand-in for ``new RegExp(pattern)``: ``.search`` for ``.test``."""
    with warnings.catch_warnings():  # "possible nested set" for [[: JavaScript's reading
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(_NAMED_GROUP.sub("(?P<", pattern), re.ASCII)


def _old_patterns(old: OldFile) -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for m in old.mappings:
        try:
            compiled.append((compile_old_pattern(m.pattern), m.stage))
        except re.error as exc:
            raise OldReadingError(
                f"{m.where}: Python cannot read mappings[{m.index}].pattern the way JavaScript "
                f"did ({exc}), so the check cannot compare the old and the new reading"
            ) from None
    return compiled


def old_stage(old: OldFile, name: str) -> str | None:
    """*name*'s stage under the TypeScript evaluator (emulated): None where it was an error."""
    return _old_stage(_old_patterns(old), old.fallback, name)


def _old_stage(
    patterns: list[tuple[re.Pattern[str], str]], fallback: str | None, name: str
) -> str | None:
    for pattern, stage in patterns:
        if pattern.search(name) is not None:
            return stage
    return fallback


def check(old: OldFile, config: Config, names: Sequence[str]) -> list[Difference]:
    """Each of *names* whose stage differs between the old reading and *config*;
    :class:`OldReadingError` when the old reading cannot be emulated."""
    patterns = _old_patterns(old)
    differences = []
    for name in names:
        before = _old_stage(patterns, old.fallback, name)
        hit = first_match(config, name)
        after = hit.stage if hit is not None else None
        if before != after:
            differences.append(Difference(name, before, after))
    return differences
