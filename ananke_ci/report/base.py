"""The reporter port and the one record every reporter renders.

A reporter is a pure function from a finished run to the text of one output; where that text
goes (terminal or file) is decided by `ananke_ci.report.registry`, so reporters stay testable
as plain string producers and several can run at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from ananke_ci.core.findings import Finding
from ananke_ci.core.records import field, record
from ananke_ci.core.rules_catalog import lookup

TOOL_NAME = "ananke-ci"
INFORMATION_URI = "https://pypi.org/project/ananke-ci/"


@record(frozen=True, slots=True)
class Counts:
    """Tallies over the findings a reporter shows (in_diff) plus those the filter hid."""

    errors: int = 0
    warnings: int = 0
    notes: int = 0
    files: int = 0  # distinct paths with at least one shown finding
    outside_diff: int = 0  # findings marked in_diff=False: counted, never printed

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.notes


@record(frozen=True, slots=True)
class ReportInput:
    """Everything one run hands its reporters."""

    findings: Sequence[Finding]  # all of them, each marked in_diff by the filter step
    version: str  # ananke-ci's version, for tool.version / driver.version
    root: Path  # repository root: base of the repo-relative paths (SARIF %SRCROOT%)
    notices: Sequence[str] = ()  # run-level remarks, e.g. "skipped 2 binary files"
    files_checked: int = 0
    # the text of each checked file, for reporters that quote the offending line (text
    # with --show-source); empty: they do not
    sources: Mapping[str, str] = field(default_factory=dict)
    outside_diff: bool = False  # JSON lists the findings outside the change too, marked
    counts: Counts = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", count(self.findings))

    @property
    def shown(self) -> list[Finding]:
        """The findings reporters print: in_diff only, in path/line order."""
        return sorted((f for f in self.findings if f.in_diff), key=sort_key)


class Reporter(Protocol):
    """Renders one run as the full text of one output (ends with a newline when non-empty)."""

    @property
    def name(self) -> str: ...

    def render(self, report: ReportInput) -> str: ...


def sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    return (f.path, f.line, f.col, f.rule, f.message)


def count(findings: Sequence[Finding]) -> Counts:
    shown = [f for f in findings if f.in_diff]
    by = {s: sum(1 for f in shown if f.severity == s) for s in ("error", "warning", "note")}
    return Counts(
        errors=by["error"],
        warnings=by["warning"],
        notes=by["note"],
        files=len({f.path for f in shown}),
        outside_diff=len(findings) - len(shown),
    )


def rule_name(rule: str) -> str:
    """The catalogue's kebab-case name, or the id itself for a rule the catalogue lacks."""
    info = lookup(rule)
    return info.name if info else rule


# C1 controls, bidi overrides, separators, and lone surrogates (a non-UTF-8 file name):
# all legal in JSON as \\u escapes, none safe (or even encodable) raw
_C1_AND_BIDI = "[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


def json_text(obj: object) -> str:
    """Indented JSON, UTF-8 kept readable, with no character a terminal acts on: json
    escapes C0 controls itself; C1 controls (0x9b is a one-byte CSI) and bidi overrides are
    escaped here (`\\u009b`), which is the same JSON."""
    import json
    import re

    text = json.dumps(obj, indent=2, ensure_ascii=False)
    return re.sub(_C1_AND_BIDI, lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """Line-oriented formats must not let a message break a record across lines."""
    return " ".join(text.splitlines())


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def filled_line(filled: int, holes: int) -> str:
    """'no holes to fill', '1 of 1 hole filled', '1 of 3 holes filled'."""
    if not holes:
        return "no holes to fill"
    return f"{filled} of {plural(holes, 'hole')} filled"


def summary_line(c: Counts) -> str:
    """'2 errors, 1 warning in 3 files' or 'no findings', plus the hidden tally if any."""
    parts = [
        plural(n, w)
        for n, w in ((c.errors, "error"), (c.warnings, "warning"), (c.notes, "note"))
        if n
    ]
    text = f"{', '.join(parts)} in {plural(c.files, 'file')}" if parts else "no findings"
    if c.outside_diff:
        text += f" ({c.outside_diff} outside the change not shown)"
    return text
