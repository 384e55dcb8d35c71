"""`ananke-ci baseline`: record today's findings as accepted; later runs report new ones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ananke_ci.app.baseline import record_baseline
from ananke_ci.app.judge import open_judge, tty_progress
from ananke_ci.app.targets import Target
from ananke_ci.cli.common import repo_root_here
from ananke_ci.core.sanitize import printable


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser(
        "baseline",
        help="record today's findings as accepted",
        description="Validate every tracked file and record all findings in "
        "the baseline file; later runs report only new ones.",
    )
    b.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="baseline file (default: [constraints] baseline, .ananke-baseline.json)",
    )
    b.add_argument("--config", metavar="PATH", type=Path, help="config file")
    b.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root_here()
    judge = open_judge(root, Target("repo"), config_path=args.config, progress=tty_progress)
    for notice in judge.notices:
        print(f"ananke-ci: {notice}", file=sys.stderr)
    out = None if args.output is None else Path.cwd() / args.output
    path, count = record_baseline(root, judge, out)
    print(printable(f"recorded {count} finding(s) in {path}"))
    return 0
