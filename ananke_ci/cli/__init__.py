"""The `ananke-ci` command: argparse, one subcommand module each, one error handler.

Exit status: 0 clean, 1 findings at the fail level, 2 user error, 3 crash, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ananke_ci import __version__
from ananke_ci.cli import holes_cmd, hooks_cmd, rules_cmd, validate_cmd
from ananke_ci.cli.errors import error_handler

SUBCOMMANDS = (validate_cmd, holes_cmd, rules_cmd, hooks_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ananke-ci",
        description="Check that a change fits the repository it lands in.",
    )
    parser.add_argument("--version", action="version", version=f"ananke-ci {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=lambda _args: print(f"ananke-ci {__version__}") or 0)
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    with error_handler() as status:
        status.code = args.func(args)
    return status.code
