"""Which stage a ref is at: the first mapping that matches its short name."""

from __future__ import annotations

from dataclasses import dataclass

from maturity.config.types import Config, RefMapping, Stage
from maturity.errors import RefError
from maturity.refs import Ref


@dataclass(frozen=True)
class Resolution:
    ref: Ref
    stage: Stage
    mapping: RefMapping


def first_match(config: Config, name: str) -> RefMapping | None:
    for mapping in config.mappings:
        if mapping.matches(name):
            return mapping
    return None


def resolve(config: Config, ref: Ref) -> Resolution:
    mapping = first_match(config, ref.name)
    if mapping is None:
        raise RefError(
            f"no mapping in {config.source} matches the ref {ref.name!r}, so it has no stage",
            "add a mapping for it, or end mappings with a catch-all: - pattern: '*'",
        )
    return Resolution(ref=ref, stage=config.stages[mapping.stage], mapping=mapping)
