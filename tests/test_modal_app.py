"""modal_app/service.py as Modal sees it, without a GPU or a Modal account: it imports without
credentials, its GPU / volume / scale-down / concurrency / auth settings are those of
modal_app/README.md, only current Modal and vLLM names appear, and the GPU class runs
in-process (`.local()`, which runs `@modal.enter`) with the CPU backend in place of vLLM."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

modal = pytest.importorskip(
    "modal", reason="modal is not installed (it comes with the `modal` extra)"
)

from modal_app import service  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SERVICE = ROOT / "modal_app" / "service.py"
SECTION = "## Settings"


def _readme_settings() -> dict[str, str]:
    """constant name -> value, from the settings table of modal_app/README.md."""
    text = (ROOT / "modal_app" / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| [^|]+ \| `([^`]+)` \| `([A-Z_]+)` \|$", section, re.MULTILINE)
    return {name: value for value, name in rows}


def test_imports_without_credentials(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODAL_")}
    env.update(HOME=str(tmp_path), MODAL_CONFIG_PATH=str(tmp_path / "none.toml"))
    out = subprocess.run(
        [sys.executable, "-c", "import modal_app.service as s; print(s.app.name)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == service.APP_NAME


def test_settings_are_what_the_readme_says() -> None:
    settings = _readme_settings()
    assert {
        "GPU",
        "HF_CACHE_VOLUME",
        "HF_CACHE_DIR",
        "GPU_SCALEDOWN_S",
        "GPU_MAX_CONTAINERS",
        "GPU_MAX_INPUTS",
        "WEB_SCALEDOWN_S",
        "WEB_MAX_CONTAINERS",
        "WEB_MAX_INPUTS",
        "REQUIRES_PROXY_AUTH",
        "TOKEN_SECRET",
        "TOKEN_ENV",
        "DEFAULT_MODEL",
        "QUALITY_MODEL",
        "VLLM_VERSION",
    } <= set(settings)
    for name, value in settings.items():
        assert str(getattr(service, name)) == value, name
    assert service.GPU == "A100-80GB"
    assert service.HF_CACHE_DIR == "/root/.cache/huggingface"
    assert service.REQUIRES_PROXY_AUTH is True
    from ananke_ci.adapters.backends.protocol_client import TOKEN_ENV

    assert service.TOKEN_ENV == TOKEN_ENV  # the client reads the same variable


def _decorators(node: ast.ClassDef | ast.FunctionDef) -> dict[str, dict[str, str]]:
    """decorator name -> {keyword: source of its value}."""
    found = {}
    for dec in node.decorator_list:
        assert isinstance(dec, ast.Call)
        found[ast.unparse(dec.func)] = {k.arg or "**": ast.unparse(k.value) for k in dec.keywords}
    return found


def test_the_decorators_use_those_settings() -> None:
    tree = ast.parse(SERVICE.read_text(encoding="utf-8"))
    nodes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef | ast.FunctionDef)}
    gpu = _decorators(nodes["Generator"])
    assert (
        gpu["app.cls"].items()
        >= {
            "gpu": "GPU",
            "scaledown_window": "GPU_SCALEDOWN_S",
            "max_containers": "GPU_MAX_CONTAINERS",
            "timeout": "GPU_TIMEOUT_S",
            "volumes": "{HF_CACHE_DIR: hf_cache, VLLM_CACHE_DIR: vllm_cache}",
        }.items()
    )
    assert gpu["modal.concurrent"] == {"max_inputs": "GPU_MAX_INPUTS"}
    web = _decorators(nodes["api"])
    assert (
        web["app.function"].items()
        >= {
            "scaledown_window": "WEB_SCALEDOWN_S",
            "max_containers": "WEB_MAX_CONTAINERS",
            "secrets": "token_secrets",
            "volumes": "{HF_CACHE_DIR: hf_cache}",
        }.items()
    )
    assert web["modal.concurrent"] == {"max_inputs": "WEB_MAX_INPUTS"}
    assert web["modal.asgi_app"] == {"requires_proxy_auth": "REQUIRES_PROXY_AUTH"}
    source = SERVICE.read_text(encoding="utf-8")
    assert "modal.Volume.from_name(HF_CACHE_VOLUME, create_if_missing=True)" in source
    assert "modal.Secret.from_name(TOKEN_SECRET, required_keys=[TOKEN_ENV])" in source
    enter = [
        f
        for f in nodes["Generator"].body
        if isinstance(f, ast.FunctionDef)
        and any(ast.unparse(d) == "modal.enter()" for d in f.decorator_list)
    ]
    assert [f.name for f in enter] == ["load"]  # the model loads once per container


def test_the_modal_objects_carry_them() -> None:
    """What the built Modal objects expose locally (private attributes: skip if they move)."""
    try:
        from modal._utils.async_utils import synchronizer

        cls: Any = service.Generator
        gpu_spec = cls._get_class_service_function()._spec_
        web_spec = service.api._spec_
        translate: Any = synchronizer._translate_in
        webhook = translate(service.api)._webhook_config
    except (AttributeError, ImportError) as e:  # pragma: no cover - modal internals moved
        pytest.skip(f"modal internals changed: {e}")
    assert gpu_spec.gpus == "A100-80GB"
    assert set(gpu_spec.volumes) == {service.HF_CACHE_DIR, service.VLLM_CACHE_DIR}
    assert web_spec.gpus is None  # the gateway costs no GPU time
    assert set(web_spec.volumes) == {service.HF_CACHE_DIR}
    assert "ananke-token" in repr(web_spec.secrets)
    assert webhook.requires_proxy_auth is True


def test_only_current_modal_and_vllm_names() -> None:
    removed = (
        "container_idle_timeout",
        "allow_concurrent_inputs",
        "web_endpoint",
        "Cls.lookup",
        "keep_warm",
        "concurrency_limit",
        "GuidedDecodingParams",
        "guided_grammar",
        "guided_decoding",
        "?start",
    )
    for path in (ROOT / "modal_app").glob("*.py"):
        code = path.read_text(encoding="utf-8")
        for name in removed:
            assert name not in code, (path.name, name)


# --- the GPU class in-process, with the CPU backend as its engine ----------------------------


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer Qwen2 with the real Qwen2.5 tokenizer, saved as a model
    directory (what a hub snapshot looks like)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.tiny_model import tiny_qwen2

    model, tok = tiny_qwen2(eos_token="<|im_end|>", pad_token="<|endoftext|>")
    path = tmp_path_factory.mktemp("tiny-qwen2")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.mark.filterwarnings("ignore:The Generator.* executing locally")
@pytest.mark.model
def test_generator_local_round_trip(tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modal_app.gateway import Gateway, load_tokenizer
    from modal_app.smoke import smoke

    monkeypatch.setenv("ANANKE_MODAL_ENGINE", "local")  # make_engine: the CPU backend
    generator: Any = service.Generator(model=str(tiny_dir))  # type: ignore[call-arg]
    health = generator.health.local()
    assert health["status"] == "ok" and health["model"] == str(tiny_dir)

    async def dispatch(request: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await asyncio.to_thread(generator.generate.local, request)
        return result

    logs: list[dict[str, Any]] = []
    gateway = Gateway(
        dispatch,
        model=str(tiny_dir),
        token="t",
        tokenizer=load_tokenizer(str(tiny_dir)),
        limits=service.LIMITS,
        log=logs.append,
    )
    report = asyncio.run(smoke(gateway))
    assert report["ok"], json.dumps(report, indent=1)
    generated = report["steps"]["generate"]
    assert generated["provenance"]["backend"] == "modal"
    assert generated["provenance"]["versions"]["ananke-ci"]
    assert [e["status"] for e in logs] == [200, 200, 200]
