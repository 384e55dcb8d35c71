"""`ananke-ci ci --dry-run` on a 10-file pull request of a real repository, cold and warm
salience cache, beside `semgrep scan` of the same checkout in the same run.

Usage: python benchmarks/bench_ci.py MIRROR [--semgrep PATH] [--runs N]

MIRROR is a git repository (a clone or a bare mirror of pallets/flask for the numbers in
benchmarks/README.md), cloned again into a temp dir. The branch
appends a function with a TODO, a placeholder body and a banned call to each of 10 Python
files. `ci` runs with `--fix off` (no model), `--dry-run` (prints what it would post, no
token: nothing is read from GitHub), and the salience picture. Cold: no `.git/ananke`;
warm: the cache the cold run left (the Action restores it with actions/cache). semgrep runs
with a local rules file (no registry here) on the whole checkout, and diff-aware
(`--baseline-commit`) as a pull-request scan would.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ADDED = '''

def added_in_pull_request_{n}(items):
    """Added by the benchmark's pull request."""
    # TODO: handle empty input
    os.system("echo " + str(items))
    pass
'''
RULES = """rules:
  - id: os-system
    languages: [python]
    severity: ERROR
    message: os.system runs a shell
    pattern: os.system(...)
  - id: todo
    languages: [python]
    severity: WARNING
    message: a TODO
    pattern-regex: "#\\\\s*TODO"
  - id: pass-body
    languages: [python]
    severity: WARNING
    message: a placeholder body
    pattern: |
      def $F(...):
          ...
          pass
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={
            **ENV,
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@x",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@x",
        },
    ).stdout


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if res.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({res.returncode}): {res.stderr[-2000:]}")
    return took, res.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "mirror",
        help="a git repository to clone (a clone or bare mirror of "
        "pallets/flask for the README's numbers)",
    )
    ap.add_argument("--semgrep", default=shutil.which("semgrep"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ci-"))
    repo = tmp / "repo"
    subprocess.run(["git", "clone", "-q", args.mirror, str(repo)], check=True)
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "bench-pr")
    files = [p for p in git(repo, "ls-files", "*.py").split() if p.startswith("src/")][:10]
    for n, path in enumerate(files):
        with (repo / path).open("a") as fh:
            fh.write("\nimport os\n" + ADDED.format(n=n))
    git(repo, "commit", "-qam", "bench: a 10-file pull request")
    head = git(repo, "rev-parse", "HEAD").strip()
    event = tmp / "event.json"
    event.write_text(
        json.dumps(
            {
                "number": 1,
                "repository": {"full_name": "pallets/flask"},
                "pull_request": {
                    "number": 1,
                    "base": {"sha": base, "ref": "main"},
                    "head": {
                        "sha": head,
                        "ref": "bench-pr",
                        "repo": {"full_name": "pallets/flask"},
                    },
                },
            }
        )
    )
    ci = [
        str(BIN / "ananke-ci"),
        "ci",
        "--event",
        str(event),
        "--dry-run",
        "--fix",
        "off",
        "--sarif",
        str(tmp / "out.sarif"),
        "--summary",
        str(tmp / "summary.md"),
        "--plot",
        str(tmp / "map.png"),
    ]
    (tmp / "rules.yml").write_text(RULES)
    semgrep = [
        args.semgrep,
        "scan",
        "--config",
        str(tmp / "rules.yml"),
        "--metrics",
        "off",
        "--disable-version-check",
        "--quiet",
        "--json",
        "-o",
        str(tmp / "sg.json"),
    ]
    cold, warm, sg_full, sg_diff = [], [], [], []
    for _ in range(args.runs):
        shutil.rmtree(repo / ".git" / "ananke", ignore_errors=True)
        cold.append(timed(ci, repo)[0])
        warm.append(timed(ci, repo)[0])
        if args.semgrep:
            sg_full.append(timed(semgrep, repo)[0])
            sg_diff.append(timed([*semgrep, "--baseline-commit", base], repo)[0])
    load = os.getloadavg()[0]
    med = statistics.median
    print(f"flask PR of {len(files)} files, {args.runs} runs, load {load:.1f}")
    print(f"ananke-ci ci --dry-run, cold cache: median {med(cold):.2f} s  {cold}")
    print(f"ananke-ci ci --dry-run, warm cache: median {med(warm):.2f} s  {warm}")
    if sg_full:
        print(f"semgrep scan (whole checkout):    median {med(sg_full):.2f} s")
        print(f"semgrep scan --baseline-commit:   median {med(sg_diff):.2f} s")
        print(
            f"ratios: cold/semgrep {med(cold) / med(sg_full):.2f}, warm/semgrep "
            f"{med(warm) / med(sg_full):.2f}, warm/semgrep-diff {med(warm) / med(sg_diff):.2f}"
        )
    else:
        print("semgrep: not installed (pip install semgrep), no baseline measured")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
