"""The job summary of one bot run: findings, holes and what was proposed, where the change
lands in the repository's salience (a Mermaid quadrant chart GitHub renders), notes (pure).

GitHub drops a step summary over 1 MiB whole, so the text is cut below that with a note.
Text from the pull request (messages quoting code, TODO text, proposals) is escaped for
tables or fenced, never interpreted as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ananke_ci.analysis.salience.model import FileSalience
from ananke_ci.core.findings import Finding
from ananke_ci.core.records import record
from ananke_ci.report.base import count, plural, summary_line
from ananke_ci.report.review_plan import fence_for

MAX_SUMMARY = 1_000_000  # bytes; GitHub's limit is 1 MiB (1,048,576)
MAX_ROWS = 500
MAX_POINTS = 24
_QUADRANT_LABEL = {  # Mermaid's numbering: 1 top right, 2 top left, 3 bottom left, 4 bottom right
    1: "ActiveHotspot",
    2: "PeripheralActive",
    3: "QuietLeaf",
    4: "FoundationalStable",
}


@record(frozen=True, slots=True)
class HoleLine:
    path: str
    line: int
    marker: str
    status: str  # "suggested", "committed", "proposed", "no verified fill", "skipped"
    proposal: str | None = None  # the verified fill
    reasons: tuple[str, ...] = ()


@record(frozen=True, slots=True)
class MapPoint:
    path: str
    centrality: float
    activity: float
    quadrant: str
    changed: bool


@record(frozen=True, slots=True)
class SummaryInput:
    findings: Sequence[Finding]  # all, marked in_diff
    holes: Sequence[HoleLine] = ()
    points: Sequence[MapPoint] = ()
    notes: Sequence[str] = ()  # fork, skipped steps, permissions: said at the top
    posted: Sequence[str] = ()  # what was written to the pull request, one line each
    not_annotated: Sequence[Finding] = ()  # over the annotation limits
    base: str = ""
    head: str = ""
    plot_artifact: str | None = None
    changed: Sequence[str] = ()  # the files the change touches


def map_points(
    files: Sequence[FileSalience], changed: Iterable[str], limit: int = MAX_POINTS
) -> list[MapPoint]:
    """The changed files the report knows, then their neighbours (same directory first,
    highest score first) up to `limit` points."""
    by_path = {f.path: f for f in files}
    changed_set = [p for p in dict.fromkeys(changed) if p in by_path]
    picked = changed_set[:limit]
    dirs = {p.rsplit("/", 1)[0] if "/" in p else "" for p in picked}
    rest = sorted(
        (f for f in files if f.path not in picked),
        key=lambda f: (_dir(f.path) not in dirs, -f.score, f.path),
    )
    picked += [f.path for f in rest[: max(0, limit - len(picked))]]
    return [
        MapPoint(
            p,
            by_path[p].centrality,
            by_path[p].activity,
            str(by_path[p].quadrant),
            p in changed_set,
        )
        for p in picked
    ]


def _dir(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def quadrant_chart(points: Sequence[MapPoint]) -> str:
    """A Mermaid `quadrantChart` of the points (changed files marked with `*`)."""
    lines = [
        "```mermaid",
        "quadrantChart",
        "    title Where the change lands",
        "    x-axis Low centrality --> High centrality",
        "    y-axis Low churn --> High churn",
    ]
    lines += [f"    quadrant-{n} {label}" for n, label in sorted(_QUADRANT_LABEL.items())]
    names: set[str] = set()
    for p in points:
        name = _label(p.path, names) + (" *" if p.changed else "")
        lines.append(f'    "{name}": [{_coord(p.centrality)}, {_coord(p.activity)}]')
    lines.append("```")
    return "\n".join(lines)


def _label(path: str, taken: set[str]) -> str:
    """The file name (more of the path when two collide), without quotes or brackets."""
    parts = path.split("/")
    for n in range(1, len(parts) + 1):
        name = "/".join(parts[-n:])
        if name not in taken:
            break
    clean = "".join(c if c.isalnum() or c in "._-/ " else "_" for c in name)[:40]
    taken.add(name)
    return clean


def _coord(value: float) -> str:
    """Mermaid reads a coordinate as `1` or `0(.\\d+)?`, nothing else."""
    if value >= 1:
        return "1"
    if value <= 0:
        return "0"
    return f"{value:.3f}"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, no pipes, no HTML."""
    flat = " ".join(text.split())
    return (
        flat.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("@", "@\u200b")
    )[:300]


def _holes_line(holes: int, filled: int) -> str:
    if not holes:
        return "no holes"
    return f"{plural(holes, 'hole')}, {filled or 'none'} with a verified fill"


def render(s: SummaryInput, limit: int = MAX_SUMMARY) -> str:
    """The summary's Markdown, under `limit` bytes."""
    shown = sorted((f for f in s.findings if f.in_diff), key=lambda f: (f.path, f.line))
    out = ["## ananke-ci", ""]
    rng = f" ({s.base[:12]}...{s.head[:12]})" if s.base and s.head else ""
    filled = sum(1 for h in s.holes if h.proposal is not None)
    holes = len(s.holes) or sum(1 for f in shown if f.rule in ("ANK101", "ANK102"))
    out.append(f"**{summary_line(count(s.findings))}**{rng}; {_holes_line(holes, filled)}.")
    out.append("")
    out += [f"> {n}" for n in s.notes]
    if s.notes:
        out.append("")
    if s.posted:
        out += [f"- {p}" for p in s.posted] + [""]
    if shown:
        out += ["### Findings", "", "| | where | rule | message |", "|---|---|---|---|"]
        for f in shown[:MAX_ROWS]:
            out.append(
                f"| {f.severity} | `{cell(f.path)}:{f.line}` | {f.rule} | {cell(f.message)} |"
            )
        if len(shown) > MAX_ROWS:
            out.append(f"\n... and {len(shown) - MAX_ROWS} more (all are in the SARIF file)")
        out.append("")
    if s.not_annotated:
        out.append(
            f"{len(s.not_annotated)} finding(s) went past the annotation limits "
            "(10 per level for workflow commands) and are listed above only."
        )
        out.append("")
    if s.holes:
        out += ["### Holes", "", "| where | hole | proposal |", "|---|---|---|"]
        for h in s.holes[:MAX_ROWS]:
            why = f": {cell('; '.join(h.reasons))}" if h.reasons and h.proposal is None else ""
            out.append(f"| `{cell(h.path)}:{h.line}` | `{cell(h.marker)}` | {h.status}{why} |")
        out.append("")
        for h in s.holes[:MAX_ROWS]:
            if h.proposal is not None:
                fence = fence_for(h.proposal)
                out += [
                    f"<details><summary>{cell(h.path)}:{h.line}</summary>",
                    "",
                    fence,
                    h.proposal.rstrip("\n"),
                    fence,
                    "",
                    "</details>",
                    "",
                ]
    new_files = [p for p in s.changed if p not in {pt.path for pt in s.points}]
    if s.points:
        out += [
            "### Where the change lands",
            "",
            "Changed files (`*`) among their neighbours, by the repository's salience "
            "(centrality against churn, percentiles):",
            "",
            quadrant_chart(s.points),
            "",
        ]
        if new_files:
            out += [
                "Not in the base's salience (new, or not source): "
                + ", ".join(f"`{cell(p)}`" for p in new_files[:20])
                + (" ..." if len(new_files) > 20 else ""),
                "",
            ]
        if s.plot_artifact:
            out += [f"The full hotspot map is the `{s.plot_artifact}` artifact.", ""]
    return cut(("\n".join(out)).rstrip() + "\n", limit)


def cut(text: str, limit: int = MAX_SUMMARY) -> str:
    """`text` under `limit` UTF-8 bytes, cut at a line with a note saying so."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    note = "\n\n**(summary cut: over GitHub's 1 MiB limit; the SARIF file has every finding)**\n"
    room = limit - len(note.encode()) - 4  # and a closing fence
    head = data[:room].decode("utf-8", "ignore")
    head = head[: head.rfind("\n")] if "\n" in head else head
    if head.count("```") % 2:  # do not leave a fence open
        head += "\n```"
    return head + note
