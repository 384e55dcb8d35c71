"""`fix --fixup` moves HEAD, the index and the work tree together, and `fix --apply` never
writes through a link out of the repository; driven through the CLI against a local server
speaking docs/protocol.md (tests/faults.py), on real git repositories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ananke_ci.adapters.git import read as git_read
from ananke_ci.adapters.git import txn as git_txn
from ananke_ci.core.errors import UserError
from tests.faults import FaultServer, fault_server
from tests.gitrepo import Cli, GitRepo

ADD = 'def add(a: int, b: int) -> int:\n    """Sum."""\n    pass\n'
SUB = 'def sub(a: int, b: int) -> int:\n    """Difference."""\n    pass\n\n\nZ = 1\n'
FILLED_ADD = ADD.replace("    pass\n", "    return 0\n")
FILLED_SUB = SUB.replace("    pass\n", "    return 0\n")


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        yield srv


def holes_repo(repo: GitRepo) -> GitRepo:
    repo.write("base.py", "X = 1\n")
    repo.commit("base")
    repo.write("m.py", ADD)
    repo.write("n.py", SUB)
    repo.commit("add holes")
    return repo


def fixup(cli: Cli, server: FaultServer, *extra: str):
    return cli(
        "fix",
        "-q",
        "--diff",
        "HEAD~1..HEAD",
        "--fixup",
        "--backend",
        "protocol",
        "--endpoint",
        server.url,
        *extra,
    )


def staged(repo: GitRepo, path: str) -> str:
    return repo.git("show", f":{path}")


def test_an_unrelated_unstaged_edit_does_not_break_fixup(
    repo: GitRepo, cli: Cli, server: FaultServer
) -> None:
    holes_repo(repo)
    repo.write("base.py", "X = 1\nY = 2\n")  # the common case: other work in progress
    done = fixup(cli, server)
    assert done.code == 0, done.err
    assert repo.git("log", "--format=%s").splitlines()[:2] == ["fixup! add holes"] * 2
    # index and work tree followed HEAD; the unrelated edit is still unstaged, nothing staged
    assert repo.git("status", "--porcelain") == " M base.py\n"
    assert repo.git("diff-files", "--name-only") == "base.py\n"  # stat data refreshed too
    assert staged(repo, "m.py") == FILLED_ADD == (repo.root / "m.py").read_text()
    assert staged(repo, "n.py") == FILLED_SUB == (repo.root / "n.py").read_text()
    assert staged(repo, "base.py") == "X = 1\n"


def test_staged_and_unstaged_edits_of_a_filled_file_are_kept(
    repo: GitRepo, cli: Cli, server: FaultServer
) -> None:
    holes_repo(repo)
    repo.write("n.py", SUB + "A = 1\n")
    repo.stage("n.py")
    repo.write("n.py", SUB + "A = 1\nB = 2\n")
    repo.write("m.py", "# note\n" + ADD)  # unstaged only
    done = fixup(cli, server)
    assert done.code == 0, done.err
    assert staged(repo, "n.py") == FILLED_SUB + "A = 1\n"
    assert (repo.root / "n.py").read_text() == FILLED_SUB + "A = 1\nB = 2\n"
    assert staged(repo, "m.py") == FILLED_ADD
    assert (repo.root / "m.py").read_text() == "# note\n" + FILLED_ADD
    assert repo.git("diff", "--cached", "--name-only") == "n.py\n"


def test_an_edit_that_conflicts_is_left_and_reported(
    repo: GitRepo, cli: Cli, server: FaultServer
) -> None:
    holes_repo(repo)
    conflicting = ADD.replace("    pass\n", "    return a + b\n")
    repo.write("m.py", conflicting)
    done = fixup(cli, server)
    assert done.code == 1
    assert "m.py: committed; the unstaged changes conflict with the fill" in done.out
    assert (repo.root / "m.py").read_text() == conflicting  # the user's work, untouched
    assert staged(repo, "m.py") == FILLED_ADD  # the index follows HEAD: nothing staged


def test_a_head_that_moved_fails_before_anything_changes(repo: GitRepo) -> None:
    holes_repo(repo)
    old = repo.head()
    index = (repo.root / ".git" / "index").read_bytes()
    moved = repo.commit("someone else")
    move = git_txn.FileMove("m.py", ADD.encode(), FILLED_ADD.encode(), "100644")
    with pytest.raises(UserError, match="HEAD moved"):
        git_txn.advance_head(repo.root, old, git_read.head_commit(repo.root) or "", [move], "t")
    assert repo.head() == moved
    assert (repo.root / ".git" / "index").read_bytes() == index
    assert (repo.root / "m.py").read_text() == ADD
    assert not (repo.root / ".git" / "index.lock").exists()
    assert not (repo.root / ".git" / "ananke" / "fixup-transaction.json").exists()


def test_a_locked_index_is_refused_with_a_clear_error(
    repo: GitRepo, cli: Cli, server: FaultServer
) -> None:
    holes_repo(repo)
    old = repo.head()
    (repo.root / ".git" / "index.lock").write_text("")  # another git at work
    done = fixup(cli, server)
    assert done.code == 2 and "index.lock exists" in done.err
    assert repo.head() == old and (repo.root / "m.py").read_text() == ADD


def test_apply_never_writes_through_a_link_out_of_the_repository(
    repo: GitRepo, cli: Cli, server: FaultServer, tmp_path: Path
) -> None:
    repo.write("lib/m.py", ADD)
    repo.commit("hole")
    outside = tmp_path / "elsewhere"
    (repo.root / "lib").rename(outside)
    os.symlink(outside, repo.root / "lib")
    done = cli("fix", "-q", "--all", "--apply", "--backend", "protocol", "--endpoint", server.url)
    assert done.code == 1
    assert "lib/m.py: not written: a symbolic link on the way leads outside" in done.out
    assert (outside / "m.py").read_text() == ADD


def test_apply_writes_inside_the_repository(repo: GitRepo, cli: Cli, server: FaultServer) -> None:
    repo.write("lib/m.py", ADD)
    repo.commit("hole")
    done = cli(
        "fix", "-q", "lib/m.py", "--apply", "--backend", "protocol", "--endpoint", server.url
    )
    assert done.code == 0, done.err
    assert (repo.root / "lib" / "m.py").read_text() == FILLED_ADD
    assert repo.git("status", "--porcelain", "--ignored") == " M lib/m.py\n"
