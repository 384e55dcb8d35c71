"""What a salience run keeps for the next one: history totals, import facts, centralities.

Import facts are keyed by blob sha (a file's imports change only when its content does) and
centralities by a digest of the graph (most commits leave the import graph as it was).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ananke_ci.analysis.salience.aggregate import HistoryState
from ananke_ci.analysis.salience.imports import ImportSpec
from ananke_ci.analysis.salience.model import Centrality


@dataclass(frozen=True, slots=True)
class CentralityCache:
    key: str  # graph_key of the graph they were computed on
    values: dict[str, Centrality] = field(default_factory=dict)


@dataclass(slots=True)
class BuildState:
    history: HistoryState
    imports: dict[str, list[ImportSpec]]  # blob sha -> imports as extracted
    centrality: CentralityCache | None = None

    @classmethod
    def empty(cls) -> BuildState:
        return cls(HistoryState(), {})

    def to_json(self) -> dict[str, Any]:
        cent = None
        if self.centrality is not None:
            values = {p: [c.pagerank, c.betweenness, c.hits]
                      for p, c in self.centrality.values.items()}
            cent = {"key": self.centrality.key, "values": values}
        imports = {b: [[m, list(n)] for m, n in specs] for b, specs in self.imports.items()}
        return {"history": self.history.to_json(), "imports": imports, "centrality": cent}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BuildState:
        cent = data["centrality"]
        centrality = None
        if cent is not None:
            values = {str(p): Centrality(float(a), float(b), float(c))
                      for p, (a, b, c) in cent["values"].items()}
            centrality = CentralityCache(str(cent["key"]), values)
        imports: dict[str, list[ImportSpec]] = {
            str(b): [(str(m), tuple(str(x) for x in n)) for m, n in specs]
            for b, specs in data["imports"].items()
        }
        return cls(HistoryState.from_json(data["history"]), imports, centrality)
