"""Declared constraints: the config's `[constraint.*]` tables and the Ariadne files, read
from where the change is judged (the work tree, or the base commit) and parsed with Lark once
per content. On the hook's path: the parse is cached, so a seen file costs a read.
"""

from __future__ import annotations

import json
from pathlib import Path

from ananke_ci.adapters.cache import ir_cache
from ananke_ci.adapters.git import read as git
from ananke_ci.core.config import Config
from ananke_ci.core.constraints import Constraint
from ananke_ci.core.declared import Declaration
from ananke_ci.core.declared_codec import declaration_from_json, declaration_to_json
from ananke_ci.core.errors import UserError
from ananke_ci.core.globs import glob_match


def ariadne_sources(
    root: Path,
    config: Config,
    commit: str | None = None,
) -> list[tuple[str, str]]:
    """(path, text) of the tracked Ariadne files the config names: in the work tree, or at
    `commit` (what judges a range comes from its base)."""
    globs = config.constraints.ariadne
    paths = [
        p
        for p in git.tracked_with_suffix(root, ".ariadne", commit)
        if any(glob_match(p, g) for g in globs)
    ]
    if not paths:
        return []
    if commit is None:
        data = {}
        for path in paths:
            try:
                data[path] = (root / path).read_bytes()
            except OSError as exc:
                raise UserError(f"cannot read Ariadne file: {exc}", path=path) from None
    else:
        data = git.read_at(root, commit, paths)
    out = []
    for path in paths:
        if path not in data:
            continue
        try:
            out.append((path, data[path].decode("utf-8")))
        except UnicodeDecodeError:
            raise UserError("cannot read Ariadne file: not UTF-8", path=path) from None
    return out


def ariadne_declarations(root: Path, sources: list[tuple[str, str]]) -> list[Declaration]:
    """The declarations of the Ariadne files, parsed with Lark once per content (cached:
    the hook never imports Lark for files it has seen)."""
    if not sources:
        return []
    key = ir_cache.text_key(sources)
    text = ir_cache.read(root, "ariadne", key)
    if text is not None:
        try:
            return [declaration_from_json(row) for row in json.loads(text)]
        except (KeyError, TypeError, ValueError, RecursionError):
            pass
    from ananke_ci.analysis.constraints.ariadne import parse_ariadne  # Lark: only on a miss

    decls = [d for path, body in sources for d in parse_ariadne(body, path)]
    ir_cache.write(
        root, "ariadne", key, json.dumps([declaration_to_json(d) for d in decls], sort_keys=True)
    )
    return decls


def declared_constraints(
    root: Path, config: Config, sources: list[tuple[str, str]]
) -> list[Constraint]:
    """The config's declarations and the Ariadne files', composed (inheritance may cross
    from one to the other)."""
    decls = [*config.declared, *ariadne_declarations(root, sources)]
    if not decls:
        return []
    from ananke_ci.analysis.constraints.declared import to_constraints  # only with declarations

    return to_constraints(decls)
