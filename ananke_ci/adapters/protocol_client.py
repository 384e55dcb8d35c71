"""Our generation protocol over HTTP (`ananke-ci serve`, the modal_app service), and the
small JSON-over-HTTP helper both remote backends share.

stdlib only (urllib). Retries with exponential backoff and full jitter on 429, 5xx and
connection errors; never on another 4xx. Secrets go into headers only: they are never
logged, and any echo of them in a server's error text is masked before it is shown.
"""

from __future__ import annotations

import json
import os
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import llguidance

from ananke_ci.analysis.grammar import check_output
from ananke_ci.core.errors import UserError
from ananke_ci.core.protocol import (
    DEFAULT_LIMITS,
    Candidate,
    GenerationRequest,
    GenerationResponse,
    Limits,
    ProtocolError,
)
from ananke_ci.core.protocol_json import (
    decode,
    encode,
    request_to_dict,
    response_from_dict,
)

RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
TOKEN_ENV = "ANANKE_TOKEN"
MODAL_KEY_ENV = "MODAL_KEY"
MODAL_SECRET_ENV = "MODAL_SECRET"


class BackendError(UserError):
    """A remote backend failed for good (after retries, or a non-retryable status)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5  # seconds; attempt k waits up to base * 2**k (full jitter)
    max_delay: float = 8.0
    timeout: float = 300.0  # per attempt: a cold GPU container takes minutes to start


@dataclass(frozen=True, slots=True)
class Auth:
    """Credentials, read from the environment by the composition root, never from flags."""

    token: str | None = None  # `Authorization: Bearer ...`
    modal_key: str | None = None  # Modal proxy auth: `Modal-Key` / `Modal-Secret`
    modal_secret: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ,
                 token_env: str = TOKEN_ENV) -> Auth:
        return cls(environ.get(token_env) or None, environ.get(MODAL_KEY_ENV) or None,
                   environ.get(MODAL_SECRET_ENV) or None)

    def headers(self) -> dict[str, str]:
        out = {}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        if self.modal_key and self.modal_secret:
            out["Modal-Key"] = self.modal_key
            out["Modal-Secret"] = self.modal_secret
        return out

    def mask(self, text: str) -> str:
        """`text` with every secret replaced by ***."""
        for secret in (self.token, self.modal_key, self.modal_secret):
            if secret:
                text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:  # dataclass repr would print the secrets
        return f"Auth(token={'***' if self.token else None}, modal={bool(self.modal_key)})"


NO_AUTH = Auth()
DEFAULT_RETRY = RetryPolicy()


def post_json(
    url: str,
    body: Mapping[str, Any],
    *,
    auth: Auth = NO_AUTH,
    policy: RetryPolicy = DEFAULT_RETRY,
    max_response_bytes: int = DEFAULT_LIMITS.max_response_bytes,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, Any]:
    """POST JSON; (status, parsed body) for 2xx and non-retryable 4xx; BackendError otherwise."""
    data = encode(body)
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               **auth.headers()}
    last = ""
    for attempt in range(policy.attempts):
        if attempt:
            sleep(random.uniform(0, min(policy.max_delay, policy.base_delay * 2**attempt)))
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout) as reply:
                status = reply.status
                raw = reply.read(max_response_bytes + 1)
        except urllib.error.HTTPError as e:
            status = e.code
            raw = e.read(max_response_bytes + 1)
            if status in RETRY_STATUSES:
                last = f"HTTP {status}{_detail(raw, auth)}"
                continue
        except (urllib.error.URLError, OSError) as e:  # refused, reset, DNS, timeout
            reason = getattr(e, "reason", e)
            last = auth.mask(f"cannot reach the server ({type(e).__name__}: {reason})")
            continue
        try:
            return status, decode(raw, max_response_bytes, status=502)
        except ProtocolError as e:
            raise BackendError(f"{_where(url)}: HTTP {status}: {e.message}", status) from None
    raise BackendError(f"{_where(url)}: giving up after {policy.attempts} attempts: {last}")


def post_ok(url: str, body: Mapping[str, Any], *, auth: Auth, policy: RetryPolicy,
            max_response_bytes: int) -> Any:
    """POST JSON and return the parsed body of a 200 reply; any other status raises
    (`error_for`: ProtocolError for a protocol status, BackendError otherwise)."""
    status, data = post_json(url, body, auth=auth, policy=policy,
                             max_response_bytes=max_response_bytes)
    if status != 200:
        raise error_for(url, status, data, auth)
    return data


def _where(url: str) -> str:
    return url.split("?", 1)[0]


def _detail(raw: bytes, auth: Auth) -> str:
    """A short, secret-free excerpt of an error body."""
    text = raw[:2000].decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            error = parsed.get("error", parsed.get("message", parsed.get("detail")))
            if isinstance(error, dict):
                error = error.get("message", error)
            text = str(error)
    except ValueError:
        pass
    text = " ".join(auth.mask(text).split())[:300]
    return f": {text}" if text else ""


def error_for(url: str, status: int, data: Any, auth: Auth) -> Exception:
    """The exception for a non-2xx reply: protocol statuses stay ProtocolError."""
    detail = _detail(json.dumps(data).encode(), auth)
    if status in (400, 413, 422) and isinstance(data, dict) and isinstance(
            data.get("error"), dict):
        return ProtocolError(status, detail.removeprefix(": "))
    if status in (401, 403):
        return BackendError(f"{_where(url)}: HTTP {status}: not authorised (check the token "
                            f"in ${TOKEN_ENV} or ${MODAL_KEY_ENV}/${MODAL_SECRET_ENV})", status)
    return BackendError(f"{_where(url)}: HTTP {status}{detail}", status)


def recheck(request: GenerationRequest, response: GenerationResponse,
            tokenizer: llguidance.LLTokenizer | None) -> GenerationResponse:
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
    return GenerationResponse(tuple(checked), response.provenance, response.timings,
                              response.request_id, response.version)


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.policy = policy
        self.limits = limits
        self.tokenizer = tokenizer
        self.name = name

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        body = request_to_dict(request, self.limits)  # fails here, before anything is sent
        url = f"{self.base_url}/v1/generate"
        data = post_ok(url, body, auth=self.auth, policy=self.policy,
                       max_response_bytes=self.limits.max_response_bytes)
        return recheck(request, response_from_dict(data), self.tokenizer)


def make_remote(
    kind: str,
    endpoint: str,
    *,
    model: str | None = None,
    environ: Mapping[str, str] = os.environ,
    tokenizer: llguidance.LLTokenizer | None = None,
) -> ProtocolClient | Any:
    """The remote Backend for `kind` ("openai", "modal" or "protocol"); secrets from environ."""
    auth = Auth.from_env(environ)
    if kind == "openai":
        from ananke_ci.adapters.openai_backend import OpenAIBackend

        if not model:
            raise UserError("the openai backend needs a model name (--model)")
        return OpenAIBackend(endpoint, model, auth=auth, tokenizer=tokenizer)
    if kind in ("modal", "protocol"):
        return ProtocolClient(endpoint, auth=auth, tokenizer=tokenizer, name=kind)
    raise UserError(f"unknown remote backend {kind!r} (openai, modal, protocol)")
