"""What a salience run keeps for the next one: history totals, resolved imports, centralities.

Two files: the history as of some commit (the base), and the commits mined since with the
resolved imports and centralities (see BuildState).
Resolved imports are kept per file with its blob, valid while the set of source files and
Go modules stays the same (resolution looks only at those and the file's own imports);
centralities are keyed by a digest of the graph (most commits leave it as it was). Import
facts themselves are not kept here: the facts cache (app.repo_facts) holds them by blob.
"""

from __future__ import annotations

from typing import Any

from ananke_ci.analysis.history import Commit, FileChange
from ananke_ci.analysis.salience.aggregate import HistoryState
from ananke_ci.analysis.salience.model import Centrality
from ananke_ci.core.records import field, record

RECENT_MAX = 500  # commits kept apart before the base is rewritten (replaying them: ~10 ms)


@record(frozen=True, slots=True)
class CentralityCache:
    key: str  # graph_key of the graph they were computed on
    values: dict[str, Centrality] = field(default_factory=dict)


@record(frozen=True, slots=True)
class EdgeCache:
    key: str  # digest of the source paths and Go modules the targets were resolved among
    files: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # path -> (blob, the repository files its imports resolved to)


@record(slots=True)
class BuildState:
    """History as of `base` (the big, rarely rewritten part) plus what changes every run.

    Rewriting the whole history each run cost more than the run's own work (2 MB of JSON
    on a 5,000-commit repository); so a run writes only the commits mined since `base` with
    the edges and centralities (`recent_json`), and rewrites the base (`base_json`) once
    RECENT_MAX commits have gathered or there is none.
    """

    history: HistoryState
    centrality: CentralityCache | None = None
    edges: EdgeCache | None = None
    base: str | None = None  # head of the history in the base file, None when not written
    recent: list[Commit] = field(default_factory=list)  # mined since `base`, oldest first

    @classmethod
    def empty(cls) -> BuildState:
        return cls(HistoryState())

    def add(self, commit: Commit) -> None:
        self.history.add(commit)
        self.recent.append(commit)

    def needs_base(self) -> bool:
        return self.base is None or len(self.recent) > RECENT_MAX

    def base_json(self) -> dict[str, Any]:
        """The history; afterwards it is the base and no commit is recent."""
        self.base, self.recent = self.history.head, []
        return {"history": self.history.to_json()}

    def recent_json(self) -> dict[str, Any]:
        cent = None
        if self.centrality is not None:
            values = {
                p: [c.pagerank, c.betweenness, c.hits] for p, c in self.centrality.values.items()
            }
            cent = {"key": self.centrality.key, "values": values}
        edges = None
        if self.edges is not None:
            files = {p: [b, list(t)] for p, (b, t) in self.edges.files.items()}
            edges = {"key": self.edges.key, "files": files}
        return {
            "base": self.base,
            "head": self.history.head,
            "centrality": cent,
            "edges": edges,
            "commits": [_commit_row(c) for c in self.recent],
        }

    @classmethod
    def from_json(cls, base: dict[str, Any], recent: dict[str, Any] | None) -> BuildState:
        """The state from the base file and the recent file; a recent file written over
        another base (a run interrupted between the two writes) is left out."""
        history = HistoryState.from_json(base["history"])
        state = cls(history, base=history.head)
        if recent is None or recent["base"] != history.head:
            return state
        state.recent = [_commit(row) for row in recent["commits"]]
        for commit in state.recent:
            history.add(commit)
        history.head = str(recent["head"])
        cent = recent["centrality"]
        if cent is not None:
            values = {
                str(p): Centrality(float(a), float(b), float(c))
                for p, (a, b, c) in cent["values"].items()
            }
            state.centrality = CentralityCache(str(cent["key"]), values)
        raw = recent["edges"]
        if raw is not None:
            files = {str(p): (str(b), tuple(map(str, t))) for p, (b, t) in raw["files"].items()}
            state.edges = EdgeCache(str(raw["key"]), files)
        return state


def _commit_row(c: Commit) -> list[Any]:
    changes = [[f.path, f.added, f.deleted, f.old_path] for f in c.changes]
    return [c.sha, list(c.parents), c.time, c.author, c.author_name, changes]


def _commit(row: list[Any]) -> Commit:
    sha, parents, time, author, name, changes = row
    return Commit(
        str(sha),
        tuple(map(str, parents)),
        int(time),
        str(author),
        str(name),
        tuple(FileChange(str(p), a, d, o) for p, a, d, o in changes),
    )
