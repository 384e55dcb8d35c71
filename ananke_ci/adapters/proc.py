"""The one place the project starts a subprocess: every failure becomes a UserError."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

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
