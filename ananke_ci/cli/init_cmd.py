"""`ananke-ci init`: a commented .ananke.toml seeded from what was mined."""

from __future__ import annotations

import argparse

from ananke_ci.app.constraints import compile_constraints
from ananke_ci.app.init_config import render_init, write_init
from ananke_ci.cli.common import repo_root_here
from ananke_ci.core.config import Config
from ananke_ci.core.errors import UserError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init",
        help="write a commented .ananke.toml seeded from what was mined",
        description="Mine the repository and write .ananke.toml with every "
        "mined constraint listed (to keep, relax or disable) and examples.",
    )
    p.add_argument("--force", action="store_true", help="replace an existing .ananke.toml")
    p.add_argument("--rev", default="HEAD", help="the commit to mine (default: HEAD)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root_here()
    if (root / ".ananke.toml").exists() and not args.force:
        raise UserError("already exists; `ananke-ci init --force` replaces it", path=".ananke.toml")
    config = Config()
    result = compile_constraints(root, config, args.rev)
    mined = [c for c in result.ir.constraints if c.source == "mined"]
    path = write_init(root, render_init(mined, config, result.ir.rev or ""), args.force)
    print(f"wrote {path.name}: {len(mined)} mined constraints listed")
    return 0
