"""The GPU side of the service: the engine port, vLLM behind it, and the batcher in front of it.

`Engine.generate(prompts, params)` takes prompts and vLLM sampling arguments (the dicts
`sampling_kwargs` builds) and returns the completions of each prompt. `VLLMEngine` runs
vLLM 0.33 with the guidance structured-outputs backend (in the image only); `LocalEngine`
puts the project's CPU backend behind the same port (tests, CPU boxes). One thread owns
the engine (`Batcher`): vLLM's `LLM` is not thread-safe, and concurrent requests that arrive
while it is busy ride together in its next call.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Literal, Protocol

import ananke_ci
from ananke_ci.core.protocol import (
    DEFAULT_LIMITS,
    Constraint,
    ConstraintKind,
    GenerationRequest,
    Limits,
    ProtocolError,
)
from ananke_ci.core.protocol_json import request_from_dict

Finish = Literal["stop", "length", "error"]
Params = Mapping[str, Any]  # keyword arguments of vllm.SamplingParams (see sampling_kwargs)

# protocol constraint kind -> the StructuredOutputsParams field that carries it (vLLM 0.33)
STRUCTURED_FIELD: dict[ConstraintKind, str] = {
    "lark": "grammar",
    "regex": "regex",
    "json_schema": "json",
}


@dataclass(frozen=True, slots=True)
class EngineOutput:
    text: str
    tokens: int
    finish_reason: Finish


class Engine(Protocol):
    """Prompts + sampling arguments in; per prompt, its n completions out."""

    model: str

    def versions(self) -> dict[str, str]: ...

    def generate(
        self, prompts: Sequence[str], params: Sequence[Params]
    ) -> list[list[EngineOutput]]: ...


def sampling_kwargs(request: GenerationRequest) -> dict[str, Any]:
    """vLLM 0.33 `SamplingParams(**kwargs)` for a request; the one place this mapping lives.

    `structured_outputs` holds `StructuredOutputsParams(**value)` arguments: exactly one of
    `grammar` (Lark), `regex`, `json` (the schema as an object). `max_tokens` is always set:
    vLLM's default is 16.
    """
    kwargs: dict[str, Any] = {
        "n": request.n,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "seed": request.seed,
        "stop": list(request.stop),
    }
    constraint = request.constraint
    if constraint is not None:
        value: Any = constraint.text
        if constraint.kind == "json_schema":
            value = json.loads(constraint.text)
        kwargs["structured_outputs"] = {STRUCTURED_FIELD[constraint.kind]: value}
    return kwargs


def constraint_of(structured: Mapping[str, Any] | None) -> Constraint | None:
    """The inverse of the `structured_outputs` part of `sampling_kwargs`."""
    if not structured:
        return None
    ((name, value),) = structured.items()
    kind = next(k for k, v in STRUCTURED_FIELD.items() if v == name)
    return Constraint(kind, value if isinstance(value, str) else json.dumps(value))


def prompt_of(request: GenerationRequest) -> str:
    """The prompt as given, or Qwen2.5-Coder's fill-in-the-middle form of prefix/suffix."""
    if request.prompt:
        return request.prompt
    return f"<|fim_prefix|>{request.prefix}<|fim_suffix|>{request.suffix}<|fim_middle|>"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


class VLLMEngine:
    """vLLM 0.33 offline `LLM` with `structured_outputs_config={"backend": "guidance"}`."""

    def __init__(self, model: str, *, max_model_len: int, gpu_memory_utilization: float) -> None:
        from vllm import LLM  # type: ignore[import-not-found,unused-ignore]

        self.model = model
        self.llm = LLM(
            model=model,
            structured_outputs_config={"backend": "guidance"},  # per engine, not per request
            max_model_len=max_model_len,
            gpu_memory_utilization=gpu_memory_utilization,
            enable_prefix_caching=True,  # the n samples and the retries share their prompt
        )

    def versions(self) -> dict[str, str]:
        return {dist: _version(dist) for dist in ("vllm", "llguidance", "torch", "transformers")}

    def generate(
        self, prompts: Sequence[str], params: Sequence[Params]
    ) -> list[list[EngineOutput]]:
        from vllm import SamplingParams  # type: ignore[import-not-found,unused-ignore]
        from vllm.sampling_params import (  # type: ignore[import-not-found,unused-ignore]
            StructuredOutputsParams,
        )

        sampling = []
        for kwargs in params:
            args = dict(kwargs)
            structured = args.pop("structured_outputs", None)
            if structured is not None:
                args["structured_outputs"] = StructuredOutputsParams(**structured)
            sampling.append(SamplingParams(**args))
        outputs = self.llm.generate(list(prompts), sampling, use_tqdm=False)
        return [
            [EngineOutput(c.text, len(c.token_ids), _finish(c.finish_reason)) for c in out.outputs]
            for out in outputs
        ]


def _finish(reason: str | None) -> Finish:
    return "stop" if reason == "stop" else "length" if reason == "length" else "error"


class LocalEngine:
    """The project's CPU `LocalBackend` behind the engine port (one prompt at a time)."""

    def __init__(self, model: str | None = None, backend: Any = None) -> None:
        if backend is None:
            from ananke_ci.adapters.backends.local_backend import LocalBackend

            backend = LocalBackend(model)
        self.backend = backend
        self.model = model or "local"

    def versions(self) -> dict[str, str]:
        return dict(self.backend.provenance().versions)

    def generate(
        self, prompts: Sequence[str], params: Sequence[Params]
    ) -> list[list[EngineOutput]]:
        out = []
        for prompt, kwargs in zip(prompts, params, strict=True):
            request = GenerationRequest(
                constraint=constraint_of(kwargs.get("structured_outputs")),
                prompt=prompt,
                max_tokens=kwargs["max_tokens"],
                temperature=kwargs["temperature"],
                n=kwargs["n"],
                seed=kwargs["seed"],
                stop=tuple(kwargs["stop"]),
            )
            response = self.backend.generate(request)
            out.append(
                [
                    EngineOutput(c.text, c.tokens, _local_finish(c.finish_reason))
                    for c in response.candidates
                ]
            )
        return out


def _local_finish(reason: str) -> Finish:
    # the CPU backend stops at a grammar error itself; vLLM would have forced EOS ("stop"):
    # the service re-checks every text either way
    return "length" if reason == "length" else "error" if reason == "error" else "stop"


def make_engine(model: str, environ: Mapping[str, str]) -> Engine:
    """The engine the container runs: vLLM, or the CPU backend with ANANKE_MODAL_ENGINE=local."""
    if environ.get("ANANKE_MODAL_ENGINE") == "local":
        return LocalEngine(model)
    return VLLMEngine(
        model,
        max_model_len=int(environ.get("ANANKE_MODAL_MAX_MODEL_LEN", "16384")),
        gpu_memory_utilization=float(environ.get("ANANKE_MODAL_GPU_MEMORY", "0.90")),
    )


@dataclass(slots=True)
class _Job:
    prompt: str
    params: Params
    queued: float
    done: threading.Event = field(default_factory=threading.Event)
    started: float = 0.0
    finished: float = 0.0
    result: list[EngineOutput] | None = None
    error: BaseException | None = None
    cancelled: bool = False


class Batcher:
    """One thread owns the engine; everything queued while it works goes in its next call."""

    def __init__(self, engine: Engine, *, max_batch: int = 32) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.calls = 0  # engine calls made (tests check that requests were batched)
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()

    def submit(
        self, prompt: str, params: Params, timeout: float
    ) -> tuple[list[EngineOutput], float, float]:
        """(completions, queue_ms, generate_ms); TimeoutError after `timeout` seconds."""
        job = _Job(prompt, params, time.perf_counter())
        self._queue.put(job)
        if not job.done.wait(timeout):
            job.cancelled = True  # skipped if not started yet; otherwise its result is dropped
            raise TimeoutError(f"no result within {timeout:.0f} s")
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return (job.result, (job.started - job.queued) * 1000, (job.finished - job.started) * 1000)

    def close(self) -> None:
        self._queue.put(None)

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._queue.put(None)
                    break
                batch.append(job)
            self._call([j for j in batch if not j.cancelled])

    def _call(self, batch: list[_Job]) -> None:
        if not batch:
            return
        started = time.perf_counter()
        for job in batch:
            job.started = started
        try:
            self.calls += 1
            results = self.engine.generate([j.prompt for j in batch], [j.params for j in batch])
        except Exception as e:
            if len(batch) > 1:  # one bad request must not fail its neighbours: one by one
                for job in batch:
                    self._call([job])
                return
            batch[0].error = e
            results = [[]]
        finished = time.perf_counter()
        for job, result in zip(batch, results, strict=True):
            job.result, job.finished = result, finished
            job.done.set()


def serve_request(
    batcher: Batcher,
    data: Mapping[str, Any],
    *,
    limits: Limits = DEFAULT_LIMITS,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """What the GPU method does with a (gateway-validated) protocol request, as a plain dict.

    `{"outputs": [...], "queue_ms", "generate_ms", "model", "versions"}`, or `{"error":
    {"status", "message"}}` (plain data: it crosses a process boundary).
    """
    try:
        request = request_from_dict(dict(data), limits)  # cheap; the gateway did it first
        outputs, queue_ms, generate_ms = batcher.submit(
            prompt_of(request), sampling_kwargs(request), timeout
        )
    except ProtocolError as e:
        return {"error": {"status": e.status, "message": e.message}}
    except TimeoutError as e:
        return {"error": {"status": 504, "message": str(e)}}
    except ValueError as e:  # vLLM refuses what it cannot run: prompt too long, grammar
        return {"error": {"status": _refusal_status(str(e)), "message": str(e)[:500]}}
    return {
        "outputs": [
            {"text": o.text, "tokens": o.tokens, "finish_reason": o.finish_reason} for o in outputs
        ],
        "queue_ms": queue_ms,
        "generate_ms": generate_ms,
        "model": batcher.engine.model,
        "versions": {**batcher.engine.versions(), "ananke-ci": ananke_ci.__version__},
    }


def _refusal_status(message: str) -> int:
    lowered = message.lower()
    if "too long" in lowered or "maximum model length" in lowered or "max_model_len" in lowered:
        return 413
    if "grammar" in lowered or "structured" in lowered or "guidance" in lowered:
        return 422
    return 400
