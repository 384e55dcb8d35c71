"""What a salience run keeps for the next one: history totals, resolved imports, centralities.

Resolved imports are kept per file with its blob, valid while the set of source files and
Go modules stays the same (resolution looks only at those and the file's own imports);
centralities are keyed by a digest of the graph (most commits leave it as it was). Import
facts themselves are not kept here: the facts cache (app.repo_facts) holds them by blob.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ananke_ci.analysis.salience.aggregate import HistoryState
from ananke_ci.analysis.salience.model import Centrality


@dataclass(frozen=True, slots=True)
class CentralityCache:
    key: str  # graph_key of the graph they were computed on
    values: dict[str, Centrality] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EdgeCache:
    key: str  # digest of the source paths and Go modules the targets were resolved among
    files: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # path -> (blob, the repository files its imports resolved to)


@dataclass(slots=True)
class BuildState:
    history: HistoryState
    centrality: CentralityCache | None = None
    edges: EdgeCache | None = None

    @classmethod
    def empty(cls) -> BuildState:
        return cls(HistoryState())

    def to_json(self) -> dict[str, Any]:
        cent = None
        if self.centrality is not None:
            values = {p: [c.pagerank, c.betweenness, c.hits]
                      for p, c in self.centrality.values.items()}
            cent = {"key": self.centrality.key, "values": values}
        edges = None
        if self.edges is not None:
            files = {p: [b, list(t)] for p, (b, t) in self.edges.files.items()}
            edges = {"key": self.edges.key, "files": files}
        return {"history": self.history.to_json(), "centrality": cent, "edges": edges}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BuildState:
        cent = data["centrality"]
        centrality = None
        if cent is not None:
            values = {str(p): Centrality(float(a), float(b), float(c))
                      for p, (a, b, c) in cent["values"].items()}
            centrality = CentralityCache(str(cent["key"]), values)
        raw = data.get("edges")
        edges = None
        if raw is not None:
            files = {str(p): (str(b), tuple(map(str, t))) for p, (b, t) in raw["files"].items()}
            edges = EdgeCache(str(raw["key"]), files)
        return cls(HistoryState.from_json(data["history"]), centrality, edges)
