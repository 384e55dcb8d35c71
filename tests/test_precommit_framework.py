"""The real pre-commit framework running the `ananke-validate` hook of this checkout.

pre-commit clones the project at `rev`, so this tests the committed code (HEAD), installed
into a fresh virtualenv by pip as a user's machine would. Slow (the environment is built
once per module, in a private PRE_COMMIT_HOME).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.gitrepo import VENV_BIN, GitRepo

pytestmark = pytest.mark.slow  # the pre-commit framework installs and runs the hook

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = VENV_BIN / "pre-commit"
BAN_SYSTEM = '[banned-calls]\n"os.system" = "use subprocess.run"\n'


def _head_of_checkout() -> str:
    out = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


@pytest.fixture(scope="module")
def rev() -> str:
    """HEAD once per module: the hook env is built once even while others commit."""
    return _head_of_checkout()


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for pre-commit: a private cache shared by the module's tests."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {
        "PRE_COMMIT_HOME": str(home),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        # keep pip's download cache: the hook env installs tree-sitter wheels from PyPI
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "NO_COLOR": "1",
    }
    return env


@pytest.fixture
def project(tmp_path: Path, hook_env: dict[str, str], rev: str) -> GitRepo:
    """A user's repository whose .pre-commit-config.yaml points at this checkout's HEAD."""
    repo = GitRepo(tmp_path / "user-repo")
    repo.env.update(hook_env)
    for key in ("VIRTUAL_ENV", "PYTHONPATH", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF"):
        repo.env.pop(key, None)  # this test run's own settings must not reach the hook
    repo.write(
        ".pre-commit-config.yaml",
        (
            "repos:\n"
            f"  - repo: {PROJECT_ROOT}\n"
            f"    rev: {rev}\n"
            "    hooks:\n"
            "      - id: ananke-validate\n"
        ),
    )
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("app.py", "import subprocess\n\n\ndef main() -> None:\n    print('hi')\n")
    repo.commit("base")
    return repo


def pre_commit(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=repo.root,
        env=repo.env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_pre_commit_run_fails_on_an_added_banned_call(project: GitRepo) -> None:
    project.write("app.py", "import os\n\n\ndef main() -> None:\n    os.system('ls')\n")
    project.stage()
    run = pre_commit(project, "run", "ananke-validate")
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "ananke-ci validate" in out and "Failed" in out
    assert (
        "app.py:5:5: ANK201 call of banned `os.system`: use subprocess.run [error]"
        in out.splitlines()
    )


def test_pre_commit_run_passes_on_a_clean_change(project: GitRepo) -> None:
    project.write(
        "app.py",
        "import subprocess\n\n\ndef main() -> None:\n    subprocess.run(['ls'], check=True)\n",
    )
    project.stage()
    run = pre_commit(project, "run", "ananke-validate")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "Passed" in out


def test_a_passing_hook_shows_its_warnings_and_a_clean_change_says_nothing(
    project: GitRepo,
) -> None:
    """pre-commit prints a passing hook's output only for `verbose` hooks: ours is, so the
    warnings a commit adds are seen at commit time, and a clean commit adds no words."""
    project.write(
        "app.py", "import subprocess\n\n\ndef main() -> None:\n    print('hi')  # TODO: say more\n"
    )
    project.stage()
    run = pre_commit(project, "run", "ananke-validate")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "Passed" in out
    assert "app.py:5:18: ANK101 TODO comment in main(): # TODO: say more [warning]" in out
    project.write("app.py", "import subprocess\n\n\ndef main() -> None:\n    print('hello')\n")
    project.stage()
    run = pre_commit(project, "run", "ananke-validate")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    # pre-commit's own lines, nothing of ours
    assert [
        line
        for line in out.splitlines()
        if line.strip()
        and not line.startswith(("ananke-ci validate...", "- hook id:", "- duration:"))
    ] == [], out


def test_pre_commit_run_ignores_a_pre_existing_call(project: GitRepo) -> None:
    project.write("legacy.py", "import os\nos.system('old')\n")
    project.commit("legacy, committed with --no-verify in spirit")
    project.write("legacy.py", "import os\nos.system('old')\nx = 1\n")
    project.stage()
    run = pre_commit(project, "run", "ananke-validate")
    assert run.returncode == 0, run.stdout + run.stderr


def test_git_commit_is_blocked_after_pre_commit_install(project: GitRepo) -> None:
    install = pre_commit(project, "install")
    assert install.returncode == 0, install.stdout + install.stderr
    before = project.head()
    project.write("app.py", "import os\n\n\ndef main() -> None:\n    os.system('ls')\n")
    project.stage()
    commit = subprocess.run(
        ["git", "commit", "-m", "adds a banned call"],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = commit.stdout + commit.stderr
    assert commit.returncode != 0, out
    assert "ANK201" in out
    assert project.head() == before
    # the fix goes through
    project.write("app.py", "import subprocess\n\n\ndef main() -> None:\n    print('ok')\n")
    project.stage()
    commit = subprocess.run(
        ["git", "commit", "-m", "clean"],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert project.head() != before
