"""Find and read the project's configuration: `.ananke.toml`, else `[tool.ananke]`."""

from __future__ import annotations

import re
from pathlib import Path

from ananke_ci.adapters.git import read as git
from ananke_ci.core.config import Config, parse_config
from ananke_ci.core.errors import UserError

CONFIG_NAME = ".ananke.toml"
# `[tool.ananke]`, `[tool]` + `ananke.KEY = ...` / `ananke = ...`, `tool.ananke.KEY = ...`:
# any spelling of the key that TOML allows, not only the table header
_ANANKE_KEY = re.compile(
    r"""(?m)^[ \t]*(?:\[[ \t]*)?(?:tool[ \t]*\.[ \t]*)?["']?ananke["']?[ \t]*[.=\]]"""
)


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """The config of the repository at `root`; defaults when there is none."""
    if explicit is not None:
        return _read(explicit, () if explicit.name != "pyproject.toml" else ("tool", "ananke"))
    dedicated = root / CONFIG_NAME
    if dedicated.is_file():
        return parse_config(_text(dedicated), CONFIG_NAME, table=())
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        text = _text(pyproject)
        if _ANANKE_KEY.search(text):
            return parse_config(text, "pyproject.toml", table=("tool", "ananke"))
    return Config()


def load_config_at(root: Path, commit: str) -> Config:
    """The config as committed at `commit` (what judges a range comes from its base, so a
    change cannot switch off its own checks); defaults when that commit has none."""
    found = git.read_at(root, commit, [CONFIG_NAME, "pyproject.toml"])
    for name, table in ((CONFIG_NAME, ()), ("pyproject.toml", ("tool", "ananke"))):
        data = found.get(name)
        if data is None:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UserError(
                f"cannot read config at the base commit {commit[:12]}: not UTF-8", path=name
            ) from None
        if table and not _ANANKE_KEY.search(text):  # as in the work tree: any spelling
            continue
        try:
            return parse_config(text, name, table=table)
        except UserError as exc:
            raise UserError(
                f"{exc.message} (in the base commit {commit[:12]}, which judges this change)",
                path=exc.path,
                line=exc.line,
            ) from None
    return Config()


def _read(path: Path, table: tuple[str, ...]) -> Config:
    return parse_config(_text(path), str(path), table=table)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("config file not found", path=str(path)) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise UserError(f"cannot read config: {exc}", path=str(path)) from None
