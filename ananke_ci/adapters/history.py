"""Git history and tree contents for salience, through the one subprocess helper.

Mining lists the commits (`git rev-list`) and shows them with a streaming `git log -M
--numstat --no-walk` (parsed by analysis.history as it arrives), or a few at once over
disjoint runs of a long history; blobs come from one `git cat-file --batch`.
Nothing here interprets what it reads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

# git_dir and head_commit are the git adapter's, re-exported for the salience callers
from ananke_ci.adapters.git.read import git_dir as git_dir
from ananke_ci.adapters.git.read import head_commit as head_commit
from ananke_ci.adapters.proc import run, stream_concurrently
from ananke_ci.analysis.history import LOG_ARGS, RECORD_SEP, Commit, parse_log
from ananke_ci.core.errors import UserError

# git log -M keeps up to 96 MiB of delta bases by default: 32 MiB took its peak RSS on
# pydantic's history from 203 to 113 MiB at the same CPU time (8 MiB cost 25% more CPU)
_LOG_CMD = ("git", "-c", "core.deltaBaseCacheLimit=32m", *LOG_ARGS)
SPLIT_MIN = 1000  # commits; fewer are mined by one git log (the split saves less than it costs)
MAX_JOBS = 2  # concurrent git logs: each may hold ~110 MiB (delta cache, pack windows)
CHUNKS_PER_JOB = 3  # commits differ in cost: a few runs per git log keep both busy to the end


def _git(root: Path, *args: str, check: bool = True) -> tuple[int, bytes]:
    result = run(["git", *args], cwd=root, check=check)
    return result.returncode, result.stdout


def is_shallow(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-shallow-repository")[1].strip() == b"true"


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """True when `older` is reachable from `newer` (False for unknown commits too)."""
    code, _ = _git(root, "merge-base", "--is-ancestor", older, newer, check=False)
    return code == 0


def mine(
    root: Path,
    head: str,
    *,
    since: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_commit: Callable[[Commit], None] | None = None,
    jobs: int | None = None,
    split_min: int = SPLIT_MIN,
) -> Iterator[Commit]:
    """Commits reachable from `head` (and not from `since`), oldest first.

    Oldest first so renames can be followed forward and an incremental run (since=the cached
    head) sees the commits in the same order as a full one. `on_start` gets the number of
    commits before any is read, `on_commit` each one as it is parsed (for progress).

    At least `split_min` commits are mined by up to `jobs` (default: the cores, at most
    MAX_JOBS) concurrent git logs: one is CPU-bound, nearly all of it in the diffs.
    """
    revs = [head, *([f"^{since}"] if since else [])]
    listed = list_commits(root, revs)
    if on_start is not None:
        on_start(len(listed))
    jobs = jobs if jobs is not None else min(MAX_JOBS, _cores())
    yield from _mine_runs(root, listed, jobs if len(listed) >= split_min else 1, on_commit)


def _mine_runs(
    root: Path, listed: list[str], jobs: int, on_commit: Callable[[Commit], None] | None
) -> Iterator[Commit]:
    """`listed` (newest first, git log's order) shown by git logs of exactly those commits
    (--no-walk): one, or with `jobs` > 1 runs of consecutive commits, up to `jobs` at once.

    A commit's record does not depend on which git log shows it, and the order is
    `listed`'s, so the result equals one walking git log's. Consecutive runs, not every other
    commit: neighbours share delta bases (every other commit cost git more CPU). The newest
    runs go first: recent commits are the costly ones here, the cheap ones fill in at the end.
    Records are parsed as they stream in and handed out oldest first at the end (git's
    `--reverse` cost it 10-20% more CPU here).
    """
    runs = split_runs(listed, CHUNKS_PER_JOB * jobs if jobs > 1 else 1)
    cmd = [*_LOG_CMD, "--no-walk=unsorted", "--stdin"]
    inputs = ["".join(f"{sha}\n" for sha in run).encode() for run in runs]
    by_sha: dict[str, Commit] = {}
    records = stream_concurrently(
        [cmd] * len(runs), jobs=jobs, cwd=root, sep=RECORD_SEP, inputs=inputs
    )
    for commit in parse_log(record for _, record in records):
        if on_commit is not None:
            on_commit(commit)
        by_sha[commit.sha] = commit
    if by_sha.keys() != set(listed):
        raise UserError(f"git log showed {len(by_sha)} commits, git rev-list {len(listed)}")
    for sha in reversed(listed):
        yield by_sha[sha]


def split_runs(listed: list[str], parts: int) -> list[list[str]]:
    """`listed` in `parts` consecutive runs of (nearly) equal length, none empty."""
    parts = min(parts, len(listed))
    return [listed[len(listed) * j // parts : len(listed) * (j + 1) // parts] for j in range(parts)]


def list_commits(root: Path, revs: list[str]) -> list[str]:
    """The commits of `revs`, newest first, in git log's order (the same walk)."""
    return _git(root, "rev-list", *revs, "--")[1].decode("ascii").split()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity
        return os.cpu_count() or 1


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
