"""The generation protocol over HTTP: a stdlib HTTP server around any Backend.

Routes: POST /v1/generate (protocol request -> response), POST /v1/grammar/validate
(`{"grammar": "<lark>"}` -> `{"version": 1, "valid": bool, "error": str | null}`), GET /health
(no auth: for load balancers; it says nothing secret). Errors are JSON `{"version": 1,
"error": {"status", "message"}}` with the matching status. The backend serialises its own
decodes; the workers only keep /health and validation responsive during a long generation.

Bounded: a fixed pool of `workers` threads serves connections; up to `pending` more wait in
a queue, and beyond that in the kernel's listen backlog (none is dropped, they wait). A
connection has `read_timeout` seconds to deliver a whole request, however slowly it
trickles (a watchdog closes it then), so stalled clients cannot hold the workers. A client
that goes away is a line in the verbose log, never a traceback.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import llguidance

from ananke_ci.adapters.backends.service_core import (
    check_bearer,
    grammar_answer,
    health_answer,
    parse_generate,
)
from ananke_ci.core.protocol import DEFAULT_LIMITS, Backend, Limits, ProtocolError
from ananke_ci.core.protocol_json import decode, encode, error_to_dict, response_to_dict

_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _Watchdog:
    """One thread that shuts the sockets of connections past their read deadline (a timer
    thread per request would double the threads under load)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, socket.socket]] = {}
        threading.Thread(target=self._run, daemon=True, name="ananke-serve-watchdog").start()

    def arm(self, sock: socket.socket, seconds: float) -> None:
        with self._cond:
            self._armed[id(sock)] = (time.monotonic() + seconds, sock)
            self._cond.notify()

    def disarm(self, sock: socket.socket) -> None:
        with self._cond:
            self._armed.pop(id(sock), None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [k for k, (at, _s) in self._armed.items() if at <= now]
                expired = [self._armed.pop(k)[1] for k in due]
                if not expired:
                    soonest = min((at for at, _s in self._armed.values()), default=now + 60)
                    self._cond.wait(max(0.01, soonest - now))
            for sock in expired:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class GenerationServer(HTTPServer):
    request_queue_size = 128  # the listen backlog: connections wait there when all are busy

    def __init__(
        self,
        address: tuple[str, int],
        backend: Backend,
        *,
        token: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        tokenizer: llguidance.LLTokenizer | None = None,
        verbose: bool = False,
        workers: int = 8,
        pending: int = 64,
        read_timeout: float = 30.0,
    ) -> None:
        self.backend = backend
        self.token = token
        self.limits = limits
        self.tokenizer = tokenizer  # validates Lark grammars against the model's vocabulary
        self.verbose = verbose
        self.read_timeout = read_timeout  # seconds to receive one whole request
        self.watchdog = _Watchdog()
        self._pending: queue.Queue[tuple[socket.socket, Any] | None] = queue.Queue(pending)
        super().__init__(address, _Handler)
        self._workers = [
            threading.Thread(target=self._work, daemon=True, name=f"ananke-serve-{i}")
            for i in range(workers)
        ]
        for worker in self._workers:
            worker.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        """Hand the connection to the pool; when the queue is full this waits, and so does
        `accept`: the next connections stay in the listen backlog."""
        self._pending.put((request, client_address))

    def _work(self) -> None:
        while (item := self._pending.get()) is not None:
            request, address = item
            try:
                self.finish_request(request, address)
            except Exception:
                self.handle_error(request, address)
            finally:
                self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # it went away, or stalled past the timeout
            if self.verbose:
                sys.stderr.write(
                    f"ananke-serve: {client_address[0]} went away ({type(exc).__name__})\n"
                )
            return
        traceback.print_exc(file=sys.stderr)

    def server_close(self) -> None:
        super().server_close()
        for _worker in self._workers:
            with contextlib.suppress(queue.Full):
                self._pending.put_nowait(None)


class _ClientGone(Exception):
    """The client closed the connection, or did not send its request in time."""


class _Handler(BaseHTTPRequestHandler):
    server: GenerationServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.read_timeout)  # each read or write

    def handle_one_request(self) -> None:
        """One request, which must arrive whole within read_timeout (headers and body)."""
        self.server.watchdog.arm(self.connection, self.server.read_timeout)
        try:
            super().handle_one_request()
        except _GONE:
            self.close_connection = True
        finally:
            self._received()

    def _received(self) -> None:
        """The request is in: the time to answer it is the backend's, not the client's."""
        self.server.watchdog.disarm(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:  # the request line only: headers (tokens) are never logged
            sys.stderr.write(f"ananke-ci serve: {self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._received()
        if self.path == "/health":
            self._send(200, health_answer(self.server.backend.name))
        elif self.path in ("/v1/generate", "/v1/grammar/validate"):
            self._error(ProtocolError(405, "use POST"))
        else:
            self._error(ProtocolError(404, f"no route {self.path[:100]!r}"))

    def do_POST(self) -> None:
        try:
            if self.path not in ("/v1/generate", "/v1/grammar/validate"):
                raise ProtocolError(404, f"no route {self.path[:100]!r}")
            self._authorise()
            body = self._body()
            self._received()
            data = decode(body, self.server.limits.max_request_bytes)
            if self.path == "/v1/generate":
                self._send(200, self._generate(data))
            else:
                self._send(200, self._validate(data))
        except ProtocolError as e:
            self._error(e)
        except _ClientGone:
            self.close_connection = True
        except _GONE:
            raise
        except Exception:  # a crash must not kill the server, nor leak details to clients
            traceback.print_exc(file=sys.stderr)
            self._error(ProtocolError(500, "internal error (see the server's log)"))

    def _authorise(self) -> None:
        check_bearer(self.headers.get("Authorization"), self.server.token)

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise ProtocolError(400, "a Content-Length header is required")
        size = int(length)
        if size > self.server.limits.max_request_bytes:
            self.close_connection = True  # the unread body would be taken for a request
            raise ProtocolError(
                413, f"body is larger than {self.server.limits.max_request_bytes} bytes"
            )
        try:
            data = self.rfile.read(size)
        except OSError:
            data = b""
        if len(data) < size:  # it closed, or the watchdog did: nobody to answer
            raise _ClientGone
        return data

    def _generate(self, data: Any) -> dict[str, Any]:
        request = parse_generate(data, self.server.limits, self.server.tokenizer)
        return response_to_dict(self.server.backend.generate(request))

    def _validate(self, data: Any) -> dict[str, Any]:
        return grammar_answer(data, self.server.limits, self.server.tokenizer)

    def _error(self, error: ProtocolError) -> None:
        extra = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
        self._send(error.status, error_to_dict(error), extra)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        raw = encode(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(raw)  # a client gone by now raises one of _GONE: handled above
