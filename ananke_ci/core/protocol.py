"""The generation protocol: one request/response shape for every backend.

The same records travel in-process (local backend), over HTTP (`ananke-ci serve`, the
modal_app service) and are mapped onto vLLM's OpenAI-compatible API. Versioned: a peer that
speaks another version is refused with a clear error. (De)serialisation and validation live
next to these records; the constraint (grammar / regex / JSON schema) is exactly one of three.
"""

from __future__ import annotations

from typing import Literal, Protocol

from ananke_ci.core.records import field, record

PROTOCOL_VERSION = 1

ConstraintKind = Literal["lark", "regex", "json_schema"]
FinishReason = Literal["stop", "length", "grammar_error", "error"]
DEFAULT_MAX_TOKENS = 256


@record(frozen=True, slots=True)
class LineBans:
    """What no line of the output may contain, as regex fragments (Rust regex syntax).

    words: must not stand alone as a whole word (identifier characters A-Za-z0-9_$ or a
    line boundary on either side); fragments: must not appear anywhere in a line.
    """

    words: tuple[str, ...] = ()
    fragments: tuple[str, ...] = ()


@record(frozen=True, slots=True)
class Constraint:
    kind: ConstraintKind
    text: str  # Lark grammar (starts with `start:` or `%llguidance {}`), regex, or JSON schema
    # The bans a Lark grammar already excludes in every text terminal (`& ~/<ban regex>/`),
    # stated apart so that a backend may enforce them per token instead: the local backend
    # drops them from the grammar (whose masks then take llguidance's fast paths) and masks
    # them with an exact token automaton. Backends that cannot simply send `text`.
    bans: LineBans | None = None


@record(frozen=True, slots=True)
class GenerationRequest:
    constraint: Constraint | None  # None: unconstrained (benchmarks only)
    prompt: str = ""  # full prompt (chat template already applied), or
    prefix: str = ""  # FIM prefix/suffix when the backend does fill-in-the-middle
    suffix: str = ""
    max_tokens: int = DEFAULT_MAX_TOKENS
    temperature: float = 0.0
    n: int = 1
    seed: int | None = None
    stop: tuple[str, ...] = ()
    request_id: str = ""
    version: int = PROTOCOL_VERSION


@record(frozen=True, slots=True)
class Candidate:
    text: str
    tokens: int
    finish_reason: FinishReason
    grammar_satisfied: bool | None  # None when the backend cannot tell
    violation: str | None = None  # the matcher's error when the grammar was broken


@record(frozen=True, slots=True)
class Timings:
    queue_ms: float = 0.0
    compile_ms: float = 0.0
    generate_ms: float = 0.0


@record(frozen=True, slots=True)
class Provenance:
    backend: str  # "local", "openai", "modal"
    model: str
    versions: dict[str, str] = field(default_factory=dict)  # e.g. {"vllm": "0.33.0"}


@record(frozen=True, slots=True)
class GenerationResponse:
    candidates: tuple[Candidate, ...]
    provenance: Provenance
    timings: Timings = Timings()
    request_id: str = ""
    version: int = PROTOCOL_VERSION


class ProtocolError(Exception):
    """A request or response that breaks the protocol, with the HTTP status it maps to.

    400 malformed or out of range, 413 too large, 422 invalid constraint (grammar), 502 a
    peer's malformed response. The message is safe to show and to send back: it never
    quotes secrets, only field names and limits.
    """

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(f"{status}: {message}")


@record(frozen=True, slots=True)
class Limits:
    """What one peer accepts; the same defaults on both ends so a client fails before sending."""

    max_text_bytes: int = 256 * 1024  # prompt + prefix + suffix, UTF-8
    max_tokens: int = 4096
    max_n: int = 16
    max_stop: int = 8
    max_stop_bytes: int = 256  # each stop string
    max_constraint_bytes: int = 64 * 1024  # grammar / regex / JSON schema text
    max_request_bytes: int = 1024 * 1024  # the whole JSON body on the wire
    max_response_bytes: int = 16 * 1024 * 1024


DEFAULT_LIMITS = Limits()


class Backend(Protocol):
    """Anything that turns a request into candidates: in-process model, HTTP peer, vLLM."""

    name: str

    def generate(self, request: GenerationRequest) -> GenerationResponse: ...
