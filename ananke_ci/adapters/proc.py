"""The one place the project starts a subprocess: every failure becomes a UserError."""

from __future__ import annotations

import io
import shlex
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, cast

from ananke_ci.core.errors import UserError


class Result(NamedTuple):
    returncode: int
    stdout: bytes
    stderr: bytes


def run(
    cmd: Sequence[str],
    *,
    cwd: str | Path | None = None,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float | None = None,
) -> Result:
    """Run cmd, capturing bytes; raise UserError if it cannot start, times out, or fails.

    env replaces the environment (as subprocess does); None inherits it, which keeps
    variables git sets for hooks, such as GIT_INDEX_FILE, in effect.
    check=False returns a non-zero exit status instead of raising.
    """
    argv = list(cmd)
    shown = shlex.join(argv)
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            input=input,
            env=None if env is None else dict(env),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as e:
        if cwd is not None and e.filename is not None and str(e.filename) == str(cwd):
            raise UserError(f"cannot run {shown}: no such directory {cwd}") from None
        raise UserError(f"cannot run {shown}: {argv[0]} not found (is it installed?)") from None
    except OSError as e:  # not executable, cwd not a directory, ...
        raise UserError(f"cannot run {shown}: {e.strerror or e}") from None
    except subprocess.TimeoutExpired:
        raise UserError(f"{shown} timed out after {timeout:g}s") from None
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip() or "(no error output)"
        raise UserError(f"command failed with exit status {proc.returncode}: {shown}\n{detail}")
    return Result(proc.returncode, proc.stdout, proc.stderr)


def stream_lines(
    cmd: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    sep: bytes = b"\n",
    chunk_size: int = 1 << 16,
) -> Iterator[bytes]:
    """Yield cmd's stdout split on `sep` (separator dropped) while it runs.

    For outputs too long to hold or that feed a progress bar (git log over a whole
    history). stderr is collected and a non-zero exit raises UserError at the end.
    Closing the generator early kills the process.
    """
    argv = list(cmd)
    shown = shlex.join(argv)
    try:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=None if env is None else dict(env),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        raise UserError(f"cannot run {shown}: {argv[0]} not found (is it installed?)") from None
    except OSError as e:
        raise UserError(f"cannot run {shown}: {e.strerror or e}") from None
    # Popen(stdout=PIPE) gives BufferedReaders: read1 returns whatever has arrived
    out = cast(io.BufferedReader, proc.stdout)
    err = cast(io.BufferedReader, proc.stderr)
    # stderr is drained by a thread so a chatty command cannot block on a full pipe
    err_chunks: list[bytes] = []
    drain = threading.Thread(target=lambda: err_chunks.append(err.read()), daemon=True)
    drain.start()
    finished = False
    try:
        tail = b""
        while chunk := out.read1(chunk_size):
            parts = (tail + chunk).split(sep)
            tail = parts.pop()
            yield from parts
        if tail:
            yield tail
        finished = True
    finally:
        if not finished:
            proc.kill()
        out.close()
        returncode = proc.wait()
        drain.join()
    if returncode != 0:
        detail = b"".join(err_chunks).decode("utf-8", "replace").strip() or "(no error output)"
        raise UserError(f"command failed with exit status {returncode}: {shown}\n{detail}")
