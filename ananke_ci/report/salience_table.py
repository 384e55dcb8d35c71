"""The salience table (rich) and its JSON form.

Rows are taken structurally (any object with these attributes), so this module needs
nothing above ananke_ci.core.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ananke_ci.core.intensity import Intensity
from ananke_ci.core.sanitize import printable


class SalienceRow(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def quadrant(self) -> str: ...
    @property
    def intensity(self) -> Intensity: ...
    @property
    def score(self) -> float: ...
    @property
    def centrality(self) -> float: ...
    @property
    def activity(self) -> float: ...
    @property
    def churn(self) -> float: ...
    @property
    def commits(self) -> int: ...
    @property
    def authors(self) -> int: ...
    @property
    def bus_factor(self) -> int: ...
    @property
    def partners(self) -> int: ...
    @property
    def pagerank(self) -> float: ...
    @property
    def betweenness(self) -> float: ...
    @property
    def hits(self) -> float: ...
    @property
    def lines(self) -> int: ...
    @property
    def tested(self) -> bool: ...
    @property
    def confidence(self) -> float: ...


# field -> (column title, descending by default?)
SORT_FIELDS: dict[str, tuple[str, bool]] = {
    "score": ("score", True), "path": ("path", False), "quadrant": ("quadrant", False),
    "intensity": ("intensity", True), "centrality": ("centr.", True), "churn": ("churn", True),
    "commits": ("commits", True), "authors": ("authors", True), "bus_factor": ("bus", False),
    "partners": ("partners", True), "pagerank": ("PageRank", True),
    "betweenness": ("between.", True), "hits": ("HITS", True), "lines": ("lines", True),
    "tested": ("tested", False), "confidence": ("conf.", False),
}
QUADRANT_STYLE = {
    "FoundationalStable": "bold blue", "ActiveHotspot": "bold red",
    "PeripheralActive": "yellow", "QuietLeaf": "dim",
}


Row = TypeVar("Row", bound=SalienceRow)


def sort_rows(rows: Iterable[Row], field: str = "score") -> list[Row]:
    """Rows ordered by `field` (descending for figures, ascending for names), then path."""
    if field not in SORT_FIELDS:
        raise ValueError(f"cannot sort by {field!r} (choose from: {', '.join(SORT_FIELDS)})")
    descending = SORT_FIELDS[field][1]
    ordered = sorted(rows, key=lambda r: r.path)
    return sorted(ordered, key=lambda r: getattr(r, field), reverse=descending)


def render_table(
    rows: Sequence[SalienceRow], console: Console, *, title: str | None = None,
    notices: Sequence[str] = (),
) -> None:
    table = Table(title=title, header_style="bold", pad_edge=False)
    table.add_column("path", overflow="fold", min_width=20)
    table.add_column("quadrant")
    table.add_column("intensity")
    for name in ("score", "centrality", "churn", "commits", "authors", "bus_factor",
                 "partners", "pagerank", "betweenness", "hits", "lines", "tested",
                 "confidence"):
        table.add_column(SORT_FIELDS[name][0], justify="right")
    for r in rows:
        q = str(r.quadrant)
        table.add_row(  # a path is text, not rich markup, and shows no control character
            Text(printable(r.path, newlines=False)), f"[{QUADRANT_STYLE.get(q, '')}]{q}[/]",
            r.intensity.name.lower(),
            f"{r.score:.3f}", f"{r.centrality:.2f}", f"{r.churn:.0f}", str(r.commits),
            str(r.authors), str(r.bus_factor), str(r.partners), f"{r.pagerank:.4f}",
            f"{r.betweenness:.4f}", f"{r.hits:.4f}", str(r.lines), "yes" if r.tested else "no",
            f"{r.confidence:.2f}",
        )
    console.print(table)
    for notice in notices:
        console.print(Text("note: ", style="yellow") + Text(printable(notice)))


def render_json(report: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    """The report's header fields with `rows` (already sorted and cut) as its files."""
    return json.dumps({**report, "files": list(rows)}, indent=2, sort_keys=False)
