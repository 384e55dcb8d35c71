"""Replay the last N commits of a repository against the constraints mined just before each.

For every non-merge commit C on the first-parent line: `ananke-ci compile --rev C^` (the
constraints as they stood), then `ananke-ci validate --diff C^..C`. Prints the constraints
mined at HEAD and every finding, so a maintainer can judge each one.

    python benchmarks/eval_constraints.py REPO -n 20 [--full]

--full pins every file to the `full` intensity (all five domains), so rules that salience
would switch off for quiet files are exercised too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CLI = str(Path(sys.executable).parent / "ananke-ci")


def sh(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=root, capture_output=True, text=True, check=False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("repo", type=Path)
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--full", action="store_true")
    args = ap.parse_args()
    root = args.repo.resolve()
    extra: list[str] = []
    if args.full:
        cfg = Path(tempfile.mkdtemp()) / "eval.toml"
        cfg.write_text('[intensity]\n"**" = "full"\n')
        extra = ["--config", str(cfg)]
    mined = sh(root, CLI, "extract", "--mined", *extra)
    print(mined.stdout)
    log = sh(
        root, "git", "log", "--first-parent", "--no-merges", f"-{args.n}", "--format=%H %s"
    ).stdout.splitlines()
    total = 0
    for line in log:
        sha, _, subject = line.partition(" ")
        comp = sh(root, CLI, "compile", "--rev", f"{sha}^", *extra)
        if comp.returncode != 0:
            print(f"{sha[:10]} compile failed: {comp.stderr.strip()}")
            continue
        run = sh(
            root,
            CLI,
            "validate",
            "--diff",
            f"{sha}^..{sha}",
            "--format",
            "json",
            "--no-baseline",
            "-q",
            *extra,
        )
        found = json.loads(run.stdout)["findings"] if run.stdout.strip() else []
        total += len(found)
        print(f"{sha[:10]} {len(found):3d}  {subject[:70]}")
        for f in found:
            print(
                f"             {f['rule']} {f['severity']} {f['path']}:{f['line']} "
                f"{f['message'][:150]}"
            )
    print(f"\n{len(log)} commits, {total} findings")
    sh(root, CLI, "compile", *extra)  # leave the IR of HEAD in place
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
