"""Constrained vs unconstrained decoding speed of the local backend, same prompts, same run.

Usage: python benchmarks/bench_generation.py [--tokens N] [--rounds R]

Three small Python holes get their real prompt (analysis/prompting.py) and grammar
(analysis/grammar, with bans); each round decodes every prompt unconstrained, constrained
with the mask computed in a thread during the forward pass, and constrained serially,
interleaved so machine load hits all three alike. Reports tokens/s (decode only: the prompt
prefill is timed apart) and the ratio constrained / unconstrained (goal >= 0.95).
"""

from __future__ import annotations

import argparse
import statistics
import time

from ananke_ci.adapters.backends.decode import Settings, decode, prefill
from ananke_ci.adapters.backends.local_backend import guide_factory
from ananke_ci.adapters.backends.local_model import LoadedModel, load
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.grammar import body_constraint
from ananke_ci.analysis.prompting import build_prompt

SOURCES = [
    'def mean(xs: list[float]) -> float:\n    """Arithmetic mean of xs."""\n    pass\n',
    'def slug(title: str) -> str:\n    """Lower-case words joined by dashes."""\n    pass\n',
    'def clamp(x: int, lo: int, hi: int) -> int:\n    """x limited to [lo, hi]."""\n'
    "    raise NotImplementedError\n",
]
BANNED = ("eval", "exec", "os.system")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    lm = load()
    print(f"model {lm.name}: loaded in {time.perf_counter() - started:.1f}s")
    cases = []
    for i, text in enumerate(SOURCES):
        facts = extract_facts(f"h{i}.py", text.encode())
        (hole,) = facts.holes
        prompt = build_prompt(hole, facts, text, banned=BANNED).text
        constraint = body_constraint(hole, "python", banned=BANNED)
        cases.append((prompt, guide_factory(lm, constraint)))
    rates: dict[str, list[float]] = {"free": [], "masked+overlap": [], "masked serial": []}
    tokens: dict[str, int] = dict.fromkeys(rates, 0)
    seconds: dict[str, float] = dict.fromkeys(rates, 0.0)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        for _ in range(args.rounds):
            for prompt, new_guide in cases:
                cache, first = prefill(lm, prompt)
                for mode in rates:
                    n, dt = _run(lm, cache, first, mode, new_guide, args.tokens, pool)
                    tokens[mode] += n
                    seconds[mode] += dt
                    rates[mode].append(n / dt)
    for mode in rates:
        print(
            f"{mode:15s} {tokens[mode] / seconds[mode]:6.2f} tok/s overall, median "
            f"{statistics.median(rates[mode]):6.2f} ({tokens[mode]} tokens)"
        )
    free = tokens["free"] / seconds["free"]
    for mode in ("masked+overlap", "masked serial"):
        print(f"ratio {mode} / free: {tokens[mode] / seconds[mode] / free:.3f}")


def _run(
    lm: LoadedModel,
    cache: object,
    first: object,
    mode: str,
    new_guide: object,
    max_tokens: int,
    pool: object,
) -> tuple[int, float]:
    guide = None if mode == "free" else new_guide()  # type: ignore[operator]
    settings = Settings(
        max_tokens, 0.0, 0, ("```",) if mode == "free" else (), overlap=mode == "masked+overlap"
    )
    t = time.perf_counter()
    sample = decode(lm, cache, first, guide, settings, pool)  # type: ignore[arg-type]
    dt = time.perf_counter() - t
    return max(1, len(sample.tokens)), dt


if __name__ == "__main__":
    main()
