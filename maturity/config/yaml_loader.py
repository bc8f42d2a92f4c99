"""Hostile-input-safe YAML loading that remembers where every value came from.

PyYAML's safe loader is the parser; construction is ours, so that we can:

* reject duplicate mapping keys (PyYAML silently keeps the last one);
* bound alias/anchor expansion (a "billion laughs" file is refused after ``MAX_NODES``);
* bound file size before parsing;
* read booleans the YAML 1.2 way: ``off``/``on``/``yes``/``no`` stay strings, so
  ``promotion_guard: off`` means the level ``off`` and not ``False``;
* record the line and column of every key and value, so that any later error, from
  pydantic or from the semantic checks, can be reported as ``path:line:col: message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from maturity.bounded_read import FileTooLargeError, NotRegularFileError, read_regular_file
from maturity.errors import ConfigError

MAX_CONFIG_BYTES = 1024 * 1024
MAX_NODES = 50_000
MAX_DEPTH = 64

Loc = tuple[str | int, ...]

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL_TEXT = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_STR_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    _STR_TAG,
}


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class LoadedYaml:
    """Plain data plus the position of each value (and each mapping key) by path."""

    data: Any
    source: str
    value_positions: dict[Loc, Position] = field(default_factory=dict)
    key_positions: dict[Loc, Position] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> Position | None:
        """Where *loc* is, falling back to its nearest ancestor that has a position."""
        table = self.key_positions if key else self.value_positions
        probe = tuple(loc)
        while True:
            if probe in table:
                return table[probe]
            if key and probe in self.value_positions:
                return self.value_positions[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def where(self, loc: Loc, *, key: bool = False) -> str:
        pos = self.position(loc, key=key)
        if pos is None:
            return self.source
        return f"{self.source}:{pos.line}:{pos.column}"


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.count = 0
        self.result = LoadedYaml(data=None, source=source)
        self._constructor = SafeConstructor()

    def fail(self, node: yaml.Node, message: str, remediation: str = "") -> ConfigError:
        p = _pos(node)
        return ConfigError(f"{self.source}:{p.line}:{p.column}: {message}", remediation)

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(
                node,
                f"the document expands to more than {MAX_NODES} values "
                "(runaway aliases/anchors, e.g. a 'billion laughs' file)",
                "remove the nested aliases; write the values out",
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH} levels", "flatten the document")
        self.result.value_positions.setdefault(loc, _pos(node))
        if (
            isinstance(node, yaml.MappingNode | yaml.SequenceNode)
            and node.tag not in _COLLECTION_TAGS
        ):
            raise self._unsupported(node)  # e.g. !!python/object:x {...}, !!set, !!omap
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "unsupported YAML node")
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == "tag:yaml.org,2002:bool" and not node.style and node.value not in _BOOL_TEXT:
            return node.value  # YAML 1.1 yes/no/on/off: keep the word
        if tag == "tag:yaml.org,2002:bool":
            return _BOOL_TEXT.get(node.value, node.value)
        if tag == "tag:yaml.org,2002:timestamp" and not node.style:  # plain: None, or "" (libyaml)
            # a date or time written unquoted (expires: 2026-12-15, start: 2026-12-20T00:00Z):
            # kept as written, for the field to parse (and refuse a time without an offset)
            return node.value
        if tag not in _SCALAR_TAGS:
            raise self._unsupported(node)
        return self._constructor.construct_object(node)

    def _unsupported(self, node: yaml.Node) -> ConfigError:
        return self.fail(
            node,
            f"unsupported YAML tag {node.tag!r}",
            "quote the value if it is text; only strings, numbers, booleans, lists and "
            "mappings are allowed",
        )

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(
                    key_node, "merge keys ('<<') are not supported", "write the keys out"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "mapping keys must be plain strings")
            key = self._scalar(key_node)
            if isinstance(key, bool | int | float) or key is None:
                key = key_node.value  # keys are names: `1:` or `on:` mean the text
            if not isinstance(key, str):
                raise self.fail(key_node, "mapping keys must be plain strings")
            if key in out:
                first = self.result.key_positions[(*loc, key)]
                raise self.fail(
                    key_node,
                    f"duplicate key {key!r} (first defined at line {first.line})",
                    "keep one definition of each key",
                )
            self.result.key_positions[(*loc, key)] = _pos(key_node)
            self.count += 1
            out[key] = self.build(value_node, (*loc, key), depth + 1)
        return out


def _check_depth(text: str, source: str) -> None:
    """Refuse deep nesting from the event stream, before composing: the composer recurses once
    per level (about 100k nested ``[`` overflow the C stack and kill the process) and libyaml
    slows down quadratically with depth. Stops at the first collection that is too deep."""
    depth = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the collection itself sits at depth MAX_DEPTH + 1
                mark = event.start_mark
                where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
                raise ConfigError(
                    f"{where}: nesting deeper than {MAX_DEPTH} levels",
                    "flatten the document",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


_FLOW_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|#[^\n]*|[\[\]{}]""")


def _flow_depth(text: str) -> int:
    """The deepest nesting of flow collections (``[``, ``{``) in *text*, quoted scalars and
    comments aside. Only used to explain a parser error, so an approximation is enough."""
    depth = deepest = 0
    for match in _FLOW_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth = max(0, depth - 1)
    return deepest


def load_yaml_text(text: str, source: str) -> LoadedYaml:
    """Parse one YAML document from *text*; every failure is a ``ConfigError`` with a location."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{source}: larger than {MAX_CONFIG_BYTES} bytes", "a stages file is a few KiB; trim it"
        )
    try:
        _check_depth(text, source)
        node = yaml.compose(text, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        if mark is not None and _flow_depth(text[: mark.index]) > MAX_DEPTH:
            # libyaml's scanner runs ahead of the events and has a nesting limit of its own
            # (1,000 since 0.2.5 / PyYAML 6.0.4); whatever it calls it, it is our limit too
            raise ConfigError(
                f"{where}: nesting deeper than {MAX_DEPTH} levels", "flatten the document"
            ) from None
        context = exc.context
        if context and exc.context_mark and mark and exc.context_mark.line != mark.line:
            # e.g. an unclosed quote or bracket: the problem is found lines later, at the end
            context = f"{context} (from line {exc.context_mark.line + 1})"
        what = " ".join(p for p in (context, exc.problem) if p)
        raise ConfigError(f"{where}: invalid YAML: {what}", "fix the YAML syntax") from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids: find it to say where
        char = exc.character if isinstance(exc.character, int) else None
        at = text.find(chr(char)) if char is not None else -1
        where = source
        if at >= 0:
            where = f"{source}:{text.count(chr(10), 0, at) + 1}:{at - text.rfind(chr(10), 0, at)}"
        shown = f" (character #x{char:04x})" if char is not None else ""
        raise ConfigError(
            f"{where}: invalid YAML: {exc.reason}{shown}",
            "remove it; in a double-quoted string write it as an escape such as \\x07",
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {exc}", "fix the YAML syntax") from None
    builder = _Builder(source)
    if node is None:
        raise ConfigError(
            f"{source}: the file is empty", "run `maturity init` for a starting point"
        )
    builder.result.data = builder.build(node, (), 0)
    return builder.result


def load_yaml_file(path: Path, display: str | None = None) -> tuple[LoadedYaml, bytes]:
    """Read and parse *path* (size-bounded); returns the parsed document and the raw bytes."""
    source = display or str(path)
    try:
        # a FIFO or device named as the config must not hang the run
        raw = read_regular_file(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        raise ConfigError(
            f"{source}: no such file",
            "create it with `maturity init`, or pass the right path with --config",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"{source}: cannot read: {exc.strerror}", "check the path and permissions"
        ) from None
    except NotRegularFileError:
        raise ConfigError(
            f"{source}: not a regular file", "point --config at a YAML file"
        ) from None
    except FileTooLargeError:
        raise ConfigError(
            f"{source}: larger than {MAX_CONFIG_BYTES} bytes", "a stages file is a few KiB; trim it"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{source}: not UTF-8 (byte {exc.start})", "save the file as UTF-8"
        ) from None
    return load_yaml_text(text, source), raw
