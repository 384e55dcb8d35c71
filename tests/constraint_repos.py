"""Helpers for the constraint tests: repositories whose conventions hold by construction,
compiled, then checked against a staged change."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.gitrepo import GitRepo

# small repositories: conventions need fewer cases than the defaults ask for
SMALL = "[constraints]\nmin-evidence = 5\n"


def snake_module(n: int = 8, prefix: str = "do") -> str:
    """n annotated, snake_case functions (each a distinct snake name)."""
    return "".join(
        f"def {prefix}_thing_{i}(value: int) -> int:\n    return value + {i}\n\n\n"
        for i in range(n)
    )


class Checker:
    """compile once, then validate staged changes, as a user would from the shell."""

    def __init__(
        self, repo: GitRepo, mp: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.repo, self.mp, self.capsys = repo, mp, capsys

    def compile(self, *args: str) -> str:
        run = self.repo.cli(self.mp, self.capsys, "compile", *args)
        assert run.code == 0, run.err
        return run.out

    def staged(self, files: dict[str, str], *args: str) -> list[dict[str, Any]]:
        """Write and stage `files`, validate the staged change, return its findings; then
        put the work tree and index back to HEAD."""
        for path, text in files.items():
            self.repo.write(path, text)
        self.repo.stage()
        run = self.repo.cli(self.mp, self.capsys, "validate", "--staged", "--format", "json", *args)
        assert run.code in (0, 1), run.err
        self.repo.git("reset", "-q", "--hard")
        self.repo.git("clean", "-qfd")
        return list(json.loads(run.out)["findings"])


def rules_of(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(f["rule"] for f in findings)
