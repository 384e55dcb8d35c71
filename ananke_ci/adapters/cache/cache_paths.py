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


_TROUBLE: dict[str, None] = {}  # what went wrong with the caches this run, each said once


def write_cache(path: Path, data: bytes, *, fsync: bool = False) -> bool:
    """Replace a cache file atomically; False when the cache cannot be written (a file where
    a folder should be, no space, no permission): a cache is a speed-up, so a failure to
    write one is a notice (see `cache_notices`) and a slower next run, never an error."""
    from ananke_ci.adapters.atomic import write_atomic  # tempfile: only when writing

    try:
        write_atomic(path, data, fsync=fsync)
    except OSError as exc:
        note_cache_trouble(path, exc)
        return False
    return True


def note_cache_trouble(path: Path, exc: OSError) -> None:
    where = next((str(p) for p in (path, *path.parents) if p.name == "ananke"), str(path))
    _TROUBLE.setdefault(
        f"cannot write the cache under {where} ({exc.strerror or exc}): "
        "results are the same, later runs slower; delete it to start afresh"
    )


def cache_notices() -> list[str]:
    """The cache troubles noted since the last call (and forget them)."""
    out = list(_TROUBLE)
    _TROUBLE.clear()
    return out
