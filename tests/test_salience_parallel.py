"""Mining a long history with concurrent git logs gives exactly what one git log gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from ananke_ci.adapters.history import CHUNKS_PER_JOB, list_commits, mine, split_runs
from ananke_ci.adapters.proc import stream_concurrently
from ananke_ci.analysis.history import Commit
from ananke_ci.analysis.salience.aggregate import HistoryState
from ananke_ci.core.errors import UserError
from tests.gitrepo import GitRepo
from tests.test_salience import body, day


def build_branchy_repo(repo: GitRepo, rounds: int = 8) -> None:
    """Rounds of: a feature branch (edits, a rename, a file deleted) merged without
    fast-forward while main also moved on; a commit dated before its parent (git's order
    is by date, so skew is where a reordering would show); and one huge commit."""
    repo.write(".mailmap", "Ada Tester <ada@example.com> <ada@old.example>\n")
    repo.write("core.py", body("core0"))
    repo.write("logo.png", b"\x89PNG\0\0")
    repo.commit("start", date=day(0))
    for r in range(rounds):
        d = 10 * r + 1
        repo.git("checkout", "-q", "-b", f"feature{r}")
        repo.write(f"feat/f{r}.py", body(f"f{r}"))
        repo.write("core.py", body(f"core{r}") + f"feature = {r}\n")
        repo.commit(f"feature {r}", date=day(d))
        if r:
            repo.git("mv", f"feat/f{r - 1}.py", f"feat/moved{r - 1}.py")
            repo.write(f"feat/moved{r - 1}.py", body(f"f{r - 1}") + "moved = 1\n")
        repo.write("logo.png", b"\x89PNG\0\0" + bytes([r]))
        repo.commit(f"feature {r} rename", date=day(d + 1))
        repo.git("checkout", "-q", "main")
        repo.write(f"main{r}.py", body(f"m{r}"))
        repo.git(
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            f"main {r}",
            env={
                "GIT_AUTHOR_EMAIL": "ada@old.example",
                "GIT_AUTHOR_DATE": day(d + 2),
                "GIT_COMMITTER_DATE": day(d + 2),
            },
        )
        repo.stage()
        repo.git("commit", "-q", "-m", f"main {r} files", env={"GIT_COMMITTER_DATE": day(d + 2)})
        repo.git(
            "merge",
            "-q",
            "--no-ff",
            "-m",
            f"merge {r}",
            f"feature{r}",
            env={"GIT_AUTHOR_DATE": day(d + 3), "GIT_COMMITTER_DATE": day(d + 3)},
        )
        if r % 3 == 1:
            repo.rm(f"main{r - 1}.py")
        repo.write("core.py", body(f"late{r}"))
        repo.commit(f"skewed {r}", date=day(d - 5))  # older than its parent
    for i in range(40):
        repo.write(f"gen/g{i}.py", body(f"g{i}", 2))
    repo.commit("huge", date=day(10 * rounds + 5))


def folded(commits: list[Commit]) -> dict[str, object]:
    state = HistoryState()
    for commit in commits:
        state.add(commit)
    return state.to_json()


def test_split_mining_equals_one_git_log(repo: GitRepo) -> None:
    build_branchy_repo(repo)
    head = repo.head()
    listed = list_commits(repo.root, [head])
    assert len(listed) == 1 + 8 * 6 + 1
    runs = split_runs(listed, CHUNKS_PER_JOB * 2)  # what jobs=2 mines as separate git logs
    assert [sha for run in runs for sha in run] == listed and len(runs) == 6
    serial = list(mine(repo.root, head, jobs=1))
    split = list(mine(repo.root, head, jobs=2, split_min=1))  # split_min=1 forces the split
    assert [c.sha for c in serial] == listed[::-1]
    assert split == serial
    assert any(c.is_merge for c in split) and any(ch.old_path for c in split for ch in c.changes)
    assert folded(split) == folded(serial)


def test_split_mining_since_a_cached_head(repo: GitRepo) -> None:
    build_branchy_repo(repo, rounds=3)
    since = repo.head()
    for r in range(3):
        repo.git("checkout", "-q", "-b", f"late{r}")
        repo.write(f"late{r}.py", body(f"l{r}"))
        repo.commit(f"late {r}", date=day(100 + 2 * r))
        repo.git("checkout", "-q", "main")
        repo.write("core.py", body(f"main late {r}"))
        repo.commit(f"main late {r}", date=day(101 + 2 * r))
        repo.git("merge", "-q", "--no-ff", "-m", f"merge late {r}", f"late{r}")
    head = repo.head()
    totals: list[int] = []
    serial = list(mine(repo.root, head, since=since, jobs=1))
    split = list(mine(repo.root, head, since=since, jobs=2, split_min=1, on_start=totals.append))
    assert split == serial and len(serial) == 9 == totals[0]
    full = list(mine(repo.root, since, jobs=2, split_min=1))
    assert folded(full + split) == folded(list(mine(repo.root, head, jobs=1)))


def test_concurrent_streams_keep_each_commands_order_and_report_failures(tmp_path: Path) -> None:
    cmds = [["printf", f"{i}a\\n{i}b\\n{i}c"] for i in range(5)]
    parts = list(stream_concurrently(cmds, jobs=2, cwd=tmp_path))
    for i in range(5):
        assert [p for j, p in parts if j == i] == [f"{i}{x}".encode() for x in "abc"]
    with pytest.raises(UserError, match="exit status"):
        list(stream_concurrently([["printf", "x"], ["false"], ["printf", "y"]], jobs=2))
