"""A randomly initialised 2-layer, 64-wide Qwen2 with the real Qwen2.5 tokenizer: the local
backend's real code path (transformers, KV cache, llguidance masks) in well under a second."""

from __future__ import annotations

from typing import Any


def tiny_qwen2(**tokenizer_options: Any) -> tuple[Any, Any]:
    """(model, tokenizer); the same weights on every call (seeded)."""
    import torch
    import transformers

    from ananke_ci.adapters.backends import model_files

    tok = transformers.PreTrainedTokenizerFast(
        tokenizer_file=str(model_files.tokenizer_json_path()), **tokenizer_options
    )
    config = transformers.Qwen2Config(
        vocab_size=model_files.N_VOCAB,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    return transformers.Qwen2ForCausalLM(config).eval(), tok
