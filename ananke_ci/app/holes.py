"""holes: the TODOs and typed holes in scope, restricted to added lines for a change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ananke_ci.analysis.overrides import deliberate_elsewhere
from ananke_ci.app.targets import Target
from ananke_ci.app.validate import analyse
from ananke_ci.core.config import Config
from ananke_ci.core.diff import line_in_scope
from ananke_ci.core.facts import Hole


@dataclass(frozen=True, slots=True)
class HoleReport:
    path: str
    language: str
    hole: Hole


def find_holes(root: Path, target: Target, config: Config) -> list[HoleReport]:
    files, _notices = analyse(root, target, config)
    # placeholder methods that classes of other files in scope override or inherit
    deliberate = deliberate_elsewhere(checked.facts for checked in files)
    out = []
    for checked in files:
        diff = checked.source.diff
        for hole in checked.facts.holes:
            if (checked.source.path, hole.span.start_byte) in deliberate:
                continue
            if diff is None or line_in_scope(diff, hole.span.start_line, hole.span.end_line,
                                             "added"):
                out.append(HoleReport(checked.source.path, checked.facts.language, hole))
    return out
