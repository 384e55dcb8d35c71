"""What a command looks at: the staged change, a commit range, or whole files.

Resolves a target into (path, content, diff) triples; shared by validate, holes and fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from ananke_ci.adapters.git import read as git
from ananke_ci.analysis.languages import language_for_path
from ananke_ci.core.config import Config
from ananke_ci.core.diff import FileDiff
from ananke_ci.core.errors import UserError
from ananke_ci.core.globs import first_match
from ananke_ci.core.records import record

TargetMode = Literal["staged", "range", "files", "repo"]


@record(frozen=True, slots=True)
class Target:
    mode: TargetMode
    spec: str | None = None  # the range, for mode "range"
    paths: tuple[str, ...] = ()  # repo-relative; restricts staged/range, names files for "files"


@record(frozen=True, slots=True)
class SourceFile:
    path: str  # repo-relative, forward slashes
    content: bytes
    diff: FileDiff | None  # None: the whole file is in scope


def resolve_paths(root: Path, cwd: Path, names: list[str]) -> tuple[str, ...]:
    """User-given paths (relative to cwd) as repo-relative paths; directories expanded."""
    out: list[str] = []
    tracked: list[str] | None = None
    for name in names:
        full = (cwd / name).resolve()
        try:
            rel = full.relative_to(root.resolve()).as_posix()
        except ValueError:
            raise UserError("path is outside the repository", path=name) from None
        if full.is_dir():
            tracked = tracked if tracked is not None else git.ls_files(root)
            prefix = "" if rel == "." else rel + "/"
            out.extend(p for p in tracked if p.startswith(prefix))
        elif full.exists() or full.is_symlink():
            out.append(rel)
        else:
            raise UserError("no such file", path=name)
    return tuple(dict.fromkeys(out))


def range_head(spec: str) -> str:
    """The revision whose contents a range check reads: B in A..B or A...B."""
    if "..." in spec:
        return spec.split("...", 1)[1] or "HEAD"
    if ".." in spec:
        return spec.split("..", 1)[1] or "HEAD"
    return "HEAD"


def iter_sources(
    root: Path, target: Target, config: Config, notices: list[str]
) -> Iterator[SourceFile]:
    """The files in scope with their contents at the target's side of the change."""
    diffs: dict[str, FileDiff] = {}
    if target.mode == "staged":
        diffs = {d.path: d for d in git.staged_diff(root, target.paths)}
    elif target.mode == "range":
        assert target.spec is not None
        diffs = {d.path: d for d in git.range_diff(root, target.spec, target.paths)}
    wanted: list[str] = []
    for d in diffs.values():
        if d.status == "deleted":
            continue
        if d.binary:
            notices.append(f"{d.path}: binary file, skipped")
            continue
        wanted.append(d.path)
    whole: list[str] = []
    if target.mode == "repo":
        whole = git.ls_files(root)
    elif target.mode in ("files", "staged"):
        # pre-commit --all-files passes files the change does not touch: check them whole
        whole = [p for p in target.paths if p not in diffs]
    wanted = [p for p in wanted if _selected(p, config)]
    whole = [p for p in whole if _selected(p, config)]
    if target.mode == "range":
        contents = git.read_at(root, range_head(target.spec or ""), wanted)
    elif target.mode == "staged":
        contents = git.read_staged(root, wanted)
    else:
        contents = {}
    for path in wanted:
        if path in contents:
            yield SourceFile(path, contents[path], diffs[path])
    for path in whole:
        data = _read_disk(root, path, notices)
        if data is not None:
            yield SourceFile(path, data, None)


def _selected(path: str, config: Config) -> bool:
    return language_for_path(path) is not None and first_match(path, config.exclude) is None


def _read_disk(root: Path, path: str, notices: list[str]) -> bytes | None:
    full = root / path
    if full.is_symlink() or not full.is_file():
        return None
    try:
        return full.read_bytes()
    except OSError as exc:
        notices.append(f"{path}: cannot read ({os.strerror(exc.errno or 0)}), skipped")
        return None
