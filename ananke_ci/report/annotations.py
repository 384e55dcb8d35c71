"""Findings as check-run annotations or workflow commands, within GitHub's limits (pure).

A check run takes at most 50 annotations per request (later PATCHes append more), a title of
255 and a summary/text of 65,535 characters. Workflow commands show at most 10 errors, 10
warnings and 10 notices per step, and a composite action is one step: the rest are listed in
the job summary instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ananke_ci.core.findings import Finding
from ananke_ci.core.records import record
from ananke_ci.report.github import annotation

BATCH = 50
MAX_TEXT = 65_535
MAX_TITLE = 255
MAX_MESSAGE = 4_096  # workflow command messages are cut there
PER_LEVEL = 10  # workflow commands shown per level and step
_LEVEL = {"error": "failure", "warning": "warning", "note": "notice"}


@record(frozen=True, slots=True)
class CommandPlan:
    lines: tuple[str, ...]  # the workflow commands to print
    overflow: tuple[Finding, ...]  # past the per-level limit: listed in the summary


def check_annotation(f: Finding) -> dict[str, Any]:
    """One annotation of a check run's `output.annotations`."""
    end = f.end_line if f.end_line is not None and f.end_line >= f.line else f.line
    out: dict[str, Any] = {
        "path": f.path,
        "start_line": max(1, f.line),
        "end_line": max(1, end),
        "annotation_level": _LEVEL.get(f.severity, "warning"),
        "message": _cut(f.message + (f"\n{f.fix_hint}" if f.fix_hint else ""), MAX_MESSAGE),
        "title": _cut(f.rule, MAX_TITLE),
    }
    if end == f.line and f.end_col is not None and f.end_col >= f.col:
        out["start_column"], out["end_column"] = max(1, f.col), max(1, f.end_col)
    return out


def batches(findings: Sequence[Finding], size: int = BATCH) -> list[list[dict[str, Any]]]:
    """Annotations in requests of at most `size`: the first with the POST, the rest PATCHed."""
    items = [check_annotation(f) for f in findings]
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def workflow_commands(findings: Sequence[Finding], per_level: int = PER_LEVEL) -> CommandPlan:
    """At most `per_level` commands per severity; the others come back as overflow."""
    used = {"error": 0, "warning": 0, "note": 0}
    lines: list[str] = []
    overflow: list[Finding] = []
    for f in findings:
        level = f.severity if f.severity in used else "warning"
        if used[level] >= per_level:
            overflow.append(f)
            continue
        used[level] += 1
        lines.append(_cut(annotation(f), MAX_MESSAGE + 512))
    return CommandPlan(tuple(lines), tuple(overflow))


def conclusion(findings: Sequence[Finding], failed: bool) -> str:
    if failed:
        return "failure"
    return "neutral" if findings else "success"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def cut_text(text: str, limit: int = MAX_TEXT) -> str:
    """A check run's summary or text, cut with a note when too long."""
    if len(text) <= limit:
        return text
    note = "\n\n(cut: the full report is in the job summary)"
    return text[: limit - len(note)] + note
