"""adapters/sandbox.py: the untrusted test command gets no secrets, no network, a time limit,
and a worktree that is gone afterwards."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from ananke_ci.adapters.sandbox import (
    netns_prefix,
    run_in_worktree,
    run_sandboxed,
)
from tests.gitrepo import GitRepo

needs_netns = pytest.mark.skipif(
    netns_prefix() is None, reason="no network namespace can be made here (unshare)"
)


def test_secrets_are_not_in_the_environment(tmp_path: Path) -> None:
    environ = {
        "PATH": "/usr/bin:/bin",
        "GITHUB_TOKEN": "ghs_secret",
        "ANANKE_TOKEN": "tok",
        "AWS_SECRET_ACCESS_KEY": "aws",
        "LANG": "C.UTF-8",
    }
    res = run_sandboxed("env", tmp_path, timeout=30, environ=environ)
    assert res.returncode == 0, res.output
    names = {line.split("=", 1)[0] for line in res.output.splitlines() if "=" in line}
    assert "GITHUB_TOKEN" not in names and "ANANKE_TOKEN" not in names
    assert "AWS_SECRET_ACCESS_KEY" not in names
    assert "ghs_secret" not in res.output
    assert "LANG=C.UTF-8" in res.output and f"HOME={tmp_path}" not in res.output


@needs_netns
def test_no_network_even_to_this_machine(tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted: list[object] = []
    stop = threading.Event()

    def listen() -> None:  # until the test is done, then quietly (the socket is closed)
        while not stop.is_set():
            try:
                accepted.append(server.accept())
            except OSError:
                continue

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    probe = (
        f"{sys.executable} -c \"import socket; socket.create_connection(('127.0.0.1', "
        f'{port}), timeout=3)"'
    )
    outside = run_sandboxed(probe, tmp_path, timeout=30, environ={"PATH": "/usr/bin:/bin"})
    assert outside.network_isolated
    assert outside.returncode != 0, outside.output
    assert "unreachable" in outside.output.lower() or "refused" in outside.output.lower()
    time.sleep(0.1)
    stop.set()
    listener.join(2)
    server.close()
    assert accepted == []  # the host's listener never saw it


@needs_netns
def test_loopback_inside_works(tmp_path: Path) -> None:
    """A test suite may start its own server on 127.0.0.1 inside the namespace."""
    script = (
        "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1); "
        "c = socket.create_connection(s.getsockname(), timeout=3); print('ok')"
    )
    res = run_sandboxed(
        f'{sys.executable} -c "{script}"', tmp_path, timeout=30, environ={"PATH": "/usr/bin:/bin"}
    )
    assert res.returncode == 0 and "ok" in res.output, res.output


def test_time_limit_kills_the_whole_group(tmp_path: Path) -> None:
    marker = tmp_path / "late"
    t0 = time.monotonic()
    res = run_sandboxed(
        f"(sleep 2; touch {marker}) & sleep 30",
        tmp_path,
        timeout=1,
        environ={"PATH": "/usr/bin:/bin"},
    )
    assert res.timed_out and time.monotonic() - t0 < 10
    time.sleep(2.5)
    assert not marker.exists()  # the background child died with it


def test_worktree_is_removed_and_files_replaced(repo: GitRepo) -> None:
    repo.write("t.sh", "cat m.txt\n")
    repo.write("m.txt", "old\n")
    head = repo.commit("base")
    res = run_in_worktree(
        repo.root,
        head,
        {"m.txt": b"patched\n"},
        "sh t.sh; pwd",
        timeout=30,
        environ={"PATH": "/usr/bin:/bin"},
    )
    assert res.returncode == 0 and "patched" in res.output
    where = Path(res.output.strip().splitlines()[-1])
    assert not where.exists()
    assert "ananke-verify" not in repo.git("worktree", "list")
    assert (repo.root / "m.txt").read_text() == "old\n"  # the user's tree untouched
