"""Any vLLM (0.33) or SGLang OpenAI-compatible server: POST /v1/completions.

The constraint goes in the top-level `structured_outputs` object (`grammar`, `regex` or
`json`), never in the removed `guided_*` fields, which vLLM accepts and silently ignores
(HTTP 200, unconstrained output). The server must run the guidance backend
(`--structured-outputs-config.backend guidance`) for Lark grammars; because it cuts output
silently on a matcher error, every candidate is re-checked here when a tokenizer is given.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

import llguidance

from ananke_ci.adapters.backends.protocol_client import (
    DEFAULT_RETRY,
    NO_AUTH,
    Auth,
    BackendError,
    RetryPolicy,
    post_ok,
    recheck,
)
from ananke_ci.core.deadline import Deadline
from ananke_ci.core.protocol import (
    DEFAULT_LIMITS,
    Candidate,
    Constraint,
    GenerationRequest,
    GenerationResponse,
    Limits,
    Provenance,
    Timings,
)
from ananke_ci.core.protocol_json import validate_request


def _finish(reason: object) -> Literal["stop", "length", "error"]:
    if reason in ("stop", "eos"):
        return "stop"
    return "length" if reason == "length" else "error"


def structured_outputs(constraint: Constraint) -> dict[str, Any]:
    """vLLM's `structured_outputs` object: exactly one of grammar / regex / json."""
    if constraint.kind == "lark":
        return {"grammar": constraint.text}
    if constraint.kind == "regex":
        return {"regex": constraint.text}
    return {"json": json.loads(constraint.text)}


def fim_prompt(prefix: str, suffix: str) -> str:
    """Qwen2.5-Coder's fill-in-the-middle prompt (vLLM's completions refuse `suffix`)."""
    return f"<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>"


def completion_body(request: GenerationRequest, model: str) -> dict[str, Any]:
    """The exact JSON body for /v1/completions."""
    body: dict[str, Any] = {
        "model": model,
        "prompt": request.prompt or fim_prompt(request.prefix, request.suffix),
        "max_tokens": request.max_tokens,  # vLLM's default is 16
        "temperature": request.temperature,
        "n": request.n,
    }
    if request.stop:
        body["stop"] = list(request.stop)
    if request.seed is not None:
        body["seed"] = request.seed
    if request.constraint is not None:
        body["structured_outputs"] = structured_outputs(request.constraint)
    return body


class OpenAIBackend:
    """A Backend over an OpenAI-compatible completions endpoint."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        auth: Auth = NO_AUTH,
        policy: RetryPolicy = DEFAULT_RETRY,
        limits: Limits = DEFAULT_LIMITS,
        tokenizer: llguidance.LLTokenizer | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        base = base_url.rstrip("/")
        self.url = (
            base
            if base.endswith("/v1/completions")
            else (base + ("/completions" if base.endswith("/v1") else "/v1/completions"))
        )
        self.model = model
        self.auth = auth
        self.policy = policy
        self.limits = limits
        self.tokenizer = tokenizer
        self.deadline = deadline  # the whole run's (`fix --deadline`); each request has its own

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        validate_request(request, self.limits)
        started = time.perf_counter()
        data = post_ok(
            self.url,
            completion_body(request, self.model),
            auth=self.auth,
            policy=self.policy,
            max_response_bytes=self.limits.max_response_bytes,
            deadline=self.deadline,
        )
        if not isinstance(data, dict):
            raise BackendError(f"{self.url}: the reply is not a completion object")
        elapsed = (time.perf_counter() - started) * 1000
        response = GenerationResponse(
            candidates=self._candidates(data, request.n),
            provenance=Provenance("openai", _str(data.get("model")) or self.model),
            timings=Timings(generate_ms=elapsed),
            request_id=request.request_id,
        )
        return recheck(request, response, self.tokenizer)

    def _candidates(self, data: dict[str, Any], n: int) -> tuple[Candidate, ...]:
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices:
            raise BackendError(f"{self.url}: the reply has no choices")
        usage = data.get("usage")
        total = usage.get("completion_tokens") if isinstance(usage, dict) else None
        indexed = []
        for position, choice in enumerate(choices):
            if not isinstance(choice, dict) or not isinstance(choice.get("text"), str):
                raise BackendError(f"{self.url}: a choice without text")
            index = choice.get("index", position)
            if isinstance(index, bool) or not isinstance(index, int):
                raise BackendError(f"{self.url}: a choice's index is not an integer")
            indexed.append((index, choice))
        out = []
        for _index, choice in sorted(indexed, key=lambda pair: pair[0]):
            text = choice["text"]
            if self.tokenizer is not None:
                tokens = len(self.tokenizer.tokenize_str(text))
            else:  # usage counts all choices together
                tokens = total // max(n, 1) if isinstance(total, int) and total >= 0 else 0
            out.append(Candidate(text, tokens, _finish(choice.get("finish_reason")), None))
        return tuple(out)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
