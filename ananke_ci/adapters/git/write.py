"""The git operations that write: throwaway worktrees and indexes, off-index commits.

Commits are made with plumbing on a temporary index (GIT_INDEX_FILE), so the user's index and
working tree are never used to build them. Moving HEAD with the index and work tree is one
transaction (adapters/git/txn.py).

Everything temporary lives in the git dir's `ananke/tmp/`, named `KIND-PID-RANDOM`: a run
killed with SIGKILL cannot clean up, so the next one removes what dead processes left there
(and unregisters their worktrees), instead of littering /tmp and `git worktree list`.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ananke_ci.adapters import atomic
from ananke_ci.adapters.git.read import git_dir, head_commit
from ananke_ci.adapters.proc import run
from ananke_ci.core.errors import UserError

_GIT = ("git", "--literal-pathspecs", "-c", "core.quotepath=off")
SCRATCH = ("ananke", "tmp")


def _git(
    root: str | Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
) -> str:
    return run([*_GIT, *args], cwd=root, input=input, env=env).stdout.decode().strip()


def index_tree(root: str | Path) -> str:
    """The tree the index holds (what would be committed); writes tree objects only."""
    return _git(root, "write-tree")


# -- kill-safe scratch space -----------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user's counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_pid(name: str) -> int | None:
    """The pid in a scratch name (`KIND-PID-RANDOM`, or an atomic write's temp file)."""
    parts = name.split("-")
    if len(parts) >= 3 and parts[1].isdigit():
        return int(parts[1])
    return atomic.temp_owner(name)


def scratch_dir(root: str | Path, *, worktrees: bool = False) -> Path:
    """`<git dir>/ananke/tmp`, created, with what dead runs left there removed."""
    where = git_dir(root).joinpath(*SCRATCH)
    where.mkdir(parents=True, exist_ok=True)
    prune_scratch(root, where, worktrees=worktrees)
    return where


def new_name(kind: str) -> str:
    """A scratch entry's name: `KIND-PID-RANDOM`."""
    return f"{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def prune_scratch(root: str | Path, where: Path, *, worktrees: bool = False) -> None:
    """Remove the scratch entries of dead processes; with `worktrees` (or when a dead one
    left a worktree folder) also unregister the worktrees dead runs left registered."""
    dead = [
        p for p in where.iterdir() if (pid := owner_pid(p.name)) is not None and not pid_alive(pid)
    ]
    if worktrees or any(p.is_dir() for p in dead):
        for path in _registered_dead(root, where):
            # a worktree killed while being added stays locked ("initializing"), and
            # prune skips locked ones
            run([*_GIT, "worktree", "unlock", str(path)], cwd=root, check=False)
        worktrees = True
    for path in dict.fromkeys(dead):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if worktrees:
        run([*_GIT, "worktree", "prune"], cwd=root, check=False)


def _registered_dead(root: str | Path, where: Path) -> list[Path]:
    """Registered worktrees inside the scratch entries of dead processes (their folder may
    be gone already)."""
    res = run([*_GIT, "worktree", "list", "--porcelain", "-z"], cwd=root, check=False)
    base = where.resolve()
    out = []
    for field in res.stdout.split(b"\0"):
        if not field.startswith(b"worktree "):
            continue
        path = Path(os.fsdecode(field[len(b"worktree ") :]))
        try:
            entry = path.resolve().relative_to(base).parts[0]
        except (ValueError, IndexError):
            continue
        pid = owner_pid(entry)
        if pid is not None and not pid_alive(pid):
            out.append(path)
    return out


@contextmanager
def temp_index(
    root: str | Path, copy_of: Path | None = None, scratch: Path | None = None
) -> Iterator[Path]:
    """A scratch index file (a copy of `copy_of`, else empty), removed afterwards."""
    path = (scratch or scratch_dir(root)) / new_name("index")
    try:
        if copy_of is not None:
            shutil.copyfile(copy_of, path)
        yield path
    finally:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".lock").unlink(missing_ok=True)


@contextmanager
def temp_dir(root: str | Path, kind: str) -> Iterator[Path]:
    """A scratch folder, removed afterwards (or by a later run if this one is killed, with
    the worktrees made in it unregistered)."""
    path = scratch_dir(root, worktrees=True) / new_name(kind)
    path.mkdir()
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def worktree_add(root: str | Path, where: Path, tree: str) -> None:
    """A detached worktree at `where` whose files are `tree` (any tree-ish)."""
    base = head_commit(root)
    if base is None:
        raise UserError("the test command needs a commit to build a worktree from")
    _git(root, "worktree", "add", "--detach", "--quiet", str(where), base)
    # read-tree -u moves the files to the tree's state (the index may differ from HEAD)
    _git(where, "read-tree", "-u", "--reset", tree)


def worktree_remove(root: str | Path, where: Path) -> None:
    # twice forced: a worktree whose `add` was interrupted is still locked
    run([*_GIT, "worktree", "remove", "--force", "--force", str(where)], cwd=root, check=False)
    run([*_GIT, "worktree", "prune"], cwd=root, check=False)


# -- committing ------------------------------------------------------------


def commit_file(
    root: str | Path, parent: str, path: str, content: bytes, mode: str, message: str
) -> str:
    """A new commit on top of `parent` that changes only `path`; returns its id (nothing
    but unreferenced objects is left if this is interrupted)."""
    blob = _git(root, "hash-object", "-w", "--stdin", input=content)
    with temp_index(root) as index:
        env = {**os.environ, "GIT_INDEX_FILE": str(index)}
        _git(root, "read-tree", parent, env=env)
        _git(root, "update-index", "--cacheinfo", f"{mode},{blob},{path}", env=env)
        tree = _git(root, "write-tree", env=env)
    return _git(root, "commit-tree", tree, "-p", parent, "-F", "-", input=message.encode())


def write_atomic(target: Path, data: bytes, scratch: Path | None = None) -> None:
    """Replace a file's contents in one rename, keeping its permission bits (`scratch`:
    where its temp file is made)."""
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    atomic.write_atomic(target, data, mode=mode, fsync=False, scratch=scratch)
