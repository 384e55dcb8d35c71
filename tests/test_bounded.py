"""Work with a time budget per item, in forked workers: an item that overruns, or kills
its worker, is reported as such; every other item is answered; no worker is left behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ananke_ci.adapters.bounded import run_bounded
from ananke_ci.app.extraction import OVERRUN, extract_bounded
from tests.gitrepo import GitRepo


def _work(item: str) -> bytes:
    if item == "hang":
        time.sleep(60)
    if item == "crash":
        os._exit(7)
    return item.upper().encode()


def _children() -> set[int]:
    """This process's live child processes (Linux)."""
    me = os.getpid()
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(entry))
    return found


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_every_item_is_answered_and_overruns_are_told(jobs: int) -> None:
    items = ["a", "hang", "b", "crash", "c", "d"]
    before = _children()
    started = time.monotonic()
    out = dict(run_bounded(_work, items, lambda item: 0.5, jobs))
    assert out == {0: b"A", 1: None, 2: b"B", 3: None, 4: b"C", 5: b"D"}
    assert time.monotonic() - started < 10  # the hang cost its budget, not a minute
    assert _children() == before  # every worker reaped


def test_nothing_to_do_forks_nothing() -> None:
    assert list(run_bounded(_work, [], lambda item: 1.0)) == []


def test_a_pathological_file_is_skipped_with_a_reason() -> None:
    """Python of `/*` only: tree-sitter's recovery took 2.6 s for 7 KB and 18 s for 15 KB."""
    n = 4000
    items = [
        ("ok.py", None, b"def f() -> int:\n    return 1\n"),
        ("bad.py", None, ("/*" * n + "*/" * n).encode()),
    ]
    started = time.monotonic()
    rows = {i: core for i, core, _ in extract_bounded(items, 2 << 20)}
    assert rows[0][3] is None and str(rows[1][3]).startswith(OVERRUN)
    assert time.monotonic() - started < 8


def test_the_hook_reports_a_pathological_file_and_goes_on(repo: GitRepo) -> None:
    repo.write("ok.py", "x = 1\n")
    repo.commit("init")
    repo.write("bad.py", "/*" * 4000 + "*/" * 4000 + "\n")
    repo.write("ok.py", "x = 1\nimport os\nos.system('ls')\n")
    repo.write(".ananke.toml", '[banned-calls]\n"os.system" = "no"\n')
    repo.stage()
    started = time.monotonic()
    run = repo.exe("validate")
    assert time.monotonic() - started < 15
    assert run.code == 1 and "ok.py:3:1: ANK201" in run.out
    assert "bad.py: took longer than" in run.err and "skipped" in run.err
