"""Constraints end to end: mine a commit, read the declarations, compile and cache the IR;
and `load_ir`, the hot-path reader the validator uses.

The IR is cached by a hash of everything it is built from (the commit's tree, the config's
constraint keys, the Ariadne files, the FoundationalStable files, the tool version), so an
unchanged repository compiles to the byte-identical IR without mining again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ananke_ci import __version__
from ananke_ci.adapters import ir_cache
from ananke_ci.core.config import Config
from ananke_ci.core.constraints import IR_VERSION, Constraint, ConstraintIR
from ananke_ci.core.errors import UserError
from ananke_ci.core.globs import first_match, glob_match

if TYPE_CHECKING:
    from ananke_ci.analysis.constraints.mine import MiningInput


@dataclass(frozen=True, slots=True)
class CompileResult:
    ir: ConstraintIR
    cache_hit: bool
    text: str  # the IR's canonical JSON, as cached


def resolve_rev(root: Path, rev: str) -> tuple[str, str]:
    """(commit, tree) of a revision; UserError when it names no commit."""
    from ananke_ci.adapters.proc import run

    if rev.startswith("-"):
        raise UserError(f"unknown revision {rev!r}")
    res = run(["git", "rev-parse", f"{rev}^{{commit}}", f"{rev}^{{tree}}"], cwd=root,
              check=False)
    lines = res.stdout.decode().split()
    if res.returncode != 0 or len(lines) != 2:
        raise UserError(f"unknown revision {rev!r}: not a commit (is the repository empty?)")
    return lines[0], lines[1]


def ariadne_sources(root: Path, config: Config) -> list[tuple[str, str]]:
    """(path, text) of the tracked Ariadne files, as in the work tree."""
    from ananke_ci.adapters import git

    globs = config.constraints.ariadne
    out = []
    for path in git.ls_files(root):
        if path.endswith(".ariadne") and any(glob_match(path, g) for g in globs):
            try:
                out.append((path, (root / path).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"cannot read Ariadne file: {exc}", path=path) from None
    return out


def declared_constraints(root: Path, config: Config,
                         sources: list[tuple[str, str]]) -> list[Constraint]:
    from ananke_ci.analysis.constraints.ariadne import parse_ariadne
    from ananke_ci.analysis.constraints.declared import to_constraints

    decls = list(config.declared)
    for path, text in sources:
        decls += parse_ariadne(text, path)
    return to_constraints(decls)


def foundational_files(root: Path) -> frozenset[str]:
    """FoundationalStable files from the salience cache, mining it first if there is none."""
    from ananke_ci.analysis.salience.model import Quadrant
    from ananke_ci.app.salience import compute_salience, load_report

    report = load_report(root) or compute_salience(root)
    return frozenset(f.path for f in report.files
                     if f.quadrant is Quadrant.FOUNDATIONAL_STABLE)


def inputs_key(tree: str, config: Config, sources: list[tuple[str, str]],
               foundational: frozenset[str]) -> str:
    body = {
        "tool": __version__, "ir": IR_VERSION, "code": _code_fingerprint(), "tree": tree,
        "settings": asdict(config.constraints), "exclude": list(config.exclude),
        "declared": [asdict(d) for d in config.declared],
        "ariadne": sources, "foundational": sorted(foundational),
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def _code_fingerprint() -> str:
    """The miner's own source: a changed rule must not be served a stale IR."""
    from ananke_ci.analysis import constraints

    digest = hashlib.sha256()
    for path in sorted(Path(constraints.__path__[0]).glob("*.*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def compile_constraints(root: Path, config: Config, rev: str = "HEAD", *,
                        use_cache: bool = True) -> CompileResult:
    """The IR of `rev` (mined) plus the declarations (work tree), cached by content hash."""
    from ananke_ci.analysis.constraints.compile import compile_ir
    from ananke_ci.analysis.constraints.mine import mine_all

    commit, tree = resolve_rev(root, rev)
    sources = ariadne_sources(root, config)
    declared = declared_constraints(root, config, sources)  # syntax errors before mining
    foundational = foundational_files(root) if config.constraints.mine else frozenset()
    key = inputs_key(tree, config, sources, foundational)
    if use_cache:
        cached = ir_cache.read_keyed(root, key)
        if cached is not None:
            try:
                ir = ConstraintIR.from_json(json.loads(cached))
            except (KeyError, TypeError, ValueError):
                ir = None
            if ir is not None and ir.inputs == key:
                ir_cache.write(root, key, cached)
                return CompileResult(ir, True, cached)
    mined: list[Constraint] = []
    notices: list[str] = []
    if config.constraints.mine:
        data = mining_input(root, commit, config, foundational, use_cache=use_cache)
        mined = mine_all(data, config.constraints)
        notices.append(f"mined {len(data.scans)} source files at {commit[:12]}")
    ir = compile_ir(mined, declared, config.constraints, key, commit, notices)
    text = ir.dumps()
    ir_cache.write(root, key, text)
    return CompileResult(ir, False, text)


def mining_input(root: Path, commit: str, config: Config,
                 foundational: frozenset[str], *, use_cache: bool = True) -> MiningInput:
    """Facts and scans of every source file at `commit`, and its import graph."""
    from ananke_ci.analysis.constraints.mine import MiningInput
    from ananke_ci.analysis.constraints.scan import scan_file
    from ananke_ci.analysis.salience.imports import import_edges
    from ananke_ci.app.repo_facts import facts_at

    repo = facts_at(root, commit, lambda path, _lang: first_match(path, config.exclude) is None,
                    refresh=not use_cache, max_bytes=config.max_file_bytes, with_sources=True)
    scans = {p: scan_file(f, repo.sources[p]) for p, f in repo.facts.items() if not f.skipped}
    imports = {p: [(i.module, i.names) for i in s.facts.imports] for p, s in scans.items()}
    edges = import_edges(imports, [p for p, _ in repo.tree], repo.go_modules)
    return MiningInput(scans, frozenset(edges), foundational)
