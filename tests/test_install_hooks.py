"""`ananke-ci install-hooks` and the plain git hooks it installs, run by a real git."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.gitrepo import VENV_BIN, Cli, GitRepo

HOOKS_SRC = Path(__file__).resolve().parents[1] / "hooks"
BAN_SYSTEM = '[banned-calls]\n"os.system" = "use subprocess.run"\n'
BANNED_LINE = "app.py:2:1: ANK201 call of banned `os.system`: use subprocess.run [error]"
FOREIGN = b"#!/bin/sh\necho 'my own hook'\nexit 0\n"


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    """A repository with a config and one clean commit; ananke-ci first on PATH."""
    repo.env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("app.py", "import subprocess\n")
    repo.commit("base")
    return repo


def is_executable(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IXUSR)


def git_run(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """git as the user runs it: hooks on, failures returned rather than raised."""
    return subprocess.run(
        ["git", *args], cwd=repo.root, env=repo.env, capture_output=True, text=True, timeout=120
    )


# --- installing -----------------------------------------------------------------------------


def test_installs_both_hooks(repo: GitRepo, cli: Cli) -> None:
    hooks = repo.root / ".git" / "hooks"
    run = cli("install-hooks")
    assert (run.code, run.err) == (0, "")
    assert run.lines == [
        f"pre-commit: installed ({hooks / 'pre-commit'})",
        f"pre-push: installed ({hooks / 'pre-push'})",
    ]
    for name in ("pre-commit", "pre-push"):
        installed = hooks / name
        assert installed.read_bytes() == (HOOKS_SRC / name).read_bytes()
        assert is_executable(installed)
    assert not list(hooks.glob(".pre-*"))  # no temp files left behind


def test_rerun_says_already_installed(repo: GitRepo, cli: Cli) -> None:
    hooks = repo.root / ".git" / "hooks"
    assert cli("install-hooks").code == 0
    run = cli("install-hooks")
    assert (run.code, run.lines) == (
        0,
        [
            f"pre-commit: already installed ({hooks / 'pre-commit'})",
            f"pre-push: already installed ({hooks / 'pre-push'})",
        ],
    )


def test_one_hook_only(repo: GitRepo, cli: Cli) -> None:
    hooks = repo.root / ".git" / "hooks"
    run = cli("install-hooks", "--hook", "pre-push")
    assert (run.code, run.lines) == (0, [f"pre-push: installed ({hooks / 'pre-push'})"])
    assert not (hooks / "pre-commit").exists()


def test_from_a_subdirectory(repo: GitRepo, cli: Cli) -> None:
    sub = repo.root / "src" / "pkg"
    sub.mkdir(parents=True)
    assert cli("install-hooks", cwd=sub).code == 0
    assert (repo.root / ".git" / "hooks" / "pre-commit").is_file()
    assert not (sub / ".git").exists()


@pytest.mark.parametrize("relative", [True, False])
def test_core_hooks_path_is_honoured(
    repo: GitRepo, cli: Cli, tmp_path: Path, relative: bool
) -> None:
    target = repo.root / ".githooks" if relative else tmp_path / "shared-hooks"
    repo.git("config", "core.hooksPath", ".githooks" if relative else str(target))
    sub = repo.root / "docs"
    sub.mkdir()
    run = cli("install-hooks", cwd=sub)  # a relative hooksPath is relative to the top
    assert (run.code, run.lines) == (
        0,
        [
            f"pre-commit: installed ({target / 'pre-commit'})",
            f"pre-push: installed ({target / 'pre-push'})",
        ],
    )
    assert is_executable(target / "pre-commit")
    assert not (repo.root / ".git" / "hooks" / "pre-commit").exists()


def test_foreign_hook_is_kept_without_force(repo: GitRepo, cli: Cli) -> None:
    hooks = repo.root / ".git" / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "pre-commit").write_bytes(FOREIGN)
    run = cli("install-hooks")
    assert run.code == 1
    assert run.lines == [
        f"pre-commit: {hooks / 'pre-commit'} exists and is not ananke-ci's; kept it (use "
        "--force to replace it; the old one is saved as a backup)",
        f"pre-push: installed ({hooks / 'pre-push'})",
    ]
    assert (hooks / "pre-commit").read_bytes() == FOREIGN
    assert not (hooks / "pre-commit.ananke-backup").exists()
    # again: still refused, still untouched
    assert cli("install-hooks").code == 1
    assert (hooks / "pre-commit").read_bytes() == FOREIGN


def test_force_replaces_and_keeps_a_backup(repo: GitRepo, cli: Cli) -> None:
    hooks = repo.root / ".git" / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "pre-commit").write_bytes(FOREIGN)
    run = cli("install-hooks", "--force")
    assert run.code == 0
    backup = hooks / "pre-commit.ananke-backup"
    assert run.lines == [
        f"pre-commit: replaced (old hook saved as {backup})",
        f"pre-push: installed ({hooks / 'pre-push'})",
    ]
    assert backup.read_bytes() == FOREIGN
    assert (hooks / "pre-commit").read_bytes() == (HOOKS_SRC / "pre-commit").read_bytes()
    assert is_executable(hooks / "pre-commit")
    # --force on our own hook leaves the backup alone
    run = cli("install-hooks", "--force")
    assert run.lines[0] == f"pre-commit: already installed ({hooks / 'pre-commit'})"
    assert backup.read_bytes() == FOREIGN


def test_bad_hook_name_is_an_argument_error(repo: GitRepo, cli: Cli) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("install-hooks", "--hook", "post-commit")
    assert exc.value.code == 2


# --- the installed hooks, run by git --------------------------------------------------------


def test_installed_pre_commit_blocks_a_banned_call(project: GitRepo) -> None:
    install = project.exe("install-hooks")
    assert install.code == 0, install
    before = project.head()
    project.write("app.py", "import os\nos.system('ls')\n")
    project.stage()
    commit = git_run(project, "commit", "-m", "adds a banned call")
    assert commit.returncode == 1
    assert BANNED_LINE in commit.stderr.splitlines()  # git sends a hook's output there
    assert project.head() == before
    # --no-verify skips it, as the hook says
    assert git_run(project, "commit", "-q", "--no-verify", "-m", "forced").returncode == 0


def test_installed_pre_commit_passes_a_clean_change(project: GitRepo) -> None:
    assert project.exe("install-hooks").code == 0
    before = project.head()
    project.write("app.py", "import subprocess\nsubprocess.run(['ls'], check=True)\n")
    project.stage()
    commit = git_run(project, "commit", "-q", "-m", "clean")
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert project.head() != before


def test_installed_pre_commit_checks_commit_a(project: GitRepo) -> None:
    # `git commit -a` stages into a temporary index (GIT_INDEX_FILE): that is what is checked
    assert project.exe("install-hooks").code == 0
    before = project.head()
    project.write("app.py", "import os\nos.system('ls')\n")  # tracked, not staged
    commit = git_run(project, "commit", "-a", "-m", "all")
    assert commit.returncode == 1
    assert BANNED_LINE in commit.stderr.splitlines()  # git sends a hook's output there
    assert project.head() == before


@pytest.fixture
def with_remote(project: GitRepo, tmp_path: Path) -> GitRepo:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=project.env)
    project.git("remote", "add", "origin", str(remote))
    assert project.exe("install-hooks").code == 0
    return project


def remote_head(repo: GitRepo, branch: str) -> str:
    return repo.git("ls-remote", "origin", f"refs/heads/{branch}").split("\t")[0]


def test_pre_push_passes_a_clean_first_push(with_remote: GitRepo) -> None:
    push = git_run(with_remote, "push", "-q", "origin", "main")
    assert push.returncode == 0, push.stdout + push.stderr
    assert remote_head(with_remote, "main") == with_remote.head()


def test_pre_push_blocks_a_pushed_banned_call(with_remote: GitRepo) -> None:
    assert git_run(with_remote, "push", "-q", "origin", "main").returncode == 0
    pushed = with_remote.head()
    with_remote.write("app.py", "import os\nos.system('ls')\n")
    with_remote.stage()
    assert git_run(with_remote, "commit", "-q", "--no-verify", "-m", "sneaky").returncode == 0
    with_remote.write("other.py", "x = 1\n")
    with_remote.stage()
    with_remote.git("commit", "-q", "--no-verify", "-m", "unrelated, on top")
    push = git_run(with_remote, "push", "origin", "main")
    out = push.stdout + push.stderr
    assert push.returncode != 0, out
    assert BANNED_LINE in out.splitlines()
    assert remote_head(with_remote, "main") == pushed
    # removing the call again makes the pushed range clean
    with_remote.write("app.py", "import subprocess\n")
    with_remote.stage()
    with_remote.git("commit", "-q", "--no-verify", "-m", "undo")
    push = git_run(with_remote, "push", "-q", "origin", "main")
    assert push.returncode == 0, push.stdout + push.stderr
    assert remote_head(with_remote, "main") == with_remote.head()


def test_pre_push_blocks_a_new_branch_with_a_banned_call(with_remote: GitRepo) -> None:
    assert git_run(with_remote, "push", "-q", "origin", "main").returncode == 0
    with_remote.git("checkout", "-q", "-b", "feature")
    with_remote.write("app.py", "import os\nos.system('ls')\n")
    with_remote.stage()
    with_remote.git("commit", "-q", "--no-verify", "-m", "feature")
    push = git_run(with_remote, "push", "origin", "feature")
    assert push.returncode != 0
    assert BANNED_LINE in (push.stdout + push.stderr).splitlines()
    assert remote_head(with_remote, "feature") == ""


def test_pre_push_blocks_a_first_push_of_a_root_commit(repo: GitRepo, tmp_path: Path) -> None:
    repo.env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=repo.env)
    repo.git("remote", "add", "origin", str(remote))
    assert repo.exe("install-hooks").code == 0
    repo.write(".ananke.toml", BAN_SYSTEM)
    repo.write("app.py", "import os\nos.system('ls')\n")
    repo.stage()
    repo.git("commit", "-q", "--no-verify", "-m", "root")
    push = git_run(repo, "push", "origin", "main")
    assert push.returncode != 0
    assert BANNED_LINE in (push.stdout + push.stderr).splitlines()
