"""ananke-ci's generation protocol on Modal: vLLM 0.33 + llguidance on an A100-80GB.

    modal secret create ananke-token ANANKE_TOKEN=$(openssl rand -hex 32)   # once
    modal deploy modal_app/service.py                                        # prints the URL
    modal run modal_app/service.py                                           # smoke test

Two functions. `api` (CPU, behind Modal proxy auth and a bearer token) is the endpoint: it
checks auth, size, schema, limits and the grammar (llguidance) before anything reaches the
GPU, and re-checks every output. `Generator` (GPU) loads the model once per container
(`@modal.enter`) and runs the batched vLLM calls. Both scale to zero. Deploy-time settings
come from the environment (ANANKE_MODAL_MODEL, ...) and are baked into the containers' env.
The numbers below are the ones modal_app/README.md quotes; tests check both agree.
"""

# no `from __future__ import annotations`: Modal reads `modal.parameter` types at runtime
import json
import os
from typing import Any, cast

import modal

from modal_app.gateway import Gateway, ServiceLimits, load_tokenizer

APP_NAME = "ananke-ci-generate"
DEFAULT_MODEL = "Qwen/Qwen2.5-Coder-7B-Instruct"
QUALITY_MODEL = "Qwen/Qwen2.5-Coder-32B-Instruct"  # fits an A100-80GB in bf16 (~66 GB)
MODEL = os.environ.get("ANANKE_MODAL_MODEL", DEFAULT_MODEL)
MAX_MODEL_LEN = int(os.environ.get("ANANKE_MODAL_MAX_MODEL_LEN", "16384"))
GPU_MEMORY = float(os.environ.get("ANANKE_MODAL_GPU_MEMORY", "0.90"))
REQUIRE_BEARER = os.environ.get("ANANKE_MODAL_BEARER", "1") != "0"

GPU = "A100-80GB"
VLLM_VERSION = "0.33.0"
# the gateway validates with the llguidance vLLM 0.33 pins, so it accepts what vLLM accepts
LLGUIDANCE_FOR_VLLM = "llguidance>=1.7,<1.8"
HF_CACHE_DIR = "/root/.cache/huggingface"
HF_CACHE_VOLUME = "huggingface-cache"
VLLM_CACHE_DIR = "/root/.cache/vllm"  # torch.compile / CUDA graph artefacts: faster restarts
VLLM_CACHE_VOLUME = "vllm-cache"
TOKEN_SECRET = "ananke-token"
TOKEN_ENV = "ANANKE_TOKEN"  # the protocol client's variable, inside the secret too
REQUIRES_PROXY_AUTH = True  # Modal-Key / Modal-Secret checked by Modal before any container

GPU_SCALEDOWN_S = 300  # idle seconds before the GPU container stops (scale to zero)
GPU_MAX_CONTAINERS = 1  # the cost ceiling: at most this many A100s at once
GPU_MAX_INPUTS = 16  # concurrent requests per GPU container, batched into the engine
GPU_TIMEOUT_S = 600  # per request on the GPU
GPU_STARTUP_TIMEOUT_S = 1800  # the first start downloads the weights (32B: ~65 GB)
WEB_SCALEDOWN_S = 120
WEB_MAX_CONTAINERS = 2
WEB_MAX_INPUTS = 64
LIMITS = ServiceLimits()

CONTAINER_ENV: dict[str, str | None] = {
    "ANANKE_MODAL_MODEL": MODEL,
    "ANANKE_MODAL_MAX_MODEL_LEN": str(MAX_MODEL_LEN),
    "ANANKE_MODAL_GPU_MEMORY": str(GPU_MEMORY),
    "ANANKE_MODAL_BEARER": "1" if REQUIRE_BEARER else "0",
    "HF_XET_HIGH_PERFORMANCE": "1",
}

app = modal.App(APP_NAME)
hf_cache = modal.Volume.from_name(HF_CACHE_VOLUME, create_if_missing=True)
vllm_cache = modal.Volume.from_name(VLLM_CACHE_VOLUME, create_if_missing=True)
token_secrets = (
    [modal.Secret.from_name(TOKEN_SECRET, required_keys=[TOKEN_ENV])] if REQUIRE_BEARER else []
)

vllm_image = (
    modal.Image.from_registry("nvidia/cuda:12.9.0-devel-ubuntu22.04", add_python="3.12")
    .entrypoint([])
    .uv_pip_install(f"vllm=={VLLM_VERSION}", "huggingface_hub>=0.34")
    .add_local_python_source("ananke_ci", "modal_app")
)
web_image = (
    modal.Image.debian_slim(python_version="3.12")
    .uv_pip_install("fastapi[standard]>=0.115", "huggingface_hub>=0.34", LLGUIDANCE_FOR_VLLM)
    .add_local_python_source("ananke_ci", "modal_app")
)


@app.cls(
    image=vllm_image,
    gpu=GPU,
    volumes={HF_CACHE_DIR: hf_cache, VLLM_CACHE_DIR: vllm_cache},
    scaledown_window=GPU_SCALEDOWN_S,
    max_containers=GPU_MAX_CONTAINERS,
    timeout=GPU_TIMEOUT_S,
    startup_timeout=GPU_STARTUP_TIMEOUT_S,
    env=CONTAINER_ENV,
)
@modal.concurrent(max_inputs=GPU_MAX_INPUTS)
class Generator:
    """The model on the GPU; only the gateway (same app) calls it."""

    model: str = modal.parameter(default=MODEL)

    @modal.enter()
    def load(self) -> None:
        from modal_app.engine import Batcher, make_engine

        self.batcher = Batcher(make_engine(self.model, os.environ))

    @modal.method()
    def generate(self, request: dict[str, Any]) -> dict[str, Any]:
        from modal_app.engine import serve_request

        return serve_request(
            self.batcher, request, limits=LIMITS.protocol, timeout=GPU_TIMEOUT_S - 30
        )

    @modal.method()
    def health(self) -> dict[str, Any]:
        engine = self.batcher.engine
        return {"status": "ok", "model": engine.model, "versions": engine.versions()}

    @modal.exit()
    def stop(self) -> None:
        self.batcher.close()


def make_gateway(model: str = MODEL, environ: Any = os.environ) -> Gateway:
    """The gateway wired to the GPU class (inside a container of this app)."""
    generator: Any = cast(Any, Generator)(model=model)

    async def dispatch(request: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await generator.generate.remote.aio(request)
        return result

    return Gateway(
        dispatch,
        model=model,
        token=environ.get(TOKEN_ENV),
        require_token=REQUIRE_BEARER,
        tokenizer=load_tokenizer(model),
        limits=LIMITS,
    )


@app.function(
    image=web_image,
    volumes={HF_CACHE_DIR: hf_cache},
    secrets=token_secrets,
    scaledown_window=WEB_SCALEDOWN_S,
    max_containers=WEB_MAX_CONTAINERS,
    timeout=GPU_TIMEOUT_S,
    env=CONTAINER_ENV,
)
@modal.concurrent(max_inputs=WEB_MAX_INPUTS)
@modal.asgi_app(requires_proxy_auth=REQUIRES_PROXY_AUTH)
def api() -> Any:
    """GET /health, POST /v1/generate, POST /v1/grammar/validate (the protocol's routes)."""
    from modal_app.web import build_api

    return build_api(make_gateway())


@app.function(
    image=web_image,
    volumes={HF_CACHE_DIR: hf_cache},
    secrets=token_secrets,
    timeout=GPU_STARTUP_TIMEOUT_S,
    env=CONTAINER_ENV,
)
async def smoke_check(model: str = "") -> dict[str, Any]:
    """Health, grammar validation and one constrained generation through the gateway, then
    the GPU container's own health (model and versions)."""
    from modal_app.smoke import smoke

    chosen = model or MODEL
    report = await smoke(make_gateway(chosen))
    generator: Any = cast(Any, Generator)(model=chosen)
    try:
        report["steps"]["gpu"] = {"ok": True, **await generator.health.remote.aio()}
    except Exception as e:  # reported, not raised: the report says what failed
        report["steps"]["gpu"] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        report["ok"] = False
    return report


@app.local_entrypoint()
def main(model: str = "", url: str = "") -> None:
    """`modal run modal_app/service.py [--model ID] [--url https://...modal.run]`.

    With --url, also calls the deployed endpoint over HTTPS with the protocol client
    (credentials from ANANKE_TOKEN and MODAL_KEY/MODAL_SECRET).
    """
    report = smoke_check.remote(model)
    if url:
        report["steps"]["http"] = http_check(url)
        report["ok"] = report["ok"] and report["steps"]["http"]["ok"]
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if not report["ok"]:
        raise SystemExit(1)


def http_check(url: str, environ: Any = os.environ) -> dict[str, Any]:
    """The deployed endpoint through `ananke-ci`'s own protocol client."""
    from ananke_ci.adapters.backends.protocol_client import Auth, ProtocolClient
    from modal_app.smoke import smoke_request

    client = ProtocolClient(url, auth=Auth.from_env(environ), name="modal")
    try:
        response = client.generate(smoke_request())
    except Exception as e:  # reported, not raised: the smoke report says what failed
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}
    return {
        "ok": all(c.grammar_satisfied for c in response.candidates),
        "texts": [c.text for c in response.candidates],
    }
