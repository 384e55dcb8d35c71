"""The compiled ConstraintIR under `.git/ananke/`: one file per input hash, and `current`,
the last one compiled, which the validator reads. Stdlib only (pre-commit hot path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ananke_ci.adapters.atomic import write_atomic
from ananke_ci.adapters.cache_paths import cache_dir, find_git_dir

if TYPE_CHECKING:
    from ananke_ci.core.constraints import ConstraintIR

CURRENT = "constraint-ir.json"
KEYED_DIR = "ir"
KEEP = 20  # keyed IRs kept (one per commit/config compiled); older ones are pruned


def _dir(root: Path) -> Path | None:
    git_dir = find_git_dir(root)
    return cache_dir(git_dir) if git_dir is not None else None


def read_keyed(root: Path, key: str) -> str | None:
    base = _dir(root)
    try:
        return (base / KEYED_DIR / f"{key}.json").read_text(encoding="utf-8") if base else None
    except OSError:
        return None


def has_current(root: Path) -> bool:
    """Whether an IR was ever compiled here: lets the hook skip the constraint machinery."""
    base = _dir(root)
    return base is not None and (base / CURRENT).is_file()


def read_current(root: Path) -> dict[str, Any] | None:
    base = _dir(root)
    if base is None:
        return None
    try:
        body = json.loads((base / CURRENT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def load_ir(root: Path) -> ConstraintIR | None:
    """The last compiled IR, or None (never compiled, damaged, other version)."""
    from ananke_ci.core.constraints import ConstraintIR

    body = read_current(root)
    if body is None:
        return None
    try:
        return ConstraintIR.from_json(body)
    except (KeyError, TypeError, ValueError):
        return None


def write(root: Path, key: str, text: str) -> None:
    """Store the IR under its key and make it the current one."""
    base = _dir(root)
    if base is None:
        return
    data = text.encode("utf-8")
    write_atomic(base / KEYED_DIR / f"{key}.json", data)
    write_atomic(base / CURRENT, data)
    kept = sorted((base / KEYED_DIR).glob("*.json"), key=lambda p: p.stat().st_mtime)
    for old in kept[:-KEEP]:
        old.unlink(missing_ok=True)
