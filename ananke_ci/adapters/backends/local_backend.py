"""The embedded CPU backend: a small code model decoded in-process under llguidance masks.

`LocalBackend` implements the `Backend` port. The model is loaded lazily on the first request
(and once per process, whatever the number of backends); every grammar is validated against
the model's tokenizer before any token is generated, so a bad grammar is a clear error, not
a silently unconstrained output.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ananke_ci.adapters.backends.local_model import DEFAULT_MODEL, LoadedModel, is_loaded, load
from ananke_ci.core.protocol import (
    Candidate,
    Constraint,
    GenerationRequest,
    GenerationResponse,
    LineBans,
    ProtocolError,
    Provenance,
    Timings,
)

if TYPE_CHECKING:
    from ananke_ci.adapters.backends.decode import Guide
    from ananke_ci.adapters.backends.token_bans import TokenBans

_VERSIONED = ("torch", "transformers", "llguidance", "ananke-ci")


class LocalBackend:
    """transformers + llguidance on CPU; `model` is a local directory, `.gguf` file or hub id."""

    name = "local"

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        loaded: LoadedModel | None = None,
        overlap: bool = True,
        environ: Mapping[str, str] = os.environ,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self._model = model
        self._progress = progress  # told when the model starts and ends loading
        self._loaded = loaded
        self._environ = environ
        self.overlap = overlap  # compute masks in a thread during the forward pass
        # one request at a time: the model and its caches are not shared between decodes
        self._lock = threading.Lock()

    def loaded(self) -> LoadedModel:
        """The model, loaded on first use (7-10 s; 80-90 s the very first time: conversion)."""
        if self._loaded is None:
            started = time.perf_counter()
            if self._progress and not is_loaded(self._model):
                self._progress(f"loading the local model {self._model or DEFAULT_MODEL}...")
            self._loaded = load(self._model, self._environ)
            if self._progress and time.perf_counter() - started >= 1.0:
                self._progress(
                    f"loaded {self._loaded.name} in {time.perf_counter() - started:.1f} s"
                )
        return self._loaded

    def provenance(self) -> Provenance:
        return Provenance(self.name, self.loaded().name, _versions())

    def generate(self, request: GenerationRequest) -> GenerationResponse:
        # numpy (the local extra): loaded with the model on the first request
        from ananke_ci.adapters.backends.decode import Settings, run_samples

        queued = time.perf_counter()
        with self._lock:
            started = time.perf_counter()
            lm = self.loaded()
            new_guide = None
            if request.constraint is not None:
                new_guide = guide_factory(lm, request.constraint)
            compiled = time.perf_counter()
            seed = request.seed if request.seed is not None else secrets.randbits(31)
            settings = Settings(
                request.max_tokens, request.temperature, seed, request.stop, self.overlap
            )
            samples = run_samples(lm, _prompt(request), max(1, request.n), settings, new_guide)
            done = time.perf_counter()
        candidates = tuple(
            Candidate(s.text, len(s.tokens), s.finish_reason, s.grammar_satisfied, s.violation)
            for s in samples
        )
        timings = Timings(
            queue_ms=(started - queued) * 1000,
            compile_ms=(compiled - started) * 1000,
            generate_ms=(done - compiled) * 1000,
        )
        return GenerationResponse(candidates, self.provenance(), timings, request.request_id)


def grammar_of(constraint: Constraint) -> str:
    """The llguidance grammar for a constraint of any kind."""
    from llguidance import LLMatcher

    if constraint.kind == "lark":
        return str(LLMatcher.grammar_from_lark(constraint.text))
    if constraint.kind == "regex":
        return str(LLMatcher.grammar_from_regex(constraint.text))
    return str(LLMatcher.grammar_from_json_schema(constraint.text))


def guide_factory(lm: LoadedModel, constraint: Constraint) -> Callable[[], Guide]:
    """Validate the constraint against the tokenizer once; then fresh guides on demand.

    A Lark constraint whose line bans are stated apart (`Constraint.bans`) is run without
    them in the grammar and with the exact token automaton of `token_bans` instead: the same
    outputs are allowed, and the grammar's masks take llguidance's fast paths. Guides are
    deep copies of one matcher: a copy costs ~10 us instead of compiling the grammar again
    (3-6 ms), and the copies share the lexer's automaton, so the candidates and attempts after
    the first find its states already built.
    """
    from llguidance import LLMatcher

    from ananke_ci.adapters.backends.decode import Guide  # numpy: the first request's

    limits = parser_limits()
    bans = None
    line_bans = constraint.bans
    if constraint.kind == "lark" and line_bans is not None:
        from ananke_ci.analysis.grammar import strip_bans  # llguidance, lark: the first request's

        constraint = Constraint("lark", strip_bans(constraint.text, line_bans))
        try:
            bans = token_bans(lm.lltokenizer, line_bans)
        except ValueError as exc:
            raise ProtocolError(422, f"invalid constraint.bans: {exc}") from None
    try:
        grammar = grammar_of(constraint)
    except (ValueError, RuntimeError) as exc:
        raise ProtocolError(422, f"invalid {constraint.kind} constraint: {exc}") from None
    error = LLMatcher.validate_grammar(grammar, lm.lltokenizer, limits=limits)
    if error:
        raise ProtocolError(422, f"invalid {constraint.kind} constraint: {error}")

    template = LLMatcher(lm.lltokenizer, grammar, log_level=0, limits=limits)

    def new() -> Guide:
        return Guide(template.deep_copy(), bans)

    return new


def parser_limits() -> Any:
    """llguidance's limits for the local backend's matchers.

    5x the default lexer fuel and 10x the Earley items per mask: the compiler's grammars fit
    the defaults, bans included (tests/test_grammar_compiler.py), but a protocol request may
    carry any grammar, and a mask cut short by a limit stops the matcher with an error.
    Short errors: the default repeats the whole grammar in every violation.
    """
    from llguidance import LLParserLimits

    return LLParserLimits(step_lexer_fuel=1_000_000, step_max_items=500_000, verbose_errors=False)


@lru_cache(maxsize=8)
def token_bans(tokenizer: Any, bans: LineBans) -> TokenBans:
    """The token automaton for a set of line bans (built in well under a second; reused by
    every request with the same bans, as `fix` sends for each hole of a run)."""
    # numpy (the local extra) and the ban automaton: the first request's
    from ananke_ci.adapters.backends.token_bans import TokenBans
    from ananke_ci.analysis.grammar.bans import compile_bans

    return TokenBans(compile_bans(bans.words, bans.fragments), tokenizer)


def _prompt(request: GenerationRequest) -> str:
    if request.prompt:
        return request.prompt
    # Qwen2.5-Coder's fill-in-the-middle tokens
    return f"<|fim_prefix|>{request.prefix}<|fim_suffix|>{request.suffix}<|fim_middle|>"


_VERSIONS: dict[str, str] = {}


def _versions() -> dict[str, str]:
    if not _VERSIONS:
        for dist in _VERSIONED:
            try:
                _VERSIONS[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                _VERSIONS[dist] = "unknown"
    return dict(_VERSIONS)
