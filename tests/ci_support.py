"""Helpers for the bot's tests: a pull request in a real repository, its event file, a
deterministic generation server (docs/protocol.md over 127.0.0.1), and `ananke-ci ci` run
in-process against the fake GitHub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ananke_ci.adapters.backends.server import GenerationServer
from ananke_ci.core.protocol import Candidate, GenerationRequest, GenerationResponse, Provenance
from tests.github_fake.server import FakeGitHub
from tests.gitrepo import CliRun, GitRepo

BASE_CONFIG = '[banned-calls]\n"os.system" = "no shell"\n'
HEAD_SOURCE = '''import os


def add(a: int, b: int) -> int:
    """Sum."""
    pass


def fence() -> str:
    """Three backticks."""
    raise NotImplementedError


def total(xs: list[int]) -> int:
    # TODO: add them up
    return 0


def run() -> None:
    os.system("ls")
'''
FILLS = {  # function name in the prompt -> the body the fake model writes
    "def add": "    return a + b\n",
    "def fence": '    return "```"\n',
    "def total": "    return sum(xs)\n",
}


class FixedFills:
    """A model that writes FILLS[function] for each hole; records the requests."""

    name = "fixed"

    def __init__(self) -> None:
        self.requests: list[GenerationRequest] = []

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        self.requests.append(request)
        text = next(
            (body for sig, body in FILLS.items() if _hole_function(request) == sig),
            "    return 0\n",
        )
        return GenerationResponse(
            tuple(Candidate(text, 3, "stop", None) for _ in range(request.n)),
            Provenance("fixed", "fixed"),
            request_id=request.request_id,
        )


def _hole_function(request: GenerationRequest) -> str:
    """The prompt ends with the pre-filled head of the hole's function: its `def` line."""
    defs = [line for line in request.prompt.splitlines() if line.startswith("def ")]
    return defs[-1].split("(")[0] if defs else ""


@contextmanager
def generation_server() -> Iterator[tuple[str, FixedFills]]:
    backend = FixedFills()
    srv = GenerationServer(("127.0.0.1", 0), backend)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv.url, backend
    finally:
        srv.shutdown()
        srv.server_close()


class PullRequest:
    """A repository with `main` and a feature branch, and the pull request's event file."""

    def __init__(self, root: Path, number: int = 7, config: str = BASE_CONFIG) -> None:
        self.repo = GitRepo(root / "repo")
        self.number = number
        self.repo.write(".ananke.toml", config)
        self.repo.write("base.py", "X = 1\n")
        self.base = self.repo.commit("base")
        self.repo.git("checkout", "-q", "-b", "feat")
        self.events = root / "events"
        self.events.mkdir()

    def push(self, source: str, message: str = "feature", *, amend: bool = False) -> str:
        self.repo.write("m.py", source)
        if amend:
            self.repo.git("add", "-A")
            self.repo.git("commit", "-q", "--amend", "-m", message)
            return self.repo.head()
        return self.repo.commit(message)

    def event(self, head: str | None = None, *, fork: bool = False) -> Path:
        head = head or self.repo.head()
        base_sha = self.repo.git("rev-parse", "main").strip()
        data = {
            "action": "synchronize",
            "number": self.number,
            "repository": {"full_name": "o/r"},
            "pull_request": {
                "number": self.number,
                "base": {"sha": base_sha, "ref": "main", "repo": {"full_name": "o/r"}},
                "head": {
                    "sha": head,
                    "ref": "feat",
                    "repo": {"full_name": "fork/r" if fork else "o/r"},
                },
            },
        }
        path = self.events / f"{head[:12]}.json"
        path.write_text(json.dumps(data))
        return path

    def register(self, fake: FakeGitHub, head: str | None = None) -> None:
        head = head or self.repo.head()
        fake.add_pull(
            self.number,
            head,
            "feat",
            repo=self.repo.root,
            base_sha=self.repo.git("rev-parse", "main").strip(),
        )


def run_bot(
    pr: PullRequest,
    fake: FakeGitHub,
    mp: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    token: str = "bot-token",
    fork: bool = False,
) -> tuple[CliRun, str, dict[str, str]]:
    """`ananke-ci ci` on the current head: (run, summary text, outputs)."""
    summary = pr.events / "summary.md"
    outputs = pr.events / "outputs.txt"
    summary.unlink(missing_ok=True)
    outputs.unlink(missing_ok=True)
    env = {
        "GITHUB_API_URL": fake.url,
        "GITHUB_GRAPHQL_URL": f"{fake.url}/graphql",
        "GITHUB_TOKEN": token,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "ANANKE_CI_WRITE_INTERVAL": "0",
    }
    for key, value in env.items():
        mp.setenv(key, value)
    for key in ("INPUT_FIX", "INPUT_RUN_TESTS", "ANANKE_ENDPOINT", "ANANKE_TOKEN"):
        mp.delenv(key, raising=False)
    event = pr.event(fork=fork)
    done = pr.repo.cli(
        mp,
        capsys,
        "ci",
        "--event",
        str(event),
        "--no-salience",
        "--sarif",
        str(pr.events / "out.sarif"),
        *args,
    )
    text = summary.read_text() if summary.exists() else ""
    values = (
        dict(line.split("=", 1) for line in outputs.read_text().splitlines())
        if outputs.exists()
        else {}
    )
    return done, text, values


def review_posts(fake: FakeGitHub) -> list[Any]:
    return [
        r for r in fake.log if r.method == "POST" and r.template and r.template.endswith("/reviews")
    ]


def mutations(fake: FakeGitHub) -> list[Any]:
    return [
        r
        for r in fake.log
        if r.template == "/graphql" and "mutation" in (r.body or {}).get("query", "")
    ]
