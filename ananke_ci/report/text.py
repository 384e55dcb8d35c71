"""Human-readable lines, parsable like flake8's.

Format, one finding per line, sorted by path, line, column:

    path:line:col: RULE message [severity]

e.g. ``src/app.py:12:5: ANK201 call to banned function eval() [error]``. Regex:
``^(?P<path>.+?):(?P<line>\\d+):(?P<col>\\d+): (?P<rule>\\S+) (?P<msg>.*) \\[(?P<sev>\\w+)\\]$``.
Newlines inside a message are folded to spaces so a record never spans lines. Then one
``ananke-ci: <notice>`` line per notice and a summary line ("2 errors, 1 warning in 3 files",
"no findings"). With colour on, ANSI codes wrap the fields; stripping them gives the same text.

With the files' text in the input (`validate --show-source`), each finding is followed, as
ruff's full output does, by the line it is on, a caret under its columns and its fix hint:

    src/app.py:12:12: ANK201 call to banned function eval() [error]
       |
    12 |     return eval(text)
       |            ^^^^
       = help: Remove the call or use the alternative named in the configuration.

Those lines start with spaces, so a parser of the one-line records skips them.

Plain ANSI escapes, not rich: importing rich costs ~50 ms on the pre-commit hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from ananke_ci.core.findings import Finding
from ananke_ci.core.sanitize import printable
from ananke_ci.report.base import ReportInput, one_line, summary_line

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
SEVERITY_COLOUR = {"error": "\x1b[31m", "warning": "\x1b[33m", "note": "\x1b[36m"}


def colour_enabled(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """NO_COLOR (any non-empty value) wins, then FORCE_COLOR, then "is it a terminal?".

    NO_COLOR beats FORCE_COLOR because it is the user's explicit opt-out, while FORCE_COLOR is
    often set globally by CI images (see no-color.org and force-color.org).
    """
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class TextReporter:
    name = "text"

    def __init__(self, *, colour: bool = False) -> None:
        self.colour = colour

    def _paint(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.colour else text

    def line(self, f: Finding) -> str:
        # paths and messages quote the repository: control characters are shown escaped
        where = self._paint(BOLD, f"{printable(f.path, newlines=False)}:{f.line}:{f.col}:")
        rule = self._paint(SEVERITY_COLOUR.get(f.severity, BOLD), printable(f.rule))
        sev = self._paint(DIM, f"[{f.severity}]")
        return f"{where} {rule} {printable(one_line(f.message), newlines=False)} {sev}"

    def source(self, f: Finding, text: str) -> list[str]:
        """The finding's line with a caret under its columns, and its fix hint."""
        rows = text.splitlines()
        if not 1 <= f.line <= len(rows):
            return []
        raw = rows[f.line - 1].rstrip()
        gutter = " " * len(str(f.line))
        start = min(max(f.col, 1), len(raw) + 1)
        end = (
            f.end_col if f.end_line == f.line and f.end_col and f.end_col > start else len(raw) + 1
        )  # to the end of the line when the finding goes on past it

        def shown(part: str) -> str:  # tabs as four spaces, no control character
            return printable(part.replace("\t", "    "), newlines=False)

        row = shown(raw)
        caret = " " * len(shown(raw[: start - 1])) + "^" * max(
            1, len(shown(raw[start - 1 : end - 1]))
        )
        out = [f"{gutter} |", f"{f.line} | {row}", f"{gutter} | {self._paint(BOLD, caret)}"]
        if f.fix_hint:
            out.append(f"{gutter} = help: {printable(one_line(f.fix_hint), newlines=False)}")
        return out

    def render(self, report: ReportInput) -> str:
        lines = []
        for f in report.shown:
            lines.append(self.line(f))
            if f.path in report.sources:
                lines += self.source(f, report.sources[f.path])
        lines += [f"ananke-ci: {printable(one_line(n), newlines=False)}" for n in report.notices]
        summary = summary_line(report.counts)
        if self.colour:
            c = report.counts
            code = SEVERITY_COLOUR["error" if c.errors else "warning" if c.warnings else "note"]
            summary = self._paint(BOLD + code, summary) if c.total else summary
        lines.append(summary)
        return "\n".join(lines) + "\n"
