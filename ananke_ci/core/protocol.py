"""The generation protocol: one request/response shape for every backend.

The same records travel in-process (local backend), over HTTP (`ananke-ci serve`, the
modal_app service) and are mapped onto vLLM's OpenAI-compatible API. Versioned: a peer that
speaks another version is refused with a clear error. (De)serialisation and validation live
next to these records; the constraint (grammar / regex / JSON schema) is exactly one of three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

PROTOCOL_VERSION = 1

ConstraintKind = Literal["lark", "regex", "json_schema"]


@dataclass(frozen=True, slots=True)
class Constraint:
    kind: ConstraintKind
    text: str  # Lark grammar (starts with `start:` or `%llguidance {}`), regex, or JSON schema


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    constraint: Constraint | None  # None: unconstrained (benchmarks only)
    prompt: str = ""  # full prompt (chat template already applied), or
    prefix: str = ""  # FIM prefix/suffix when the backend does fill-in-the-middle
    suffix: str = ""
    max_tokens: int = 256
    temperature: float = 0.0
    n: int = 1
    seed: int | None = None
    stop: tuple[str, ...] = ()
    request_id: str = ""
    version: int = PROTOCOL_VERSION


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    tokens: int
    finish_reason: Literal["stop", "length", "grammar_error", "error"]
    grammar_satisfied: bool | None  # None when the backend cannot tell
    violation: str | None = None  # the matcher's error when the grammar was broken


@dataclass(frozen=True, slots=True)
class Timings:
    queue_ms: float = 0.0
    compile_ms: float = 0.0
    generate_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class Provenance:
    backend: str  # "local", "openai", "modal"
    model: str
    versions: dict[str, str] = field(default_factory=dict)  # e.g. {"vllm": "0.33.0"}


@dataclass(frozen=True, slots=True)
class GenerationResponse:
    candidates: tuple[Candidate, ...]
    provenance: Provenance
    timings: Timings = Timings()
    request_id: str = ""
    version: int = PROTOCOL_VERSION


class Backend(Protocol):
    """Anything that turns a request into candidates: in-process model, HTTP peer, vLLM."""

    name: str

    def generate(self, request: GenerationRequest) -> GenerationResponse: ...
