"""Constraints end to end: a commit's mined constraints (cached by key), the declared ones
(config tables and Ariadne files, parsed once per content), and the whole ConstraintIR that
`compile` prints.

What the validator reads is assembled in app/judge.py from these parts, always for the
change's base commit; this module is the slow side (mining, Lark) it calls only on a miss.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ananke_ci.adapters.cache import ir_cache
from ananke_ci.adapters.proc import run
from ananke_ci.analysis.constraints.compile import compile_ir
from ananke_ci.analysis.salience.model import Quadrant
from ananke_ci.app.declared import ariadne_sources, declared_constraints
from ananke_ci.app.mining import mine_commit
from ananke_ci.app.salience import compute_salience, load_report
from ananke_ci.core.config import Config
from ananke_ci.core.constraints import ConstraintIR
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record


@record(frozen=True, slots=True)
class MinedIR:
    ir: ConstraintIR  # the mined constraints only, `inputs` its cache key, `rev` the commit
    cache_hit: bool
    seconds: float  # spent mining (0 on a hit)
    files: int = 0
    parsed: int = 0


@record(frozen=True, slots=True)
class CompileResult:
    ir: ConstraintIR
    cache_hit: bool  # the mined part came from the cache
    text: str  # the IR's canonical JSON


def resolve_rev(root: Path, rev: str) -> tuple[str, str]:
    """(commit, tree) of a revision; UserError when it names no commit."""
    if rev.startswith("-"):
        raise UserError(f"unknown revision {rev!r}")
    res = run(["git", "rev-parse", f"{rev}^{{commit}}", f"{rev}^{{tree}}"], cwd=root, check=False)
    lines = res.stdout.decode().split()
    if res.returncode != 0 or len(lines) != 2:
        raise UserError(f"unknown revision {rev!r}: not a commit (is the repository empty?)")
    return lines[0], lines[1]


def mined_ir(
    root: Path,
    commit: str,
    tree: str,
    config: Config,
    foundational: frozenset[str],
    *,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> MinedIR:
    """The mined constraints of `commit`: from the cache, else mined (incrementally: only
    blobs no earlier run summarised are parsed) and cached; `progress` hears of a miss."""
    key = ir_cache.mined_key(tree, config, foundational)
    if use_cache:
        cached = ir_cache.read_mined(root, key)
        if cached is not None:
            return MinedIR(cached, True, 0.0)
    if progress and config.constraints.mine:
        progress(f"mining the constraints of {commit[:12]} (first time for this commit)...")
    started = time.perf_counter()
    if config.constraints.mine:
        mined = mine_commit(root, commit, config, foundational, use_cache=use_cache)
        rows, files, parsed = mined.constraints, mined.files, mined.parsed
    else:
        rows, files, parsed = (), 0, 0
    notices = (f"mined {files} source files at {commit[:12]}",) if files else ()
    ir = ConstraintIR(inputs=key, rev=commit, constraints=rows, notices=notices)
    ir_cache.write(root, "ir", key, ir.dumps())
    return MinedIR(ir, False, time.perf_counter() - started, files, parsed)


def foundational_files(root: Path) -> frozenset[str]:
    """FoundationalStable files from the salience cache, mining it first if there is none
    (`compile` and `extract` do; the validator takes what is cached)."""
    report = load_report(root) or compute_salience(root)
    return frozenset(f.path for f in report.files if f.quadrant is Quadrant.FOUNDATIONAL_STABLE)


def compile_constraints(
    root: Path,
    config: Config,
    rev: str = "HEAD",
    *,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> CompileResult:
    """The whole IR of `rev`: its mined constraints and the declarations (config and Ariadne
    files as in the work tree), with conflicts and generation artefacts."""
    commit, tree = resolve_rev(root, rev)
    sources = ariadne_sources(root, config)
    declared = declared_constraints(root, config, sources)  # syntax errors before mining
    foundational = foundational_files(root) if config.constraints.mine else frozenset()
    mined = mined_ir(
        root, commit, tree, config, foundational, use_cache=use_cache, progress=progress
    )
    if not mined.cache_hit and mined.files:
        print(
            f"ananke-ci: mined {mined.files} files at {commit[:12]} in "
            f"{mined.seconds:.1f} s ({mined.parsed} parsed)",
            file=sys.stderr,
        )
    inputs = ir_cache.text_key(
        [
            ("mined", mined.ir.inputs),
            ("declared", json.dumps([c.to_json() for c in declared], sort_keys=True)),
        ]
    )
    ir = compile_ir(
        mined.ir.constraints, declared, config.constraints, inputs, commit, mined.ir.notices
    )
    return CompileResult(ir, mined.cache_hit, ir.dumps())
