"""Git history and tree contents for salience, through the one subprocess helper.

Mining is one streaming `git log -M --numstat` (parsed by analysis.history as it arrives);
blobs come from one `git cat-file --batch`. Nothing here interprets what it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

# git_dir and head_commit are the git adapter's, re-exported for the salience callers
from ananke_ci.adapters.git import git_dir as git_dir
from ananke_ci.adapters.git import head_commit as head_commit
from ananke_ci.adapters.proc import run, stream_lines
from ananke_ci.analysis.history import LOG_ARGS, RECORD_SEP, Commit, parse_log

# git log -M keeps up to 96 MiB of delta bases by default: 32 MiB took its peak RSS on
# pydantic's history from 203 to 113 MiB at the same CPU time (8 MiB cost 25% more CPU)
_LOW_MEMORY = ("-c", "core.deltaBaseCacheLimit=32m")


def _git(root: Path, *args: str, check: bool = True) -> tuple[int, bytes]:
    result = run(["git", *args], cwd=root, check=check)
    return result.returncode, result.stdout


def is_shallow(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-shallow-repository")[1].strip() == b"true"


def count_commits(root: Path, revs: str) -> int:
    return int(_git(root, "rev-list", "--count", revs)[1] or b"0")


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """True when `older` is reachable from `newer` (False for unknown commits too)."""
    code, _ = _git(root, "merge-base", "--is-ancestor", older, newer, check=False)
    return code == 0


def mine(
    root: Path, head: str, *, since: str | None = None,
    on_commit: Callable[[Commit], None] | None = None,
) -> Iterator[Commit]:
    """Commits reachable from `head` (and not from `since`), oldest first.

    Oldest first so renames can be followed forward and an incremental run (since=the cached
    head) sees the commits in the same order as a full one. git prints newest first and
    `--reverse` cost it 10-20% more CPU here, so records are parsed as they stream in
    (`on_commit` sees each one then, for progress) and handed out reversed at the end.
    """
    revs = f"{since}..{head}" if since else head
    cmd = ["git", *_LOW_MEMORY, *LOG_ARGS, revs, "--"]
    commits: list[Commit] = []
    for commit in parse_log(stream_lines(cmd, cwd=root, sep=RECORD_SEP)):
        if on_commit is not None:
            on_commit(commit)
        commits.append(commit)
    yield from reversed(commits)


def tree_blobs(root: Path, commit: str) -> list[tuple[str, str]]:
    """(path, blob sha) for every regular file in `commit`'s tree (no submodules, no links)."""
    out = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit)[1]
    entries: list[tuple[str, str]] = []
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, sha = meta.split(b" ")
        if kind == b"blob" and mode in (b"100644", b"100755"):
            entries.append((path.decode("utf-8", "replace"), sha.decode("ascii")))
    return entries


def read_blobs(root: Path, shas: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """(sha, content) for each blob, via one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return
    request = "".join(f"{sha}\n" for sha in wanted).encode()
    out = run(["git", "cat-file", "--batch"], cwd=root, input=request).stdout
    view = memoryview(out)
    pos = 0
    for _ in wanted:
        eol = out.index(b"\n", pos)
        header = out[pos:eol].split(b" ")
        pos = eol + 1
        if len(header) != 3:  # "<sha> missing"
            continue
        size = int(header[2])
        yield header[0].decode("ascii"), bytes(view[pos : pos + size])
        pos += size + 1  # content is followed by a newline
