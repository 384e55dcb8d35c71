"""The service's front door: everything a request goes through before and after the GPU.

Runs in a small CPU container. Auth, body size, the protocol's schema and limits, the token
budget and llguidance's verdict on the grammar are all checked here, so a request that fails
any of them costs no GPU time; the GPU call is bounded in time; every candidate that comes
back is re-checked against the constraint with an llguidance matcher (vLLM's guidance
backend cuts an output silently on a matcher error). One JSON log line per request.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ananke_ci.adapters.backends.service_core import (
    check_bearer,
    check_candidates,
    grammar_answer,
    header,
    health_answer,
    parse_generate,
)
from ananke_ci.core.protocol import (
    Candidate,
    GenerationRequest,
    GenerationResponse,
    Limits,
    ProtocolError,
    Provenance,
    Timings,
)
from ananke_ci.core.protocol_json import decode, error_to_dict, response_to_dict, text_bytes

if TYPE_CHECKING:
    import llguidance

Dispatch = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]  # the GPU method
ReadBody = Callable[[int], Awaitable[bytes]]  # reads at most n bytes, 413 beyond
Log = Callable[[dict[str, Any]], None]
BACKEND = "modal"


@dataclass(frozen=True, slots=True)
class ServiceLimits:
    """The protocol's limits plus what bounds one request's GPU time."""

    protocol: Limits = field(
        default_factory=lambda: Limits(
            max_text_bytes=48 * 1024,  # ~12k tokens of code: fits max_model_len 16384 with output
            max_tokens=2048,
            max_n=8,
        )
    )
    max_total_tokens: int = 8192  # n * max_tokens
    request_timeout_s: float = 240.0  # queueing (incl. a cold start) + generation


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


def log_json(event: dict[str, Any]) -> None:
    """One JSON line on stdout (Modal keeps it in the app's logs); never prompts or secrets."""
    print(json.dumps(event, sort_keys=True, default=str), file=sys.stdout, flush=True)


class Gateway:
    """The protocol's routes, independent of the web framework (see web.py)."""

    def __init__(
        self,
        dispatch: Dispatch,
        *,
        model: str,
        token: str | None,
        require_token: bool = True,
        tokenizer: llguidance.LLTokenizer | None = None,
        limits: ServiceLimits = ServiceLimits(),
        log: Log = log_json,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.dispatch = dispatch
        self.model = model
        self.token = token or None
        self.require_token = require_token
        self.tokenizer = tokenizer
        self.limits = limits
        self.log = log
        self.clock = clock

    def health(self) -> Answer:
        return Answer(200, health_answer(BACKEND, model=self.model))

    def authorise(self, headers: Mapping[str, str]) -> None:
        """401 unless the bearer token matches; fails closed when none is configured."""
        if self.require_token and self.token is None:
            raise ProtocolError(
                401, "the service has no token configured (see modal_app/README.md)"
            )
        check_bearer(header(headers, "Authorization"), self.token)

    async def validate(self, headers: Mapping[str, str], read: ReadBody) -> Answer:
        rid = _new_id()
        try:
            self.authorise(headers)
            data = decode(
                await read(self.limits.protocol.max_request_bytes),
                self.limits.protocol.max_request_bytes,
            )
            body = grammar_answer(data, self.limits.protocol, self.tokenizer)
        except ProtocolError as e:
            self.log({"event": "validate", "id": rid, "status": e.status, "error": e.message})
            return _error(e, rid)
        self.log({"event": "validate", "id": rid, "status": 200, "valid": body["valid"]})
        return Answer(200, body, {"X-Request-Id": rid})

    async def generate(self, headers: Mapping[str, str], read: ReadBody) -> Answer:
        rid = _new_id()
        started = self.clock()
        event: dict[str, Any] = {"event": "generate", "id": rid}
        try:
            self.authorise(headers)
            limits = self.limits.protocol
            data = decode(await read(limits.max_request_bytes), limits.max_request_bytes)
            request = parse_generate(data, limits, self.tokenizer)  # includes llguidance
            compiled = self.clock()
            event.update(
                request_id=request.request_id,
                n=request.n,
                max_tokens=request.max_tokens,
                prompt_bytes=text_bytes(request),
                constraint=request.constraint.kind if request.constraint else None,
            )
            self._check_budget(request)
            response = await self._run(request, data, started, compiled)
        except ProtocolError as e:
            self.log(
                {
                    **event,
                    "status": e.status,
                    "error": e.message,
                    "total_ms": _ms(self.clock() - started),
                }
            )
            return _error(e, rid)
        except Exception as e:  # the GPU call failed: details in the log, not in the answer
            self.log(
                {
                    **event,
                    "status": 500,
                    "error": f"{type(e).__name__}: {e}"[:500],
                    "total_ms": _ms(self.clock() - started),
                }
            )
            return _error(ProtocolError(500, "internal error (see the service's log)"), rid)
        self.log(
            {
                **event,
                "status": 200,
                "total_ms": _ms(self.clock() - started),
                "queue_ms": response.timings.queue_ms,
                "compile_ms": response.timings.compile_ms,
                "generate_ms": response.timings.generate_ms,
                "finish": [c.finish_reason for c in response.candidates],
                "grammar_satisfied": [c.grammar_satisfied for c in response.candidates],
            }
        )
        return Answer(200, response_to_dict(response), {"X-Request-Id": rid})

    def _check_budget(self, request: GenerationRequest) -> None:
        total = request.n * request.max_tokens
        if total > self.limits.max_total_tokens:
            raise ProtocolError(
                413, f"n * max_tokens is {total}; the limit is {self.limits.max_total_tokens}"
            )

    async def _run(
        self, request: GenerationRequest, data: dict[str, Any], started: float, compiled: float
    ) -> GenerationResponse:
        try:
            result = await asyncio.wait_for(self.dispatch(data), self.limits.request_timeout_s)
        except TimeoutError:
            raise ProtocolError(
                504,
                f"no answer within {self.limits.request_timeout_s:.0f} s "
                "(a cold start takes minutes: retry)",
            ) from None
        if "error" in result:
            raise ProtocolError(int(result["error"]["status"]), str(result["error"]["message"]))
        returned = self.clock()
        generate_ms = float(result["generate_ms"])
        candidates = tuple(
            Candidate(o["text"], int(o["tokens"]), o["finish_reason"], None)
            for o in result["outputs"]
        )
        response = GenerationResponse(
            candidates,
            Provenance(BACKEND, str(result["model"]), dict(result["versions"])),
            Timings(
                # everything between the grammar check and the first token: the hop to the
                # GPU container (a cold start included) and the wait for the engine
                queue_ms=max(0.0, _ms(returned - compiled) - generate_ms),
                compile_ms=_ms(compiled - started),
                generate_ms=generate_ms,
            ),
            request.request_id,
        )
        return check_candidates(request, response, self.tokenizer)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _error(error: ProtocolError, rid: str) -> Answer:
    headers = {"X-Request-Id": rid}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Answer(error.status, error_to_dict(error), headers)


def load_tokenizer(model: str) -> llguidance.LLTokenizer:
    """The model's llguidance tokenizer from its `tokenizer.json` (no transformers needed).

    `model` is a local directory or a hub id (then only tokenizer.json and config.json are
    fetched, into the HF cache volume).
    """
    import llguidance

    local = Path(model)
    if local.is_dir():
        tokenizer_json, config_json = local / "tokenizer.json", local / "config.json"
    else:
        from huggingface_hub import hf_hub_download  # type: ignore[import-not-found,unused-ignore]

        tokenizer_json = Path(hf_hub_download(model, "tokenizer.json"))
        config_json = Path(hf_hub_download(model, "config.json"))
    n_vocab = None
    if config_json.is_file():
        n_vocab = json.loads(config_json.read_text()).get("vocab_size")
    return llguidance.LLTokenizer(str(tokenizer_json), n_vocab=n_vocab)
