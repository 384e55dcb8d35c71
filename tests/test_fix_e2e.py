"""`ananke-ci fix` end to end with the REAL packaged model on CPU (Qwen2.5-Coder-0.5B).

Slow by nature (~6 tokens/s here; the first run ever also converts the GGUF, 80-90 s), kept
short: two one-line holes, small token budgets, one model load per session (the loader
caches it per process, so the CLI run in-process reuses it too).
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ananke_ci.adapters.backends.local_backend import LocalBackend
from ananke_ci.app.fix import FixOptions, HoleFix, fix_holes
from ananke_ci.app.judge import open_judge
from ananke_ci.app.targets import Target
from ananke_ci.core.protocol import Backend
from tests.gitrepo import GitRepo

pytest.importorskip("torch")
pytestmark = [pytest.mark.slow, pytest.mark.model]

SOURCE = '''import os


def add(a: int, b: int) -> int:
    """Return the sum of a and b."""
    pass


def is_even(n: int) -> bool:
    """True when n is even."""
    raise NotImplementedError
'''
CONFIG = '[banned-calls]\n"os.system" = "no shell"\neval = ""\nexec = ""\n'
BANNED = re.compile(r"(?<![\w.])(eval|exec|os\s*\.\s*system)(?!\w)")
OPTIONS = FixOptions(attempts=2, n=1, max_tokens=24, temperature=0.0)


@pytest.fixture(scope="session")
def model() -> LocalBackend:
    backend = LocalBackend()
    backend.loaded()
    return backend


def _repo(root: Path) -> GitRepo:
    repo = GitRepo(root)
    repo.write("base.py", "X = 1\n")
    repo.commit("base")
    repo.write(".ananke.toml", CONFIG)
    repo.write("m.py", SOURCE)
    repo.commit("add math helpers")
    return repo


def _check_fills(fixes: list[HoleFix]) -> None:
    assert [f.report.hole.marker for f in fixes] == ["pass", "raise NotImplementedError"]
    for fix in fixes:
        assert fix.ok, fix.reasons
        assert fix.fill is not None and not BANNED.search(fix.fill)


def _check_fixups(repo: GitRepo) -> None:
    log = repo.git("log", "--format=%s").splitlines()
    assert log == ["fixup! add math helpers", "fixup! add math helpers", "add math helpers", "base"]
    assert repo.git("status", "--porcelain") == ""  # index and tree followed the new HEAD
    fixed = (repo.root / "m.py").read_text()
    ast.parse(fixed)
    assert "pass\n" not in fixed and "NotImplementedError" not in fixed
    assert not BANNED.search(fixed.split("\n", 1)[1])  # `import os` is not a call
    base = repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    repo.git("rebase", "-q", "-i", "--autosquash", base, env={"GIT_SEQUENCE_EDITOR": "true"})
    assert repo.git("log", "--format=%s").splitlines() == ["add math helpers", "base"]
    assert (repo.root / "m.py").read_text() == fixed


def test_fix_in_process_makes_fixup_commits(model: LocalBackend, tmp_path: Path) -> None:
    from ananke_ci.app.fix_write import fixup_commits

    repo = _repo(tmp_path / "repo")
    target = Target("range", "HEAD~1..HEAD")
    fixes = fix_holes(repo.root, target, open_judge(repo.root, target), model, OPTIONS)
    _check_fills(fixes)
    written = fixup_commits(repo.root, fixes)
    assert [w.note for w in written] == [None, None]
    _check_fixups(repo)


def test_fix_cli_dry_run_then_fixup(
    model: LocalBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = _repo(tmp_path / "repo")
    args = (
        "fix",
        "--diff",
        "HEAD~1..HEAD",
        "--max-tokens",
        "24",
        "-n",
        "1",
        "--attempts",
        "2",
        "--temperature",
        "0",
    )
    dry = repo.cli(monkeypatch, capsys, *args)
    assert dry.code == 0, dry.err
    assert "-    pass\n" in dry.out and "+    return" in dry.out
    assert repo.git("status", "--porcelain") == ""  # a dry run writes nothing
    done = repo.cli(monkeypatch, capsys, *args, "--fixup")
    assert done.code == 0, done.err
    _check_fixups(repo)


@pytest.fixture(scope="session")
def server(model: LocalBackend) -> Iterator[str]:
    """`ananke-ci serve`'s HTTP server on 127.0.0.1 around the shared local backend."""
    from ananke_ci.adapters.backends.server import GenerationServer

    httpd = GenerationServer(("127.0.0.1", 0), model, tokenizer=model.loaded().lltokenizer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.url
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fix_over_http_through_serve(server: str, tmp_path: Path) -> None:
    from ananke_ci.adapters.backends.registry import BackendSettings, make_backend
    from ananke_ci.app.fix_write import fixup_commits

    backend: Backend = make_backend("protocol", BackendSettings(endpoint=server), environ={})
    repo = _repo(tmp_path / "repo")
    target = Target("range", "HEAD~1..HEAD")
    fixes = fix_holes(repo.root, target, open_judge(repo.root, target), backend, OPTIONS)
    _check_fills(fixes)
    fixup_commits(repo.root, fixes)
    _check_fixups(repo)


def test_the_bot_without_an_endpoint_suggests_the_local_models_verified_fills(
    model: LocalBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`fix: suggest` with no endpoint set: the bot's fills come from the packaged CPU model
    (the one loaded above: the loader keeps it per process), verified as `fix` verifies."""
    from tests.ci_support import BASE_CONFIG, HEAD_SOURCE, PullRequest, review_posts, run_bot
    from tests.github_fake.server import FakeGitHub

    config = BASE_CONFIG + "[generate]\nmax_tokens = 24\nattempts = 2\nn = 1\n"
    pr = PullRequest(tmp_path, config=config)
    pr.push(HEAD_SOURCE)
    with FakeGitHub() as fake:
        pr.register(fake)
        done, summary, outputs = run_bot(pr, fake, monkeypatch, capsys, "--fix", "suggest")
        assert fake.violations == []
        assert done.code == 1, done.err  # the base bans os.system: the run still fails on it
        assert outputs["holes"] == "3"
        assert "skipped" not in summary  # the fix step ran, on the local model
        assert len(review_posts(fake)) == 1
        bodies = [str(c["body"]) for c in fake.bot_comments(7)]
    suggestions = [
        b.split("suggestion\n", 1)[1].rsplit("\n```", 1)[0]
        for b in bodies
        if "```suggestion\n" in b
    ]
    assert suggestions, bodies  # `add` at least: the 0.5B model writes `return a + b`
    for body in suggestions:
        assert "return" in body and "os.system" not in body
        ast.parse("def f(a, b, xs):\n" + body)  # each suggested body stands as a body
    assert "### Holes" in summary and "suggested" in summary
