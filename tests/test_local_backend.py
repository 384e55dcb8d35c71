"""The local backend's masking loop on a randomly initialised 2-layer Qwen2 with the REAL
Qwen2.5 tokenizer (151,936 ids): fast, and a random model says whatever the mask lets it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ananke_ci.core.protocol import Constraint, GenerationRequest, ProtocolError

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from ananke_ci.adapters.backends import model_files  # noqa: E402
from ananke_ci.adapters.backends.local_backend import LocalBackend  # noqa: E402
from ananke_ci.adapters.backends.local_model import LoadedModel, assemble  # noqa: E402
from tests.tiny_model import tiny_qwen2  # noqa: E402

pytestmark = pytest.mark.model  # the tiny random-weight Qwen2 (torch, transformers)

PROMPT = "<|im_start|>user\nWrite a line of Python.<|im_end|>\n<|im_start|>assistant\n"
WORDS_RE = r"[a-z]{1,6}( [a-z]{1,6}){0,3}\."
BANNED = ("eval", "exec", "system")
# a body of 1-3 lines at four spaces; identifiers may not be a banned name
BODY_LARK = r"""
start: LINE{1,3} "```"
LINE: /    [a-z_ ()=+.0-9]{1,30}\n/ & ~/(.*[^a-z_])?(eval|exec|system)([^a-z_].*)?\n/s
"""


def _tiny(boost: tuple[str, ...] = ()) -> LoadedModel:
    """2 layers, 64 wide, real vocabulary; `boost` makes those words the model's favourites."""
    model, tok = tiny_qwen2()
    if boost:
        bias = torch.zeros(model_files.N_VOCAB)
        for word in boost:
            for piece in (word, " " + word, "    " + word):
                for token in tok.encode(piece, add_special_tokens=False):
                    bias[token] = 50.0

        def add_bias(_module: Any, _inputs: Any, output: Any) -> Any:
            return output + bias

        model.lm_head.register_forward_hook(add_bias)
    return assemble("tiny-qwen2", Path("."), model, tok, model_files.load_lltokenizer())


@pytest.fixture(scope="module")
def tiny() -> LocalBackend:
    return LocalBackend(loaded=_tiny())


@pytest.fixture(scope="module")
def tempted() -> LocalBackend:
    """A model whose favourite words are the banned ones."""
    return LocalBackend(loaded=_tiny(boost=BANNED))


def _request(constraint: Constraint | None, **kw: Any) -> GenerationRequest:
    return GenerationRequest(constraint=constraint, prompt=PROMPT, **{"max_tokens": 40, **kw})


def test_every_sample_satisfies_a_regex(tiny: LocalBackend) -> None:
    res = tiny.generate(_request(Constraint("regex", WORDS_RE), n=4, temperature=1.0, seed=1))
    assert len(res.candidates) == 4
    for cand in res.candidates:
        assert cand.finish_reason == "stop", cand
        assert cand.grammar_satisfied is True
        assert re.fullmatch(WORDS_RE, cand.text), cand.text
        assert cand.tokens > 0


def test_banned_words_never_appear_though_the_model_wants_them(tempted: LocalBackend) -> None:
    free = tempted.generate(_request(None, max_tokens=8))
    assert any(word in free.candidates[0].text for word in BANNED)  # the bias works
    res = tempted.generate(
        _request(Constraint("lark", BODY_LARK), n=3, temperature=0.8, seed=7, max_tokens=60)
    )
    for cand in res.candidates:
        assert cand.violation is None
        for word in BANNED:
            assert not re.search(rf"(?<![a-z_]){word}(?![a-z_])", cand.text), cand.text
        if cand.finish_reason == "stop":
            assert cand.grammar_satisfied is True
            assert cand.text.endswith("```")
            assert all(line.startswith("    ") for line in cand.text.split("\n")[:-1])


def test_greedy_is_deterministic(tiny: LocalBackend) -> None:
    req = _request(Constraint("regex", WORDS_RE), n=2, temperature=0.0)
    first, second = tiny.generate(req), tiny.generate(req)
    texts = [c.text for c in first.candidates + second.candidates]
    assert len(set(texts)) == 1


def test_seeds_reproduce_and_sample_i_uses_seed_plus_i(tiny: LocalBackend) -> None:
    c = Constraint("regex", WORDS_RE)
    batch = tiny.generate(_request(c, n=3, temperature=1.5, seed=40))
    again = tiny.generate(_request(c, n=3, temperature=1.5, seed=40))
    assert [x.text for x in batch.candidates] == [x.text for x in again.candidates]
    third = tiny.generate(_request(c, n=1, temperature=1.5, seed=42))
    assert third.candidates[0].text == batch.candidates[2].text
    assert len({x.text for x in batch.candidates}) > 1  # different seeds, different samples


def test_mask_overlap_changes_nothing_but_time(tiny: LocalBackend) -> None:
    req = _request(Constraint("lark", BODY_LARK), n=2, temperature=0.7, seed=3)
    serial = LocalBackend(loaded=tiny.loaded(), overlap=False).generate(req)
    overlapped = tiny.generate(req)
    assert [c.text for c in serial.candidates] == [c.text for c in overlapped.candidates]


def test_length_limit_and_unconstrained_output(tiny: LocalBackend) -> None:
    res = tiny.generate(_request(None, max_tokens=5))
    cand = res.candidates[0]
    assert cand.tokens <= 5
    assert cand.grammar_satisfied is None
    assert res.provenance.backend == "local"
    assert {"torch", "transformers", "llguidance"} <= set(res.provenance.versions)
    assert res.timings.generate_ms > 0


def test_placeholder_ids_are_never_sampled(tiny: LocalBackend) -> None:
    lm = tiny.loaded()
    assert 151665 in lm.masked_ids and not set(lm.eos_ids) & set(lm.masked_ids)
    res = tiny.generate(_request(None, max_tokens=20, n=2, temperature=2.0, seed=0))
    for cand in res.candidates:
        assert "[PAD" not in cand.text


def test_a_bad_grammar_is_refused_before_generating(tiny: LocalBackend) -> None:
    with pytest.raises(ProtocolError) as exc:
        tiny.generate(_request(Constraint("lark", "start: undefined_rule\n")))
    assert exc.value.status == 422
