"""Analysis time on adversarial files, per language, as ms per KB beside real code's.

Usage: python benchmarks/bench_adversarial.py [--sizes 4,16,64] [--languages python,c,...]

Each generated shape (a thousand nested blocks, a run of unbalanced openers, Python made
of `/*`, one long `a+a+...` line) at each size goes through the product's path: a forked
worker with a time budget each (app/extraction.py). Reported per shape and size: ms per KB,
or "over" where the budget (2 s + 5 ms/KB) cut the file off, which the validator reports as
a skipped file. The baseline is this package's own Python source, in the same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ananke_ci.app.extraction import extract_bounded, is_overrun

EXT = {
    "python": "py",
    "c": "c",
    "cpp": "cpp",
    "java": "java",
    "csharp": "cs",
    "rust": "rs",
    "zig": "zig",
    "go": "go",
    "javascript": "js",
    "typescript": "ts",
    "kotlin": "kt",
    "php": "php",
    "ruby": "rb",
    "swift": "swift",
}


def shape(name: str, language: str, size: int) -> str:
    decl = "y = " if language in ("python", "ruby") else "int y = "
    if name == "nested":
        depth = min(size // 2, 5000)
        return "{" * depth + "}" * depth
    if name == "open-parens":
        return decl + "(" * size
    if name == "open-braces":
        return "{" * size
    if name == "slash-star":
        return "/*" * (size // 4) + "*/" * (size // 4)
    if name == "plus-line":
        return decl + "a+" * (size // 2) + "a;\n"
    raise ValueError(name)


SHAPES = ("nested", "open-parens", "open-braces", "slash-star", "plus-line")


def timed(path: str, data: bytes) -> tuple[float, bool]:
    started = time.perf_counter()
    ((_, core, _),) = list(extract_bounded([(path, None, data)], 4 << 20))
    return time.perf_counter() - started, is_overrun(core)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="4,16,64", help="KB, comma-separated")
    parser.add_argument("--languages", default=",".join(EXT))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    source = b"".join(
        p.read_bytes() for p in sorted(Path(__file__).parents[1].glob("ananke_ci/**/*.py"))
    )
    seconds, _ = timed("baseline.py", source)
    print(
        f"baseline: this package's Python, {len(source) >> 10} KB: "
        f"{1000 * seconds / (len(source) / 1024):.2f} ms/KB"
    )
    print(f"{'language':<11} {'shape':<12} " + " ".join(f"{kb:>8} KB" for kb in sizes))
    for language in args.languages.split(","):
        for name in SHAPES:
            cells = []
            for kb in sizes:
                data = shape(name, language, kb * 1024).encode()
                seconds, over = timed(f"x.{EXT[language]}", data)
                cells.append("    over" if over else f"{1000 * seconds / kb:8.2f}")
            print(f"{language:<11} {name:<12} " + " ".join(f"{c:>11}" for c in cells), flush=True)
    print("(ms per KB; `over`: the file overran its budget and is skipped with a notice)")


if __name__ == "__main__":
    main()
