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

from ananke_ci.adapters.local_backend import LocalBackend
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
    assert log == ["fixup! add math helpers", "fixup! add math helpers", "add math helpers",
                   "base"]
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


def test_fix_cli_dry_run_then_fixup(model: LocalBackend, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo")
    args = ("fix", "--diff", "HEAD~1..HEAD", "--max-tokens", "24", "-n", "1", "--attempts",
            "2", "--temperature", "0")
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
    from ananke_ci.adapters.server import GenerationServer

    httpd = GenerationServer(("127.0.0.1", 0), model, tokenizer=model.loaded().lltokenizer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.url
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fix_over_http_through_serve(server: str, tmp_path: Path) -> None:
    from ananke_ci.adapters.protocol_client import make_remote
    from ananke_ci.app.fix_write import fixup_commits

    backend: Backend = make_remote("protocol", server, environ={})
    repo = _repo(tmp_path / "repo")
    target = Target("range", "HEAD~1..HEAD")
    fixes = fix_holes(repo.root, target, open_judge(repo.root, target), backend, OPTIONS)
    _check_fills(fixes)
    fixup_commits(repo.root, fixes)
    _check_fixups(repo)
