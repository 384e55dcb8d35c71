"""`ananke-ci compile`: the ConstraintIR: rules per scope, conflicts, generation artefacts."""

from __future__ import annotations

import argparse
import sys

from ananke_ci.cli.constraints_cmd import add_options, build
from ananke_ci.report.constraints_text import ir_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "compile",
        help="print the ConstraintIR (rules per scope, conflicts, grammars)",
        description="Compile mined and declared constraints (config, .ariadne files) to the "
        "ConstraintIR the validator reads, cached under .git/ananke/ by content hash.",
    )
    add_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = build(args)
    sys.stdout.write(result.text if args.json else ir_text(result.ir))
    return 0
