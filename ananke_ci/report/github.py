"""GitHub Actions workflow commands: annotations that need no token, so they work on fork PRs.

    ::error file=src/a.py,line=3,col=5,endLine=3,endColumn=9,title=ANK201::message

Severity maps error -> ::error, warning -> ::warning, note -> ::notice. Escaping follows
@actions/core (toolkit `command.ts`): in the message % \\r \\n become %25 %0D %0A; property
values additionally escape : and , as %3A %2C, because those delimit the properties.
"""

from __future__ import annotations

from ananke_ci.core.findings import Finding
from ananke_ci.core.sanitize import printable
from ananke_ci.report.base import TOOL_NAME, ReportInput

COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    # % first, or the escapes just written would be escaped again; then no other control
    # character (an escape sequence in a file name or TODO) reaches the log as it is
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str | int], message: str) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
    return (
        f"::{name} {props}::{escape_data(message)}"
        if props
        else f"::{name}::{escape_data(message)}"
    )


def annotation(f: Finding) -> str:
    props: dict[str, str | int] = {"file": f.path, "line": max(1, f.line), "col": max(1, f.col)}
    if f.end_line is not None:
        props["endLine"] = f.end_line
    if f.end_col is not None:
        props["endColumn"] = f.end_col
    props["title"] = f.rule
    # The hint rides on a second line: annotations render multi-line messages.
    message = f"{f.message}\n{f.fix_hint}" if f.fix_hint else f.message
    return command(COMMAND.get(f.severity, "warning"), props, message)


class GithubReporter:
    name = "github"

    def render(self, report: ReportInput) -> str:
        lines = [annotation(f) for f in report.shown]
        lines += [command("notice", {"title": TOOL_NAME}, n) for n in report.notices]
        return "".join(line + "\n" for line in lines)
