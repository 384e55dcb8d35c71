"""Reliability: every command that writes, SIGKILLed at chosen and at random points (a real
subprocess), leaves nothing half-written; the next run finishes or undoes what was begun.

Kill points come from a `git` on PATH that kills its caller at its Nth call, after a random
delay (tests/faults.py GitShim), so kills land inside and between the git steps of a write,
and from timers for commands that write without git.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.faults import FaultServer, GitShim, fault_server
from tests.gitrepo import ANANKE_CI, GitRepo
from tests.test_fixup_txn import ADD, FILLED_ADD, FILLED_SUB, SUB

pytestmark = pytest.mark.slow  # kills real ananke-ci processes at many points

SEED = 1414
EDIT = "X = 1\nY = 2\n"  # an unrelated unstaged edit that must survive every kill


def _template(tmp: Path) -> GitRepo:
    repo = GitRepo(tmp / "template")
    repo.write("base.py", "X = 1\n")
    repo.commit("base")
    repo.write("m.py", ADD)
    repo.write("n.py", SUB)
    repo.commit("add holes")
    repo.write("base.py", EDIT)
    repo.write("n.py", SUB + "W = 3\n")  # an unstaged edit of a filled file: merged
    return repo


def _copy(template: GitRepo, where: Path) -> GitRepo:
    shutil.copytree(template.root, where, symlinks=True)
    repo = GitRepo.__new__(GitRepo)
    repo.root, repo.env = where, {**template.env, "HOME": str(where.parent)}
    return repo


def _state(repo: GitRepo) -> dict[str, Any]:
    def show(spec: str) -> str:
        return repo.git("show", spec)

    return {
        "log": repo.git("log", "--format=%s").splitlines(),
        "index": {p: show(f":{p}") for p in ("base.py", "m.py", "n.py")},
        "tree": {p: (repo.root / p).read_text() for p in ("base.py", "m.py", "n.py")},
    }


BEFORE = {
    "log": ["add holes", "base"],
    "index": {"base.py": "X = 1\n", "m.py": ADD, "n.py": SUB},
    "tree": {"base.py": EDIT, "m.py": ADD, "n.py": SUB + "W = 3\n"},
}
AFTER = {
    "log": ["fixup! add holes", "fixup! add holes", "add holes", "base"],
    "index": {"base.py": "X = 1\n", "m.py": FILLED_ADD, "n.py": FILLED_SUB},
    "tree": {"base.py": EDIT, "m.py": FILLED_ADD, "n.py": FILLED_SUB + "W = 3\n"},
}


def _fix(
    repo: GitRepo, server: FaultServer, mode: str, env: dict[str, str]
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            str(ANANKE_CI),
            "fix",
            "-q",
            "--diff",
            "HEAD~1..HEAD",
            mode,
            "--backend",
            "protocol",
            "--endpoint",
            server.url,
        ],
        cwd=repo.root,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _litter(repo: GitRepo) -> list[str]:
    """What a run must not leave: temp files in the tree, locks, journal, worktrees."""
    found = [
        line
        for line in repo.git("status", "--porcelain", "--ignored").splitlines()
        if line[3:] not in ("base.py", "n.py", "m.py")
    ]
    git = repo.root / ".git"
    found += [str(p.relative_to(git)) for p in git.rglob("*.lock")]
    found += [
        str(p.relative_to(git))
        for p in (git / "ananke").rglob("*")
        if p.is_file()
        and (
            p.name.startswith(".")
            or "tmp" in p.relative_to(git).parts
            or p.name == "fixup-transaction.json"
        )
    ]
    found += repo.git("worktree", "list").splitlines()[1:]
    return found


RECOVER = (
    "from pathlib import Path; from ananke_ci.adapters.git.txn import recover; recover(Path('.'))"
)


def _recover(repo: GitRepo, server: FaultServer, full: bool) -> None:
    """What the next `fix` does first (`full`: that whole run, else its first step)."""
    if full:
        again = _fix(repo, server, "--dry-run", repo.env)
    else:
        again = subprocess.Popen(
            [sys.executable, "-c", RECOVER],
            cwd=repo.root,
            env=repo.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err


def test_fixup_killed_anywhere_is_all_before_or_all_after(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    template = _template(tmp_path)
    shim = GitShim(tmp_path / "shim")
    with fault_server() as server:
        # a run without a kill, logged: how many git calls, and where the move starts
        probe = _copy(template, tmp_path / "probe")
        proc = _fix(probe, server, "--fixup", shim.env(probe.env))
        assert proc.wait(60) == 0, proc.communicate()
        calls = shim.calls()
        assert _state(probe) == AFTER and _litter(probe) == []
        start = next(i for i, c in enumerate(calls, 1) if "--git-path index" in c)
        cases = [(k, rng.uniform(0, 0.003)) for k in range(start, len(calls) + 1)]
        cases += [(len(calls), d) for d in (0.002, 0.004, 0.006, 0.01, 0.03)]  # the last step
        cases += [(rng.randint(1, start), rng.uniform(0, 0.01))]  # while the commits are made

        def case(n: int, kill_at: int, delay: float) -> str:
            repo = _copy(template, tmp_path / f"r{n}")
            env = shim.env(repo.env, kill_at, delay, log=tmp_path / f"r{n}.log")
            proc = _fix(repo, server, "--fixup", env)
            code = proc.wait(60)
            proc.communicate()
            now = _state(repo)
            # before any repair: never HEAD moved with the index behind (a staged revert)
            if now["log"] == AFTER["log"]:
                assert now["index"] == AFTER["index"], (kill_at, delay, now)
            assert now["tree"]["base.py"] == EDIT and now["index"]["base.py"] == "X = 1\n"
            _recover(repo, server, full=n < 2)
            final = _state(repo)
            assert final in (BEFORE, AFTER), (kill_at, delay, code, final)
            assert _litter(repo) == [], (kill_at, delay)
            return "after" if final == AFTER else "before"

        with ThreadPoolExecutor(3) as pool:  # independent repositories: in parallel
            outcomes = list(pool.map(case, range(len(cases)), *zip(*cases, strict=True)))
        assert {"before", "after"} <= set(outcomes)  # the kills did land on both sides


def test_fixup_interrupted_by_ctrl_c_is_all_before_or_all_after(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it, at git calls of the move."""
    template = _template(tmp_path)
    shim = GitShim(tmp_path / "shim")
    with fault_server() as server:
        probe = _copy(template, tmp_path / "probe")
        proc = _fix(probe, server, "--fixup", shim.env(probe.env))
        assert proc.wait(60) == 0
        calls = shim.calls()
        start = next(i for i, c in enumerate(calls, 1) if "rev-parse --git-path index" in c)
        for n, at in enumerate(range(start, len(calls) + 1, 3)):
            repo = _copy(template, tmp_path / f"i{n}")
            env = shim.env(repo.env)
            proc = subprocess.Popen(
                [
                    str(ANANKE_CI),
                    "fix",
                    "-q",
                    "--diff",
                    "HEAD~1..HEAD",
                    "--fixup",
                    "--backend",
                    "protocol",
                    "--endpoint",
                    server.url,
                ],
                cwd=repo.root,
                env=env,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            while len(shim.calls()) < at and proc.poll() is None:
                time.sleep(0.001)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
            code = proc.wait(60)
            _out, err = proc.communicate()
            assert code in (0, 130), (at, code, err)
            assert "Traceback" not in err
            assert _state(repo) in (BEFORE, AFTER), (at, code)
            assert _litter(repo) == [], at


def test_a_killed_verify_command_leaves_no_worktree_once_the_next_run_is_done(
    tmp_path: Path,
) -> None:
    repo = _copy(_template(tmp_path), tmp_path / "repo")
    # whole files: the work tree's config (a range would run its base's [verify] command)
    repo.write(".ananke.toml", '[verify]\ncommand = "sleep 60"\ntimeout = 100\n')
    with fault_server() as server:
        proc = subprocess.Popen(
            [
                str(ANANKE_CI),
                "fix",
                "-q",
                "m.py",
                "--backend",
                "protocol",
                "--endpoint",
                server.url,
            ],
            cwd=repo.root,
            env=repo.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while len(repo.git("worktree", "list").splitlines()) < 2:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the CI job is cancelled: all of it dies
        proc.wait(10)
        assert len(repo.git("worktree", "list").splitlines()) == 2  # what a kill leaves
        repo.write(".ananke.toml", "")
        again = _fix(repo, server, "--dry-run", repo.env)
        assert again.wait(60) == 0, again.communicate()
        again.communicate()
    assert repo.git("worktree", "list").splitlines()[1:] == []
    assert list((repo.root / ".git" / "ananke" / "tmp").iterdir()) == []
    assert not (repo.root / ".git" / "worktrees").exists() or not list(
        (repo.root / ".git" / "worktrees").iterdir()
    )


def _json_or_none(path: Path) -> object:
    return json.loads(path.read_text()) if path.exists() else None


@pytest.mark.parametrize("mode", ["--apply"])
def test_apply_killed_anywhere_leaves_each_file_old_or_new(tmp_path: Path, mode: str) -> None:
    rng = random.Random(SEED + 1)
    template = _template(tmp_path)
    template.write("n.py", SUB)  # --apply only writes files that are as analysed
    shim = GitShim(tmp_path / "shim")
    with fault_server() as server:
        probe = _copy(template, tmp_path / "probe")
        proc = _fix(probe, server, mode, shim.env(probe.env))
        assert proc.wait(60) == 0, proc.communicate()
        total = len(shim.calls())
        for n in range(4):
            repo = _copy(template, tmp_path / f"a{n}")
            kill_at = rng.randint(max(1, total - 6), total)
            proc = _fix(repo, server, mode, shim.env(repo.env, kill_at, rng.uniform(0, 0.01)))
            proc.wait(60)
            proc.communicate()
            for name, old, new in (("m.py", ADD, FILLED_ADD), ("n.py", SUB, FILLED_SUB)):
                assert (repo.root / name).read_text() in (old, new)
            again = _fix(repo, server, "--dry-run", repo.env)
            again.wait(60)
            again.communicate()
            assert _litter(repo) == [], n


# -- the other writers: killed on a timer near their end, where they write -----------------


def _project(tmp: Path) -> GitRepo:
    """A small Python project with a history: enough to mine, quick to run."""
    repo = GitRepo(tmp / "project")
    for i in range(8):
        body = "".join(f"from pkg import m{j}\n" for j in range(i))
        repo.write(
            f"pkg/m{i}.py",
            f'{body}\n\ndef f{i}(x: int) -> int:\n    """Doc."""\n'
            f"    return x + {i}  # TODO: tune\n",
        )
        repo.commit(f"add m{i}", date=f"2024-01-{i + 1:02d}T12:00:00")
    repo.write("pkg/__init__.py", "")
    repo.commit("package", date="2024-02-01T12:00:00")
    return repo


def _checked(name: str, repo: GitRepo) -> None:
    """What a killed `name` may leave: its output whole (or not there), nothing else."""
    from ananke_ci.core.baseline import parse_baseline
    from ananke_ci.core.config import parse_config

    toml, base = repo.root / ".ananke.toml", repo.root / ".ananke-baseline.json"
    if name == "init" and toml.exists():
        parse_config(toml.read_text(), ".ananke.toml")
    if name == "baseline" and base.exists():
        parse_baseline(base.read_text(), ".ananke-baseline.json")
    if name == "install-hooks":
        for hook in ("pre-commit", "pre-push"):
            path = repo.root / ".git" / "hooks" / hook
            assert not path.exists() or (
                os.access(path, os.X_OK) and "ananke-ci" in path.read_text()
            ), hook
    allowed = {".ananke.toml", ".ananke-baseline.json"}
    status = repo.git("status", "--porcelain", "--ignored").splitlines()
    assert [s for s in status if s[3:] not in allowed] == [], status


WRITERS = {
    "init": ["init", "--force"],
    "baseline": ["baseline"],
    "install-hooks": ["install-hooks", "--force"],
    "compile": ["compile", "--json"],
    "salience": ["salience", "--json"],
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_writer_killed_near_its_end_leaves_nothing_half_written(
    tmp_path: Path, name: str
) -> None:
    rng = random.Random(f"{SEED}-{name}")
    template = _project(tmp_path)
    args = [str(ANANKE_CI), *WRITERS[name]]
    reference = _copy(template, tmp_path / "reference")
    started = time.monotonic()
    done = subprocess.run(
        args, cwd=reference.root, env=reference.env, capture_output=True, text=True, timeout=120
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    outcomes: list[str] = []
    # at least two runs and one kill: a run that finished before its kill (a loaded machine
    # made the reference slow) halves the next one's wait
    for n in range(8):
        if n >= 2 and "killed" in outcomes:
            break
        repo = _copy(template, tmp_path / f"k{n}")
        proc = subprocess.Popen(
            args,
            cwd=repo.root,
            env=repo.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            proc.wait(rng.uniform(0.3, 0.9) * took * 0.5 ** outcomes.count("finished"))
            outcomes.append("finished")
        except subprocess.TimeoutExpired:
            proc.kill()
            outcomes.append("killed")
        proc.communicate()
        _checked(name, repo)
        again = subprocess.run(
            args, cwd=repo.root, env=repo.env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, (n, again.stderr)
        if name in ("compile", "salience"):  # the caches a kill may have torn: rebuilt
            assert again.stdout == done.stdout, n
        _checked(name, repo)
        leftovers = (
            [p.name for p in (repo.root / ".git" / "ananke").rglob("*") if p.name.endswith(".tmp")]
            if (repo.root / ".git/ananke").exists()
            else []
        )
        assert leftovers == [], (n, leftovers)
    assert "killed" in outcomes
