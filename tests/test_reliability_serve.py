"""Reliability of `ananke-ci serve`'s server on 127.0.0.1 (and the modal gateway's request
parsing): deep JSON is a 400, stalled and vanishing clients cost a bounded number of
threads for a bounded time and leave no traceback, a load is queued and none of it lost."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ananke_ci.adapters.backends.server import GenerationServer
from ananke_ci.core.protocol import (
    Candidate,
    GenerationRequest,
    GenerationResponse,
    Provenance,
)
from ananke_ci.core.protocol_json import request_to_dict

BODY = json.dumps(request_to_dict(GenerationRequest(None, prompt="p", request_id="r"))).encode()


class SlowEcho:
    """One candidate per request after `delay` seconds (a backend at work)."""

    name = "slow-echo"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.count = 0
        self._lock = threading.Lock()

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        time.sleep(self.delay)
        with self._lock:
            self.count += 1
        return GenerationResponse(
            (Candidate("    return 1\n", 3, "stop", None),),
            Provenance("slow-echo", "m"),
            request_id=request.request_id,
        )


@pytest.fixture
def serve() -> Iterator[object]:
    servers: list[GenerationServer] = []

    def start(backend: SlowEcho, **kw: object) -> GenerationServer:
        srv = GenerationServer(("127.0.0.1", 0), backend, **kw)  # type: ignore[arg-type]
        threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def _post(srv: GenerationServer, body: bytes, timeout: float = 10) -> tuple[int, dict]:  # type: ignore[type-arg]
    conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=timeout)
    conn.request("POST", "/v1/generate", body=body, headers={"Content-Type": "application/json"})
    reply = conn.getresponse()
    data = json.loads(reply.read())
    conn.close()
    return reply.status, data


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deep_json_is_400_without_a_traceback(
    serve: object, depth: int, capsys: pytest.CaptureFixture[str]
) -> None:
    srv = serve(SlowEcho(), limits=_limits(depth))  # type: ignore[operator]
    status, data = _post(srv, b"[" * depth + b"]" * depth)
    assert status == 400 and "nests" in data["error"]["message"], data
    assert "Traceback" not in capsys.readouterr().err


def _limits(depth: int) -> object:
    from ananke_ci.core.protocol import Limits

    return Limits(max_request_bytes=max(1 << 20, 2 * depth + 10))


def _stall(port: int, declared: int = 10_000) -> socket.socket:
    """A client that promises a body and sends ten bytes of it, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        b"POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
        b"\r\nContent-Length: " + str(declared).encode() + b"\r\n\r\n0123456789"
    )
    return sock


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_stalled_uploads_are_cut_and_cost_bounded_threads(
    serve: object, capsys: pytest.CaptureFixture[str]
) -> None:
    base_threads = threading.active_count()
    srv = serve(SlowEcho(), workers=4, read_timeout=0.5)  # type: ignore[operator]
    stalled = [_stall(srv.server_address[1]) for _ in range(24)]
    peak = threading.active_count()
    status, _data = _post(srv, BODY, timeout=30)  # queued behind them, then answered
    assert status == 200
    # the pool, the accept loop and the watchdog: no thread per connection (threads other
    # tests left may still be ending, so at most)
    assert peak <= base_threads + 4 + 2, (peak, base_threads)
    assert threading.active_count() <= base_threads + 4 + 2
    cut = [_closed_by_server(s, within=10) for s in stalled]
    for s in stalled:
        s.close()  # they go away now: no BrokenPipe tracebacks for it
    time.sleep(0.2)
    assert all(cut), cut.count(False)
    assert "Traceback" not in capsys.readouterr().err


def test_trickled_headers_are_cut_too(serve: object) -> None:
    srv = serve(SlowEcho(), workers=2, read_timeout=0.5)  # type: ignore[operator]
    sock = socket.create_connection(("127.0.0.1", srv.server_address[1]))
    started = time.monotonic()
    closed = False
    for byte in b"POST /v1/generate HTTP/1.1\r\nHost: " + b"x" * 200:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            closed = True
            break
        time.sleep(0.02)
    closed = closed or _closed_by_server(sock, within=5)
    assert closed and time.monotonic() - started < 5
    sock.close()


def test_clients_that_vanish_before_the_answer_leave_no_traceback(
    serve: object, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = SlowEcho(delay=0.1)
    srv = serve(backend, workers=4)  # type: ignore[operator]
    for _ in range(12):
        sock = socket.create_connection(("127.0.0.1", srv.server_address[1]))
        sock.sendall(
            b"POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + str(len(BODY)).encode()
            + b"\r\n\r\n"
            + BODY
        )
        sock.close()
    deadline = time.monotonic() + 10
    while backend.count < 12 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # the answers were written to closed sockets
    assert backend.count == 12
    assert "Traceback" not in capsys.readouterr().err
    assert _post(srv, BODY)[0] == 200  # and the server still serves


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


def test_a_load_is_queued_none_lost_memory_flat(serve: object) -> None:
    """300 requests from 24 concurrent clients against 4 workers, in two rounds: every one
    answered; threads stay at the pool's size; the second round adds no memory."""
    backend = SlowEcho(delay=0.002)
    srv = serve(backend, workers=4, pending=8)  # type: ignore[operator]
    base_threads = threading.active_count()
    peak = [0]

    def one(_i: int) -> int:
        peak[0] = max(peak[0], threading.active_count())
        return _post(srv, BODY, timeout=60)[0]

    with ThreadPoolExecutor(24) as pool:
        first = list(pool.map(one, range(150)))
        before = _rss()
        second = list(pool.map(one, range(150)))
        after = _rss()
    assert first + second == [200] * 300  # none lost
    assert backend.count == 300
    assert peak[0] <= base_threads + 24  # the clients' threads; the server added none
    assert after - before < 8 * 1024 * 1024, (before, after)


def test_the_modal_gateway_refuses_deep_json_with_400() -> None:
    """modal_app/gateway.py parses requests with the same ananke_ci modules."""
    pytest.importorskip("torch")
    from modal_app.engine import Batcher
    from tests.test_modal_app_gateway import FixedEngine, Wired

    wired = Wired(Batcher(FixedEngine()), None)
    for body in (
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps(
            {
                "version": 1,
                "prompt": "p",
                "constraint": {"kind": "json_schema", "text": "[" * 30_000 + "]" * 30_000},
            }
        ).encode(),
    ):
        answer = wired.generate(body)
        assert answer.status in (400, 413, 422), answer
        assert "internal" not in json.dumps(answer.body)
    assert wired.dispatched == 0
