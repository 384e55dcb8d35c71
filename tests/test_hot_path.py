"""The pre-commit hot path imports only what it needs (each heavy library costs 0.2-0.6 s)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.gitrepo import GitRepo

HEAVY = ("networkx", "numpy", "scipy", "git", "pydriller", "rich", "matplotlib", "lark")

PROBE = """
import sys
from ananke_ci.cli import main
status = main(["validate", "--staged"])
print("STATUS", status)
print("MODULES", " ".join(sorted(sys.modules)))
"""


def _hook_run(repo: GitRepo, status: int) -> tuple[str, set[str]]:
    """Run the staged check in a fresh interpreter: its output, the modules it imported."""
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=repo.root, env=repo.env,
                         capture_output=True, text=True, check=True).stdout
    assert f"STATUS {status}" in out, out  # the probe really ran the check
    return out, set(out.split("MODULES", 1)[1].split())


def test_validate_staged_imports_no_heavy_library(repo: GitRepo) -> None:
    repo.write("a.py", "def f() -> int:\n    return 1\n")
    repo.commit("init")
    repo.write("a.py", "def f() -> int:\n    return eval('1')\n")
    repo.write(".ananke.toml", '[banned-calls]\neval = "no"\n')
    repo.stage("a.py")
    out, imported = _hook_run(repo, status=1)  # the banned call was found
    assert "a.py:2:12: ANK201" in out
    modules = {name.split(".")[0] for name in imported}
    assert "tree_sitter" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_plain_repository_hook_skips_cache_and_crash_report_modules(repo: GitRepo) -> None:
    """No `.git/ananke` caches and no baseline: the hook imports no cache module (hashlib,
    json) and not the crash report's traceback."""
    repo.write("a.py", "def f() -> int:\n    return 1\n")
    repo.commit("init")
    repo.write("a.py", "def f() -> int:\n    return 2  # TODO: later\n")
    repo.stage("a.py")
    _, modules = _hook_run(repo, status=0)
    assert "ananke_ci.core.facts" in modules
    assert not modules & {"hashlib", "json", "traceback", "ananke_ci.adapters.salience_cache",
                          "ananke_ci.adapters.ir_cache", "dataclasses", "inspect",
                          "tomllib"}


def test_hook_with_compiled_constraints_builds_records_without_dataclasses(
    repo: GitRepo,
) -> None:
    """With a constraint IR in `.git/ananke`, the hook loads and checks it, and its records
    (core.records) still do not pull in dataclasses, inspect, ast and dis (~13 ms)."""
    repo.write("a.py", "def f() -> int:\n    return 1\n")
    repo.commit("init")
    subprocess.run([sys.executable, "-m", "ananke_ci", "compile"], cwd=repo.root,
                   env=repo.env, capture_output=True, text=True, check=True)
    assert (repo.root / ".git" / "ananke" / "constraint-ir.json").is_file()
    repo.write("a.py", "def f() -> int:\n    return 2\n")
    repo.stage("a.py")
    _, modules = _hook_run(repo, status=0)
    assert "ananke_ci.app.constraint_check" in modules  # the IR was really read
    assert not modules & {"dataclasses", "inspect"}, sorted(modules & {"dataclasses", "inspect"})


def test_no_caches_is_false_once_either_cache_is_written(repo: GitRepo) -> None:
    """`no_caches` decides without the cache modules: it must see where both write."""
    from ananke_ci.adapters import ir_cache, salience_cache
    from ananke_ci.adapters.cache_paths import no_caches

    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    assert no_caches(repo.root)
    ir_cache.write(repo.root, "k", "{}")
    assert not no_caches(repo.root)
    git_dir = salience_cache.find_git_dir(repo.root)
    assert git_dir is not None
    shutil.rmtree(salience_cache.cache_dir(git_dir))
    assert no_caches(repo.root)
    salience_cache.write(git_dir, salience_cache.INTENSITIES, "intensities", {"files": {}})
    assert not no_caches(repo.root)


def test_no_caches_sees_a_worktrees_git_dir(repo: GitRepo) -> None:
    """In a `git worktree`, `.git` is a file naming the real git dir; the pre-check follows
    it rather than taking the slow path."""
    from ananke_ci.adapters import ir_cache
    from ananke_ci.adapters.cache_paths import no_caches

    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    other = repo.root.parent / "other"
    repo.git("worktree", "add", "-q", str(other))
    assert (other / ".git").is_file()
    assert no_caches(other)
    ir_cache.write(other, "k", "{}")
    assert not no_caches(other)


@pytest.mark.parametrize("columns", ["120", "0", "-5", "wide", None])
def test_help_width_is_shutils(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    """The CLI sizes --help without importing shutil, and must size it as shutil would."""
    from ananke_ci.cli import _columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _columns() == shutil.get_terminal_size().columns
