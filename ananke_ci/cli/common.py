"""Options shared by the commands that look at a change (validate, holes, fix)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path

from ananke_ci.adapters.git import read as git
from ananke_ci.app.judge import Judge, open_judge, tty_progress
from ananke_ci.app.targets import Target, resolve_paths
from ananke_ci.core.errors import UserError


def add_target_options(parser: argparse.ArgumentParser, *, default: str) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="files or directories to check (with --staged/--diff: restrict to them)",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--staged", action="store_true", help="the staged change (index against HEAD)"
    )
    group.add_argument(
        "--diff",
        metavar="RANGE",
        help="a commit range: BASE..HEAD, or BASE...HEAD from the merge base",
    )
    group.add_argument("--all", action="store_true", help="every tracked file, whole")
    group.add_argument("--hook", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        help="config file (default: .ananke.toml, else [tool.ananke] in pyproject.toml)",
    )
    parser.set_defaults(default_target=default)


def repo_root_here() -> Path:
    return git.repo_root(Path.cwd())


def load(
    args: argparse.Namespace,
    environ: Mapping[str, str] = os.environ,
) -> tuple[Path, Target, Judge]:
    """Repository root, target and what judges it (its base's constraints, and the config
    of its base or of the work tree: app/judge.py) from the parsed options."""
    cwd = Path.cwd()
    root = repo_root_here()
    paths = resolve_paths(root, cwd, args.files)
    target = target_from(args, paths, environ)
    return root, target, open_judge(root, target, config_path=args.config, progress=tty_progress)


def target_from(
    args: argparse.Namespace, paths: tuple[str, ...], environ: Mapping[str, str]
) -> Target:
    if args.hook:
        # pre-commit sets these for pre-push and for `run --from-ref X --to-ref Y`
        base, head = environ.get("PRE_COMMIT_FROM_REF"), environ.get("PRE_COMMIT_TO_REF")
        if base and head:
            return Target("range", f"{base}...{head}", paths)
        return Target("staged", None, paths)
    if args.staged:
        return Target("staged", None, paths)
    if args.diff is not None:
        if not args.diff.strip():
            raise UserError("--diff needs a range, e.g. --diff origin/main...HEAD")
        return Target("range", args.diff, paths)
    if args.all:
        return Target("repo")
    if paths:
        return Target("files", None, paths)
    return Target(args.default_target)
