"""The git operations that write: throwaway worktrees, blame, and commits built off-index.

Commits are made with plumbing on a temporary index (GIT_INDEX_FILE), so the user's index and
working tree are never used to build them; the branch moves with a compare-and-swap
`update-ref`, so a concurrent commit makes this fail instead of being lost.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ananke_ci.adapters import atomic
from ananke_ci.adapters.git import git_dir, head_commit
from ananke_ci.adapters.proc import run
from ananke_ci.core.errors import UserError

_GIT = ("git", "--literal-pathspecs", "-c", "core.quotepath=off")
NOT_COMMITTED = "0" * 40


def _git(root: str | Path, *args: str, input: bytes | None = None,
         env: Mapping[str, str] | None = None) -> str:
    return run([*_GIT, *args], cwd=root, input=input, env=env).stdout.decode().strip()


def index_tree(root: str | Path) -> str:
    """The tree the index holds (what would be committed); writes tree objects only."""
    return _git(root, "write-tree")


head = head_commit


def worktree_add(root: str | Path, where: Path, tree: str) -> None:
    """A detached worktree at `where` whose files are `tree` (any tree-ish)."""
    base = head(root)
    if base is None:
        raise UserError("the test command needs a commit to build a worktree from")
    _git(root, "worktree", "add", "--detach", "--quiet", str(where), base)
    # read-tree -u moves the files to the tree's state (the index may differ from HEAD)
    _git(where, "read-tree", "-u", "--reset", tree)


def worktree_remove(root: str | Path, where: Path) -> None:
    run([*_GIT, "worktree", "remove", "--force", str(where)], cwd=root, check=False)
    run([*_GIT, "worktree", "prune"], cwd=root, check=False)


@dataclass(frozen=True, slots=True)
class BlameLine:
    commit: str  # NOT_COMMITTED for a line only in the index / working tree
    subject: str


def blame_line(root: str | Path, path: str, line: int, rev: str | None = None) -> BlameLine:
    """The commit that last changed `line` of `path` at `rev` (default: the working tree)."""
    revs = [rev] if rev else []
    out = _git(root, "blame", "--porcelain", "-L", f"{line},{line}", *revs, "--", path)
    commit, subject = NOT_COMMITTED, ""
    for i, raw in enumerate(out.splitlines()):
        if i == 0:
            commit = raw.split(" ", 1)[0]
        elif raw.startswith("summary "):
            subject = raw[len("summary "):]
    return BlameLine(commit, subject)


def blob_at(root: str | Path, rev: str, path: str) -> tuple[str, bytes] | None:
    """(mode, contents) of path at rev, or None when it is not a file there."""
    listed = _git(root, "ls-tree", rev, "--", path)
    if not listed:
        return None
    mode, kind, obj = listed.split("\t", 1)[0].split(" ")
    if kind != "blob":
        return None
    return mode, run([*_GIT, "cat-file", "blob", obj], cwd=root).stdout


def commit_file(root: str | Path, parent: str, path: str, content: bytes, mode: str,
                message: str) -> str:
    """A new commit on top of `parent` that changes only `path`; returns its id."""
    blob = _git(root, "hash-object", "-w", "--stdin", input=content)
    fd, index = tempfile.mkstemp(prefix="ananke-index-", dir=git_dir(root))
    os.close(fd)
    env = {**os.environ, "GIT_INDEX_FILE": index}
    try:
        _git(root, "read-tree", parent, env=env)
        _git(root, "update-index", "--cacheinfo", f"{mode},{blob},{path}", env=env)
        tree = _git(root, "write-tree", env=env)
    finally:
        Path(index).unlink(missing_ok=True)
    return _git(root, "commit-tree", tree, "-p", parent, "-F", "-", input=message.encode())


def move_head(root: str | Path, new: str, old: str, reason: str) -> None:
    """Point HEAD's branch at `new` if it still is at `old`."""
    _git(root, "update-ref", "-m", reason, "HEAD", new, old)


def sync_unchanged(root: str | Path, path: str, old: bytes, new: bytes, mode: str) -> bool:
    """After HEAD moved, bring index and file along where they still held the old content
    (so the new commit does not show up as a staged revert); True when both followed."""
    old_blob = _git(root, "hash-object", "--stdin", input=old)
    staged = _git(root, "ls-files", "--stage", "--", path).split(" ")
    followed = False
    if len(staged) >= 2 and staged[1] == old_blob:
        blob = _git(root, "hash-object", "-w", "--stdin", input=new)
        _git(root, "update-index", "--cacheinfo", f"{mode},{blob},{path}")
        followed = True
    file = Path(root) / path
    if followed and file.is_file() and not file.is_symlink() and file.read_bytes() == old:
        write_atomic(file, new)
        _git(root, "update-index", "--refresh", "-q")
        return True
    return False


def write_atomic(target: Path, data: bytes) -> None:
    """Replace a file's contents in one rename, keeping its permission bits."""
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    atomic.write_atomic(target, data, mode=mode, fsync=False)
