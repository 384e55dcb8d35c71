"""Whole-repo parse + extract throughput, in MB of source per second (one process).

    .venv/bin/python benchmarks/bench_extract.py [DIR] [--repeat N] [--parse-only]

DIR defaults to the Python standard library of the running interpreter (a real, large,
varied project). Files we do not parse are ignored; skipped files (binary, too large) are
counted apart and not in the MB/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ananke_ci.analysis.extract import _compiled, extract_facts
from ananke_ci.analysis.languages import language_for_path


def _corpus(root: Path) -> list[tuple[str, bytes, str]]:
    files: list[tuple[str, bytes, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "node_modules"]
        for name in filenames:
            path = os.path.join(dirpath, name)
            lang = language_for_path(path)
            if lang is not None and os.path.isfile(path):
                files.append((path, Path(path).read_bytes(), lang))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--parse-only", action="store_true", help="tree-sitter parse alone")
    args = parser.parse_args(argv)
    files = _corpus(Path(args.root))
    for lang in {lang for _, _, lang in files}:
        _compiled(lang)  # grammar loading and query compiling are one-off costs
    best = float("inf")
    total = skipped = 0
    counts: Counter[str] = Counter()
    for _ in range(args.repeat):
        total = skipped = 0
        counts = Counter()
        start = time.perf_counter()
        for path, source, lang in files:
            if args.parse_only:
                _compiled(lang).parser.parse(source)
                total += len(source)
                continue
            facts = extract_facts(path, source, lang)
            if facts.skipped:
                skipped += 1
                continue
            total += len(source)
            counts["functions"] += len(facts.functions)
            counts["calls"] += len(facts.calls)
            counts["holes"] += len(facts.holes)
            counts["syntax_issues"] += len(facts.syntax_issues)
        best = min(best, time.perf_counter() - start)
    mb = total / 1e6
    print(f"corpus: {args.root}: {len(files)} files, {mb:.1f} MB parsed, {skipped} skipped")
    if counts:
        print("facts:", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    mode = "parse only" if args.parse_only else "parse + extract"
    print(f"{mode}: {best:.2f} s, {mb / best:.2f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
