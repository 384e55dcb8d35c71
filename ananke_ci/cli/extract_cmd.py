"""`ananke-ci extract`: the constraints mined from the repository (and declared), with
their evidence."""

from __future__ import annotations

import argparse
import json
import sys

from ananke_ci.cli.constraints_cmd import add_options, build
from ananke_ci.report.constraints_text import constraint_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "extract",
        help="the constraints mined from the repository (and declared)",
        description="Mine naming, annotation coverage, layering, dangerous calls, error "
        "handling and API stability at a commit; print each constraint with its evidence.",
    )
    add_options(p)
    p.add_argument("--mined", action="store_true", help="only the mined constraints")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = build(args)
    rows = [c for c in result.ir.constraints if not args.mined or c.source == "mined"]
    if args.json:
        print(json.dumps([c.to_json() for c in rows], indent=1, sort_keys=True))
    else:
        sys.stdout.write(constraint_table(rows))
    return 0
