"""The generation protocol over HTTP: stdlib ThreadingHTTPServer around any Backend.

Routes: POST /v1/generate (protocol request -> response), POST /v1/grammar/validate
(`{"grammar": "<lark>"}` -> `{"valid": bool, "error": str | null}`), GET /health (no auth:
for load balancers; it says nothing secret). Errors are JSON `{"version": 1, "error":
{"status", "message"}}` with the matching status. The backend serialises its own decodes;
threads only keep /health and validation responsive during a long generation.
"""

from __future__ import annotations

import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import llguidance

from ananke_ci.adapters.service_core import (
    check_bearer,
    grammar_answer,
    health_answer,
    parse_generate,
)
from ananke_ci.core.protocol import DEFAULT_LIMITS, Backend, Limits, ProtocolError
from ananke_ci.core.protocol_json import decode, encode, error_to_dict, response_to_dict


class GenerationServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        backend: Backend,
        *,
        token: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
        tokenizer: llguidance.LLTokenizer | None = None,
        verbose: bool = False,
    ) -> None:
        self.backend = backend
        self.token = token
        self.limits = limits
        self.tokenizer = tokenizer  # validates Lark grammars against the model's vocabulary
        self.verbose = verbose
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: GenerationServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:  # the request line only: headers (tokens) are never logged
            sys.stderr.write(f"ananke-ci serve: {self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
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
            data = decode(self._body(), self.server.limits.max_request_bytes)
            if self.path == "/v1/generate":
                self._send(200, self._generate(data))
            else:
                self._send(200, self._validate(data))
        except ProtocolError as e:
            self._error(e)
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
                413, f"body is larger than {self.server.limits.max_request_bytes} bytes")
        return self.rfile.read(size)

    def _generate(self, data: Any) -> dict[str, Any]:
        request = parse_generate(data, self.server.limits, self.server.tokenizer)
        return response_to_dict(self.server.backend.generate(request))

    def _validate(self, data: Any) -> dict[str, Any]:
        return grammar_answer(data, self.server.limits, self.server.tokenizer)

    def _error(self, error: ProtocolError) -> None:
        extra = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
        self._send(error.status, error_to_dict(error), extra)

    def _send(self, status: int, body: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        raw = encode(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(raw)
