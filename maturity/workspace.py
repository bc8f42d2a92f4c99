"""The workspace a command works in, and the stages file that governs it.

Shared by ``evaluate`` and ``resolve``; kept apart from ``evaluate.py`` so that ``resolve``
loads no engine and no gate code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from maturity.config.defaults import DEFAULT_CONFIG_PATH
from maturity.config.load import load_builtin, load_config_file
from maturity.config.types import Config
from maturity.errors import UsageError
from maturity.kinds import CATALOG


def workspace_from(option: str | None, env: Mapping[str, str]) -> Path:
    raw = option or env.get("GITHUB_WORKSPACE") or "."
    path = Path(raw)
    if not path.is_dir():
        raise UsageError(
            f"workspace {raw} is not a folder", "pass --workspace DIR or set GITHUB_WORKSPACE"
        )
    return path.resolve()


def load_config(config: str | None, builtin: bool, workspace: Path) -> tuple[Config, str | None]:
    """The config to use, and a note for people when the built-in defaults stand in."""
    if builtin:
        if config is not None:
            raise UsageError("give --config or --builtin-config, not both", "drop one of them")
        return load_builtin(CATALOG), None
    if config is not None:
        return load_config_file(Path(config), CATALOG, config), None
    default = workspace / DEFAULT_CONFIG_PATH
    if default.exists():
        return load_config_file(default, CATALOG, DEFAULT_CONFIG_PATH), None
    note = f"no {DEFAULT_CONFIG_PATH} in {workspace}: using the built-in defaults (maturity init writes them)"
    return load_builtin(CATALOG), note
