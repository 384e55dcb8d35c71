"""Real git repositories in temp dirs for tests: one helper, used by every test module."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Tester",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Tester",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "",  # filled per repo so the user's ~/.gitconfig never leaks in
}
VENV_BIN = Path(sys.executable).parent  # where `ananke-ci` and `pre-commit` are installed
ANANKE_CI = VENV_BIN / "ananke-ci"


class CliRun(NamedTuple):
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def notes(self) -> str:
        """stderr without the line saying that a commit's constraints were mined (the first
        run at a base prints it; the tests that look at stderr are about something else)."""
        return "".join(
            line for line in self.err.splitlines(keepends=True) if not line.startswith(MINED_NOTICE)
        )


MINED_NOTICE = "ananke-ci: mined the constraints of "


Cli = Callable[..., CliRun]  # `main(args)` in-process in a repo: the `cli` fixture


class GitRepo:
    """A scratch repository: write files, stage, commit, run git."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, **GIT_ENV, "HOME": str(root.parent)}
        self.git("-c", "init.defaultBranch=main", "init", "-q")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        out = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env={**self.env, **(env or {})},
            check=True,
            capture_output=True,
        )
        return out.stdout.decode("utf-8", "replace")

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode())
        else:
            path.write_bytes(content)
        return path

    def stage(self, *paths: str) -> None:
        """Stage the given paths, or everything."""
        if paths:
            self.git("add", "--", *paths)
        else:
            self.git("add", "-A")

    def commit(self, message: str = "change", *, date: str | None = None) -> str:
        self.git("add", "-A")
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def rm(self, *paths: str) -> None:
        self.git("rm", "-q", "--", *paths)

    def exe(
        self, *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> CliRun:
        """The installed `ananke-ci` console script, as a user's shell would run it."""
        proc = subprocess.run(
            [str(ANANKE_CI), *args],
            cwd=cwd or self.root,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
        return CliRun(proc.returncode, proc.stdout, proc.stderr)

    def cli(
        self,
        mp: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        *args: str,
        cwd: Path | None = None,
    ) -> CliRun:
        """`ananke_ci.cli.main(args)` in-process, from cwd (default: the repository root)."""
        from ananke_ci.cli import main

        capsys.readouterr()  # drop anything printed before
        with mp.context() as m:
            m.chdir(cwd or self.root)
            for key, value in GIT_ENV.items():  # the git that ananke-ci runs sees our env
                m.setenv(key, value or str(self.root.parent))
            for key in ("FORCE_COLOR", "GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"):
                m.delenv(key, raising=False)
            code = main(list(args))
        out, err = capsys.readouterr()
        return CliRun(code, out, err)


def probe_run(repo: GitRepo, probe: str) -> tuple[str, set[str]]:
    """`probe` (code that prints "MODULES" and then sys.modules) in a fresh interpreter in
    repo: its output, and the modules it had imported."""
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=repo.root,
        env=repo.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out, set(out.split("MODULES", 1)[1].split())
