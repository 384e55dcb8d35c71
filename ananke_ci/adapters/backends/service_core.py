"""What every server of the generation protocol does with a request, with no I/O.

Shared by `ananke-ci serve` (stdlib HTTP, local backend) and the modal_app GPU service
(FastAPI, vLLM), so the two can never disagree on auth, validation or the grammar checks:
each function takes what arrived (a header, a parsed JSON body) and returns the value to act
on, or raises ProtocolError with the status to answer.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ananke_ci.adapters.backends.protocol_client import recheck
from ananke_ci.analysis.grammar import constraint_grammar, validate_grammar
from ananke_ci.core.protocol import (
    DEFAULT_LIMITS,
    PROTOCOL_VERSION,
    Constraint,
    GenerationRequest,
    GenerationResponse,
    Limits,
    ProtocolError,
)
from ananke_ci.core.protocol_json import request_from_dict

if TYPE_CHECKING:
    import llguidance

__all__ = [
    "check_bearer",
    "check_candidates",
    "check_constraint_llguidance",
    "grammar_answer",
    "header",
    "health_answer",
    "parse_generate",
]

MAX_ERROR_CHARS = 500  # of llguidance's message in a 422: enough to find the line


def check_bearer(authorization: str | None, token: str | None) -> None:
    """Accept `Authorization: Bearer <token>` (constant-time); 401 otherwise.

    `token` None means no token is configured: everything is accepted (the caller decides
    whether that is allowed; the Modal service fails closed instead).
    """
    if token is None:
        return
    given = (authorization or "").encode()
    if not hmac.compare_digest(given, f"Bearer {token}".encode()):
        raise ProtocolError(401, "missing or wrong bearer token")


def check_constraint_llguidance(
    constraint: Constraint, tokenizer: llguidance.LLTokenizer | None
) -> None:
    """422 with llguidance's own error unless it accepts the constraint (any kind).

    With the model's tokenizer this also catches special tokens the vocabulary lacks.
    """
    if constraint.kind == "lark":
        error = validate_grammar(constraint.text, tokenizer)
    else:
        import llguidance

        try:
            grammar = constraint_grammar(constraint)
        except (ValueError, RuntimeError) as e:
            error = str(e)
        else:
            error = llguidance.LLMatcher.validate_grammar(grammar, tokenizer) or None
    if error:
        what = "grammar" if constraint.kind == "lark" else f"{constraint.kind} constraint"
        raise ProtocolError(422, f"invalid {what}: {error[:MAX_ERROR_CHARS]}")


def parse_generate(
    data: Any, limits: Limits = DEFAULT_LIMITS, tokenizer: llguidance.LLTokenizer | None = None
) -> GenerationRequest:
    """A POST /v1/generate body as a request: schema, limits, then llguidance (400/413/422)."""
    request = request_from_dict(data, limits)
    if request.constraint is not None:
        check_constraint_llguidance(request.constraint, tokenizer)
    return request


def grammar_answer(
    data: Any, limits: Limits = DEFAULT_LIMITS, tokenizer: llguidance.LLTokenizer | None = None
) -> dict[str, Any]:
    """The answer to POST /v1/grammar/validate (`{"grammar": "<lark>"}`)."""
    if (
        not isinstance(data, dict)
        or set(data) != {"grammar"}
        or not isinstance(data["grammar"], str)
    ):
        raise ProtocolError(400, 'expected {"grammar": "<lark text>"}')
    if len(data["grammar"].encode()) > limits.max_constraint_bytes:
        raise ProtocolError(413, f"grammar is larger than {limits.max_constraint_bytes} bytes")
    error = validate_grammar(data["grammar"], tokenizer)
    return {"version": PROTOCOL_VERSION, "valid": error is None, "error": error}


def health_answer(backend: str, **extra: str) -> dict[str, Any]:
    """The answer to GET /health: says nothing secret (no auth on it)."""
    return {"version": PROTOCOL_VERSION, "status": "ok", "backend": backend, **extra}


def check_candidates(
    request: GenerationRequest,
    response: GenerationResponse,
    tokenizer: llguidance.LLTokenizer | None,
) -> GenerationResponse:
    """Each candidate re-checked against the constraint with an llguidance matcher.

    The same check the protocol client runs: a "stop" candidate that breaks the grammar
    (vLLM's guidance backend forces EOS on a matcher error) becomes `grammar_error`.
    """
    return recheck(request, response, tokenizer)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (plain dicts in tests, HTTP message objects live)."""
    found = headers.get(name)
    if found is not None:
        return found
    lower = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lower), None)
