"""Mining a commit's constraints from per-file summaries cached by blob.

A commit's mined constraints are a sum over its source files (analysis/constraints/summary.py).
The summaries live under `.git/ananke/summaries/` (the facts cache's packs, with their own
fingerprint), so mining the next commit parses and scans only the blobs it changed: the
validator can afford to mine the constraints of every base it is asked about. Not on the
hook's path when the constraints of its base are cached (app/judge.py decides).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ananke_ci.adapters import history
from ananke_ci.adapters.cache.facts_cache import FactsCache
from ananke_ci.adapters.cache.ir_cache import code_fingerprint
from ananke_ci.analysis.constraints.mine import MiningInput, mine_all
from ananke_ci.analysis.constraints.scan import scan_file
from ananke_ci.analysis.constraints.summarize import summarize
from ananke_ci.analysis.constraints.summary import VERSION as SUMMARY_VERSION
from ananke_ci.analysis.constraints.summary import FileSummary
from ananke_ci.analysis.languages import language_for_path
from ananke_ci.analysis.salience.imports import import_edges
from ananke_ci.app.repo_facts import FactKeys, facts_at, fingerprint
from ananke_ci.core.config import Config
from ananke_ci.core.constraints import Constraint
from ananke_ci.core.globs import first_match
from ananke_ci.core.records import record

CACHE_NAME = "summaries"


@record(frozen=True, slots=True)
class Mined:
    constraints: tuple[Constraint, ...]
    files: int  # source files summarised
    parsed: int  # of which parsed and scanned now (the rest came from the cache)


def summaries_at(
    root: Path,
    commit: str,
    config: Config,
    *,
    use_cache: bool = True,
) -> tuple[dict[str, FileSummary], list[str], dict[str, str], int]:
    """(path -> summary of every source file at `commit` that the config does not exclude,
    every path of the tree, go module paths, how many files were parsed now)."""
    tree = history.tree_blobs(root, commit)
    keys = FactKeys()
    wanted = {
        p: b
        for p, b in tree
        if language_for_path(p) is not None and first_match(p, config.exclude) is None
    }
    git_dir = history.git_dir(root)
    store = FactsCache.open(git_dir, summary_fingerprint(), CACHE_NAME) if use_cache else None
    found: dict[str, FileSummary] = {}
    key_of: dict[str, str] = {}
    for path, blob in wanted.items():
        key = key_of[path] = keys(blob, language_for_path(path) or "", path)
        entry = store.get(key) if store is not None else None
        summary = FileSummary.decode(entry[0]) if entry is not None else None
        if summary is not None:
            found[path] = summary
    missing = {p for p in wanted if p not in found}
    repo = facts_at(
        root,
        commit,
        lambda p, _lang: p in missing,
        tree=tree,
        git_dir=git_dir,
        max_bytes=config.max_file_bytes,
        with_sources=True,
        skip={p: b for p, b in wanted.items() if p in found},
    )
    for path, facts in repo.facts.items():
        summary = summarize(scan_file(facts, repo.sources.get(path, b"")))
        found[path] = summary
        if store is not None and not (facts.skipped or "").startswith("too large"):
            store.put(key_of[path], (summary.encode(), b""))
    if store is not None:
        store.flush()
    ordered = {p: found[p] for p in wanted if p in found}
    return ordered, [p for p, _ in tree], repo.go_modules, len(repo.facts)


def mine_commit(
    root: Path, commit: str, config: Config, foundational: frozenset[str], *, use_cache: bool = True
) -> Mined:
    """Every mined constraint of `commit` (nothing declared)."""
    summaries, paths, go_modules, parsed = summaries_at(root, commit, config, use_cache=use_cache)
    imports = {p: list(s.imports) for p, s in summaries.items()}
    edges = frozenset(import_edges(imports, paths, go_modules))
    mined = mine_all(MiningInput(summaries, edges, foundational), config.constraints)
    return Mined(tuple(mined), len(summaries), parsed)


def summary_fingerprint() -> str:
    """What a summary depends on: the facts (the extractor's fingerprint) and the miner's
    code."""
    text = f"{SUMMARY_VERSION}:{fingerprint()}:{code_fingerprint()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def repository_names(root: Path, commit: str, config: Config) -> frozenset[str]:
    """Every name the repository's files at `commit` define, call or import (from the
    summaries: cached once the commit's constraints were mined)."""
    summaries, _paths, _go, _parsed = summaries_at(root, commit, config)
    names: set[str] = set()
    for s in summaries.values():
        names.update(name for _kind, name in s.names)
        names.update(name for name, _lines in s.calls)
        for module, imported in s.imports:
            names.update(imported)
            names.add(module.rsplit("/", 1)[-1].rsplit(".", 1)[-1].strip("\"'"))
    return frozenset(names)
