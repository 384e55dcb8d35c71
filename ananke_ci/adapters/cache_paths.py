"""Where ananke-ci's caches live (`.git/ananke/`), found without running git and without
importing any cache module: the pre-commit hook asks first whether there is any."""

from __future__ import annotations

from pathlib import Path


def find_git_dir(root: Path) -> Path | None:
    """`.git` of a work tree without running git (a worktree's `.git` is a `gitdir:` file)."""
    dot = root / ".git"
    if dot.is_dir():
        return dot
    try:
        text = dot.read_text(encoding="utf-8")
    except OSError:
        return None
    if text.startswith("gitdir:"):
        target = Path(text[len("gitdir:") :].strip())
        return target if target.is_absolute() else (root / target).resolve()
    return None


def cache_dir(git_dir: Path) -> Path:
    """The folder every cache writes under (salience, constraint IR, facts)."""
    return git_dir / "ananke"


def no_caches(root: Path) -> bool:
    """True when the work tree has no cache folder: the hook's common case, told without
    importing the cache modules (hashlib, json and tempfile cost ~8 ms there)."""
    git_dir = find_git_dir(root)
    return git_dir is None or not cache_dir(git_dir).is_dir()
