"""`ananke-ci baseline`: record today's findings as accepted; later runs report new ones."""

from __future__ import annotations

import argparse
from pathlib import Path

from ananke_ci.cli.common import repo_root_here


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("baseline", help="record today's findings as accepted",
                       description="Validate every tracked file and record all findings in "
                       "the baseline file; later runs report only new ones.")
    b.add_argument("--output", type=Path, metavar="PATH",
                   help="baseline file (default: [constraints] baseline, .ananke-baseline.json)")
    b.add_argument("--config", metavar="PATH", type=Path, help="config file")
    b.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ananke_ci.adapters.config_file import load_config
    from ananke_ci.app.baseline import record_baseline
    from ananke_ci.core.sanitize import printable

    root = repo_root_here()
    config = load_config(root, args.config)
    out = None if args.output is None else Path.cwd() / args.output
    path, count = record_baseline(root, config, out)
    print(printable(f"recorded {count} finding(s) in {path}"))
    return 0
