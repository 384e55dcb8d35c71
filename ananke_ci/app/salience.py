"""Salience end to end: mine history, resolve imports, rank, cache.

The validator's hot-path reader, `load_intensities`, lives in app/intensities.py (re-exported
here); networkx and tree-sitter are imported inside `compute_salience`, off the hot path.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from ananke_ci.adapters import salience_cache as cache
from ananke_ci.analysis.salience.imports import ImportSpec
from ananke_ci.analysis.salience.model import SalienceReport
from ananke_ci.analysis.salience.state import BuildState
from ananke_ci.app.intensities import load_intensities

__all__ = ["compute_salience", "load_intensities", "load_report"]

# languages whose imports analysis.salience.imports resolves to files
RESOLVED_LANGUAGES = frozenset({"python", "javascript", "typescript", "tsx", "go", "rust", "java"})
MAX_FACT_BYTES = 1 << 20  # larger sources are generated or vendored: not worth parsing


class Progress(Protocol):
    """A progress display for mining (the CLI passes a rich bar, or nothing)."""

    def start(self, total: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def stop(self) -> None: ...


def load_report(root: Path) -> SalienceReport | None:
    """The cached report, if there is a valid one."""
    git_dir = cache.find_git_dir(root)
    if git_dir is None:
        return None
    try:
        return SalienceReport.from_json(cache.read(git_dir, cache.REPORT, "report"))
    except (cache.CacheInvalid, KeyError, TypeError, ValueError):
        return None


class Timings(dict[str, float]):
    """Seconds per stage (mine, facts, graph, score, save), for `--verbose` and benchmarks."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - t0


def compute_salience(
    root: Path, *, use_cache: bool = True, write_cache: bool = True,
    progress: Progress | None = None, timings: Timings | None = None,
) -> SalienceReport:
    """Salience of every tracked source file at HEAD, reusing and refreshing the cache.

    With a cache for an ancestor of HEAD, only the commits since are mined; a cache for a
    commit HEAD does not descend from (rebase, other branch) or a damaged one is rebuilt.
    use_cache=False ignores what is cached; write_cache=False leaves it as it was.
    """
    from ananke_ci.adapters import history as git
    from ananke_ci.analysis.salience.pipeline import rank, resolve_imports

    timings = timings if timings is not None else Timings()
    head = git.head_commit(root)
    if head is None:
        return SalienceReport(None, 0, False, "imports", (), ("no commits yet",))
    git_dir = git.git_dir(root)
    if use_cache:
        report = load_report(root)
        if report is not None and report.head == head:
            return report
    state = _load_state(git_dir) if use_cache else None
    since = state.history.head if state is not None else None
    if state is None or since is None or not git.is_ancestor(root, since, head):
        state, since = BuildState.empty(), None
    shallow = git.is_shallow(root)
    with timings.stage("mine"):
        _mine(root, head, since, state, progress)
    with timings.stage("facts"):
        paths, imports, blobs, go_modules = _import_facts(root, head, refresh=not use_cache,
                                                          write=write_cache)
    with timings.stage("graph"):
        state.edges = resolve_imports(paths, imports, blobs, go_modules, state.edges)
        ranking = rank(state.history, paths, state.edges, state.centrality)
        state.centrality = ranking.centrality
    notices = [f"history is shallow: {state.history.commits} commits"] if shallow else []
    report = SalienceReport(head, state.history.commits, shallow, ranking.graph,
                            ranking.files, tuple(notices))
    if not write_cache:
        return report
    with timings.stage("save"):
        cache.write(git_dir, cache.STATE, "state", state.to_json())
        cache.write(git_dir, cache.REPORT, "report", report.to_json())
        intensities = {f.path: f.intensity.name.lower() for f in report.files}
        cache.write(git_dir, cache.INTENSITIES, "intensities", {"head": head, "files": intensities})
    return report


def _mine(root: Path, head: str, since: str | None, state: BuildState,
          progress: Progress | None) -> None:
    from ananke_ci.adapters import history as git

    if progress is not None:
        progress.start(git.count_commits(root, f"{since}..{head}" if since else head))
    advance = (lambda _commit: progress.advance()) if progress is not None else None
    try:
        for commit in git.mine(root, head, since=since, on_commit=advance):
            state.history.add(commit)
    finally:
        if progress is not None:
            progress.stop()
    state.history.head = head


def _import_facts(
    root: Path, head: str, *, refresh: bool, write: bool,
) -> tuple[list[str], dict[str, list[ImportSpec]], dict[str, str], dict[str, str]]:
    """Source paths at `head`, the imports of those in a language we resolve (parsed only
    for blobs the facts cache has not seen), their blobs, and the Go module of each
    go.mod directory."""
    from ananke_ci.analysis.languages import language_for_path
    from ananke_ci.app.repo_facts import facts_at

    repo = facts_at(root, head, lambda _path, lang: lang in RESOLVED_LANGUAGES,
                    refresh=refresh, write=write, max_bytes=MAX_FACT_BYTES, parts="imports")
    paths = [p for p, _ in repo.tree if language_for_path(p) is not None]
    imports = {p: [(i.module, i.names) for i in f.imports] for p, f in repo.facts.items()}
    blobs = {p: b for p, b in repo.tree if p in imports}
    return paths, imports, blobs, repo.go_modules


def _load_state(git_dir: Path) -> BuildState | None:
    try:
        return BuildState.from_json(cache.read(git_dir, cache.STATE, "state"))
    except (cache.CacheInvalid, KeyError, TypeError, ValueError):
        return None
