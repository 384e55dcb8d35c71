"""Hole benchmark: bodies of real functions removed, filled constrained vs unconstrained.

Usage: python benchmarks/bench_holes.py REPO [--holes N] [--tokens N]

REPO (a clone of a real project, e.g. `git clone https://github.com/pallets/flask`) gives
small real functions
(1-4 statement bodies, up to 3 per file); each body is replaced by `pass`, the hole is found
by the extractor, and the same model, prompt and seed (greedy) fill it twice: under the
grammar (bans included) and free (stopping at the closing fence). Each raw candidate is
verified on the patched file (parse, validator, bans, not a hole; the project's test command
is not run: minutes per candidate here). Reports, per mode: verified-fill fraction, parse
rate, banned-call rate, candidates that ended by themselves, tokens/s.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from ananke_ci.adapters.backends.local_backend import LocalBackend
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.grammar import body_constraint
from ananke_ci.analysis.prompting import build_prompt
from ananke_ci.app.fix import body_text
from ananke_ci.app.judge import open_judge
from ananke_ci.app.targets import SourceFile, Target
from ananke_ci.app.verify import FillSite, Verifier, banned_in
from ananke_ci.core.config import parse_config
from ananke_ci.core.facts import Function, Hole
from ananke_ci.core.protocol import GenerationRequest
from ananke_ci.core.records import replace

BANS = ("eval", "exec", "os.system", "print", "pickle.loads", "subprocess.call")
CONFIG = parse_config("[banned-calls]\n" + "".join(f'"{b}" = ""\n' for b in BANS), "bench")
_DOC = re.compile(r'^\s*[rRbBuUfF]*("""|\'\'\'|"|\')')


def holes_from(repo: Path, limit: int) -> list[tuple[str, bytes, Hole]]:
    """(path, source with one body replaced by `pass`, the hole) for small real functions."""
    out: list[tuple[str, bytes, Hole]] = []
    for path in sorted((repo / "src").rglob("*.py")):
        rel = path.relative_to(repo).as_posix()
        source = path.read_bytes()
        facts = extract_facts(rel, source)
        per_file = 0
        for fn in facts.functions:
            made = _make_hole(rel, source, fn)
            if made is not None and per_file < 3:
                out.append(made)
                per_file += 1
        if len(out) >= limit:
            break
    return out[:limit]


def _make_hole(rel: str, source: bytes, fn: Function) -> tuple[str, bytes, Hole] | None:
    if fn.body_span is None or fn.body_span.start_line == fn.span.start_line:
        return None
    lines = source.decode("utf-8").splitlines(keepends=True)
    body = lines[fn.body_span.start_line - 1 : fn.span.end_line]
    start = fn.body_span.start_line
    if body and _DOC.match(body[0]):  # keep the docstring: it is the spec
        quote = _DOC.match(body[0]).group(1)  # type: ignore[union-attr]
        skip = 1
        if body[0].count(quote) < 2:  # a multi-line docstring: up to its closing quotes
            while skip < len(body) and quote not in body[skip]:
                skip += 1
            skip += 1
        body, start = body[skip:], start + skip
    statements = [b for b in body if b.strip() and not b.strip().startswith("#")]
    if not 1 <= len(statements) <= 4 or sum(map(len, statements)) > 240:
        return None
    indent = statements[0][: len(statements[0]) - len(statements[0].lstrip())]
    new = [*lines[: start - 1], indent + "pass\n", *lines[fn.span.end_line :]]
    data = "".join(new).encode()
    facts = extract_facts(rel, data)
    for hole in facts.holes:
        if (
            hole.function is not None
            and hole.function.name == fn.name
            and hole.span.start_line == start
        ):
            return rel, data, hole
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "repo", type=Path, help="a git clone of a real Python project (the numbers: flask)"
    )
    parser.add_argument("--holes", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=48)
    args = parser.parse_args()
    holes = holes_from(args.repo, args.holes)
    print(f"{len(holes)} holes from {args.repo}")
    # judged as `fix` judges a change: by the constraints of HEAD, the bans below on top
    judge = open_judge(args.repo, Target("files", None, ()))
    judge = replace(judge, config=replace(judge.config, banned_calls=CONFIG.banned_calls))
    verifier = Verifier(args.repo, judge, run_command=False)
    backend = LocalBackend()
    backend.loaded()
    stats = {
        mode: {"verified": 0, "parsed": 0, "banned": 0, "ended": 0, "tokens": 0, "ms": 0.0}
        for mode in ("constrained", "free")
    }
    for path, data, hole in holes:
        facts = extract_facts(path, data)
        prompt = build_prompt(hole, facts, data.decode(), banned=BANS).text
        compiled = body_constraint(hole, "python", banned=BANS)
        row = []
        for mode in stats:
            constraint = compiled if mode == "constrained" else None
            request = GenerationRequest(
                constraint,
                prompt=prompt,
                max_tokens=args.tokens,
                temperature=0.0,
                seed=0,
                stop=() if constraint else ("```",),
            )
            t = time.perf_counter()
            cand = backend.generate(request).candidates[0]
            s = stats[mode]
            s["ms"] += (time.perf_counter() - t) * 1000
            s["tokens"] += cand.tokens
            body = body_text(cand)
            site = FillSite(SourceFile(path, data, None), facts, hole, constraint)
            verdict = verifier.verify(site, body, cand.text)
            parsed = not any(r.startswith("syntax error") for r in verdict.reasons)
            ok = verdict.ok and cand.finish_reason == "stop"
            s["verified"] += ok
            s["parsed"] += parsed
            s["banned"] += bool(list(banned_in(body, CONFIG)))
            s["ended"] += cand.finish_reason == "stop"
            row.append(f"{mode[0]}:{'V' if ok else ('p' if parsed else 'x')}")
        print(
            f"{path}:{hole.span.start_line} {hole.function.name if hole.function else ''} "
            + " ".join(row),
            flush=True,
        )
    n = len(holes)
    for mode, s in stats.items():
        print(
            f"{mode:12s} verified {s['verified']}/{n} ({s['verified'] / n:.0%})  parse "
            f"{s['parsed'] / n:.0%}  banned {s['banned'] / n:.0%}  ended {s['ended'] / n:.0%}"
            f"  {s['tokens'] / (s['ms'] / 1000):.2f} tok/s (incl. prefill)"
        )


if __name__ == "__main__":
    main()
