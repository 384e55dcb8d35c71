"""The salience cache: incremental equals full, damaged or foreign caches are rebuilt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ananke_ci.adapters import history as git_history
from ananke_ci.adapters.cache import salience_cache as cache
from ananke_ci.app.salience import compute_salience, load_intensities
from tests.gitrepo import GitRepo
from tests.test_salience import body, build_hub_repo, day


@pytest.fixture
def mined(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many commits each run read from git log."""
    counts: list[int] = []
    real = git_history.mine

    def counting(*args: Any, **kwargs: Any) -> Iterator[Any]:
        counts.append(0)
        for commit in real(*args, **kwargs):
            counts[-1] += 1
            yield commit

    monkeypatch.setattr(git_history, "mine", counting)
    return counts


def add_commits(repo: GitRepo, k: int, start: int = 500) -> None:
    for i in range(k):
        repo.write("pkg/leaf.py", "from pkg import hub\n" + body(f"late{i}"))
        repo.write(f"pkg/new{i}.py", "from pkg import mid\n")
        repo.commit(f"late {i}", date=day(start + i))


def test_incremental_reads_only_new_commits_and_equals_full(
    repo: GitRepo, mined: list[int]
) -> None:
    build_hub_repo(repo)
    compute_salience(repo.root)
    add_commits(repo, 2)
    incremental = compute_salience(repo.root)
    full = compute_salience(repo.root, use_cache=False, write_cache=False)
    assert mined == [10, 2, 12]
    assert incremental == full
    assert compute_salience(repo.root) == full and mined == [10, 2, 12]  # same head: no mining


def test_history_rewritten_under_the_cache_is_rebuilt(repo: GitRepo, mined: list[int]) -> None:
    build_hub_repo(repo)
    compute_salience(repo.root)
    repo.git("reset", "-q", "--hard", "HEAD~2")
    add_commits(repo, 1)
    report = compute_salience(repo.root)
    assert mined == [10, 9]  # cached head is no ancestor: a full run
    assert report == compute_salience(repo.root, use_cache=False, write_cache=False)


@pytest.mark.parametrize("name", [cache.STATE, cache.REPORT, cache.INTENSITIES])
def test_cache_truncated_mid_write_is_rebuilt(repo: GitRepo, name: str) -> None:
    build_hub_repo(repo, edits=3)
    full = compute_salience(repo.root)
    path = repo.root / ".git" / "ananke" / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    if name == cache.INTENSITIES:
        assert load_intensities(repo.root) == {}
    add_commits(repo, 1)
    report = compute_salience(repo.root)
    assert report == compute_salience(repo.root, use_cache=False, write_cache=False)
    assert report != full and load_intensities(repo.root) == report.intensities()


def test_foreign_or_edited_cache_is_not_trusted(repo: GitRepo, mined: list[int]) -> None:
    build_hub_repo(repo, edits=3)
    full = compute_salience(repo.root)
    directory = repo.root / ".git" / "ananke"
    (directory / cache.REPORT).write_text(json.dumps({"format": "someone-else"}) + "\n{}")
    state = directory / cache.STATE
    state.write_bytes(state.read_bytes().replace(b'"commits":4', b'"commits":5'))
    assert compute_salience(repo.root) == full
    assert mined == [4, 4]


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    cache.write(tmp_path, "x.json", "report", {"a": 1})
    cache.write(tmp_path, "x.json", "report", {"a": 2})
    assert [p.name for p in (tmp_path / "ananke").iterdir()] == ["x.json"]
    assert cache.read(tmp_path, "x.json", "report") == {"a": 2}
    with pytest.raises(cache.CacheInvalid):
        cache.read(tmp_path, "x.json", "state")  # another kind of file
