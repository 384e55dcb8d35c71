"""Findings: what a rule reports, marked (not dropped) by whether the change touched it."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from ananke_ci.core.records import record, replace

Severity = Literal["error", "warning", "note"]
SEVERITY_RANK: dict[str, int] = {"note": 0, "warning": 1, "error": 2}


class FilterMode(StrEnum):
    """Which findings count, as reviewdog's -filter-mode: by where they sit against the diff."""

    ADDED = "added"  # on a line the change adds
    DIFF_CONTEXT = "diff_context"  # anywhere in a hunk (added or context lines)
    FILE = "file"  # anywhere in a file the change touches
    NOFILTER = "nofilter"  # everything, touched or not


@record(frozen=True, slots=True)
class Finding:
    rule: str  # e.g. "ANK101"
    severity: Severity
    message: str
    path: str
    line: int
    col: int = 1
    end_line: int | None = None
    end_col: int | None = None
    domain: str = "syntax"
    fix_hint: str | None = None
    code: str = ""  # the source text it is about, normalised; feeds the fingerprint
    in_diff: bool = True  # set by the filter step

    @property
    def fingerprint(self) -> str:
        """Stable across line moves: rule + path + whitespace-folded code, never the line."""
        import hashlib  # only reporters that print fingerprints pay for it

        key = "\0".join((self.rule, self.path, " ".join(self.code.split()) or self.message))
        # surrogatepass: a path that is not UTF-8 (surrogateescape'd bytes) hashes too
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def with_in_diff(self, in_diff: bool) -> Finding:
        return replace(self, in_diff=in_diff)


def should_fail(findings: list[Finding], fail_level: Severity = "error") -> bool:
    """True when a finding the change introduced is at or above fail_level."""
    bar = SEVERITY_RANK[fail_level]
    return any(f.in_diff and SEVERITY_RANK[f.severity] >= bar for f in findings)
