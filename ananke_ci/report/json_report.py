"""Machine-readable JSON. The schema is versioned; fields are only ever added within a version.

    {
      "version": 1,
      "tool": {"name": "ananke-ci", "version": "0.1.0"},
      "findings": [
        {"rule": "ANK201", "name": "banned-call", "severity": "error", "domain": "semantics",
         "message": "...", "path": "src/a.py", "line": 3, "col": 5,
         "end_line": 3 | null, "end_col": 12 | null, "fix_hint": "..." | null,
         "fingerprint": "16 hex digits, stable across line moves",
         "in_diff": true}
      ],
      "notices": ["..."],
      "summary": {"errors": 1, "warnings": 0, "notes": 0, "files": 1,
                  "outside_diff": 0, "files_checked": 4}
    }

Only findings in the change (in_diff) are listed, sorted by path, line, column; `path` is
repository-relative with forward slashes as the finding carries it. With
`validate --include-outside-diff` the findings outside the change are listed too, in the same
order, and every finding carries `"in_diff": true | false` (a reviewdog-style consumer filters
on it); without it, no finding has the field. The summary counts are the same either way.
"""

from __future__ import annotations

from typing import Any

from ananke_ci.core.findings import Finding
from ananke_ci.report.base import TOOL_NAME, ReportInput, json_text, rule_name, sort_key

SCHEMA_VERSION = 1


def finding_dict(f: Finding, *, marked: bool = False) -> dict[str, Any]:
    """`marked`: with the `in_diff` field (--include-outside-diff)."""
    out = {
        "rule": f.rule,
        "name": rule_name(f.rule),
        "severity": f.severity,
        "domain": f.domain,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line,
        "end_col": f.end_col,
        "fix_hint": f.fix_hint,
        "fingerprint": f.fingerprint,
    }
    if marked:
        out["in_diff"] = f.in_diff
    return out


def to_document(report: ReportInput) -> dict[str, Any]:
    c = report.counts
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.version},
        "findings": [finding_dict(f, marked=True) for f in sorted(report.findings, key=sort_key)]
        if report.outside_diff
        else [finding_dict(f) for f in report.shown],
        "notices": list(report.notices),
        "summary": {
            "errors": c.errors,
            "warnings": c.warnings,
            "notes": c.notes,
            "files": c.files,
            "outside_diff": c.outside_diff,
            "files_checked": report.files_checked,
        },
    }


class JsonReporter:
    name = "json"

    def render(self, report: ReportInput) -> str:
        # paths and messages stay readable (UTF-8); no control character goes out raw
        return json_text(to_document(report)) + "\n"
