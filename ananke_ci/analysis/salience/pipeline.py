"""History totals + resolved imports -> graphs -> per-file figures -> ranked files (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from ananke_ci.analysis.salience.aggregate import CoChange, HistoryState, decayed
from ananke_ci.analysis.salience.imports import ImportSpec, Resolver
from ananke_ci.analysis.salience.model import Centrality, FileSalience
from ananke_ci.analysis.salience.score import FileFigures, score_files
from ananke_ci.analysis.salience.state import CentralityCache, EdgeCache
from ananke_ci.core.records import record
from ananke_ci.core.testfiles import is_test_path

MIN_SHARED = 2  # co-changing once is coincidence; twice makes partners


@record(frozen=True, slots=True)
class Ranking:
    files: tuple[FileSalience, ...]
    graph: str  # "imports", or "co-change" when no import resolved to a repository file
    centrality: CentralityCache  # to keep for the next run
    edges: int


def paths_key(paths: Sequence[str], go_modules: Mapping[str, str] | None = None) -> str:
    """What resolution looks at besides a file's own imports: the files and Go modules."""
    h = hashlib.sha256()
    for p in sorted(set(paths)):
        h.update(b"\0p" + p.encode())
    for d, m in sorted((go_modules or {}).items()):
        h.update(f"\0g{d}\0{m}".encode())
    return h.hexdigest()


def resolve_imports(
    paths: Sequence[str],
    imports: Mapping[str, Sequence[ImportSpec]],
    blobs: Mapping[str, str],
    go_modules: Mapping[str, str] | None = None,
    cached: EdgeCache | None = None,
) -> EdgeCache:
    """The files each file of `blobs` (path -> blob, the files whose imports we resolve)
    imports, among `paths`. Resolved again only for files whose blob changed, all of them
    when the paths or Go modules changed; `imports` may leave out the others."""
    key = paths_key(paths, go_modules)
    old = cached.files if cached is not None and cached.key == key else {}
    resolver: Resolver | None = None
    files: dict[str, tuple[str, tuple[str, ...]]] = {}
    for path, blob in blobs.items():
        hit = old.get(path)
        if hit is None or hit[0] != blob:
            resolver = resolver or Resolver(paths, go_modules)
            hit = (blob, tuple(sorted(resolver.resolve(path, imports[path]))))
        files[path] = hit
    return EdgeCache(key, files)


def rank(
    history: HistoryState,
    paths: Sequence[str],
    imports: EdgeCache,
    cached: CentralityCache | None = None,
) -> Ranking:
    """Rank `paths` (the source files at the history's head).

    Centralities come from the import graph; a repository where no import resolves (a
    language we do not resolve) falls back to the co-change graph. They are reused from
    `cached` when the graph is unchanged.
    """
    nodes = sorted(set(paths))
    edges = {(src, dst) for src, (_, dsts) in imports.files.items() for dst in dsts}
    pairs = history.co_changes(set(nodes), MIN_SHARED)
    kind = "imports"
    weighted = sorted((a, b, 1.0) for a, b in edges)
    if not weighted:
        kind = "co-change"
        weighted = sorted((a, b, cc.weight) for (a, b), cc in pairs.items())
    key = graph_key(kind, nodes, weighted)
    cent = cached
    if cent is None or cent.key != key:
        # networkx is imported only here: an unchanged graph (most commits) never needs it
        from ananke_ci.analysis.salience.graphs import build_graph, centralities

        graph = build_graph(nodes, weighted, directed=kind == "imports")
        cent = CentralityCache(key, centralities(graph))
    partners, tested = _partners_and_tests(paths, edges, pairs)
    none = Centrality(0.0, 0.0, 0.0)
    figures = [
        _figures(
            history, p, partners.get(p, ()), tested=p in tested, centrality=cent.values.get(p, none)
        )
        for p in paths
    ]
    return Ranking(tuple(score_files(figures)), kind, cent, len(weighted))


def graph_key(kind: str, nodes: Sequence[str], edges: Sequence[tuple[str, str, float]]) -> str:
    """A digest of the graph: centralities are reused while it stays the same."""
    h = hashlib.sha256(kind.encode())
    for n in nodes:
        h.update(b"\0n" + n.encode())
    for a, b, w in edges:
        h.update(f"\0e{a}\0{b}\0{w!r}".encode())
    digest: str = h.hexdigest()
    return digest


def _partners_and_tests(
    paths: Sequence[str],
    edges: set[tuple[str, str]],
    pairs: Mapping[tuple[str, str], CoChange],
) -> tuple[dict[str, list[str]], set[str]]:
    partners: dict[str, list[str]] = {}
    for a, b in pairs:  # co_changes kept only the pairs of at least MIN_SHARED commits
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    tests = {p for p in paths if is_test_path(p)}
    tested = set(tests)
    tested.update(dst for src, dst in edges if src in tests)
    tested.update(p for p, ps in partners.items() if any(q in tests for q in ps))
    return partners, tested


def _figures(
    history: HistoryState,
    path: str,
    partners: Sequence[str],
    *,
    tested: bool,
    centrality: Centrality,
) -> FileFigures:
    acc = history.file(path)
    if acc is None:  # e.g. a file only a merge commit added: no diff in the log for it
        return FileFigures(path, 0.0, 0.0, 0, 0, 0, 0, (), 0.0, len(partners), tested, centrality)
    return FileFigures(
        path=path,
        churn=decayed(acc.churn_w, history.newest),
        recent_commits=decayed(acc.commits_w, history.newest),
        commits=acc.commits,
        added=acc.added,
        deleted=acc.deleted,
        lines=acc.size,
        author_commits=tuple(sorted(acc.authors.values(), reverse=True)),
        age_days=(history.newest - acc.born) / 86400,
        partners=len(partners),
        tested=tested,
        centrality=centrality,
    )
