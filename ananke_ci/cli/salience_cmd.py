"""`ananke-ci salience`: how central and how active each file is, and how hard it is guarded."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ananke_ci.adapters.cache.cache_paths import cache_notices
from ananke_ci.adapters.config_file import load_config
from ananke_ci.adapters.git import read as git
from ananke_ci.analysis.salience.model import FileSalience
from ananke_ci.analysis.salience.pins import apply_pins
from ananke_ci.app.salience import compute_salience
from ananke_ci.core.errors import UserError
from ananke_ci.core.intensity import Intensity
from ananke_ci.core.records import replace
from ananke_ci.report.salience_table import (
    DEFAULT_COLUMNS,
    SORT_FIELDS,
    parse_columns,
    render_json,
    render_table,
    sort_rows,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "salience",
        help="rank files by centrality and churn; the intensity each one gets",
        description="Mine the history (cached under .git/ananke/, refreshed incrementally) "
        "and the import graph; print every tracked source file's quadrant, intensity, "
        "composite score and the figures behind it.",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument(
        "--sort",
        default="score",
        choices=sorted(SORT_FIELDS),
        metavar="FIELD",
        help=f"order by FIELD (default: score; one of {', '.join(SORT_FIELDS)})",
    )
    p.add_argument("--top", type=int, metavar="N", help="only the first N files")
    p.add_argument(
        "--columns",
        metavar="A,B,...",
        help="the table's columns, in order (default: "
        f"{','.join(DEFAULT_COLUMNS)}; any of {', '.join(SORT_FIELDS)})",
    )
    p.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="also draw the hotspot map to FILE (.png or .svg; needs matplotlib)",
    )
    cache = p.add_mutually_exclusive_group()
    cache.add_argument(
        "--no-cache", action="store_true", help="compute from scratch and leave the cache alone"
    )
    cache.add_argument(
        "--rebuild", action="store_true", help="compute from scratch and replace the cache"
    )
    p.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        help="config file whose [intensity] pins apply (default: .ananke.toml)",
    )
    p.set_defaults(func=run)


class RichProgress:
    """The mining progress bar on stderr; silent when stderr is not a terminal."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("mining history"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._task = self._bar.add_task("mine", total=None)

    def start(self, total: int) -> None:
        self._bar.update(self._task, total=total)
        self._bar.start()

    def advance(self, n: int = 1) -> None:
        self._bar.advance(self._task, n)

    def stop(self) -> None:
        self._bar.stop()


def run(args: argparse.Namespace) -> int:
    if args.top is not None and args.top < 1:
        raise UserError("--top wants a positive number")
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    if args.columns is not None:
        try:
            columns = parse_columns(args.columns)
        except ValueError as exc:
            raise UserError(f"--columns: {exc} (valid: {', '.join(SORT_FIELDS)})") from None
    root = git.repo_root(Path.cwd())
    config = load_config(root, getattr(args, "config", None))
    err = Console(stderr=True)
    report = compute_salience(
        root,
        use_cache=not (args.no_cache or args.rebuild),
        write_cache=not args.no_cache,
        progress=RichProgress(err),
    )
    for notice in cache_notices():
        print(f"ananke-ci: {notice}", file=sys.stderr)
    rows = sort_rows(pinned(list(report.files), config.intensity_pins), args.sort)
    shown = rows[: args.top] if args.top else rows
    if args.plot is not None:
        from ananke_ci.adapters.plot import hotspot_map  # matplotlib: only for --plot

        hotspot_map(rows, args.plot, title=f"Salience hotspot map: {root.name}")
        err.print(f"wrote {args.plot}", markup=False)
    if args.json:
        header = {k: v for k, v in report.to_json().items() if k != "files"}
        sys.stdout.write(render_json(header, [r.to_json() for r in shown]) + "\n")
        return 0
    head = report.head[:12] if report.head else "no commits"
    title = f"salience at {head}: {report.commits} commits, centrality from {report.graph}"
    out = Console()
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(width=220)  # piped: rich's 80-column default would fold long paths
    render_table(shown, out, title=title, notices=report.notices, columns=columns)
    return 0


def pinned(rows: list[FileSalience], pins: Mapping[str, Intensity]) -> list[FileSalience]:
    """Rows with config-pinned intensities applied (pins win over salience)."""
    if not pins:
        return rows
    levels = apply_pins({r.path: r.intensity for r in rows}, pins)
    return [replace(r, intensity=levels[r.path]) for r in rows]
