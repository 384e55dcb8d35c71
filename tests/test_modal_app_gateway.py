"""The modal_app service's logic in-process, no GPU and no Modal account: the gateway (auth,
limits, llguidance before the GPU, re-check after) in front of the batched engine port, with
the project's CPU backend on a randomly initialised 2-layer Qwen2 (real Qwen2.5 tokenizer)
standing in for vLLM; and the vLLM 0.33 argument mapping."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ananke_ci.adapters.backends.service_core import check_constraint_llguidance
from ananke_ci.core.protocol import Constraint, GenerationRequest, Limits, ProtocolError
from ananke_ci.core.protocol_json import request_to_dict, response_from_dict
from modal_app.engine import (
    STRUCTURED_FIELD,
    Batcher,
    EngineOutput,
    LocalEngine,
    Params,
    constraint_of,
    prompt_of,
    sampling_kwargs,
    serve_request,
)
from modal_app.gateway import Answer, Gateway, ServiceLimits
from modal_app.smoke import SMOKE_GRAMMAR, smoke, smoke_request

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAMMAR = '%llguidance {}\nstart: "    return " /[0-9]{1,3}/ "\\n"\n'

# vLLM 0.33 (DESIGN.md "vLLM 0.33 facts"): SamplingParams keywords this service sets, and the
# fields of StructuredOutputsParams, exactly one of which must be set
SAMPLING_PARAMS_FIELDS = {"n", "temperature", "max_tokens", "seed", "stop", "structured_outputs"}
STRUCTURED_OUTPUTS_FIELDS = {"json", "regex", "choice", "grammar", "json_object", "structural_tag"}


# --- the vLLM argument mapping -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "field", "value"),
    [
        ("lark", GRAMMAR, "grammar", GRAMMAR),
        ("regex", "[a-z]+", "regex", "[a-z]+"),
        ("json_schema", '{"type": "object"}', "json", {"type": "object"}),
    ],
)
def test_sampling_kwargs_use_vllm_033_field_names(
    kind: Any, text: str, field: str, value: Any
) -> None:
    request = GenerationRequest(
        Constraint(kind, text),
        prompt="p",
        max_tokens=64,
        temperature=0.5,
        n=3,
        seed=9,
        stop=("\n```",),
    )
    kwargs = sampling_kwargs(request)
    assert set(kwargs) <= SAMPLING_PARAMS_FIELDS
    assert kwargs == {
        "n": 3,
        "temperature": 0.5,
        "max_tokens": 64,
        "seed": 9,
        "stop": ["\n```"],
        "structured_outputs": {field: value},
    }
    assert set(kwargs["structured_outputs"]) <= STRUCTURED_OUTPUTS_FIELDS
    assert len(kwargs["structured_outputs"]) == 1
    assert constraint_of(kwargs["structured_outputs"]) == Constraint(kind, text)
    json.dumps(kwargs)  # plain data: it crosses from the gateway to the GPU container


def test_sampling_kwargs_always_set_max_tokens_and_never_the_removed_names() -> None:
    kwargs = sampling_kwargs(GenerationRequest(None, prompt="p"))
    assert kwargs["max_tokens"] == 256  # vLLM's own default would be 16
    assert "structured_outputs" not in kwargs
    assert not any("guided" in k for k in kwargs)
    assert set(STRUCTURED_FIELD.values()) <= STRUCTURED_OUTPUTS_FIELDS


def test_prompt_or_fill_in_the_middle() -> None:
    assert prompt_of(GenerationRequest(None, prompt="x")) == "x"
    assert prompt_of(GenerationRequest(None, prefix="a", suffix="b")) == (
        "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>"
    )


# --- engines behind the port -----------------------------------------------------------------


class FixedEngine:
    """Answers every prompt with fixed text (n copies); can block, fail, or record calls."""

    model = "fixed"

    def __init__(self, text: str = "    return 1\n", finish: Any = "stop") -> None:
        self.text, self.finish = text, finish
        self.calls: list[list[str]] = []
        self.gate: threading.Event | None = None

    def versions(self) -> dict[str, str]:
        return {"fake": "1"}

    def generate(
        self, prompts: Sequence[str], params: Sequence[Params]
    ) -> list[list[EngineOutput]]:
        self.calls.append(list(prompts))
        if self.gate is not None:
            self.gate.wait(10)
        if "bad" in prompts:
            raise ValueError("grammar rejected by the structured outputs backend")
        if "long" in prompts:
            raise ValueError("The prompt is too long: longer than the maximum model length")
        return [[EngineOutput(self.text, 4, self.finish)] * p["n"] for p in params]


def _tiny_engine() -> LocalEngine:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from ananke_ci.adapters.backends import model_files
    from ananke_ci.adapters.backends.local_backend import LocalBackend
    from ananke_ci.adapters.backends.local_model import assemble
    from tests.tiny_model import tiny_qwen2

    model, tok = tiny_qwen2()
    loaded = assemble("tiny-qwen2", Path("."), model, tok, model_files.load_lltokenizer())
    return LocalEngine("tiny-qwen2", LocalBackend(loaded=loaded))


@pytest.fixture(scope="module")
def tiny() -> Batcher:
    return Batcher(_tiny_engine())


@pytest.fixture(scope="module")
def lltok() -> Any:
    from ananke_ci.adapters.backends import model_files

    return model_files.load_lltokenizer()


class Wired:
    """A gateway whose dispatch runs `serve_request` on a batcher in a thread (the GPU hop)."""

    def __init__(
        self,
        batcher: Batcher,
        tokenizer: Any,
        limits: ServiceLimits | None = None,
        token: str | None = TOKEN,
        require_token: bool = True,
    ) -> None:
        limits = limits or ServiceLimits()
        self.batcher = batcher
        self.dispatched = 0
        self.logs: list[dict[str, Any]] = []

        async def dispatch(request: dict[str, Any]) -> dict[str, Any]:
            self.dispatched += 1
            return await asyncio.to_thread(serve_request, batcher, request, limits=limits.protocol)

        self.gateway = Gateway(
            dispatch,
            model=batcher.engine.model,
            token=token,
            require_token=require_token,
            tokenizer=tokenizer,
            limits=limits,
            log=self.logs.append,
        )

    def generate(self, body: Any, headers: dict[str, str] | None = None) -> Answer:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return asyncio.run(
            self.gateway.generate(AUTH if headers is None else headers, _reader(raw))
        )

    def validate(self, body: Any, headers: dict[str, str] | None = None) -> Answer:
        return asyncio.run(
            self.gateway.validate(
                AUTH if headers is None else headers, _reader(json.dumps(body).encode())
            )
        )


def _reader(raw: bytes) -> Any:
    async def read(max_bytes: int) -> bytes:
        if len(raw) > max_bytes:
            raise ProtocolError(413, f"body is larger than {max_bytes} bytes")
        return raw

    return read


def _request(**changes: Any) -> dict[str, Any]:
    body = request_to_dict(
        GenerationRequest(
            Constraint("lark", GRAMMAR),
            prompt="<|im_start|>assistant\n",
            n=2,
            max_tokens=16,
            temperature=1.0,
            seed=3,
            request_id="hole-1",
        )
    )
    body.update(changes)
    return body


# --- the round trip on the CPU model -------------------------------------------------------


@pytest.mark.model
def test_round_trip_with_the_cpu_backend(tiny: Batcher, lltok: Any) -> None:
    wired = Wired(tiny, lltok)
    calls = tiny.calls
    answer = wired.generate(_request())
    assert answer.status == 200, answer.body
    assert tiny.calls == calls + 1  # the n samples of a request: one engine call
    response = response_from_dict(answer.body)  # the client's own parser accepts it
    assert response.request_id == "hole-1"
    assert len(response.candidates) == 2
    for c in response.candidates:
        assert c.grammar_satisfied is True, c
        assert c.text.startswith("    return ") and c.text.endswith("\n")
        assert c.finish_reason == "stop"
    assert response.provenance.backend == "modal"
    assert response.provenance.model == "tiny-qwen2"
    assert {"llguidance", "ananke-ci"} <= set(response.provenance.versions)
    assert response.timings.generate_ms > 0 and response.timings.compile_ms > 0
    assert answer.headers["X-Request-Id"]
    (event,) = wired.logs
    assert event["status"] == 200 and event["id"] == answer.headers["X-Request-Id"]
    assert event["request_id"] == "hole-1" and event["grammar_satisfied"] == [True, True]
    assert {"queue_ms", "compile_ms", "generate_ms", "total_ms"} <= set(event)
    assert "assistant" not in json.dumps(event)  # the prompt is never logged


@pytest.mark.model
def test_smoke_passes_on_the_cpu_backend(tiny: Batcher, lltok: Any) -> None:
    wired = Wired(tiny, lltok)
    report = asyncio.run(smoke(wired.gateway))
    assert report["ok"], report
    assert report["steps"]["grammar"]["bad_grammar_error"]
    assert len(report["steps"]["generate"]["candidates"]) == smoke_request().n
    assert SMOKE_GRAMMAR.startswith("%llguidance {}")  # vLLM must read it as Lark


# --- refused before the GPU ------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"authorization": f"bearer {TOKEN}x"}]
)
def test_no_or_wrong_token_is_401_and_never_dispatched(lltok: Any, headers: dict[str, str]) -> None:
    wired = Wired(Batcher(FixedEngine()), lltok)
    answer = wired.generate(_request(), headers)
    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.body["error"]["status"] == 401
    assert wired.dispatched == 0
    assert TOKEN not in json.dumps(wired.logs)


def test_header_names_are_case_insensitive(lltok: Any) -> None:
    wired = Wired(Batcher(FixedEngine()), lltok)
    assert wired.generate(_request(), {"authorization": f"Bearer {TOKEN}"}).status == 200


def test_fails_closed_without_a_configured_token(lltok: Any) -> None:
    wired = Wired(Batcher(FixedEngine()), lltok, token=None)
    assert wired.generate(_request(), {}).status == 401
    assert wired.validate({"grammar": GRAMMAR}, {}).status == 401
    assert wired.dispatched == 0
    # explicitly proxy-auth only (ANANKE_MODAL_BEARER=0): no bearer asked
    open_ = Wired(Batcher(FixedEngine()), lltok, token=None, require_token=False)
    assert open_.generate(_request(), {}).status == 200


@pytest.mark.parametrize(
    ("grammar", "needle"),
    [
        ("start: nowhere\n", "unknown name"),
        ('?start: "a"\n', "?start"),
        ('%llguidance {}\nstart: "a" <|no_such_token|>\n', "invalid grammar"),
    ],
)
def test_bad_grammar_is_422_with_the_llguidance_error(
    lltok: Any, grammar: str, needle: str
) -> None:
    wired = Wired(Batcher(FixedEngine()), lltok)
    answer = wired.generate(_request(constraint={"kind": "lark", "text": grammar}))
    assert answer.status == 422, answer.body
    assert needle in answer.body["error"]["message"]
    assert wired.dispatched == 0
    assert wired.validate({"grammar": grammar}).body["valid"] is False


def test_bad_regex_and_schema_are_422_too(lltok: Any) -> None:
    wired = Wired(Batcher(FixedEngine()), lltok)
    cases: list[tuple[Any, str]] = [("regex", "[a-"), ("json_schema", '{"type": 5}')]
    for kind, text in cases:
        answer = wired.generate(_request(constraint={"kind": kind, "text": text}))
        assert answer.status == 422, answer.body
        with pytest.raises(ProtocolError) as raised:
            check_constraint_llguidance(Constraint(kind, text), lltok)
        assert raised.value.status == 422
    assert wired.dispatched == 0


def test_over_size_requests_are_refused_before_the_gpu(lltok: Any) -> None:
    limits = ServiceLimits(
        Limits(max_text_bytes=100, max_tokens=64, max_n=4, max_request_bytes=4096),
        max_total_tokens=128,
    )
    wired = Wired(Batcher(FixedEngine()), lltok, limits)
    cases = [
        (_request(prompt="x" * 101), 413),  # prompt text
        (json.dumps(_request(prompt="x" * 5000)).encode(), 413),  # the body itself
        (_request(n=4, max_tokens=64), 413),  # n * max_tokens over the budget
        (_request(max_tokens=65), 400),
        (_request(n=5), 400),
        (_request(guided_grammar="start: x"), 400),  # removed vLLM names are not ignored
        (b"{not json", 400),
    ]
    for body, status in cases:
        answer = wired.generate(body)
        assert answer.status == status, (body, answer)
        assert answer.body == {"version": 1, "error": answer.body["error"]}
    assert wired.dispatched == 0
    assert [e["status"] for e in wired.logs] == [s for _, s in cases]


# --- after the GPU -----------------------------------------------------------------------------


def test_a_grammar_violation_is_reported(lltok: Any) -> None:
    # what vLLM's guidance backend does on a matcher error: EOS forced, finish "stop"
    wired = Wired(Batcher(FixedEngine("    return x\n")), lltok)
    answer = wired.generate(_request())
    assert answer.status == 200
    for c in answer.body["candidates"]:
        assert c["grammar_satisfied"] is False
        assert c["finish_reason"] == "grammar_error"
        assert "leaves the grammar" in c["violation"]
    cut = Wired(Batcher(FixedEngine("    return 12", finish="length")), lltok)
    (c, _) = cut.generate(_request()).body["candidates"]
    assert (c["grammar_satisfied"], c["finish_reason"]) == (False, "length")
    assert "ends before the grammar" in c["violation"]


def test_unconstrained_output_is_not_judged(lltok: Any) -> None:
    wired = Wired(Batcher(FixedEngine("anything")), lltok)
    answer = wired.generate(_request(constraint=None, n=1))
    assert [c["grammar_satisfied"] for c in answer.body["candidates"]] == [None]


def test_engine_refusals_map_to_protocol_statuses(lltok: Any) -> None:
    wired = Wired(Batcher(FixedEngine()), lltok)
    assert wired.generate(_request(prompt="long")).status == 413
    assert wired.generate(_request(prompt="bad")).status == 422


def test_a_crash_is_500_without_details(lltok: Any) -> None:
    async def explode(_request: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("gpu on fire, token=" + TOKEN)

    logs: list[dict[str, Any]] = []
    gateway = Gateway(explode, model="m", token=TOKEN, tokenizer=lltok, log=logs.append)
    answer = asyncio.run(gateway.generate(AUTH, _reader(json.dumps(_request()).encode())))
    assert answer.status == 500
    assert "fire" not in json.dumps(answer.body)
    assert "gpu on fire" in logs[0]["error"]


def test_total_time_is_bounded(lltok: Any) -> None:
    async def slow(_request: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(5)
        return {}

    limits = ServiceLimits(request_timeout_s=0.05)
    gateway = Gateway(
        slow, model="m", token=TOKEN, tokenizer=lltok, limits=limits, log=lambda _e: None
    )
    started = time.perf_counter()
    answer = asyncio.run(gateway.generate(AUTH, _reader(json.dumps(_request()).encode())))
    assert answer.status == 504
    assert time.perf_counter() - started < 2


# --- the batcher -------------------------------------------------------------------------------


def test_requests_that_wait_share_one_engine_call() -> None:
    engine = FixedEngine()
    engine.gate = threading.Event()
    batcher = Batcher(engine)
    params = sampling_kwargs(GenerationRequest(None, prompt="p", n=2))
    results: list[Any] = []

    def submit(prompt: str) -> None:
        results.append(batcher.submit(prompt, params, timeout=10))

    threads = [threading.Thread(target=submit, args=(f"p{i}",)) for i in range(4)]
    threads[0].start()
    while not engine.calls:  # the first call is running (blocked on the gate)
        time.sleep(0.001)
    for t in threads[1:]:
        t.start()
    while batcher._queue.qsize() < 3:
        time.sleep(0.001)
    engine.gate.set()
    for t in threads:
        t.join(10)
    assert engine.calls == [["p0"], ["p1", "p2", "p3"]]
    assert all(len(outputs) == 2 for outputs, _q, _g in results)
    batcher.close()


def test_one_bad_request_does_not_fail_its_batch() -> None:
    engine = FixedEngine()
    engine.gate = threading.Event()
    batcher = Batcher(engine)
    params = sampling_kwargs(GenerationRequest(None, prompt="p"))
    outcome: dict[str, Any] = {}

    def submit(prompt: str) -> None:
        try:
            outcome[prompt] = batcher.submit(prompt, params, timeout=10)[0]
        except ValueError as e:
            outcome[prompt] = e

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    while not engine.calls:
        time.sleep(0.001)
    rest = [threading.Thread(target=submit, args=(p,)) for p in ("good", "bad")]
    for t in rest:
        t.start()
    while batcher._queue.qsize() < 2:
        time.sleep(0.001)
    engine.gate.set()
    for t in [first, *rest]:
        t.join(10)
    assert isinstance(outcome["bad"], ValueError)
    assert outcome["good"][0].text == "    return 1\n"
    batcher.close()


# --- the FastAPI routes ------------------------------------------------------------------------


def _asgi(
    app: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    messages: list[dict[str, Any]] = []
    chunks = [body[:10], body[10:]]  # two chunks: the reader must join them

    async def receive() -> dict[str, Any]:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "client": ("127.0.0.1", 1),
        "server": ("test", 443),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    data = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return (
        start["status"],
        {k.decode(): v.decode() for k, v in start["headers"]},
        json.loads(data),
    )


def test_the_fastapi_routes(lltok: Any) -> None:
    pytest.importorskip("fastapi", reason="fastapi is in the modal extra")
    from modal_app.web import build_api

    wired = Wired(Batcher(FixedEngine()), lltok, ServiceLimits(Limits(max_request_bytes=8192)))
    app = build_api(wired.gateway)
    status, _h, data = _asgi(app, "GET", "/health")  # no token: it says nothing secret
    assert (status, data) == (
        200,
        {"version": 1, "status": "ok", "backend": "modal", "model": "fixed"},
    )
    body = json.dumps(_request()).encode()
    status, headers, data = _asgi(app, "POST", "/v1/generate", body, AUTH)
    assert status == 200 and headers["x-request-id"]
    assert response_from_dict(data).candidates[0].grammar_satisfied is True
    status, headers, data = _asgi(app, "POST", "/v1/generate", body)
    assert (status, headers["www-authenticate"]) == (401, "Bearer")
    huge = {**AUTH, "Content-Length": "9000"}
    assert _asgi(app, "POST", "/v1/generate", b"{}", huge)[0] == 413  # refused unread
    assert _asgi(app, "POST", "/v1/generate", b"x" * 9000, AUTH)[0] == 413  # chunked
    status, _h, data = _asgi(
        app,
        "POST",
        "/v1/grammar/validate",
        json.dumps({"grammar": "start: nowhere"}).encode(),
        AUTH,
    )
    assert status == 200 and data["valid"] is False and "unknown name" in data["error"]
    assert _asgi(app, "GET", "/v1/generate")[0] == 405
    assert wired.dispatched == 1
