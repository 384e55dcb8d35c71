"""Salience records: one row per file, one report per commit; JSON both ways."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ananke_ci.core.intensity import Intensity
from ananke_ci.core.records import record, record_fields


class Quadrant(StrEnum):
    FOUNDATIONAL_STABLE = "FoundationalStable"  # central, rarely changed: guard hard
    ACTIVE_HOTSPOT = "ActiveHotspot"  # central and changing: guard everything
    PERIPHERAL_ACTIVE = "PeripheralActive"  # changing at the edge
    QUIET_LEAF = "QuietLeaf"  # neither: syntax is enough


INTENSITY_FOR: dict[Quadrant, Intensity] = {
    Quadrant.FOUNDATIONAL_STABLE: Intensity.FULL_HARD,
    Quadrant.ACTIVE_HOTSPOT: Intensity.FULL,
    Quadrant.PERIPHERAL_ACTIVE: Intensity.STANDARD,
    Quadrant.QUIET_LEAF: Intensity.SYNTAX_ONLY,
}


@record(frozen=True, slots=True)
class Centrality:
    pagerank: float
    betweenness: float
    hits: float  # HITS authority: imported by files that import much


@record(frozen=True, slots=True)
class FileSalience:
    path: str
    quadrant: Quadrant
    intensity: Intensity
    score: float  # composite, 0..1
    centrality: float  # x axis: PageRank/betweenness/HITS percentile blend, 0..1
    activity: float  # y axis: churn/commit percentile blend, 0..1
    churn: float  # lines added + deleted, recency-decayed
    commits: int
    added: int
    deleted: int
    authors: int
    bus_factor: int  # fewest authors who made over half of the commits
    partners: int  # files it changed together with at least twice
    pagerank: float
    betweenness: float
    hits: float
    lines: int
    tested: bool  # a test file imports it or changes with it (or it is a test)
    confidence: float  # low for files created or rewritten recently

    def to_json(self) -> dict[str, Any]:
        # every field is a scalar: a shallow dict, not asdict's deep copy (5x slower)
        row = {name: getattr(self, name) for name in _FIELDS}
        row["quadrant"] = self.quadrant.value
        row["intensity"] = self.intensity.name.lower()
        return row

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> FileSalience:
        args = {k: v for k, v in row.items() if k in _KNOWN}
        args["quadrant"] = Quadrant(row["quadrant"])
        args["intensity"] = Intensity.parse(row["intensity"])
        return cls(**args)


_FIELDS = record_fields(FileSalience)  # in order: JSON output keeps it
_KNOWN = frozenset(_FIELDS)


@record(frozen=True, slots=True)
class SalienceReport:
    head: str | None  # the commit it describes; None for a repository without commits
    commits: int  # commits mined (all reachable from head)
    shallow: bool
    graph: str  # which graph the centralities come from: "imports" or "co-change"
    files: tuple[FileSalience, ...]
    notices: tuple[str, ...] = ()

    def intensities(self) -> dict[str, Intensity]:
        return {f.path: f.intensity for f in self.files}

    def to_json(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "commits": self.commits,
            "shallow": self.shallow,
            "graph": self.graph,
            "notices": list(self.notices),
            "files": [f.to_json() for f in self.files],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SalienceReport:
        return cls(
            head=data["head"],
            commits=int(data["commits"]),
            shallow=bool(data["shallow"]),
            graph=str(data["graph"]),
            notices=tuple(data["notices"]),
            files=tuple(FileSalience.from_json(r) for r in data["files"]),
        )
