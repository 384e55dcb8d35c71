"""The pre-commit hot path imports only what it needs (each heavy library costs 0.2-0.6 s)."""

from __future__ import annotations

import shutil

import pytest

from tests.gitrepo import GitRepo, probe_run

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
    out, modules = probe_run(repo, PROBE)
    assert f"STATUS {status}" in out, out  # the probe really ran the check
    return out, modules


def test_validate_staged_imports_no_heavy_library(repo: GitRepo) -> None:
    repo.write("a.py", "def f() -> int:\n    return 1\n")
    repo.commit("init")
    repo.write("a.py", "def f() -> int:\n    return eval('1')\n")
    repo.write(".ananke.toml", '[banned-calls]\neval = "no"\n')
    repo.stage("a.py")
    for _ in range(2):  # the first run mines HEAD's constraints, the second reads them
        out, imported = _hook_run(repo, status=1)  # the banned call was found
        assert "a.py:2:12: ANK201" in out
        modules = {name.split(".")[0] for name in imported}
        assert "tree_sitter" in modules
        assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


# what only mining, compiling or a crash needs: none of it once the base's constraints are
# cached (dataclasses and inspect cost ~13 ms: the records do without them)
MINING = {
    "ananke_ci.app.mining",
    "ananke_ci.app.constraints",
    "ananke_ci.app.repo_facts",
    "ananke_ci.adapters.cache.facts_cache",
    "ananke_ci.analysis.constraints.summary",
    "ananke_ci.analysis.constraints.compile",
    "ananke_ci.analysis.constraints.ariadne",
    "traceback",
    "dataclasses",
    "inspect",
    "multiprocessing",
    "concurrent.futures",
}


def test_hook_with_cached_constraints_imports_no_mining(repo: GitRepo) -> None:
    """The steady state: the constraints of HEAD are cached, so the hook reads them, checks
    the change against them, and imports nothing that mines or compiles."""
    repo.write(
        ".ananke.toml", '[constraints]\nmin-evidence = 1\n\n[constraint.safe]\nforbid = ["exec"]\n'
    )
    repo.write("rules.ariadne", 'constraint base { forbid: ["eval"]; }\n')
    repo.write("a.py", "def f() -> int:\n    return 1\n")
    repo.commit("init")
    repo.write("a.py", "def f() -> int:\n    return 2\n")
    repo.stage("a.py")
    _hook_run(repo, status=0)  # mines HEAD's constraints, parses the Ariadne file once
    _, modules = _hook_run(repo, status=0)
    assert "ananke_ci.analysis.constraints.check" in modules  # the constraints were checked
    assert not modules & MINING, sorted(modules & MINING)
    repo.write("a.py", "def f() -> int:\n    return eval('2')\n")
    repo.stage("a.py")
    out, modules = _hook_run(repo, status=1)
    assert "a.py:2:12: ANK308" in out and "declared at rules.ariadne" in out
    assert not modules & MINING, sorted(modules & MINING)


def test_no_caches_is_false_once_either_cache_is_written(repo: GitRepo) -> None:
    """`no_caches` decides without the cache modules: it must see where both write."""
    from ananke_ci.adapters.cache import ir_cache, salience_cache
    from ananke_ci.adapters.cache.cache_paths import no_caches

    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    assert no_caches(repo.root)
    ir_cache.write(repo.root, "ir", "k", "{}")
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
    from ananke_ci.adapters.cache import ir_cache
    from ananke_ci.adapters.cache.cache_paths import no_caches

    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    other = repo.root.parent / "other"
    repo.git("worktree", "add", "-q", str(other))
    assert (other / ".git").is_file()
    assert no_caches(other)
    ir_cache.write(other, "ir", "k", "{}")
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
