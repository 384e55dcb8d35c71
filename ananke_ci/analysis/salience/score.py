"""From per-file figures to a composite score, a quadrant and an intensity.

Every figure is turned into a percentile rank within the repository first, so the weights
mean the same in a ten-file script and a monorepo, and "high" means above this repository's
median rather than above a constant picked elsewhere.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

from ananke_ci.analysis.salience.model import INTENSITY_FOR, Centrality, FileSalience, Quadrant
from ananke_ci.core.intensity import Intensity
from ananke_ci.core.records import record

# the reference design's weights; "bus" scores a low bus factor, "untested" a missing test
WEIGHTS: dict[str, float] = {
    "pagerank": 0.30,
    "betweenness": 0.15,
    "hits": 0.15,
    "churn": 0.15,
    "bus": 0.10,
    "size": 0.05,
    "untested": 0.10,
}
REWRITE_HALF_LIFE_DAYS = 30.0  # confidence in a rewritten file's history halves this fast
LOW_CONFIDENCE = 0.5  # below it, a file is never guarded less than STANDARD


@record(frozen=True, slots=True)
class FileFigures:
    """What history and the graphs say about one file, before ranking."""

    path: str
    churn: float  # decayed lines added + deleted
    recent_commits: float  # decayed commit count
    commits: int
    added: int
    deleted: int
    lines: int
    author_commits: tuple[int, ...]  # commits per author
    age_days: float  # since the file was created or last largely rewritten
    partners: int
    tested: bool
    centrality: Centrality


def bus_factor(author_commits: Iterable[int]) -> int:
    """Fewest authors whose commits make up more than half of the file's commits."""
    counts = sorted(author_commits, reverse=True)
    total, running = sum(counts), 0
    for n, c in enumerate(counts, 1):
        running += c
        if 2 * running > total:
            return n
    return len(counts)


def confidence(age_days: float) -> float:
    return 1.0 - float(0.5 ** (max(age_days, 0.0) / REWRITE_HALF_LIFE_DAYS))


def percentile_ranks(values: Mapping[str, float]) -> dict[str, float]:
    """0 for the smallest value, 1 for the largest; ties share their average rank."""
    n = len(values)
    if n <= 1:
        return dict.fromkeys(values, 0.5)
    ordered = sorted(values.items(), key=lambda kv: kv[1])
    ranks: dict[str, float] = {}
    i = 0
    while i < n:
        j = i
        while j + 1 < n and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        for k in range(i, j + 1):
            ranks[ordered[k][0]] = (i + j) / 2 / (n - 1)
        i = j + 1
    return ranks


def _high(axis: Mapping[str, float]) -> set[str]:
    """Files strictly above the repository's median on an axis (ties stay low)."""
    if len(axis) < 2:
        return set()
    median = float(statistics.median(axis.values()))
    return {p for p, v in axis.items() if v > median}


def score_files(figures: Sequence[FileFigures]) -> list[FileSalience]:
    by = {f.path: f for f in figures}
    bus = {p: bus_factor(f.author_commits) or 1 for p, f in by.items()}
    pct = {
        "pagerank": percentile_ranks({p: f.centrality.pagerank for p, f in by.items()}),
        "betweenness": percentile_ranks({p: f.centrality.betweenness for p, f in by.items()}),
        "hits": percentile_ranks({p: f.centrality.hits for p, f in by.items()}),
        "bus": percentile_ranks({p: 1.0 / bus[p] for p in by}),
        "size": percentile_ranks({p: float(f.lines) for p, f in by.items()}),
    }
    churn = percentile_ranks({p: f.churn for p, f in by.items()})
    recent = percentile_ranks({p: f.recent_commits for p, f in by.items()})
    pct["churn"] = {p: (churn[p] + recent[p]) / 2 for p in by}
    pct["untested"] = {p: 0.0 if f.tested else 1.0 for p, f in by.items()}
    central_w = WEIGHTS["pagerank"] + WEIGHTS["betweenness"] + WEIGHTS["hits"]
    centrality = {
        p: sum(WEIGHTS[k] * pct[k][p] for k in ("pagerank", "betweenness", "hits")) / central_w
        for p in by
    }
    high_c, high_a = _high(centrality), _high(pct["churn"])
    out: list[FileSalience] = []
    for p, f in by.items():
        quadrant = (
            (Quadrant.ACTIVE_HOTSPOT if p in high_a else Quadrant.FOUNDATIONAL_STABLE)
            if p in high_c
            else (Quadrant.PERIPHERAL_ACTIVE if p in high_a else Quadrant.QUIET_LEAF)
        )
        conf = confidence(f.age_days)
        intensity = INTENSITY_FOR[quadrant]
        if conf < LOW_CONFIDENCE:  # too little settled history to relax the checks on
            intensity = max(intensity, Intensity.STANDARD)
        out.append(
            FileSalience(
                path=p,
                quadrant=quadrant,
                intensity=intensity,
                score=round(sum(w * pct[k][p] for k, w in WEIGHTS.items()), 6),
                centrality=round(centrality[p], 6),
                activity=round(pct["churn"][p], 6),
                churn=round(f.churn, 3),
                commits=f.commits,
                added=f.added,
                deleted=f.deleted,
                authors=len(f.author_commits),
                bus_factor=bus[p],
                partners=f.partners,
                pagerank=round(f.centrality.pagerank, 8),
                betweenness=round(f.centrality.betweenness, 8),
                hits=round(f.centrality.hits, 8),
                lines=f.lines,
                tested=f.tested,
                confidence=round(conf, 4),
            )
        )
    out.sort(key=lambda s: (-s.score, s.path))
    return out
