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
    from ananke_ci.analysis.salience.pipeline import rank

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
        tree = git.tree_blobs(root, head)
        paths, imports, go_modules = _import_facts(root, tree, state)
    with timings.stage("graph"):
        ranking = rank(state.history, paths, imports, go_modules, state.centrality)
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
    root: Path, tree: list[tuple[str, str]], state: BuildState,
) -> tuple[list[str], dict[str, list[ImportSpec]], dict[str, str]]:
    """Source paths at HEAD, their imports (extracted only for blobs not seen before), and
    the Go module of each directory holding a go.mod. Prunes facts of blobs gone from HEAD."""
    from ananke_ci.adapters import history as git
    from ananke_ci.analysis.extract import extract_facts
    from ananke_ci.analysis.languages import language_for_path
    from ananke_ci.analysis.salience.imports import go_module_path

    sources = [(p, b, lang) for p, b in tree if (lang := language_for_path(p)) is not None]
    go_mods = [(p, b) for p, b in tree if p == "go.mod" or p.endswith("/go.mod")]
    wanted = {b: (p, lang) for p, b, lang in sources
              if lang in RESOLVED_LANGUAGES and b not in state.imports}
    go_modules: dict[str, str] = {}
    mod_dirs = {b: p.rpartition("/")[0] for p, b in go_mods}
    for sha, data in git.read_blobs(root, [*wanted, *mod_dirs]):
        if sha in mod_dirs:
            module = go_module_path(data)
            if module:
                go_modules[mod_dirs[sha]] = module
        if sha in wanted:
            path, lang = wanted[sha]
            facts = extract_facts(path, data, lang) if len(data) <= MAX_FACT_BYTES else None
            state.imports[sha] = [(i.module, i.names) for i in facts.imports] if facts else []
    live = {b for _, b, _ in sources}
    state.imports = {b: specs for b, specs in state.imports.items() if b in live}
    imports = {p: state.imports[b] for p, b, _ in sources if b in state.imports}
    return [p for p, _, _ in sources], imports, go_modules


def _load_state(git_dir: Path) -> BuildState | None:
    try:
        return BuildState.from_json(cache.read(git_dir, cache.STATE, "state"))
    except (cache.CacheInvalid, KeyError, TypeError, ValueError):
        return None
