"""JSON (de)serialisation of the generation protocol, validated on both ends.

Strict on purpose: an unknown key is an error, not ignored (vLLM silently ignoring the removed
`guided_*` fields is the failure this avoids). Every failure is a ProtocolError whose status
says what kind it is. The schema with examples is in docs/protocol.md.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, cast, get_args

from ananke_ci.core.protocol import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_TOKENS,
    PROTOCOL_VERSION,
    Candidate,
    Constraint,
    ConstraintKind,
    FinishReason,
    GenerationRequest,
    GenerationResponse,
    Limits,
    LineBans,
    ProtocolError,
    Provenance,
    Timings,
)

_KINDS: tuple[str, ...] = get_args(ConstraintKind)
_FINISH: tuple[str, ...] = get_args(FinishReason)
_REQUEST_KEYS = frozenset(
    (
        "version",
        "request_id",
        "constraint",
        "prompt",
        "prefix",
        "suffix",
        "max_tokens",
        "temperature",
        "n",
        "seed",
        "stop",
    )
)
_RESPONSE_KEYS = frozenset(("version", "request_id", "candidates", "provenance", "timings"))
_MAX_SEED = 2**63 - 1
_MAX_BANS = 256  # entries per list: the compiler emits at most 200 names plus markers
_MAX_BAN_BYTES = 256


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def text_bytes(request: GenerationRequest) -> int:
    """The UTF-8 size of prompt, prefix and suffix together (what `max_text_bytes` bounds)."""
    return sum(_utf8_len(t) for t in (request.prompt, request.prefix, request.suffix))


def check_constraint(constraint: Constraint, limits: Limits = DEFAULT_LIMITS) -> None:
    """Shape checks that need no tokenizer (llguidance validates the grammar itself later)."""
    if constraint.kind not in _KINDS:
        raise ProtocolError(400, f"constraint.kind must be one of {', '.join(_KINDS)}")
    if not constraint.text.strip():
        raise ProtocolError(422, f"empty {constraint.kind} constraint")
    if _utf8_len(constraint.text) > limits.max_constraint_bytes:
        raise ProtocolError(413, f"constraint is larger than {limits.max_constraint_bytes} bytes")
    if constraint.kind == "lark":
        head = constraint.text.lstrip()
        if head.startswith("?start"):
            raise ProtocolError(422, "a Lark grammar must use `start:`, not `?start:`")
        if not head.startswith("%llguidance") and not _has_start_rule(constraint.text):
            raise ProtocolError(
                422, "a Lark grammar must define `start:` or begin with `%llguidance {}`"
            )
    if constraint.bans is not None:
        _check_bans(constraint.kind, constraint.bans)
    if constraint.kind == "json_schema":
        try:
            schema = json.loads(constraint.text)
        except ValueError:
            raise ProtocolError(422, "json_schema constraint is not valid JSON") from None
        except RecursionError:
            raise ProtocolError(422, "json_schema constraint nests too deeply") from None
        if not isinstance(schema, dict):
            raise ProtocolError(422, "json_schema constraint must be a JSON object")


def _check_bans(kind: str, bans: LineBans) -> None:
    if kind != "lark":
        raise ProtocolError(400, "constraint.bans goes with a lark constraint only")
    for key, items in (("words", bans.words), ("fragments", bans.fragments)):
        if len(items) > _MAX_BANS:
            raise ProtocolError(413, f"constraint.bans.{key} has more than {_MAX_BANS} entries")
        if any(not item or _utf8_len(item) > _MAX_BAN_BYTES for item in items):
            raise ProtocolError(
                400, f"constraint.bans.{key} entries must be 1 to {_MAX_BAN_BYTES} bytes"
            )


def _has_start_rule(text: str) -> bool:
    return any(
        line.startswith("start") and line[5:].lstrip().startswith(":") for line in text.splitlines()
    )


def validate_request(request: GenerationRequest, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise ProtocolError unless the request is in range; used before sending and on receipt."""
    if request.version != PROTOCOL_VERSION:
        raise ProtocolError(
            400,
            f"unsupported protocol version {request.version} (this peer speaks {PROTOCOL_VERSION})",
        )
    if not (request.prompt or request.prefix or request.suffix):
        raise ProtocolError(400, "one of prompt, prefix or suffix must be non-empty")
    if request.prompt and (request.prefix or request.suffix):
        raise ProtocolError(400, "give either prompt or prefix/suffix, not both")
    size = text_bytes(request)
    if size > limits.max_text_bytes:
        raise ProtocolError(
            413, f"prompt, prefix and suffix are {size} bytes; the limit is {limits.max_text_bytes}"
        )
    if not 1 <= request.max_tokens <= limits.max_tokens:
        raise ProtocolError(400, f"max_tokens must be between 1 and {limits.max_tokens}")
    if not 1 <= request.n <= limits.max_n:
        raise ProtocolError(400, f"n must be between 1 and {limits.max_n}")
    if not (math.isfinite(request.temperature) and 0.0 <= request.temperature <= 2.0):
        raise ProtocolError(400, "temperature must be between 0 and 2")
    if request.seed is not None and not 0 <= request.seed <= _MAX_SEED:
        raise ProtocolError(400, "seed must be a non-negative 64-bit integer or null")
    if len(request.stop) > limits.max_stop:
        raise ProtocolError(400, f"at most {limits.max_stop} stop strings")
    for stop in request.stop:
        if not stop:
            raise ProtocolError(400, "stop strings must be non-empty")
        if _utf8_len(stop) > limits.max_stop_bytes:
            raise ProtocolError(413, f"a stop string is longer than {limits.max_stop_bytes} bytes")
    if len(request.request_id) > 128:
        raise ProtocolError(400, "request_id is longer than 128 characters")
    if request.constraint is not None:
        check_constraint(request.constraint, limits)


def _constraint_to_dict(constraint: Constraint) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": constraint.kind, "text": constraint.text}
    if constraint.bans is not None:
        out["bans"] = {
            "words": list(constraint.bans.words),
            "fragments": list(constraint.bans.fragments),
        }
    return out


def _bans_from_dict(raw: object) -> LineBans | None:
    if raw is None:
        return None
    obj = _object(raw, "constraint.bans", frozenset(("words", "fragments")), status=400)
    return LineBans(_strings(obj, "words"), _strings(obj, "fragments"))


def _strings(obj: dict[str, Any], key: str) -> tuple[str, ...]:
    items = _get(obj, key, list, [])
    if not all(isinstance(item, str) for item in items):
        raise ProtocolError(400, f"constraint.bans.{key} must be a list of strings")
    return tuple(items)


def request_to_dict(request: GenerationRequest, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The JSON object for a request (validated first: a client fails before sending)."""
    validate_request(request, limits)
    constraint = request.constraint
    return {
        "version": request.version,
        "request_id": request.request_id,
        "constraint": None if constraint is None else _constraint_to_dict(constraint),
        "prompt": request.prompt,
        "prefix": request.prefix,
        "suffix": request.suffix,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "n": request.n,
        "seed": request.seed,
        "stop": list(request.stop),
    }


def request_from_dict(data: object, limits: Limits = DEFAULT_LIMITS) -> GenerationRequest:
    """Parse and validate a request object; ProtocolError (400/413/422) on anything wrong."""
    obj = _object(data, "request", _REQUEST_KEYS, status=400)
    version = _get(obj, "version", int, PROTOCOL_VERSION)
    if version != PROTOCOL_VERSION:  # before anything else: another version may differ in shape
        raise ProtocolError(
            400, f"unsupported protocol version {version} (this peer speaks {PROTOCOL_VERSION})"
        )
    raw = obj.get("constraint")
    constraint = None
    if raw is not None:
        cobj = _object(raw, "constraint", frozenset(("kind", "text", "bans")), status=400)
        kind = _get(cobj, "kind", str, None)
        if kind not in _KINDS:
            raise ProtocolError(400, f"constraint.kind must be one of {', '.join(_KINDS)}")
        constraint = Constraint(
            cast(ConstraintKind, kind),
            _get(cobj, "text", str, ""),
            _bans_from_dict(cobj.get("bans")),
        )
    stop = _get(obj, "stop", list, [])
    if not all(isinstance(s, str) for s in stop):
        raise ProtocolError(400, "stop must be a list of strings")
    seed = obj.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ProtocolError(400, "seed must be an integer or null")
    temperature = obj.get("temperature", 0.0)
    if not isinstance(temperature, int | float) or isinstance(temperature, bool):
        raise ProtocolError(400, "temperature must be a number")
    request = GenerationRequest(
        constraint=constraint,
        prompt=_get(obj, "prompt", str, ""),
        prefix=_get(obj, "prefix", str, ""),
        suffix=_get(obj, "suffix", str, ""),
        max_tokens=_get(obj, "max_tokens", int, DEFAULT_MAX_TOKENS),
        temperature=float(temperature),
        n=_get(obj, "n", int, 1),
        seed=seed,
        stop=tuple(stop),
        request_id=_get(obj, "request_id", str, ""),
        version=version,
    )
    validate_request(request, limits)
    return request


def response_to_dict(response: GenerationResponse) -> dict[str, Any]:
    """The JSON object for a response."""
    return {
        "version": response.version,
        "request_id": response.request_id,
        "candidates": [
            {
                "text": c.text,
                "tokens": c.tokens,
                "finish_reason": c.finish_reason,
                "grammar_satisfied": c.grammar_satisfied,
                "violation": c.violation,
            }
            for c in response.candidates
        ],
        "provenance": {
            "backend": response.provenance.backend,
            "model": response.provenance.model,
            "versions": dict(response.provenance.versions),
        },
        "timings": {
            "queue_ms": response.timings.queue_ms,
            "compile_ms": response.timings.compile_ms,
            "generate_ms": response.timings.generate_ms,
        },
    }


def response_from_dict(data: object) -> GenerationResponse:
    """Parse a peer's response; ProtocolError(502) when it is not one."""
    obj = _object(data, "response", _RESPONSE_KEYS, status=502)
    version = _get(obj, "version", int, PROTOCOL_VERSION, status=502)
    if version != PROTOCOL_VERSION:
        raise ProtocolError(
            502, f"peer answered in protocol version {version}, not {PROTOCOL_VERSION}"
        )
    candidates = []
    for raw in _get(obj, "candidates", list, None, status=502):
        c = _object(
            raw,
            "candidate",
            frozenset(("text", "tokens", "finish_reason", "grammar_satisfied", "violation")),
            status=502,
        )
        finish = _get(c, "finish_reason", str, None, status=502)
        if finish not in _FINISH:
            raise ProtocolError(502, f"candidate.finish_reason must be one of {', '.join(_FINISH)}")
        satisfied = c.get("grammar_satisfied")
        if satisfied is not None and not isinstance(satisfied, bool):
            raise ProtocolError(502, "candidate.grammar_satisfied must be a boolean or null")
        violation = c.get("violation")
        if violation is not None and not isinstance(violation, str):
            raise ProtocolError(502, "candidate.violation must be a string or null")
        candidates.append(
            Candidate(
                text=_get(c, "text", str, None, status=502),
                tokens=_get(c, "tokens", int, 0, status=502),
                finish_reason=cast(FinishReason, finish),
                grammar_satisfied=satisfied,
                violation=violation,
            )
        )
    prov = _object(
        obj.get("provenance"), "provenance", frozenset(("backend", "model", "versions")), status=502
    )
    versions = _get(prov, "versions", dict, {}, status=502)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in versions.items()):
        raise ProtocolError(502, "provenance.versions must map strings to strings")
    tim = _object(
        obj.get("timings", {}),
        "timings",
        frozenset(("queue_ms", "compile_ms", "generate_ms")),
        status=502,
    )
    timings = Timings(**{k: float(_get(tim, k, float, 0.0, status=502)) for k in tim})
    return GenerationResponse(
        candidates=tuple(candidates),
        provenance=Provenance(
            backend=_get(prov, "backend", str, None, status=502),
            model=_get(prov, "model", str, None, status=502),
            versions=dict(versions),
        ),
        timings=timings,
        request_id=_get(obj, "request_id", str, "", status=502),
        version=version,
    )


def error_to_dict(error: ProtocolError) -> dict[str, Any]:
    """The JSON body sent with an error status."""
    return {
        "version": PROTOCOL_VERSION,
        "error": {"status": error.status, "message": error.message},
    }


def encode(obj: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON for the wire."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(body: bytes, max_bytes: int, *, status: int = 400) -> Any:
    """Parse a JSON body no larger than max_bytes (413 when larger)."""
    if len(body) > max_bytes:
        raise ProtocolError(413, f"body is larger than {max_bytes} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ProtocolError(status, f"body is not valid UTF-8 JSON ({type(e).__name__})") from None
    except RecursionError:  # json recurses once per [ or {: a 100k-deep body ends here
        raise ProtocolError(status, "body nests arrays or objects too deeply") from None


def _object(data: object, what: str, keys: frozenset[str], *, status: int) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ProtocolError(status, f"{what} must be a JSON object")
    unknown = sorted(k for k in data if k not in keys)
    if unknown:
        shown = ", ".join(repr(k[:40]) for k in unknown[:5])
        raise ProtocolError(status, f"unknown {what} field(s): {shown}")
    return data


_NAMES = {int: "an integer", str: "a string", list: "a list", dict: "an object", float: "a number"}


def _get(obj: dict[str, Any], key: str, kind: type[Any], default: Any, *, status: int = 400) -> Any:
    if key not in obj:
        if default is None:
            raise ProtocolError(status, f"missing field {key!r}")
        return default
    value = obj[key]
    ok = isinstance(value, int | float) if kind is float else isinstance(value, kind)
    if not ok or isinstance(value, bool):
        raise ProtocolError(status, f"{key!r} must be {_NAMES[kind]}")
    return value
