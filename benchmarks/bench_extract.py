"""Whole-repo parse + extract throughput, in MB of source per second.

    .venv/bin/python benchmarks/bench_extract.py [DIR] [--repeat N] [--parse-only] [--jobs N]

DIR defaults to the standard library of the running interpreter (a real, large, varied
project; its site-packages are left out). Files we do not parse are ignored; skipped files
(binary, too large) are counted apart and not in the MB/s. Wall time and CPU time are both
shown: on a shared machine CPU time is the steadier number. --jobs N spreads files over N
worker processes (each returns only counts: the number is extraction throughput).
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ananke_ci.analysis.extract import _compiled, extract_facts
from ananke_ci.analysis.languages import language_for_path

SKIP_DIRS = {"site-packages", "node_modules", "__pycache__"}


def _corpus(root: Path) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            lang = language_for_path(path)
            if lang is not None and os.path.isfile(path):
                files.append((path, lang))
    return files


def _warm(language: str) -> None:
    _compiled(language)


def _work(chunk: list[tuple[str, str]], parse_only: bool = False) -> tuple[Counter[str], float]:
    """Parse/extract `chunk`; return counts (bytes, skipped, facts) and the CPU seconds used."""
    counts: Counter[str] = Counter()
    sources = [(path, Path(path).read_bytes(), lang) for path, lang in chunk]
    for lang in {lang for _, _, lang in sources}:
        _compiled(lang)  # grammar loading and query compiling are one-off costs
    cpu = time.process_time()
    for path, source, lang in sources:
        if parse_only:
            _compiled(lang).parser.parse(source)
            counts["bytes"] += len(source)
            continue
        facts = extract_facts(path, source, lang)
        if facts.skipped:
            counts["skipped"] += 1
            continue
        counts["bytes"] += len(source)
        counts["functions"] += len(facts.functions)
        counts["calls"] += len(facts.calls)
        counts["holes"] += len(facts.holes)
        counts["syntax_issues"] += len(facts.syntax_issues)
    return counts, time.process_time() - cpu


def _run(
    files: list[tuple[str, str]], jobs: int, parse_only: bool
) -> tuple[Counter[str], float, float]:
    if jobs <= 1:
        start = time.perf_counter()
        counts, cpu = _work(files, parse_only)
        return counts, time.perf_counter() - start, cpu
    chunks = [files[i::jobs * 4] for i in range(jobs * 4)]
    total: Counter[str] = Counter()
    cpu = 0.0
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_warm, ["python"] * jobs))  # start the workers before the clock
        start = time.perf_counter()
        for counts, used in pool.map(_work, chunks, [parse_only] * len(chunks)):
            total += counts
            cpu += used
        wall = time.perf_counter() - start
    return total, wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("root", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--parse-only", action="store_true", help="tree-sitter parse alone")
    args = parser.parse_args(argv)
    files = _corpus(Path(args.root))
    best_wall = best_cpu = float("inf")
    counts: Counter[str] = Counter()
    for _ in range(args.repeat):
        counts, wall, cpu = _run(files, args.jobs, args.parse_only)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    mb = counts.pop("bytes", 0) / 1e6
    skipped = counts.pop("skipped", 0)
    print(f"corpus: {args.root}: {len(files)} files, {mb:.1f} MB parsed, {skipped} skipped")
    if counts:
        print("facts:", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    mode = "parse only" if args.parse_only else "parse + extract"
    print(
        f"{mode}, {args.jobs} process(es): wall {best_wall:.2f} s = {mb / best_wall:.2f} MB/s;"
        f" CPU {best_cpu:.2f} s = {mb / best_cpu:.2f} MB/s per core"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
