"""A command run with a timeout (the [verify] test command) ends by it with everything it
started, and a background process it leaves behind neither holds the run up nor lives on."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ananke_ci.adapters.proc import run
from ananke_ci.core.errors import UserError


def _alive(pid_file: Path) -> bool:
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_a_background_process_left_behind_is_killed_and_not_waited_for(tmp_path: Path) -> None:
    pid = tmp_path / "pid"
    started = time.monotonic()
    res = run(["sh", "-c", f"sleep 60 & echo $! > {pid}; echo done"], check=False, timeout=30)
    assert (res.returncode, res.stdout) == (0, b"done\n")
    assert time.monotonic() - started < 10  # not the 30 s timeout, not the 60 s sleep
    time.sleep(0.1)
    assert not _alive(pid)


def test_a_timeout_kills_the_whole_group(tmp_path: Path) -> None:
    pid = tmp_path / "pid"
    with pytest.raises(UserError, match=r"timed out after 0\.5s"):
        run(["sh", "-c", f"sleep 60 & echo $! > {pid}; sleep 60"], check=False, timeout=0.5)
    time.sleep(0.1)
    assert not _alive(pid)


def test_output_and_status_as_before(tmp_path: Path) -> None:
    res = run(["sh", "-c", "cat; echo err >&2; exit 3"], input=b"in\n", check=False, timeout=10)
    assert (res.returncode, res.stdout, res.stderr) == (3, b"in\n", b"err\n")
    with pytest.raises(UserError, match="exit status 3"):
        run(["sh", "-c", "exit 3"], timeout=10)
