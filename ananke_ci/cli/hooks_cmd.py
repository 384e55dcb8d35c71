"""`ananke-ci install-hooks`: plain git hooks for repositories without pre-commit."""

from __future__ import annotations

import argparse

from ananke_ci.app.install_hooks import HOOK_NAMES, install_hooks
from ananke_ci.cli.common import repo_root_here
from ananke_ci.core.sanitize import printable


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "install-hooks",
        help="install plain git hooks (pre-commit, pre-push)",
        description="Install ananke-ci's git hooks into this repository (for projects that do "
        "not use the pre-commit framework). An existing different hook is kept unless --force.",
    )
    p.add_argument(
        "--hook",
        action="append",
        choices=HOOK_NAMES,
        default=[],
        help="which hook (repeatable; default: all)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace existing hooks (the old one is kept as HOOK.ananke-backup)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root_here()
    outcomes = install_hooks(root, tuple(args.hook) or HOOK_NAMES, force=args.force)
    for outcome in outcomes:
        print(printable(outcome.message))  # it names paths (core.hooksPath)
    return 0 if all(o.ok for o in outcomes) else 1
