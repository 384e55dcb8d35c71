"""The decoding loop: KV-cached forward passes, llguidance token masks, greedy or sampled picks.

Per step the mask for the next token depends only on the tokens already consumed, so it is
computed in a worker thread while the forward pass for the last token runs (llguidance drops
the GIL while it fills the mask, torch drops it inside its kernels). Masks are applied in numpy
(`unpackbits` over the int32 words, ~1 ms for 152k ids); `llguidance.torch`'s helper would
torch.compile itself on first use (17 s here).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ananke_ci.adapters.backends.local_model import LoadedModel
from ananke_ci.core.protocol import FinishReason
from ananke_ci.core.records import record

if TYPE_CHECKING:
    from ananke_ci.adapters.backends.token_bans import TokenBans

_MAX_VIOLATION = 500
Floats = npt.NDArray[np.float32]


@record(frozen=True, slots=True)
class Sample:
    text: str
    tokens: tuple[int, ...]
    finish_reason: FinishReason
    grammar_satisfied: bool | None
    violation: str | None
    mask_ms: float  # time spent waiting on masks beyond the forward pass (0 when overlapped)


@record(frozen=True, slots=True)
class Settings:
    max_tokens: int
    temperature: float
    seed: int
    stop: tuple[str, ...] = ()
    overlap: bool = True  # compute the next mask while the forward pass runs


@record(frozen=True, slots=True)
class Guide:
    """What constrains one sample: an llguidance matcher and, when the request's line bans
    are masked per token rather than inside the grammar, their token automaton."""

    matcher: Any
    bans: TokenBans | None = None


class Masker:
    """Fills an int32 bitmask from a matcher (and the ban automaton's state) and turns it
    into a boolean allow-list."""

    def __init__(self, guide: Guide, vocab: int) -> None:
        import llguidance.numpy as lln

        self.matcher = guide.matcher
        self.bans = guide.bans
        self.ban_state = guide.bans.start if guide.bans is not None else 0
        self.vocab = vocab
        self._fill = lln.fill_next_token_bitmask
        self.bits = lln.allocate_token_bitmask(1, vocab)

    def compute(self) -> npt.NDArray[np.bool_]:
        self._fill(self.matcher, self.bits)
        if self.bans is not None:
            self.bits[0] &= self.bans.mask(self.ban_state)
        raw = np.unpackbits(self.bits.view(np.uint8), bitorder="little")
        return raw[: self.vocab].astype(bool)

    def consume(self, token: int) -> bool:
        """Advance the matcher and the ban state past `token`; False when the grammar refuses."""
        if not self.matcher.consume_token(token):
            return False
        if self.bans is not None:
            self.ban_state = self.bans.advance(self.ban_state, token)
        return True


def prefill(lm: LoadedModel, prompt: str) -> tuple[Any, Floats]:
    """Run the prompt once: its KV cache and the logits for the first new token."""
    import torch

    ids = lm.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        # logits for the last position only: all of them would be 600 kB per prompt token
        out = lm.model(input_ids=ids, use_cache=True, logits_to_keep=1)
    return cache_of(out), out.logits[0, -1].float().numpy().copy()


def cache_of(out: Any) -> Any:
    """The KV cache of a forward pass: `cache` in the transformers installed (reading
    `past_key_values` there is deprecated and warns), `past_key_values` before."""
    cache = out.get("cache")  # not .get(.., out.past_key_values): that would warn
    return cache if cache is not None else out.past_key_values


def cache_keyword(model: Any) -> str:
    """The keyword a model's forward takes its KV cache by (`cache` since transformers
    5.25; `past_key_values`, deprecated there, before)."""
    found = _CACHE_KEYWORD.get(type(model))
    if found is None:
        import inspect

        params = inspect.signature(model.forward).parameters
        found = _CACHE_KEYWORD[type(model)] = "cache" if "cache" in params else "past_key_values"
    return found


_CACHE_KEYWORD: dict[type, str] = {}


def decode(
    lm: LoadedModel,
    cache: Any,
    first_logits: Floats,
    guide: Guide | None,
    settings: Settings,
    pool: ThreadPoolExecutor,
) -> Sample:
    """One sample from a prefilled prompt (the cache is copied, never changed)."""
    import torch

    past = copy.deepcopy(cache)
    keyword = cache_keyword(lm.model)
    rng = np.random.default_rng(settings.seed)
    matcher = guide.matcher if guide is not None else None
    masker = Masker(guide, lm.vocab_size) if guide is not None else None
    eos = set(lm.eos_ids)
    banned_pad = np.asarray(lm.masked_ids, dtype=np.int64)
    logits = first_logits.copy()
    pending: Future[npt.NDArray[np.bool_]] | None = None
    allowed = masker.compute() if masker is not None else None
    tokens: list[int] = []
    finish: FinishReason = "length"
    waited = 0.0
    for _step in range(settings.max_tokens):
        if pending is not None:
            started = time.perf_counter()
            allowed = pending.result()
            waited += time.perf_counter() - started
            pending = None
        if matcher is not None:
            if matcher.is_error():
                finish = "grammar_error"
                break
            if matcher.is_stopped():
                finish = "stop"
                break
        token = pick(logits, allowed, banned_pad, settings.temperature, rng)
        if token < 0:  # nothing allowed: the grammar is stuck
            finish = "grammar_error"
            break
        if masker is not None and not masker.consume(token):
            finish = "grammar_error"
            break
        if token in eos:
            finish = "stop"
            break
        tokens.append(token)
        if settings.stop and _hit_stop(_text(lm, tokens), settings.stop):
            finish = "stop"
            break
        if matcher is not None and matcher.is_stopped():
            finish = "stop"
            break
        if len(tokens) >= settings.max_tokens:
            break
        if masker is not None:
            if settings.overlap:
                pending = pool.submit(masker.compute)
            else:
                started = time.perf_counter()
                allowed = masker.compute()
                waited += time.perf_counter() - started
        with torch.inference_mode():
            out = lm.model(input_ids=torch.tensor([[token]]), use_cache=True, **{keyword: past})
        past = cache_of(out)
        logits = out.logits[0, -1].float().numpy()
    if pending is not None:
        pending.result()  # never leave the matcher in use by a worker
    satisfied: bool | None = None
    violation: str | None = None
    if matcher is not None:
        if matcher.is_error():
            violation = str(matcher.get_error()).strip()[:_MAX_VIOLATION]
            satisfied = False
            finish = "grammar_error"
        else:
            satisfied = bool(matcher.is_stopped() or matcher.is_accepting())
    text = _text(lm, tokens)
    if settings.stop:
        text = _cut_stop(text, settings.stop)
    return Sample(text, tuple(tokens), finish, satisfied, violation, waited * 1000)


def pick(
    logits: Floats,
    allowed: npt.NDArray[np.bool_] | None,
    banned: npt.NDArray[np.int64],
    temperature: float,
    rng: np.random.Generator,
) -> int:
    """Greedy at temperature 0, else a softmax sample; -1 when no token is allowed."""
    scores = logits.astype(np.float64)
    scores[banned] = -np.inf
    if allowed is not None:
        scores[~allowed[: scores.shape[0]]] = -np.inf
    best = int(np.argmax(scores))
    if not np.isfinite(scores[best]):
        return -1
    if temperature <= 0:
        return best
    scaled = (scores - scores[best]) / temperature
    probs = np.exp(scaled)
    probs /= probs.sum()
    return int(rng.choice(scores.shape[0], p=probs))


def _text(lm: LoadedModel, tokens: list[int]) -> str:
    return str(lm.tokenizer.decode(tokens, skip_special_tokens=False))


def _hit_stop(text: str, stop: Sequence[str]) -> bool:
    return any(s and s in text for s in stop)


def _cut_stop(text: str, stop: Sequence[str]) -> str:
    cut = min((text.index(s) for s in stop if s and s in text), default=len(text))
    return text[:cut]


def run_samples(
    lm: LoadedModel,
    prompt: str,
    n: int,
    settings: Settings,
    new_guide: Callable[[], Guide] | None,
) -> list[Sample]:
    """n samples of one prompt (seeds seed, seed+1, ...), sharing the prompt's KV cache."""
    cache, first = prefill(lm, prompt)
    out = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ananke-mask") as pool:
        for i in range(n):
            guide = new_guide() if new_guide is not None else None
            step = Settings(
                settings.max_tokens,
                settings.temperature,
                settings.seed + i,
                settings.stop,
                settings.overlap,
            )
            out.append(decode(lm, cache, first, guide, step, pool))
    return out
