"""The one place the project starts a subprocess: every failure becomes a UserError."""

from __future__ import annotations

import io
import shlex
import subprocess
import threading
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing, suppress
from pathlib import Path
from typing import IO, NamedTuple, cast

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
    if timeout is not None:
        return _run_bounded(argv, shown, cwd, input, env, check, timeout)
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


def _run_bounded(
    argv: list[str],
    shown: str,
    cwd: str | Path | None,
    input: bytes | None,
    env: Mapping[str, str] | None,
    check: bool,
    timeout: float,
) -> Result:
    """run() with a timeout, for commands that may start their own (a test suite): in its
    own session, so that on timeout, Ctrl-C or when it is done, what it left running (a
    server started in the background) is killed with it instead of living on. Output goes
    to temp files, not pipes: a background process holding a pipe open cannot make a
    finished command look hung."""
    import os
    import signal
    import tempfile

    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as feed,
    ):
        feed.write(input or b"")
        feed.seek(0)
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=None if env is None else dict(env),
                stdin=feed if input is not None else None,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise UserError(f"cannot run {shown}: {argv[0]} not found (is it installed?)") from None
        except OSError as e:
            raise UserError(f"cannot run {shown}: {e.strerror or e}") from None

        def kill_group() -> None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_group()
            proc.wait()
            raise UserError(f"{shown} timed out after {timeout:g}s") from None
        except BaseException:  # Ctrl-C: the command goes too
            kill_group()
            proc.wait()
            raise
        kill_group()  # whatever it started in the background and left behind
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if check and proc.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip() or "(no error output)"
        raise UserError(f"command failed with exit status {proc.returncode}: {shown}\n{detail}")
    return Result(proc.returncode, stdout, stderr)


def stream_lines(
    cmd: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    sep: bytes = b"\n",
    chunk_size: int = 1 << 16,
    input: bytes | None = None,
) -> Iterator[bytes]:
    """Yield cmd's stdout split on `sep` (separator dropped) while it runs.

    For outputs too long to hold or that feed a progress bar (git log over a whole
    history). stderr is collected and a non-zero exit raises UserError at the end.
    Closing the generator early kills the process. `input` is fed to its stdin (which is
    inherited without it).
    """
    argv = list(cmd)
    shown = shlex.join(argv)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=None if input is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
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
    # and stdin fed by another, so a command that writes before it has read all cannot block
    feed = None
    if input is not None:
        feed = threading.Thread(target=_feed, args=(proc.stdin, input), daemon=True)
        feed.start()
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
        if feed is not None:
            feed.join()
    if returncode != 0:
        detail = b"".join(err_chunks).decode("utf-8", "replace").strip() or "(no error output)"
        raise UserError(f"command failed with exit status {returncode}: {shown}\n{detail}")


def _feed(stdin: IO[bytes], data: bytes) -> None:
    try:
        stdin.write(data)
        stdin.close()
    except OSError:  # it stopped reading (exited or was killed): its exit status tells why
        pass


def stream_concurrently(
    cmds: Sequence[Sequence[str]],
    *,
    jobs: int,
    cwd: str | Path | None = None,
    sep: bytes = b"\n",
    inputs: Sequence[bytes | None] | None = None,
) -> Iterator[tuple[int, bytes]]:
    """Yield (i, part) for the `sep`-split stdout of every cmds[i] (fed inputs[i]), up to
    `jobs` at a time.

    For independent pieces of one long job on several cores. Commands start in the given
    order as earlier ones finish; one command's parts come in order, different commands'
    interleaved. The first failure (UserError, as stream_lines) is raised once the others
    are stopped; closing the generator early stops them too.
    """
    import queue  # mining only: not on the hook's path

    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(cmds)):
        todo.put(i)
    out: queue.SimpleQueue[tuple[int, bytes] | BaseException | None] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                # leaving the `with` early closes stream_lines (a generator), killing the process
                lines = cast(
                    Generator[bytes, None, None],
                    stream_lines(cmds[i], cwd=cwd, sep=sep, input=inputs[i] if inputs else None),
                )
                with closing(lines) as parts:
                    for part in parts:
                        if stop.is_set():
                            return
                        out.put((i, part))
        except BaseException as e:  # handed to the consumer, raised there
            out.put(e)
        finally:
            out.put(None)

    workers = [threading.Thread(target=work, daemon=True) for _ in range(min(jobs, len(cmds)))]
    for worker in workers:
        worker.start()
    running = len(workers)
    try:
        while running:
            item = out.get()
            if item is None:
                running -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item
    finally:
        stop.set()
        for worker in workers:
            worker.join()
