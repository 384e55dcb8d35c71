"""Compile time of each language's fact query (queries/<language>.scm), in ms.

    .venv/bin/python benchmarks/bench_queries.py [LANGUAGE ...] [--runs N] [--in-process]

`ananke-ci validate` runs in a fresh process on every commit and compiles the query of each
language it meets, so each sample is one compile in a fresh subprocess (grammar loaded
first, untimed): the first compile in a process also pays for touching the grammar's parse
table. The median of --runs samples (default 5) is shown as wall and CPU time, beside the
"floor": an empty query, the part of the cost (tree-sitter's scan of the parse table) that no
rewrite of the .scm file can remove. --in-process compiles repeatedly in this process
instead (quicker, a little lower).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ananke_ci.analysis.languages import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent

_SAMPLE = """
import json, sys, time
sys.path.insert(0, {root!r})
from tree_sitter import Query
from ananke_ci.analysis.extract import QUERY_DIR, _load_language
from ananke_ci.analysis.languages import LANGUAGES
spec = LANGUAGES[{language!r}]
lang = _load_language(spec.ts_name)
source = "" if {floor!r} else (QUERY_DIR / f"{{spec.query_name}}.scm").read_text("utf-8")
wall, cpu = time.perf_counter(), time.process_time()
Query(lang, source)
print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu]))
"""


def _fresh(language: str, floor: bool) -> tuple[float, float]:
    code = _SAMPLE.format(root=str(ROOT), language=language, floor=floor)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, cpu = json.loads(out.stdout)
    return float(wall), float(cpu)


def _in_process(language: str, floor: bool) -> tuple[float, float]:
    from tree_sitter import Query

    from ananke_ci.analysis.extract import QUERY_DIR, _load_language

    spec = LANGUAGES[language]
    lang = _load_language(spec.ts_name)
    source = "" if floor else (QUERY_DIR / f"{spec.query_name}.scm").read_text("utf-8")
    wall, cpu = time.perf_counter(), time.process_time()
    Query(lang, source)
    return time.perf_counter() - wall, time.process_time() - cpu


def _median_ms(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        statistics.median(s[0] for s in samples) * 1000,
        statistics.median(s[1] for s in samples) * 1000,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("languages", nargs="*", help="default: every language")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.languages) - set(LANGUAGES))
    if unknown:
        parser.error(f"unknown language(s): {', '.join(unknown)}")
    sample = _in_process if args.in_process else _fresh
    print(f"{'language':<12}{'wall ms':>9}{'CPU ms':>9}{'floor ms':>10}")
    worst = ("", 0.0)
    for language in args.languages or sorted(LANGUAGES):
        wall, cpu = _median_ms([sample(language, False) for _ in range(args.runs)])
        floor, _ = _median_ms([sample(language, True) for _ in range(args.runs)])
        print(f"{language:<12}{wall:>9.1f}{cpu:>9.1f}{floor:>10.1f}")
        worst = max(worst, (language, wall), key=lambda item: item[1])
    print(f"slowest: {worst[0]} {worst[1]:.1f} ms (median of {args.runs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
