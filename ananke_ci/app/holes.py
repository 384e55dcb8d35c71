"""holes: the TODOs and typed holes in scope, restricted to added lines for a change.

A hole is listed when the validator reports it (ANK101 / ANK102 through `Judge.check`, so a
suppressed or switched-off one is not): `holes`, `fix` and the bot act on what `validate`
shows.
"""

from __future__ import annotations

from pathlib import Path

from ananke_ci.analysis.overrides import deliberate_elsewhere
from ananke_ci.app.judge import Judge
from ananke_ci.app.targets import Target
from ananke_ci.app.validate import CheckedFile, analyse
from ananke_ci.core.diff import line_in_scope
from ananke_ci.core.facts import Hole
from ananke_ci.core.records import record

_RULE = {"todo": "ANK101", "typed": "ANK102"}


@record(frozen=True, slots=True)
class HoleReport:
    path: str
    language: str
    hole: Hole


def find_holes(root: Path, target: Target, judge: Judge) -> list[HoleReport]:
    files, _notices = analyse(root, target, judge.config)
    return [report for report, _ in holes_in(files, judge)]


def holes_in(files: list[CheckedFile], judge: Judge) -> list[tuple[HoleReport, CheckedFile]]:
    """Each reported hole on an added line (anywhere, for a whole file) with its file."""
    # placeholder methods that classes of other files in scope override or inherit
    deliberate = deliberate_elsewhere(checked.facts for checked in files)
    out = []
    for checked in files:
        if not checked.facts.holes:
            continue
        reported = {
            (f.rule, f.line, f.col)
            for f in judge.check(checked.source, checked.facts)
            if f.rule in ("ANK101", "ANK102")
        }
        diff = checked.source.diff
        for hole in checked.facts.holes:
            span = hole.span
            if (_RULE[hole.kind], span.start_line, span.start_col) not in reported or (
                checked.source.path,
                span.start_byte,
            ) in deliberate:
                continue
            if diff is None or line_in_scope(diff, span.start_line, span.end_line, "added"):
                out.append((HoleReport(checked.source.path, checked.facts.language, hole), checked))
    return out
