"""`ananke-ci holes`: the TODOs and typed holes in files or in what a change adds."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from ananke_ci.app.holes import find_holes
from ananke_ci.cli.common import add_target_options, load
from ananke_ci.core.sanitize import printable

if TYPE_CHECKING:
    from ananke_ci.app.holes import HoleReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "holes",
        help="list TODO comments and typed holes",
        description="List the holes (TODO/FIXME/XXX comments and placeholder bodies) in "
        "every tracked file (default), given files, or only those a change adds.",
    )
    add_target_options(p, default="repo")
    p.add_argument("--json", action="store_true", help="as JSON, with spans and signatures")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root, target, judge = load(args)
    holes = find_holes(root, target, judge)
    if args.json:
        print(json.dumps({"version": 1, "holes": [_as_json(h) for h in holes]}, indent=2))
        return 0
    for h in holes:
        where = f" in {h.hole.function.signature}" if h.hole.function else ""
        what = "TODO comment" if h.hole.kind == "todo" else "typed hole"
        print(
            printable(
                f"{h.path}:{h.hole.span.start_line}:{h.hole.span.start_col}: {what} "
                f"`{h.hole.marker}`{where}",
                newlines=False,
            )
        )
    print(f"{len(holes)} hole{'s' if len(holes) != 1 else ''}", file=sys.stderr)
    return 0


def _as_json(h: HoleReport) -> dict[str, object]:
    hole = h.hole
    return {
        "path": h.path,
        "language": h.language,
        "kind": hole.kind,
        "marker": hole.marker,
        "text": hole.text,
        "span": asdict(hole.span),
        "function": None
        if hole.function is None
        else {
            "name": hole.function.name,
            "signature": hole.function.signature,
            "params": [asdict(p) for p in hole.function.params],
            "return_type": hole.function.return_type,
            "container": hole.function.container,
            "span": asdict(hole.function.span),
        },
    }
