"""Work on untrusted files with a time budget each: a pathological file becomes a notice,
never a hang.

tree-sitter's error recovery can take time that grows much faster than the file (a few KB
of Python made of `/*` took seconds; a flat run of unbalanced brackets makes queries
quadratic), its parse holds the GIL and cannot be cancelled promptly, so the only sure
bound is a process that can be killed. Items are handed one at a time to forked workers
(`jobs` at once); each answer comes back framed on a pipe. A worker that overruns its
item's budget, or dies, is killed: that item is reported as overrun and a fresh worker takes
the next items. One fork serves many items, so the usual cost is a few milliseconds a run.
Where fork does not exist the work runs in this process, without a budget.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import struct
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
_FRAME = struct.Struct("<II")  # item index, payload length
_READ = 1 << 16
_GRACE_S = 1.0  # for a worker to exit once its input ends


class _Worker(Generic[T]):
    """A forked child that computes `work(items[i])` for each index it is sent."""

    def __init__(
        self, work: Callable[[T], bytes], items: Sequence[T], others: Sequence[_Worker[T]] = ()
    ) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns
            # the other workers' pipe ends too: a copy held here would keep their input
            # open after the parent closed it, and they would never see its end
            for fd in (
                self.to_child,
                self.from_child,
                *(f for w in others for f in (w.to_child, w.from_child)),
            ):
                os.close(fd)
            _serve(work, items, to_child_r, from_child_w)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.current: int | None = None
        self.deadline = 0.0

    def send(self, index: int, budget: float) -> None:
        self.current = index
        self.deadline = time.monotonic() + budget
        os.write(self.to_child, struct.pack("<I", index))

    def frames(self) -> Iterator[tuple[int, bytes]]:
        """The complete answers read so far."""
        while len(self.buffer) >= _FRAME.size:
            index, size = _FRAME.unpack_from(self.buffer)
            if len(self.buffer) < _FRAME.size + size:
                return
            payload = self.buffer[_FRAME.size : _FRAME.size + size]
            self.buffer = self.buffer[_FRAME.size + size :]
            yield index, payload

    def stop(self, *, kill: bool) -> None:
        for fd in (self.to_child, self.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        if not kill:  # it ends when it reads the end of its input: give it a moment
            end = time.monotonic() + _GRACE_S
            with contextlib.suppress(ChildProcessError):
                while time.monotonic() < end:
                    if os.waitpid(self.pid, os.WNOHANG)[0]:
                        return
                    time.sleep(0.001)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(
    work: Callable[[T], bytes],
    items: Sequence[T],
    commands: int,
    answers: int,
) -> None:
    status = 0
    try:
        while True:
            raw = _read_exact(commands, 4)
            if raw is None:
                break
            (index,) = struct.unpack("<I", raw)
            payload = work(items[index])
            data = _FRAME.pack(index, len(payload)) + payload
            view = memoryview(data)
            while view:
                view = view[os.write(answers, view) :]
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _read_exact(fd: int, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def run_bounded(
    work: Callable[[T], bytes],
    items: Sequence[T],
    budget: Callable[[T], float],
    jobs: int = 1,
) -> Iterator[tuple[int, bytes | None]]:
    """(index, work(item)) for every item, in completion order; None for an item whose
    work overran `budget(item)` seconds or crashed its worker."""
    if not items:
        return
    if not hasattr(os, "fork"):
        for i, item in enumerate(items):
            yield i, work(item)
        return
    pending = list(range(len(items)))[::-1]  # popped from the end: item order
    workers: list[_Worker[T]] = []
    try:
        while pending or workers:
            while pending and len(workers) < max(1, jobs):
                worker = _Worker(work, items, workers)
                workers.append(worker)
                index = pending.pop()
                worker.send(index, budget(items[index]))
            now = time.monotonic()
            timeout = max(0.0, min(w.deadline for w in workers) - now)
            ready, _, _ = select.select([w.from_child for w in workers], [], [], timeout)
            for worker in list(workers):
                done = False
                if worker.from_child in ready:
                    chunk = os.read(worker.from_child, _READ)
                    if not chunk:  # the worker died: its item crashed it
                        yield _fail(worker, workers)
                        continue
                    worker.buffer += chunk
                    for index, payload in worker.frames():
                        yield index, payload
                        done = True
                if done:
                    if pending:
                        index = pending.pop()
                        worker.send(index, budget(items[index]))
                    else:
                        worker.stop(kill=False)
                        workers.remove(worker)
                elif time.monotonic() >= worker.deadline:
                    yield _fail(worker, workers)
    finally:
        for worker in workers:
            worker.stop(kill=True)


def _fail(worker: _Worker[T], workers: list[_Worker[T]]) -> tuple[int, None]:
    worker.stop(kill=True)
    workers.remove(worker)
    assert worker.current is not None
    return worker.current, None
