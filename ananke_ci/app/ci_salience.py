"""Salience of the change's base for the bot, refreshed incrementally in `.git/ananke`.

The checkout of a `pull_request` run is a merge commit that no later run descends from, so a
cache built there would be rebuilt every time. The base commit is on the target branch:
the next run's base descends from it, and `compute_salience` mines only the commits since.
The base is mined in a checkout-free worktree whose cache folder is the main one's.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ananke_ci.adapters.cache.cache_paths import cache_dir
from ananke_ci.adapters.git import read as git
from ananke_ci.adapters.proc import run
from ananke_ci.analysis.salience.model import SalienceReport
from ananke_ci.app.salience import compute_salience


def base_salience(root: Path, base: str) -> SalienceReport:
    """The salience report of commit `base`, through (and into) root's cache."""
    main_cache = cache_dir(git.git_dir(root))
    main_cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ananke-base-") as tmp:
        work = Path(tmp) / "base"
        run(
            ["git", "worktree", "add", "--detach", "--no-checkout", "--quiet", str(work), base],
            cwd=root,
        )
        link = cache_dir(git.git_dir(work))
        try:
            link.symlink_to(main_cache, target_is_directory=True)
            return compute_salience(work)
        finally:
            if link.is_symlink():
                link.unlink()  # before git removes the worktree's folder
            run(["git", "worktree", "remove", "--force", str(work)], cwd=root, check=False)
            run(["git", "worktree", "prune"], cwd=root, check=False)
