"""Run an untrusted command (a pull request's test suite): no secrets, no network, a limit.

The environment is rebuilt from a short allow-list (never a token, key or secret: nothing
from the caller's environment but PATH, locale and terminal), HOME and TMPDIR point into a
throwaway directory, the network is cut with `unshare -n` where the platform allows it
(as root, or with an unprivileged user namespace, `unshare -rn`), and the whole process
group is killed at the time limit. `run_in_worktree` runs it in a detached worktree of a
commit with some files replaced, removed afterwards whatever happens.

`python -m ananke_ci.adapters.sandbox --timeout S -- COMMAND` is the same as a program, so a
caller that can only run a shell string (the `[verify] command`) can be wrapped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from ananke_ci.adapters.git import write as git_write
from ananke_ci.core.records import record

KEEP_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "SOURCE_DATE_EPOCH")
_OUTPUT_CAP = 1 << 20


@record(frozen=True, slots=True)
class SandboxResult:
    returncode: int  # -9 after a kill at the time limit
    output: str  # stdout and stderr, the last MiB
    timed_out: bool
    network_isolated: bool


def clean_env(environ: Mapping[str, str], home: Path) -> dict[str, str]:
    """The allow-listed variables, with HOME and TMPDIR in `home`."""
    env = {k: environ[k] for k in KEEP_ENV if k in environ}
    env.setdefault("PATH", os.defpath)
    env.update(
        {
            "HOME": str(home),
            "TMPDIR": str(home),
            "CI": "true",
            "PYTHONDONTWRITEBYTECODE": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    return env


@cache
def netns_prefix() -> tuple[str, ...] | None:
    """The `unshare` words that give a command a network namespace of its own, or None
    when neither works here (no unshare, no permission)."""
    tool = shutil.which("unshare")
    if tool is None:
        return None
    for words in ((tool, "-n"), (tool, "-rn")):
        try:
            ok = subprocess.run([*words, "true"], capture_output=True, timeout=10).returncode
        except (OSError, subprocess.TimeoutExpired):
            continue
        if ok == 0:
            return words
    return None


def run_sandboxed(
    command: str,
    cwd: Path,
    *,
    timeout: float,
    environ: Mapping[str, str] = os.environ,
    require_isolation: bool = False,
) -> SandboxResult:
    """`sh -c command` in `cwd` with a clean environment, no network, at most `timeout` s."""
    prefix = netns_prefix()
    if prefix is None and require_isolation:
        return SandboxResult(
            126, "not run: no network namespace can be made here (unshare)", False, False
        )
    with tempfile.TemporaryDirectory(prefix="ananke-sandbox-") as home:
        env = clean_env(environ, Path(home))
        # inside the new namespace only loopback exists, and it starts down
        inner = ["sh", "-c", 'ip link set lo up >/dev/null 2>&1; exec sh -c "$0"', command]
        argv = [*prefix, *inner] if prefix else ["sh", "-c", command]
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            return SandboxResult(
                127, f"cannot start: {exc.strerror or exc}", False, prefix is not None
            )
        timed_out = False
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc.pid)
            out, _ = proc.communicate()
        finally:
            _kill_group(proc.pid)  # nothing it started outlives it
    text = out[-_OUTPUT_CAP:].decode("utf-8", "replace")
    return SandboxResult(proc.returncode, text, timed_out, prefix is not None)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_in_worktree(
    root: Path,
    rev: str,
    files: Mapping[str, bytes],
    command: str,
    *,
    timeout: float,
    environ: Mapping[str, str] = os.environ,
    require_isolation: bool = False,
) -> SandboxResult:
    """The command in a detached worktree of `rev` with `files` written over it; the worktree
    is removed afterwards, whatever happened."""
    with tempfile.TemporaryDirectory(prefix="ananke-verify-") as tmp:
        work = Path(tmp) / "tree"
        git_write.worktree_add(root, work, rev)
        try:
            for rel, data in files.items():
                target = (work / rel).resolve()
                if not target.is_relative_to(work.resolve()):
                    raise ValueError(f"path outside the worktree: {rel}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            return run_sandboxed(
                command, work, timeout=timeout, environ=environ, require_isolation=require_isolation
            )
        finally:
            git_write.worktree_remove(root, work)
