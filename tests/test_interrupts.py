"""Ctrl-C at any moment once ananke-ci's code runs is exit 130 and one line, never a
traceback nor death by the signal: a real `ananke-ci` process, SIGINT at several early
moments (counted from when the package is imported: -X importtime says when)."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.gitrepo import ANANKE_CI, GitRepo

DELAYS = (0.0, 0.005, 0.01, 0.02, 0.04, 0.08)


def _interrupt(repo: GitRepo, args: list[str], delay: float) -> tuple[int, str]:
    env = {**repo.env, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = subprocess.Popen(
        [str(ANANKE_CI), *args],
        cwd=repo.root,
        env=env,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:  # wait until the package itself is imported
        lines.append(line)
        if line.rstrip().split("|")[-1].strip() == "ananke_ci":
            break
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    proc.wait(30)
    err = "".join(
        line for line in rest.splitlines(keepends=True) if not line.startswith("import time:")
    )
    return proc.returncode, err


@pytest.mark.parametrize("command", [["validate"], ["salience"], ["compile"]])
def test_ctrl_c_early_is_exit_130(repo: GitRepo, command: list[str]) -> None:
    repo.write("a.py", "def f() -> int:\n    return 1\n")
    repo.commit("init")
    codes = []
    for delay in DELAYS:
        code, err = _interrupt(repo, command, delay)
        codes.append(code)
        assert "Traceback" not in err, (delay, err)
        if code == 130:
            assert err.strip() == "ananke-ci: interrupted", (delay, err)
        else:  # only a run that finished before the signal came may exit otherwise
            assert code in (0, 1), (delay, code, err)
    assert codes.count(130) >= len(DELAYS) // 2, codes  # the signal did land early
