"""The hotspot map: centrality against churn, sized by lines, coloured by quadrant.

Readable at a real repository's size (flask: 80 files, a dozen of them near the top right):
dashed lines at the medians that split the quadrants, a legend for the point sizes, labels
that are each file's shortest unique path suffix (`flask/app.py`, `sansio/app.py`), placed
greedily where they overlap no other label (the top files by score first; those that find
no free place are left out, and a note under the picture says how many).

matplotlib is imported when a picture is asked for (the `history` extra), never before.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ananke_ci.core.errors import UserError

COLOURS = {
    "FoundationalStable": "#1f4e9c",
    "ActiveHotspot": "#d62728",
    "PeripheralActive": "#ff9f1c",
    "QuietLeaf": "#9e9e9e",
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


def point_size(lines: int) -> float:
    return 12 + 6 * math.sqrt(max(lines, 0))


def unique_suffixes(paths: Iterable[str]) -> dict[str, str]:
    """Each path's shortest trailing run of segments that no other path ends with:
    `src/flask/app.py` and `src/flask/sansio/app.py` -> `flask/app.py`, `sansio/app.py`."""
    paths = list(dict.fromkeys(paths))
    parts = {p: p.split("/") for p in paths}
    out = {}
    for p in paths:
        for n in range(1, len(parts[p]) + 1):
            tail = parts[p][-n:]
            if not any(q != p and parts[q][-n:] == tail for q in paths):
                break
        out[p] = "/".join(tail)
    return out


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels

# where a label may go, relative to its point, in points: right, up, left, down, diagonals,
# then the same farther out (with a leader line)
_OFFSETS = [
    (dx * k, dy * k)
    for k in (1, 2.5, 4)
    for dx, dy in ((6, 3), (6, 10), (-6, 10), (6, -12), (-6, -12), (-6, 3), (0, 14), (0, -18))
]


def overlaps(a: Box, b: Box, pad: float = 1.0) -> bool:
    return not (
        a[2] + pad <= b[0] or b[2] + pad <= a[0] or a[3] + pad <= b[1] or b[3] + pad <= a[1]
    )


def hotspot_map(
    rows: Sequence[PlotRow], out: Path, *, label_top: int = 20, title: str = "Salience hotspot map"
) -> Path:
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
                [r.centrality for r in pts],
                [r.activity for r in pts],
                s=[point_size(r.lines) for r in pts],
                c=colour,
                alpha=0.6,
                edgecolors="white",
                linewidths=0.5,
                label=f"{quadrant} ({len(pts)})",
            )
    ax.set_xlabel("centrality (PageRank, betweenness, HITS; percentile in this repository)")
    ax.set_ylabel("churn (recency-weighted lines and commits; percentile)")
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(title)
    ax.grid(alpha=0.2)
    if len(rows) >= 2:  # the quadrants split at the medians (ties stay low)
        for value, line in (
            (statistics.median(r.centrality for r in rows), ax.axvline),
            (statistics.median(r.activity for r in rows), ax.axhline),
        ):
            line(value, color="#555555", linestyle="--", linewidth=0.8, alpha=0.7)
    quadrants = ax.legend(
        loc="lower right", fontsize=8, markerscale=0.6, title="quadrant", title_fontsize=8
    )
    ax.add_artist(quadrants)
    sizes = [n for n in (10, 100, 1000) if n <= max((r.lines for r in rows), default=0) * 2]
    handles = [
        ax.scatter([], [], s=point_size(n), c="#bbbbbb", edgecolors="#777777", linewidths=0.5)
        for n in sizes or [10]
    ]
    ax.legend(
        handles,
        [f"{n} lines" for n in sizes or [10]],
        loc="upper left",
        fontsize=8,
        title="size",
        title_fontsize=8,
        labelspacing=1.2,
        borderpad=0.8,
    )
    left = _labels(fig, ax, rows, label_top)
    if left:
        fig.text(
            0.5,
            0.005,
            f"{left} of the top {min(label_top, len(rows))} files by score "
            "unlabelled: no free place (`ananke-ci salience` lists them all)",
            ha="center",
            fontsize=8,
            color="#555555",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return out


def _labels(fig: Any, ax: Any, rows: Sequence[PlotRow], top: int) -> int:
    """Label the `top` files by score, each at the first offset where it overlaps no
    label, legend or the frame; how many found no place."""
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken: list[Box] = [
        _box(lg.get_window_extent(renderer))
        for lg in ax.get_children()
        if type(lg).__name__ == "Legend"
    ]
    names = unique_suffixes(r.path for r in rows)
    left = 0
    for r in sorted(rows, key=lambda r: (-r.score, r.path))[:top]:
        for dx, dy in _OFFSETS:
            far = abs(dx) > 6 or abs(dy) > 18
            text = ax.annotate(
                names[r.path],
                (r.centrality, r.activity),
                fontsize=7.5,
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx >= 0 else "right",
                va="bottom" if dy >= 0 else "top",
                arrowprops={"arrowstyle": "-", "color": "#888888", "linewidth": 0.5}
                if far
                else None,
            )
            box = _box(text.get_window_extent(renderer))
            inside = (
                frame.x0 <= box[0]
                and box[2] <= frame.x1
                and frame.y0 <= box[1]
                and box[3] <= frame.y1
            )
            if inside and not any(overlaps(box, b) for b in taken):
                taken.append(box)
                break
            text.remove()
        else:
            left += 1
    return left


def _box(extent: Any) -> Box:
    return (float(extent.x0), float(extent.y0), float(extent.x1), float(extent.y1))
