"""Fault injection with real parts: an HTTP server on 127.0.0.1 that misbehaves on cue, and a
`git` on PATH that kills the process that ran it, for the reliability tests.

FaultServer speaks HTTP/1.1 over a raw socket so it can do what a well-behaved server
library cannot: hang, trickle a body one byte at a time, send a garbage status line, reset
the connection. By default it answers POST /v1/generate as docs/protocol.md says (one
candidate per `n`, the request id echoed) and POST /v1/completions as vLLM's OpenAI API does.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BODY = "    return 0\n"  # a fill every Python `def f(...) -> int:` hole verifies with


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Action = Callable[["_Conn", Seen], None]


def protocol_answer(seen: Seen, text: str = BODY) -> dict[str, Any]:
    request = seen.json()
    return {
        "version": 1,
        "request_id": request.get("request_id", ""),
        "candidates": [
            {
                "text": text,
                "tokens": 3,
                "finish_reason": "stop",
                "grammar_satisfied": None,
                "violation": None,
            }
        ]
        * request.get("n", 1),
        "provenance": {"backend": "fault-server", "model": "m", "versions": {}},
        "timings": {"queue_ms": 0.0, "compile_ms": 0.0, "generate_ms": 1.0},
    }


def openai_answer(seen: Seen, text: str = BODY) -> dict[str, Any]:
    n = seen.json().get("n", 1)
    return {
        "id": "cmpl-1",
        "object": "text_completion",
        "created": 0,
        "model": "m",
        "choices": [
            {"index": i, "text": text, "logprobs": None, "finish_reason": "stop"} for i in range(n)
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 3 * n, "total_tokens": 4},
    }


def ok(seen: Seen) -> dict[str, Any]:
    """The well-behaved answer for the route."""
    return openai_answer(seen) if seen.path.endswith("/completions") else protocol_answer(seen)


# -- actions: what the server does with one request ------------------------------------


def reply(
    status: int = 200,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Action:
    """A normal response; `body` None is the well-behaved answer, bytes go out as they are."""

    def act(conn: _Conn, seen: Seen) -> None:
        value = ok(seen) if body is None else body
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        conn.send_response(status, raw, headers)

    return act


def raw(data: bytes) -> Action:
    """These bytes, then close (a garbage status line, a truncated reply)."""

    def act(conn: _Conn, seen: Seen) -> None:
        conn.sock.sendall(data)

    return act


def hang(seconds: float = 60.0) -> Action:
    """Read the request, answer nothing for `seconds`."""

    def act(conn: _Conn, seen: Seen) -> None:
        conn.server.stopping.wait(seconds)

    return act


def trickle(interval: float = 0.2, status: int = 200) -> Action:
    """Headers at once, then the body one byte every `interval` seconds."""

    def act(conn: _Conn, seen: Seen) -> None:
        body = json.dumps(ok(seen)).encode()
        conn.sock.sendall(conn.head(status, len(body)))
        for i in range(len(body)):
            if conn.server.stopping.wait(interval):
                return
            conn.sock.sendall(body[i : i + 1])

    return act


def reset() -> Action:
    """Close with a TCP reset instead of an answer."""

    def act(conn: _Conn, seen: Seen) -> None:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return act


def redirect(location: str, status: int = 302) -> Action:
    return reply(status, b"", {"Location": location})


class FaultServer:
    """Plays `script` (one action per request, the last one repeated); records requests."""

    def __init__(self, script: list[Action] | None = None) -> None:
        self.script = list(script or [reply()])
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                _Conn(outer, self.request).serve()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def next_action(self, seen: Seen) -> Action:
        with self._lock:
            self.seen.append(seen)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


class _Conn:
    def __init__(self, server: FaultServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.file = sock.makefile("rb")

    def serve(self) -> None:
        try:
            while not self.server.stopping.is_set():
                seen = self._read()
                if seen is None:
                    return
                self.server.next_action(seen)(self, seen)
                if seen.headers.get("connection", "").lower() != "keep-alive":
                    return
        except OSError:
            return

    def _read(self) -> Seen | None:
        line = self.file.readline(65536)
        if not line.strip():
            return None
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (h := self.file.readline(65536)) not in (b"\r\n", b"\n", b""):
            name, _, value = h.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.file.read(int(headers.get("content-length", "0") or 0))
        return Seen(method, path, headers, body)

    def head(self, status: int, length: int, headers: Mapping[str, str] | None = None) -> bytes:
        lines = [
            f"HTTP/1.1 {status} X",
            "Content-Type: application/json",
            f"Content-Length: {length}",
            "Connection: close",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send_response(
        self, status: int, body: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        self.sock.sendall(self.head(status, len(body), headers) + body)


@contextmanager
def fault_server(script: list[Action] | None = None) -> Iterator[FaultServer]:
    server = FaultServer(script)
    try:
        yield server
    finally:
        server.close()


# -- killing a command at a git call --------------------------------------------------

REAL_GIT = "/usr/bin/git" if Path("/usr/bin/git").exists() else "git"


@dataclass
class GitShim:
    """A `git` first on PATH that logs each call (to $ANANKE_TEST_GIT_LOG) and, on call
    number `kill_at`, SIGKILLs the process that ran it `delay` seconds later (the real git
    runs either way). One log per run, so runs can go in parallel."""

    folder: Path
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = self.folder / "calls.log"
        script = self.folder / "git"
        script.write_text(
            "#!/bin/sh\n"
            'echo "$*" >> "$ANANKE_TEST_GIT_LOG"\n'
            'n=$(wc -l < "$ANANKE_TEST_GIT_LOG")\n'
            'if [ "$n" -eq "${ANANKE_TEST_KILL_AT:-0}" ]; then\n'
            '  (sleep "${ANANKE_TEST_KILL_DELAY:-0}"; kill -9 "$PPID")'
            " </dev/null >/dev/null 2>&1 &\n"
            "fi\n"
            f'exec {REAL_GIT} "$@"\n'
        )
        script.chmod(0o755)

    def env(
        self, base: Mapping[str, str], kill_at: int = 0, delay: float = 0.0, log: Path | None = None
    ) -> dict[str, str]:
        (log or self.log).write_text("")
        return {
            **base,
            "PATH": f"{self.folder}{os.pathsep}{base.get('PATH', '')}",
            "ANANKE_TEST_GIT_LOG": str(log or self.log),
            "ANANKE_TEST_KILL_AT": str(kill_at),
            "ANANKE_TEST_KILL_DELAY": f"{delay:.4f}",
        }

    def calls(self, log: Path | None = None) -> list[str]:
        return (log or self.log).read_text().splitlines()


def wait_gone(pid: int, timeout: float = 5.0) -> None:
    """Wait until a (killed) child is reaped by its Popen owner or gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
