"""What `ananke-ci fix` prints while it works: its own progress lines on stderr (the hole,
each round with its candidates, tokens and seconds, the model loading) and nothing from
transformers (no progress bars, hints or deprecation warnings). The real CLI in a subprocess
with the tiny random-weight Qwen2 saved as a local model directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import GIT_ENV, GitRepo

HOLE = 'def add(a: int, b: int) -> int:\n    """Sum."""\n    pass\n'


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model as a transformers directory, written by a subprocess (so the test's
    own process never imports transformers and the CLI's stderr is all there is)."""
    pytest.importorskip("torch")
    path = tmp_path_factory.mktemp("tiny")
    script = (
        "import sys; from tests.tiny_model import tiny_qwen2; m, t = tiny_qwen2(); "
        "m.save_pretrained(sys.argv[1]); t.save_pretrained(sys.argv[1])"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(path)],
        check=True,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
    )
    return path


@pytest.mark.slow
@pytest.mark.model
def test_fix_stderr_is_its_own_progress_only(repo: GitRepo, tiny_dir: Path) -> None:
    repo.write("base.py", "X = 1\n")
    repo.commit("base")
    repo.write("m.py", HOLE)
    repo.commit("a hole")
    env = {**os.environ, **{k: v or str(repo.root.parent) for k, v in GIT_ENV.items()}}
    env.pop("PYTHONWARNINGS", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ananke_ci",
            "fix",
            "--diff",
            "HEAD~1..HEAD",
            "--model",
            str(tiny_dir),
            "--max-tokens",
            "8",
            "-n",
            "2",
            "--attempts",
            "2",
            "--no-tests",
        ],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    ours = re.compile(r"^(ananke-ci: |m\.py:3:5: no verified fill for `pass` after |    )")
    assert [line for line in lines if not ours.match(line)] == [], run.stderr
    assert not re.search(r"deprecated|FutureWarning|it/s\]|Loading weights", run.stderr)
    assert "ananke-ci: [1/1] m.py:3: filling `pass`" in lines
    assert "ananke-ci: m.py:3: round 1 of 2: asking for 2 candidates..." in lines
    assert f"ananke-ci: loading the local model {tiny_dir}..." in lines
    rounds = [
        line
        for line in lines
        if re.match(
            r"ananke-ci: m\.py:3: round \d of 2 (failed|"
            r"verified)",
            line,
        )
        or "verified fill in round" in line
    ]
    assert rounds, run.stderr
    assert re.search(
        r"\(2 candidates, \d+ tokens?, generated in \d+\.\d s, checked in "
        r"\d+\.\d s\)",
        rounds[0],
    ), rounds[0]
    assert lines[-1] in ("ananke-ci: 0 of 1 hole filled", "ananke-ci: 1 of 1 hole filled")


def _stderr_on_a_terminal(repo: GitRepo, *args: str) -> tuple[str, str]:
    """(stdout, stderr) of the real CLI with stderr on a pseudo-terminal."""
    import pty

    env = {**os.environ, **{k: v or str(repo.root.parent) for k, v in GIT_ENV.items()}}
    leader, follower = pty.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "ananke_ci", *args],
            cwd=repo.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=300,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return run.stdout.decode(), b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize("command", ["compile", "validate"])
def test_mining_says_so_on_a_terminal_only(repo: GitRepo, command: str) -> None:
    for i in range(3):
        repo.write(f"pkg/m{i}.py", f"def f{i}(x: int) -> int:\n    return x\n")
    repo.commit("base")
    args = [command, "--all"] if command == "validate" else [command]
    out, err = _stderr_on_a_terminal(repo, *args)
    assert "ananke-ci: mining the constraints of " in err, err
    assert "mining the constraints" not in out  # progress never in the output itself
    repo.write("pkg/m9.py", "def f9(x: int) -> int:\n    return x\n")
    repo.commit("a new base: mined again")
    env = {**os.environ, **{k: v or str(repo.root.parent) for k, v in GIT_ENV.items()}}
    piped = subprocess.run(
        [sys.executable, "-m", "ananke_ci", *args],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0, piped.stderr
    assert "mining the constraints of" not in piped.stderr  # a log gets the notice only
    assert "mined" in piped.stderr  # ...which says it was mined, once done
