"""Mask computation per token for every grammar the compiler emits, over the Qwen vocabulary.

A matcher per grammar is fed a fixed realistic body token by token; before each token the
next-token mask is computed and timed, two ways, in the same run:

- `local`: what the local backend (and `ananke-ci serve`) computes: the grammar without its
  line bans (`strip_bans`), llguidance's mask over the packaged tokenizer with code slices,
  ANDed with the bans' token automaton (`TokenBans`), whose state then advances;
- `grammar`: the grammar with its bans inside the line terminals, llguidance's default
  slices, as a vLLM server with the guidance backend computes it.

Goal (issue 5): median <= 50 us, p99 <= 1 ms. Run: `.venv/bin/python benchmarks/bench_masks.py`.
The same run times a full walk of the vocabulary (no slice applies) as the baseline: the
machine's speed drifts, the ratio of a mask to a full walk does not.

`--explain` also replays each body through an `LLInterpreter` and counts, from llguidance's own
step statistics, how the masks were computed: answered from the one-entry mask cache (same
lexer state and parser row as the previous mask), helped by a tokenizer slice, or by walking
(nearly) the whole token trie. Slices only apply when a live lexeme is `(X* & ~E) T` with E
of bounded length, which a terminal carrying a whole-word ban never is.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import llguidance
import llguidance.numpy as llnp

from ananke_ci.adapters.backends.local_backend import parser_limits
from ananke_ci.adapters.backends.model_files import default_slices_tokenizer, load_lltokenizer
from ananke_ci.adapters.backends.token_bans import TokenBans, token_allowed
from ananke_ci.analysis.grammar import body_constraint, strip_bans
from ananke_ci.analysis.grammar.bans import compile_bans
from ananke_ci.core.facts import Function, Hole, Span

BANNED = ("eval", "exec", "os.system", "subprocess.Popen", "pickle.loads")
CASES: dict[str, tuple[str, str | None, str]] = {
    "python": (
        "python",
        "float",
        (
            "    total = 0.0\n"
            "    for item in items:\n"
            "        if item.quantity <= 0:\n"
            "            continue\n"
            "        price = prices.get(item.sku, item.price)\n"
            "        total += price * item.quantity\n"
            "    discount = compute_discount(\n"
            "        total, customer.tier,\n"
            "    )\n"
            "    return round(total - discount, 2)\n"
        ),
    ),
    "python-void": (
        "python",
        None,
        (
            '    with open(path, "w", encoding="utf-8") as handle:\n'
            "        for key, value in sorted(data.items()):\n"
            '            handle.write(f"{key}={value}\\n")\n'
        ),
    ),
    "rust": (
        "rust",
        "usize",
        (
            "    let mut count = 0;\n"
            "    for line in text.lines() {\n"
            "        if line.trim().is_empty() {\n"
            "            continue;\n"
            "        }\n"
            "        count += line.split_whitespace().count();\n"
            "    }\n"
            "    count\n"
            "}"
        ),
    ),
    "go": (
        "go",
        "(int, error)",
        (
            "\tf, err := os.Open(path)\n"
            "\tif err != nil {\n"
            '\t\treturn 0, fmt.Errorf("open %s: %w", path, err)\n'
            "\t}\n"
            "\tdefer f.Close()\n"
            "\tn := 0\n"
            "\tscanner := bufio.NewScanner(f)\n"
            "\tfor scanner.Scan() {\n"
            "\t\tn++\n"
            "\t}\n"
            "\treturn n, scanner.Err()\n"
            "}"
        ),
    ),
    "java": (
        "java",
        "int",
        (
            "    int best = 0;\n"
            "    for (Map.Entry<String, Integer> e : scores.entrySet()) {\n"
            "      if (e.getValue() > best) {\n"
            "        best = e.getValue();\n"
            "      }\n"
            "    }\n"
            "    return best;\n"
            "}"
        ),
    ),
    "typescript": (
        "typescript",
        "number",
        (
            "  const values = items.filter((x) => x.enabled).map((x) => x.weight);\n"
            "  if (values.length === 0) {\n"
            "    return 0;\n"
            "  }\n"
            "  return values.reduce((a, b) => a + b, 0) / values.length;\n"
            "}"
        ),
    ),
    "cpp (generic brace)": (
        "cpp",
        None,
        (
            "    std::vector<int> out;\n"
            "    for (const auto& v : input) {\n"
            "        if (v > 0) { out.push_back(v * 2); }\n"
            "    }\n"
            "    return out;\n"
            "}"
        ),
    ),
    "ruby (generic)": (
        "ruby",
        None,
        ("    total = items.map { |i| i[:price] * i[:qty] }.sum\n    total.round(2)\n"),
    ),
}


def _hole(return_type: str | None, col: int) -> Hole:
    span = Span(2, col, 2, col + 4, 0, 0)
    fn = Function("f", (), return_type, Span(1, 1, 9, 1, 0, 0), Span(2, col, 9, 1, 0, 0), "f")
    return Hole("typed", "pass", "pass", span, fn)


def measure(
    tokenizer: llguidance.LLTokenizer,
    grammar: str,
    body: str,
    reps: int,
    bans: TokenBans | None = None,
) -> list[float]:
    """Per-token mask times in us; with `bans`, the AND with the ban mask and the ban
    automaton's step are timed too (the local backend's whole per-token cost).

    Each run's matcher is a deep copy of one template, as the local backend makes a guide per
    candidate: the first run builds the lexer's automaton (its masks are the cold ones), the
    copies after it share what it built.
    """
    tokens = tokenizer.tokenize_str(body)
    mask = llnp.allocate_token_bitmask(1, tokenizer.vocab_size)
    times: list[float] = []
    template = llguidance.LLMatcher(tokenizer, grammar, log_level=0, limits=parser_limits())
    for _ in range(reps):
        matcher = template.deep_copy()
        state = bans.start if bans is not None else 0
        for token in [*tokens, tokenizer.eos_token]:
            start = time.perf_counter()
            llnp.fill_next_token_bitmask(matcher, mask)
            if bans is not None:
                mask[0] &= bans.mask(state)
                state = bans.advance(state, token)
            times.append((time.perf_counter() - start) * 1e6)
            if not token_allowed(mask[0], token):
                raise SystemExit(f"the mask refuses token {token} of a body that fits")
            if not matcher.consume_token(token):
                raise SystemExit(f"the body does not fit its grammar: {matcher.get_error()}")
    return times


def explain(tokenizer: llguidance.LLTokenizer, grammar: str, body: str) -> str:
    """How the masks along `body` were computed, from llguidance's per-step statistics."""
    interp = llguidance.LLInterpreter(tokenizer, grammar, log_level=0)
    interp.start_without_prompt()
    trie_nodes = 2 * tokenizer.vocab_size  # a full walk visits about this many nodes
    cached = sliced = full = 0
    tokens = tokenizer.tokenize_str(body)
    for token in tokens:
        _, progress = interp.compute_mask()
        stats = json.loads(progress)["progress"][0]["stats"]
        if stats["trie_nodes_walked"] == 0 and stats["compute_time_us"] <= 1:
            cached += 1
        elif stats["trie_nodes_walked"] > trie_nodes // 2:
            full += 1
        elif stats["slices_applied"]:
            sliced += 1
        interp.commit_token(token)
    return f"cached {cached}, sliced {sliced}, full walks {full} of {len(tokens)} masks"


# a mask no slice shortens: every token walked through one trivial lexeme. llguidance's own
# unit of work; the machine's speed drifts (up to 2x within minutes), ratios to it do not
WALK_GRAMMAR = "start: X\nX: /[\\s\\S]*/ & ~/[\\s\\S]*\\x00[\\s\\S]*/\n"


def full_walk_us(tokenizer: llguidance.LLTokenizer, reps: int = 15) -> float:
    """Median time of one full walk of the vocabulary (fresh copies: no mask cache)."""
    template = llguidance.LLMatcher(tokenizer, WALK_GRAMMAR, log_level=0)
    mask = llnp.allocate_token_bitmask(1, tokenizer.vocab_size)
    times = []
    for _ in range(reps):
        matcher = template.deep_copy()
        start = time.perf_counter()
        llnp.fill_next_token_bitmask(matcher, mask)
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def _row(name: str, times: list[float], per_run: int) -> str:
    return (
        f"{name:30} {per_run:6d} {statistics.median(times):8.0f} "
        f"{times[int(0.9 * len(times))]:8.0f} {times[int(0.99 * len(times))]:8.0f} "
        f"{times[-1]:8.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=5, help="matchers per grammar")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also count cached / sliced / full-walk masks per grammar",
    )
    args = parser.parse_args()
    local = load_lltokenizer()  # code slices
    started = time.perf_counter()
    remote = default_slices_tokenizer()
    print(
        f"vocabulary {local.vocab_size}; {args.reps} runs per grammar; times in us; "
        f"tokenizer built in {time.perf_counter() - started:.1f} s"
    )
    print(f"{'grammar / path':30} {'tokens':>6} {'median':>8} {'p90':>8} {'p99':>8} {'max':>8}")
    totals: dict[str, list[float]] = {"local": [], "grammar": []}
    setup: list[float] = []
    walks = [full_walk_us(local)]
    for name, (language, return_type, body) in CASES.items():
        col = 2 if language == "go" else 5
        constraint = body_constraint(_hole(return_type, col), language, banned=BANNED)
        assert constraint.bans is not None
        started = time.perf_counter()
        bans = TokenBans(compile_bans(constraint.bans.words, constraint.bans.fragments), local)
        setup.append(time.perf_counter() - started)
        stripped = strip_bans(constraint.text, constraint.bans)
        for path, tokenizer, grammar, token_bans in (
            ("local", local, stripped, bans),
            ("grammar", remote, constraint.text, None),
        ):
            times = sorted(measure(tokenizer, grammar, body, args.reps, token_bans))
            totals[path] += times
            print(_row(f"{name} [{path}]", times, len(times) // args.reps))
            if args.explain:
                print(f"{'':30} {explain(tokenizer, grammar, body)}")
    walks.append(full_walk_us(local))
    walk = statistics.median(walks)
    for path, times in totals.items():
        times.sort()
        print(_row(f"all [{path}]", times, len(times)))
    local_times = totals["local"]
    print(
        f"baseline, a full walk of the vocabulary: {walk:.0f} us (before / after: "
        f"{walks[0]:.0f} / {walks[1]:.0f}); local p99 = "
        f"{local_times[int(0.99 * len(local_times))] / walk:.2f} full walks, median = "
        f"{statistics.median(local_times) / walk:.4f}"
    )
    print(
        f"ban automaton + token masks per grammar: median {statistics.median(setup):.2f} s"
        " (once per set of bans; the local backend caches them)"
    )


if __name__ == "__main__":
    main()
