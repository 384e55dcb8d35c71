"""A cache under `.git/ananke` that cannot be read or written is a notice and a slower run,
never a failure: the results are those of a run without caches."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.gitrepo import Cli, GitRepo

Damage = Callable[[Path], None]


def _file_at(name: str) -> Damage:
    def damage(cache: Path) -> None:
        target = cache / name
        if target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("not a folder")

    return damage


def _dirs_for_files(cache: Path) -> None:
    for path in cache.rglob("*.json"):
        path.unlink()
        path.mkdir()


def _deep(cache: Path) -> None:
    for path in cache.rglob("*.json"):
        path.write_text("[" * 100_000)


DAMAGE: dict[str, Damage] = {
    ".git/ananke is a file": lambda cache: (shutil.rmtree(cache), cache.write_text("x")),  # type: ignore[func-returns-value, dict-item]
    "ir/ is a file": _file_at("ir"),
    "summaries/ is a file": _file_at("summaries"),
    "facts/ is a file": _file_at("facts"),
    "each cache file a folder": _dirs_for_files,
    "each cache file 100k deep JSON": _deep,
}


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    repo.write(".ananke.toml", '[banned-calls]\neval = "no"\n\n[constraints]\nmin-evidence = 1\n')
    repo.write("rules.ariadne", 'constraint quiet { forbid: ["print"]; }\n')
    for i in range(3):
        repo.write(f"m{i}.py", f"def f{i}(x: int) -> int:\n    return x\n")
    repo.commit("init")
    repo.write("m0.py", "def f0(x: int) -> int:\n    print(x)\n    return eval('x')\n")
    repo.stage()
    return repo


@pytest.mark.parametrize("what", list(DAMAGE))
def test_a_damaged_cache_gives_the_same_result(project: GitRepo, cli: Cli, what: str) -> None:
    clean = cli("validate")  # writes the caches it damages below
    assert clean.code == 1 and "ANK201" in clean.out and "ANK308" in clean.out
    cache = project.root / ".git" / "ananke"
    DAMAGE[what](cache)
    done: set[str] = set()
    for command in (
        ("validate",),
        ("validate",),
        ("holes",),
        ("compile",),
        ("salience",),
        ("validate",),
    ):
        run = cli(*command)
        assert run.code in (0, 1), (command, run.err)
        assert "internal error" not in run.err and "Traceback" not in run.err
        if command == ("validate",) and "salience" not in done:
            assert run.out == clean.out, run.err
        done.add(command[0])
