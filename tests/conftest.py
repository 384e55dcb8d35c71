from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from tests.constraint_repos import Checker
from tests.gitrepo import Cli, GitRepo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty real git repository in a temp dir."""
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def check(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Checker:
    """Constraint checks in `repo`; salience is not what those tests are about, so no file
    is FoundationalStable."""
    monkeypatch.setattr("ananke_ci.app.constraints.foundational_files", lambda root: frozenset())
    return Checker(repo, monkeypatch, capsys)


@pytest.fixture
def cli(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`ananke-ci ARGS` in-process in `repo`, returning (code, out, err)."""
    return partial(repo.cli, monkeypatch, capsys)
