"""Our generation protocol over HTTP (`ananke-ci serve`, the modal_app service).

The transport (deadlines, retries, redirects, proxies, secret masking) is
adapters/backends/http_json.py, shared with the openai backend; its names are re-exported here.
"""

from __future__ import annotations

import llguidance

from ananke_ci.adapters.backends.http_json import (
    DEFAULT_RETRY,
    MODAL_KEY_ENV,
    MODAL_SECRET_ENV,
    NO_AUTH,
    RETRY_STATUSES,
    TOKEN_ENV,
    Auth,
    BackendError,
    RetryPolicy,
    error_for,
    post_json,
    post_ok,
)
from ananke_ci.analysis.grammar import check_output
from ananke_ci.core.deadline import Deadline
from ananke_ci.core.protocol import (
    DEFAULT_LIMITS,
    Candidate,
    GenerationRequest,
    GenerationResponse,
    Limits,
    ProtocolError,
)
from ananke_ci.core.protocol_json import request_to_dict, response_from_dict

__all__ = [
    "DEFAULT_RETRY",
    "MODAL_KEY_ENV",
    "MODAL_SECRET_ENV",
    "NO_AUTH",
    "RETRY_STATUSES",
    "TOKEN_ENV",
    "Auth",
    "BackendError",
    "ProtocolClient",
    "RetryPolicy",
    "error_for",
    "post_json",
    "post_ok",
    "recheck",
]


def recheck(
    request: GenerationRequest,
    response: GenerationResponse,
    tokenizer: llguidance.LLTokenizer | None,
) -> GenerationResponse:
    """Re-check each candidate against the request's constraint client-side.

    vLLM's guidance backend forces EOS on a matcher error and returns 200: a cut output
    looks finished. A "stop" candidate that does not satisfy the grammar is marked
    `grammar_error`.
    """
    if tokenizer is None or request.constraint is None:
        return response
    checked = []
    for c in response.candidates:
        ok, violation = check_output(request.constraint, c.text, tokenizer)
        finish = c.finish_reason
        if not ok and finish == "stop":
            finish = "grammar_error"
        checked.append(Candidate(c.text, c.tokens, finish, ok, violation))
    return GenerationResponse(
        tuple(checked), response.provenance, response.timings, response.request_id, response.version
    )


class ProtocolClient:
    """A Backend that speaks our protocol to `ananke-ci serve` or the modal_app service."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth = NO_AUTH,
        policy: RetryPolicy = DEFAULT_RETRY,
        limits: Limits = DEFAULT_LIMITS,
        tokenizer: llguidance.LLTokenizer | None = None,
        name: str = "protocol",
        deadline: Deadline | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.policy = policy
        self.limits = limits
        self.tokenizer = tokenizer
        self.name = name
        self.deadline = deadline  # the whole run's (`fix --deadline`); each request has its own

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        body = request_to_dict(request, self.limits)  # fails here, before anything is sent
        url = f"{self.base_url}/v1/generate"
        data = post_ok(
            url,
            body,
            auth=self.auth,
            policy=self.policy,
            max_response_bytes=self.limits.max_response_bytes,
            deadline=self.deadline,
        )
        try:
            response = response_from_dict(data)
        except ProtocolError as e:  # a 200 whose body is not a protocol response
            raise BackendError(
                f"{url}: the reply is not a generation response: {e.message}", 502
            ) from None
        return recheck(request, response, self.tokenizer)
