"""The salience table (rich) and its JSON form.

Rows are taken structurally (any object with these attributes), so this module needs
nothing above ananke_ci.core.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from rich import box
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
    "score": ("score", True),
    "path": ("path", False),
    "quadrant": ("quadrant", False),
    "intensity": ("intensity", True),
    "centrality": ("centr.", True),
    "churn": ("churn", True),
    "commits": ("commits", True),
    "authors": ("authors", True),
    "bus_factor": ("bus", False),
    "partners": ("partners", True),
    "pagerank": ("PageRank", True),
    "betweenness": ("between.", True),
    "hits": ("HITS", True),
    "lines": ("lines", True),
    "tested": ("tested", False),
    "confidence": ("conf.", False),
}
# what `salience` shows unless --columns says otherwise: fits an 80-column terminal
DEFAULT_COLUMNS = ("path", "quadrant", "intensity", "score", "churn", "commits")
QUADRANT_STYLE = {
    "FoundationalStable": "bold blue",
    "ActiveHotspot": "bold red",
    "PeripheralActive": "yellow",
    "QuietLeaf": "dim",
}


Row = TypeVar("Row", bound=SalienceRow)


def sort_rows(rows: Iterable[Row], field: str = "score") -> list[Row]:
    """Rows ordered by `field` (descending for figures, ascending for names), then path."""
    if field not in SORT_FIELDS:
        raise ValueError(f"cannot sort by {field!r} (choose from: {', '.join(SORT_FIELDS)})")
    descending = SORT_FIELDS[field][1]
    ordered = sorted(rows, key=lambda r: r.path)
    return sorted(ordered, key=lambda r: getattr(r, field), reverse=descending)


def parse_columns(text: str) -> tuple[str, ...]:
    """`--columns path,score,...`: known field names, in the order given, or a ValueError
    naming the valid ones."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if n not in SORT_FIELDS]
    if bad or not names:
        raise ValueError(f"unknown column {bad[0]!r}" if bad else "no column named")
    return names


def _cell(r: SalienceRow, name: str) -> Text | str:
    if name == "path":  # a path is text, not rich markup, and shows no control character
        return Text(printable(r.path, newlines=False))
    if name == "quadrant":
        q = str(r.quadrant)
        return f"[{QUADRANT_STYLE.get(q, '')}]{q}[/]"
    if name == "intensity":
        return r.intensity.name.lower()
    if name == "tested":
        return "yes" if r.tested else "no"
    value = getattr(r, name)
    digits = {"score": 3, "centrality": 2, "churn": 0, "confidence": 2}.get(name, 4)
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def render_table(
    rows: Sequence[SalienceRow],
    console: Console,
    *,
    title: str | None = None,
    notices: Sequence[str] = (),
    columns: Sequence[str] = DEFAULT_COLUMNS,
) -> None:
    table = Table(
        title=title,
        header_style="bold",
        pad_edge=False,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    for name in columns:
        if name == "path":
            table.add_column("path", overflow="fold", min_width=20)
        elif name in ("quadrant", "intensity"):
            table.add_column(name)
        else:
            table.add_column(SORT_FIELDS[name][0], justify="right")
    for r in rows:
        table.add_row(*(_cell(r, name) for name in columns))
    console.print(table)
    for notice in notices:
        console.print(Text("note: ", style="yellow") + Text(printable(notice)))


def render_json(report: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> str:
    """The report's header fields with `rows` (already sorted and cut) as its files."""
    return json.dumps({**report, "files": list(rows)}, indent=2, sort_keys=False)
