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

from ananke_ci.adapters import history as git
from ananke_ci.adapters.cache import salience_cache as cache
from ananke_ci.analysis.salience.imports import ImportSpec, import_spec
from ananke_ci.analysis.salience.model import Quadrant, SalienceReport
from ananke_ci.analysis.salience.pipeline import paths_key, rank, resolve_imports
from ananke_ci.analysis.salience.state import BuildState, EdgeCache
from ananke_ci.app.intensities import load_intensities
from ananke_ci.app.repo_facts import facts_at
from ananke_ci.core.errors import UserError

__all__ = ["compute_salience", "load_intensities", "load_report"]

# languages whose imports analysis.salience.imports resolves to files
RESOLVED_LANGUAGES = frozenset({"python", "javascript", "typescript", "tsx", "go", "rust", "java"})
MAX_FACT_BYTES = 1 << 20  # larger sources are generated or vendored: not worth parsing
RECENT = "salience-recent.json"  # beside cache.STATE: the commits since it (BuildState)


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


def require_graphs() -> None:
    """Salience ranks the import graph with networkx, the `history` extra: without it, a
    message that says what to install, not a crash."""
    import importlib.util

    if importlib.util.find_spec("networkx") is None:
        raise UserError(
            "salience (and `compile`, `extract`, `init`, which need it) wants "
            "networkx: pip install 'ananke-ci[history]'"
        )


class Timings(dict[str, float]):
    """Seconds per stage (load, mine, facts, graph, save), for `--verbose` and benchmarks."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - t0


def compute_salience(
    root: Path,
    *,
    use_cache: bool = True,
    write_cache: bool = True,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> SalienceReport:
    """Salience of every tracked source file at HEAD, reusing and refreshing the cache.

    With a cache for an ancestor of HEAD, only the commits since are mined; a cache for a
    commit HEAD does not descend from (rebase, other branch) or a damaged one is rebuilt.
    use_cache=False ignores what is cached; write_cache=False leaves it as it was.
    """
    require_graphs()
    timings = timings if timings is not None else Timings()
    head = git.head_commit(root)
    if head is None:
        return SalienceReport(None, 0, False, "imports", (), ("no commits yet",))
    git_dir = git.git_dir(root)
    with timings.stage("load"):
        if use_cache and _cached_head(git_dir) == head:
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
        paths, imports, blobs, go_modules = _import_facts(
            root, head, git_dir, state.edges, refresh=not use_cache, write=write_cache
        )
    with timings.stage("graph"):
        state.edges = resolve_imports(paths, imports, blobs, go_modules, state.edges)
        ranking = rank(state.history, paths, state.edges, state.centrality)
        state.centrality = ranking.centrality
    notices = [f"history is shallow: {state.history.commits} commits"] if shallow else []
    report = SalienceReport(
        head, state.history.commits, shallow, ranking.graph, ranking.files, tuple(notices)
    )
    if not write_cache:
        return report
    with timings.stage("save"):
        if state.needs_base():  # before the recent file: that one names the base it extends
            cache.write(git_dir, cache.STATE, "state", state.base_json())
        cache.write(git_dir, RECENT, "recent", state.recent_json())
        cache.write(git_dir, cache.REPORT, "report", report.to_json())
        intensities = {f.path: f.intensity.name.lower() for f in report.files}
        # the validator keys the mined constraints by these (API stability is mined there)
        foundational = sorted(
            f.path for f in report.files if f.quadrant is Quadrant.FOUNDATIONAL_STABLE
        )
        cache.write(
            git_dir,
            cache.INTENSITIES,
            "intensities",
            {"head": head, "files": intensities, "foundational": foundational},
        )
    return report


def _mine(
    root: Path, head: str, since: str | None, state: BuildState, progress: Progress | None
) -> None:
    start = progress.start if progress is not None else None
    advance = (lambda _commit: progress.advance()) if progress is not None else None
    try:
        for commit in git.mine(root, head, since=since, on_start=start, on_commit=advance):
            state.add(commit)
    finally:
        if progress is not None:
            progress.stop()
    state.history.head = head


def _import_facts(
    root: Path,
    head: str,
    git_dir: Path,
    cached: EdgeCache | None,
    *,
    refresh: bool,
    write: bool,
) -> tuple[list[str], dict[str, list[ImportSpec]], dict[str, str], dict[str, str]]:
    """Source paths at `head`; the imports of those in a language we resolve, from the facts
    cache or parsed, left out for files `cached` has resolved at the same blob; the blobs of
    those files; and the Go module of each go.mod directory."""

    def resolved(_path: str, lang: str) -> bool:
        return lang in RESOLVED_LANGUAGES

    skip = {p: b for p, (b, _) in cached.files.items()} if cached and not refresh else None
    repo = facts_at(
        root,
        head,
        resolved,
        refresh=refresh,
        write=write,
        skip=skip,
        max_bytes=MAX_FACT_BYTES,
        parts="imports",
        git_dir=git_dir,
    )
    paths = list(repo.languages)
    if cached and skip and paths_key(paths, repo.go_modules) != cached.key:
        # files came or went: every file's imports resolve again (all in the cache by now)
        repo = facts_at(
            root,
            head,
            resolved,
            write=write,
            max_bytes=MAX_FACT_BYTES,
            parts="imports",
            git_dir=git_dir,
        )
    imports = {p: [import_spec(i, f.language) for i in f.imports] for p, f in repo.facts.items()}
    blobs = {p: b for p, b in repo.tree if resolved(p, repo.languages.get(p, ""))}
    return paths, imports, blobs, repo.go_modules


def _cached_head(git_dir: Path) -> str | None:
    """The head of the cached intensities (written with the report): a small file to read
    before the report, which is worth loading only when it describes HEAD."""
    try:
        head = cache.read(git_dir, cache.INTENSITIES, "intensities").get("head")
    except (cache.CacheInvalid, AttributeError):
        return None
    return head if isinstance(head, str) else None


def _load_state(git_dir: Path) -> BuildState | None:
    try:
        base = cache.read(git_dir, cache.STATE, "state")
    except cache.CacheInvalid:
        return None
    try:
        recent = cache.read(git_dir, RECENT, "recent")
    except cache.CacheInvalid:
        recent = None
    try:
        return BuildState.from_json(base, recent)
    except (KeyError, TypeError, ValueError):
        try:  # a damaged recent file costs only its commits, mined again
            return BuildState.from_json(base, None)
        except (KeyError, TypeError, ValueError):
            return None
