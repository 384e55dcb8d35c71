"""The hotspot map: centrality against churn, sized by lines, coloured by quadrant.

matplotlib is imported when a picture is asked for (the `history` extra), never before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ananke_ci.core.errors import UserError

COLOURS = {
    "FoundationalStable": "#1f4e9c", "ActiveHotspot": "#d62728",
    "PeripheralActive": "#ff9f1c", "QuietLeaf": "#9e9e9e",
}


class PlotRow(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def quadrant(self) -> str: ...
    @property
    def centrality(self) -> float: ...
    @property
    def activity(self) -> float: ...
    @property
    def lines(self) -> int: ...
    @property
    def score(self) -> float: ...


def hotspot_map(rows: Sequence[PlotRow], out: Path, *, label_top: int = 12,
                title: str = "Salience hotspot map") -> Path:
    """Write the picture to `out` (.png or .svg, by its suffix)."""
    if out.suffix.lower() not in (".png", ".svg"):
        raise UserError(f"--plot wants a .png or .svg file, not {out.name!r}")
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError("--plot needs matplotlib: pip install 'ananke-ci[history]'") from None
    fig, ax = plt.subplots(figsize=(11, 8))
    for quadrant, colour in COLOURS.items():
        pts = [r for r in rows if str(r.quadrant) == quadrant]
        if pts:
            ax.scatter(
                [r.centrality for r in pts], [r.activity for r in pts],
                s=[12 + 6 * math.sqrt(max(r.lines, 0)) for r in pts],
                c=colour, alpha=0.6, edgecolors="white", linewidths=0.5,
                label=f"{quadrant} ({len(pts)})",
            )
    for r in sorted(rows, key=lambda r: -r.score)[:label_top]:
        ax.annotate(r.path.rsplit("/", 1)[-1], (r.centrality, r.activity), fontsize=8,
                    xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel("centrality (PageRank, betweenness, HITS; percentile in this repository)")
    ax.set_ylabel("churn (recency-weighted lines and commits; percentile)")
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8, markerscale=0.6)
    ax.grid(alpha=0.2)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return out
