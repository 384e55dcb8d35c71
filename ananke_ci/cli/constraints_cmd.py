"""What `extract` and `compile` share: their options and building the IR."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ananke_ci.adapters.cache.cache_paths import cache_notices
from ananke_ci.adapters.config_file import load_config
from ananke_ci.app.constraints import compile_constraints
from ananke_ci.app.judge import tty_progress
from ananke_ci.cli.common import repo_root_here

if TYPE_CHECKING:
    from ananke_ci.app.constraints import CompileResult


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rev", default="HEAD", help="the commit to mine (default: HEAD)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-cache", action="store_true", help="mine again, ignoring the cache")
    p.add_argument("--config", metavar="PATH", type=Path, help="config file")


def build(args: argparse.Namespace) -> CompileResult:
    root = repo_root_here()
    config = load_config(root, args.config)
    result = compile_constraints(
        root, config, args.rev, use_cache=not args.no_cache, progress=tty_progress
    )
    for notice in cache_notices():
        print(f"ananke-ci: {notice}", file=sys.stderr)
    print(
        f"ananke-ci: IR {result.ir.inputs} "
        + ("(cache hit)" if result.cache_hit else "(compiled)"),
        file=sys.stderr,
    )
    return result
