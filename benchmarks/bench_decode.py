"""The local backend's decode loop against transformers' own `generate()`, and one hole end
to end.

Usage: python benchmarks/bench_decode.py [--tokens N] [--repeats R] [--model M]

Same model, same prompt (a real hole's prompt as `fix` builds it: layer 1's "return path"
task of `ananke-ci eval`), greedy, the same number of new tokens (both stop at the same
EOS; the counts are printed): tokens/s of adapters/decode.run_samples against
`model.generate()`, free and constrained. Constrained `generate()` applies, through a
LogitsProcessor, the very mask the local backend computes (the same llguidance matcher
and ban automaton, `decode.Masker`), computed in the loop without overlap (generate has no
hook to overlap it). Times include the prompt's prefill for both. The runs alternate, and
the median of R is reported (after one short warm-up of each). Then one hole end to end in
this process: model load (as `LocalBackend` does it), judge + prompt + grammar, decode,
verify.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ananke_ci.adapters import eval_exec
from ananke_ci.adapters.backends.decode import Guide, Masker, Settings, run_samples
from ananke_ci.adapters.backends.local_backend import LocalBackend, guide_factory
from ananke_ci.app.eval_mechanisms import MECHANISMS
from ananke_ci.app.eval_site import assess, open_site, request


def _hf_generate(lm: Any, prompt: str, tokens: int, guide: Guide | None) -> tuple[int, float]:
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    ids = lm.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"]
    processors = LogitsProcessorList()
    if guide is not None:
        masker = Masker(guide, lm.vocab_size)
        start = ids.shape[1]

        live = guide

        class Mask(LogitsProcessor):
            def __call__(self, input_ids: Any, scores: Any) -> Any:
                if input_ids.shape[1] > start:
                    masker.consume(int(input_ids[0, -1]))
                allowed = torch.from_numpy(masker.compute()[: scores.shape[1]])
                if not live.matcher.is_stopped():
                    scores[0, ~allowed] = -float("inf")
                return scores

        processors.append(Mask())
    started = time.perf_counter()
    with torch.inference_mode():
        out = lm.model.generate(
            ids,
            max_new_tokens=tokens,
            do_sample=False,
            logits_processor=processors,
            eos_token_id=list(lm.eos_ids),
            pad_token_id=lm.eos_ids[0],
            stop_strings=None,
        )
    seconds = time.perf_counter() - started
    new = out[0, ids.shape[1] :].tolist()
    while new and new[-1] in lm.eos_ids:
        new.pop()
    return len(new), seconds


def _ours(lm: Any, prompt: str, tokens: int, new_guide: Any) -> tuple[int, float]:
    started = time.perf_counter()
    (sample,) = run_samples(lm, prompt, 1, Settings(tokens, 0.0, 0), new_guide)
    return len(sample.tokens), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    task = next(m for m in MECHANISMS if m.domain == "return path")
    t0 = time.perf_counter()
    backend = LocalBackend(args.model)
    lm = backend.loaded()
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="ananke-bench-decode-") as tmp:
        root = eval_exec.make_repo(Path(tmp) / "repo", task.files)
        t1 = time.perf_counter()
        site = open_site(root, task.path, 1)
        prepare_s = time.perf_counter() - t1
        new_guide = guide_factory(lm, site.constraint)
        print(
            f"model {lm.name}; prompt {len(lm.tokenizer(site.prompt)['input_ids'])} tokens; "
            f"up to {args.tokens} new tokens, greedy; median of {args.repeats}"
        )
        _ours(lm, site.prompt, 4, new_guide)  # warm-up: first-call costs of either path
        _hf_generate(lm, site.prompt, 4, new_guide())
        for label, factory in (("free", None), ("constrained", new_guide)):
            ours, theirs = [], []
            counts = set()
            for _ in range(args.repeats):
                n1, s1 = _ours(lm, site.prompt, args.tokens, factory)
                n2, s2 = _hf_generate(lm, site.prompt, args.tokens, factory() if factory else None)
                ours.append(n1 / s1)
                theirs.append(n2 / s2)
                counts.add((n1, n2))
            a, b = statistics.median(ours), statistics.median(theirs)
            print(
                f"{label:12s} decode loop {a:6.2f} tok/s   generate() {b:6.2f} tok/s   "
                f"ratio {a / b:.2f}x   tokens (ours, generate): {sorted(counts)}"
            )
        t2 = time.perf_counter()
        response = backend.generate(
            request(site, True, n=1, temperature=0.0, seed=0, max_tokens=96)
        )
        decode_s = time.perf_counter() - t2
        t3 = time.perf_counter()
        verdict = assess(site, response.candidates[0], True, 96)
        verify_s = time.perf_counter() - t3
    total = load_s + prepare_s + decode_s + verify_s
    print(
        f"one hole end to end: {total:.1f} s = load {load_s:.1f} + judge/prompt/grammar "
        f"{prepare_s:.1f} + decode {decode_s:.1f} ({response.candidates[0].tokens} tokens) "
        f"+ verify {verify_s:.2f}; verified: {verdict.static_ok}"
    )


if __name__ == "__main__":
    main()
