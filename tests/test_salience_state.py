"""The salience state in two files: the history as of a base commit, and the commits since."""

from __future__ import annotations

from pathlib import Path

import pytest

from ananke_ci.adapters.cache import salience_cache as cache
from ananke_ci.analysis.salience import state as state_module
from ananke_ci.app.salience import RECENT, compute_salience
from tests.gitrepo import GitRepo
from tests.test_salience import build_hub_repo
from tests.test_salience_cache import add_commits


def files(repo: GitRepo) -> tuple[Path, Path]:
    directory = repo.root / ".git" / "ananke"
    return directory / cache.STATE, directory / RECENT


def test_incremental_runs_leave_the_base_alone_and_equal_a_full_run(repo: GitRepo) -> None:
    build_hub_repo(repo)
    compute_salience(repo.root)
    base, recent = files(repo)
    written = base.read_bytes()
    for k in range(3):
        add_commits(repo, 2, start=500 + 10 * k)
        report = compute_salience(repo.root)
        assert report == compute_salience(repo.root, use_cache=False, write_cache=False)
    assert base.read_bytes() == written  # only the recent file was rewritten
    assert b'"commits":[' in recent.read_bytes()


def test_base_is_rewritten_once_enough_commits_gathered(
    repo: GitRepo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(state_module, "RECENT_MAX", 3)
    build_hub_repo(repo)
    compute_salience(repo.root)
    base, _ = files(repo)
    written = base.read_bytes()
    add_commits(repo, 2)
    compute_salience(repo.root)
    assert base.read_bytes() == written
    add_commits(repo, 2, start=600)  # 4 commits since the base: over RECENT_MAX
    report = compute_salience(repo.root)
    assert base.read_bytes() != written
    assert report == compute_salience(repo.root, use_cache=False, write_cache=False)


@pytest.mark.parametrize("damage", ["other base", "truncated", "missing"])
def test_a_recent_file_that_does_not_fit_costs_only_its_commits(
    repo: GitRepo,
    damage: str,
) -> None:
    build_hub_repo(repo)
    compute_salience(repo.root)
    add_commits(repo, 2)
    compute_salience(repo.root)
    _, recent = files(repo)
    if damage == "other base":  # as if a run stopped between writing the base and this
        body = cache.read(repo.root / ".git", RECENT, "recent")
        cache.write(repo.root / ".git", RECENT, "recent", {**body, "base": "0" * 40})
    elif damage == "truncated":
        recent.write_bytes(recent.read_bytes()[:100])
    else:
        recent.unlink()
    (repo.root / ".git" / "ananke" / cache.REPORT).unlink()
    (repo.root / ".git" / "ananke" / cache.INTENSITIES).unlink()
    report = compute_salience(repo.root)
    assert report == compute_salience(repo.root, use_cache=False, write_cache=False)
