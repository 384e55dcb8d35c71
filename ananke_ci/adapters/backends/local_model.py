"""Find, convert once, and load the local backend's model (torch + transformers, CPU).

A model is named by a local directory (transformers layout), a local `.gguf` file, or a hub
id. No hub is reachable on the machines this runs on: a hub id is looked up in the Hugging
Face cache first, the hub is asked only when it answers at all, and the default model falls
back to the packaged Qwen2.5-Coder-0.5B-Instruct GGUF (`model_files.gguf_path()`).

A GGUF is dequantised once into a safetensors copy under `$XDG_CACHE_HOME/ananke-ci/models/`
(80-90 s, peak ~8 GB), written to a temporary directory and renamed into place so a killed run
never leaves half a model; later loads take 7-10 s. Loaded models are kept once per process.

torch and transformers are imported inside the functions only: importing ananke_ci must stay
cheap on the pre-commit hot path.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ananke_ci.adapters.backends.model_files import cache_dir as cache_root
from ananke_ci.adapters.backends.model_files import gguf_path, load_lltokenizer, token_slices
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record

DEFAULT_MODEL = "Qwen/Qwen2.5-Coder-0.5B-Instruct"
PACKAGED_NAME = "Qwen2.5-Coder-0.5B-Instruct (packaged GGUF Q4_K_M)"
_PACKAGED_DIR = "packaged-qwen2.5-coder-0.5b-instruct-q4_k_m"
_PAD = re.compile(r"\[PAD\d+\]")
_HUB_HOST = ("huggingface.co", 443)
# chat and text end markers seen in the Qwen family; any model's own EOS ids are added
_EOS_TOKENS = ("<|im_end|>", "<|endoftext|>", "<|end_of_text|>", "<|eot_id|>")


@record(frozen=True)
class LoadedModel:
    """A model ready to decode: fp32 in eval mode, its tokenizers and what to mask."""

    name: str  # as reported in provenance
    path: Path  # the transformers directory it was loaded from
    model: Any  # transformers PreTrainedModel
    tokenizer: Any  # transformers PreTrainedTokenizerFast
    lltokenizer: Any  # llguidance.LLTokenizer over the same vocabulary
    vocab_size: int  # rows of the output layer (>= the tokenizer's real entries)
    eos_ids: tuple[int, ...]
    # placeholder ids (`[PAD151665]`...: text to llguidance) and ids past the tokenizer:
    # never sampled, constrained or not
    masked_ids: tuple[int, ...]


_LOCK = threading.Lock()
_LOADED: dict[str, LoadedModel] = {}


def load(model: str | Path | None = None, environ: Mapping[str, str] = os.environ) -> LoadedModel:
    """The model named (default: DEFAULT_MODEL), loaded once per process."""
    key = str(model or DEFAULT_MODEL)
    with _LOCK:
        found = _LOADED.get(key)
        if found is None:
            path, name = resolve(model, environ)
            found = load_dir(path, name, packaged=name == PACKAGED_NAME, environ=environ)
            _LOADED[key] = found
        return found


def is_loaded(model: str | Path | None = None) -> bool:
    """Whether this process has the model already (a load would be instant)."""
    with _LOCK:
        return str(model or DEFAULT_MODEL) in _LOADED


def resolve(model: str | Path | None, environ: Mapping[str, str] = os.environ) -> tuple[Path, str]:
    """(transformers directory, provenance name) for a model name; converts GGUFs once."""
    name = str(model or DEFAULT_MODEL)
    local = Path(name).expanduser()
    if local.is_dir():
        return local, name
    if local.suffix == ".gguf" and local.is_file():
        return convert_gguf(local, cache_root(environ) / f"gguf-{_slug(local.stem)}"), name
    if isinstance(model, Path) or local.is_absolute() or name.startswith("."):
        raise UserError(f"no such model directory or .gguf file: {name}")
    found = _hub_snapshot(name, environ)
    if found is not None:
        return found, name
    if name != DEFAULT_MODEL:
        raise UserError(
            f"model {name} is not in the Hugging Face cache and the hub is not "
            "reachable; pass a local directory or .gguf file"
        )
    return packaged(environ), PACKAGED_NAME


def packaged(environ: Mapping[str, str] = os.environ) -> Path:
    """The packaged GGUF as a cached safetensors directory (converted on first use)."""
    dest = cache_root(environ) / _PACKAGED_DIR
    if (dest / "config.json").is_file():
        return dest

    return convert_gguf(gguf_path(environ), dest)


def quiet() -> None:
    """No progress bars, hints or warnings from transformers and the hub on stderr: what
    ananke-ci prints there is its own (its errors still come through)."""
    import transformers.utils.logging as hf_logging
    from huggingface_hub.utils import disable_progress_bars  # type: ignore[attr-defined]

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    disable_progress_bars()


def convert_gguf(gguf: Path, dest: Path) -> Path:
    """Dequantise a GGUF into a transformers directory at dest, atomically; once."""
    if (dest / "config.json").is_file():
        return dest
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.bfloat16
        )
        # the GGUF quantizer stays attached after dequantising; save_pretrained refuses it
        del model.config.quantization_config
        model.hf_quantizer = None  # type: ignore[assignment]
        tok.save_pretrained(tmp)
        model.save_pretrained(tmp)
        del model
        try:
            tmp.rename(dest)
        except OSError:  # another process converted it first: keep theirs
            if not (dest / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def load_dir(
    path: Path, name: str, *, packaged: bool = False, environ: Mapping[str, str] = os.environ
) -> LoadedModel:
    """Load a transformers directory as fp32 for CPU decoding, with its llguidance tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    quiet()
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    model.eval()  # type: ignore[no-untyped-call]
    lltok = None
    if packaged:  # the cached tokenizer.json without the GGUF's placeholder entries
        lltok = load_lltokenizer(environ)
    return assemble(name, path, model, tok, lltok)


def assemble(name: str, path: Path, model: Any, tok: Any, lltok: Any = None) -> LoadedModel:
    """Wrap an already-built model + tokenizer (also used for small test models)."""
    vocab = int(model.config.vocab_size)
    eos = eos_ids(model, tok)
    if lltok is None:
        import llguidance.hf

        lltok = llguidance.hf.from_tokenizer(
            tok, n_vocab=vocab, eos_token=list(eos), slices=token_slices()
        )
    return LoadedModel(name, path, model, tok, lltok, vocab, eos, _masked(tok, vocab, eos))


def _masked(tok: Any, vocab: int, eos: tuple[int, ...]) -> tuple[int, ...]:
    ids = {i for t, i in tok.get_vocab().items() if _PAD.fullmatch(t)}
    ids.update(range(len(tok), vocab))
    return tuple(sorted(ids - set(eos)))


def eos_ids(model: Any, tok: Any) -> tuple[int, ...]:
    """Every id that ends a turn: the model's own EOS ids plus known chat end markers."""
    ids: list[int] = []
    config_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in (config_eos, tok.eos_token_id):
        if isinstance(value, int):
            ids.append(value)
        elif isinstance(value, list):
            ids.extend(v for v in value if isinstance(v, int))
    vocab = tok.get_vocab()
    ids.extend(vocab[t] for t in _EOS_TOKENS if t in vocab)
    return tuple(sorted(set(ids)))


def _hub_snapshot(name: str, environ: Mapping[str, str]) -> Path | None:
    """A hub model's local snapshot: from the HF cache, else downloaded if the hub answers."""
    from huggingface_hub import snapshot_download

    quiet()
    patterns = ["*.json", "*.safetensors", "*.txt", "*.model"]
    try:
        return Path(snapshot_download(name, allow_patterns=patterns, local_files_only=True))
    except Exception:  # not cached: any of several hub exception types
        pass
    if environ.get("HF_HUB_OFFLINE") in ("1", "true", "TRUE") or not _hub_reachable():
        return None
    try:
        return Path(snapshot_download(name, allow_patterns=patterns))
    except Exception as exc:
        raise UserError(f"cannot download model {name}: {exc}") from None


def _hub_reachable(timeout: float = 2.0) -> bool:
    """One quick connection attempt: transformers alone retries for ~30 s when offline."""
    try:
        with socket.create_connection(_HUB_HOST, timeout=timeout):
            return True
    except OSError:
        return False


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in text).lower()
