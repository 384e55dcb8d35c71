"""The `ananke-ci` command: argparse, one subcommand module each, one error handler.

Exit status: 0 clean, 1 findings at the fail level, 2 user error, 3 crash, 130 Ctrl-C.
Only the chosen subcommand's module is imported, so the pre-commit hot path never pays for
the imports of the others (rich tables, graphs, models).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from ananke_ci import __version__
from ananke_ci.cli.errors import EXIT_INTERRUPTED, error_handler

# command name -> module with register(subparsers) and a run(args) it sets as `func`
COMMANDS: dict[str, str] = {
    "validate": "ananke_ci.cli.validate_cmd",
    "holes": "ananke_ci.cli.holes_cmd",
    "salience": "ananke_ci.cli.salience_cmd",
    "serve": "ananke_ci.cli.serve_cmd",
    "rules": "ananke_ci.cli.rules_cmd",
    "install-hooks": "ananke_ci.cli.hooks_cmd",
    "extract": "ananke_ci.cli.extract_cmd",
    "compile": "ananke_ci.cli.compile_cmd",
    "init": "ananke_ci.cli.init_cmd",
    "baseline": "ananke_ci.cli.baseline_cmd",
    "fix": "ananke_ci.cli.fix_cmd",
    "ci": "ananke_ci.cli.ci_cmd",
    "eval": "ananke_ci.cli.eval_cmd",
}


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without `shutil`: argparse builds one per add_argument,
    and importing shutil (with bz2 and lzma) cost ~4 ms of every hook run for a width that
    only printed help uses."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(
            prog, indent_increment, max_help_position, _columns() - 2 if width is None else width
        )


def _columns() -> int:
    """The terminal width as shutil.get_terminal_size reports it: $COLUMNS, the terminal, 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stream = sys.__stdout__
    try:
        return (os.get_terminal_size(stream.fileno()).columns if stream else 0) or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _Parser(argparse.ArgumentParser):
    """ArgumentParser with `_Formatter`; subcommand parsers inherit the class."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that subcommand's module is imported and registered."""
    parser = _Parser(
        prog="ananke-ci",
        description="Check that a change fits the repository it lands in.",
    )
    parser.add_argument("--version", action="version", version=f"ananke-ci {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=_print_version)
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(module).register(sub)
    return parser


def _print_version(_args: argparse.Namespace) -> int:
    print(f"ananke-ci {__version__}")
    return 0


# Short-lived commands run without the cyclic garbage collector: importing the package
# allocates thousands of long-lived objects, and collecting over them was ~15% of the
# pre-commit hook's time. Reference counting still frees everything else.
NO_GC_COMMANDS = frozenset({"validate", "holes", "rules"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status. Ctrl-C at any point in here is exit 130."""
    import signal

    early = signal.getsignal(signal.SIGINT)
    cli_handler = getattr(early, "__module__", None) == "ananke_ci"
    if cli_handler:  # KeyboardInterrupt while a command runs, so `finally` blocks clean up
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _main(argv)
    except KeyboardInterrupt:  # while arguments were parsed or a command module imported
        print("ananke-ci: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if cli_handler:
            signal.signal(signal.SIGINT, early)


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = args_list[0] if args_list else None
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        parser = build_parser(first if first in COMMANDS else None)
        args = parser.parse_args(args_list)
    finally:
        if gc_was_enabled and first not in NO_GC_COMMANDS:
            gc.enable()
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        with error_handler() as status:
            status.code = args.func(args)
    finally:
        if gc_was_enabled:
            gc.enable()  # main() may be called in-process (tests, other tools)
    return status.code
