"""Hot-path benchmark: `ananke-ci validate --staged` on a one-file change vs `ruff check`.

Usage: python benchmarks/bench_validate.py REPO [--runs N]

REPO is a real repository with history (default: $ANANKE_BENCH_REPO). It is cloned fresh into
a temp dir; one Python file gets a new function staged, and the hook runs as a new user's
would: first with nothing cached (it mines HEAD's constraints on demand), then N times with
them cached beside N runs of ruff (medians and the ratio), then once after a new commit (the
new HEAD's constraints are mined incrementally: only the changed blob is parsed).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ADDITION = '''

def added_by_benchmark(items: list[int]) -> int:
    """A small staged change."""
    total = 0
    for item in items:
        total += item  # TODO: vectorise
    return total
'''


# A real install has its .pyc files (pip compiles them); a shell with this variable set would
# make every run recompile the package from source.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_ms(cmd: list[str], cwd: Path, runs: int) -> tuple[float, float, float]:
    """Median wall, median CPU (user + sys of the child) and 90th-percentile wall
    milliseconds: on a shared machine the CPU time is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=False, env=ENV)
        walls.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    p90 = statistics.quantiles(walls, n=10)[-1] if len(walls) > 1 else walls[0]
    return statistics.median(walls), statistics.median(cpus), p90


def pick_file(repo: Path) -> str:
    out = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    # a mid-sized module: realistic parse cost
    sized = sorted(out, key=lambda p: (repo / p).stat().st_size)
    return sized[len(sized) * 3 // 4]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo", nargs="?", default=os.environ.get("ANANKE_BENCH_REPO"))
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    source = Path(args.repo or ".")
    if (
        not args.repo
        or subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--git-dir"], capture_output=True
        ).returncode
        != 0
    ):
        print(f"no repository at {source}: clone one (e.g. pallets/flask) and pass its path")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(source), str(repo)], check=True)
        target = pick_file(repo)
        with (repo / target).open("a") as fh:
            fh.write(ADDITION)
        subprocess.run(["git", "add", target], cwd=repo, check=True)
        size = (repo / target).stat().st_size
        ananke = [str(BIN / "ananke-ci"), "validate", "--staged"]
        ruff = [shutil.which("ruff", path=str(BIN)) or "ruff", "check", "--no-cache", target]
        cold = median_ms(ananke, repo, 1)  # a fresh clone: HEAD's constraints mined now
        for cmd in (ananke, ruff):  # warm the page cache
            subprocess.run(cmd, cwd=repo, capture_output=True, check=False, env=ENV)
        a = median_ms(ananke, repo, args.runs)
        r = median_ms(ruff, repo, args.runs)
        commits = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        subprocess.run(
            ["git", "commit", "-qm", "bench", "--no-verify"],
            cwd=repo,
            check=True,
            env={
                **ENV,
                "GIT_AUTHOR_NAME": "b",
                "GIT_AUTHOR_EMAIL": "b@b",
                "GIT_COMMITTER_NAME": "b",
                "GIT_COMMITTER_EMAIL": "b@b",
            },
        )
        with (repo / target).open("a") as fh:
            fh.write(ADDITION.replace("added_by_benchmark", "added_again"))
        subprocess.run(["git", "add", target], cwd=repo, check=True)
        incremental = median_ms(ananke, repo, 1)
    print(f"repository: {source} ({commits} commits); staged file: {target} ({size} bytes)")
    print(f"first run, nothing cached (mines HEAD's constraints): {cold[0]:.0f} ms wall")
    print(
        f"first run after a new commit (mines the new HEAD incrementally): "
        f"{incremental[0]:.0f} ms wall"
    )
    print(
        f"ananke-ci validate --staged, constraints cached: median {a[0]:.1f} ms wall "
        f"(p90 {a[2]:.1f}), {a[1]:.1f} ms CPU over {args.runs} runs (goal <= 150 wall)"
    )
    print(
        f"ruff check (same file):      median {r[0]:.1f} ms wall (p90 {r[2]:.1f}), "
        f"{r[1]:.1f} ms CPU"
    )
    print(
        f"ratio ananke/ruff: {a[0] / r[0]:.1f}x wall, {a[1] / r[1]:.1f}x CPU; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
