"""Choosing reporters: `--format NAME[:PATH]`, repeatable, e.g. `text --format sarif:out.sarif`.

Several reporters run on one result (reviewdog's MultiCommentService); each writes to its own
file or to the output stream. JSON and SARIF must own the stream if they use it, since any other
text around them would make the document unparsable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record
from ananke_ci.report.base import Reporter, ReportInput
from ananke_ci.report.text import TextReporter, colour_enabled


# The other reporters load on demand: the pre-commit hot path prints text only.
def _json(colour: bool) -> Reporter:
    from ananke_ci.report.json_report import JsonReporter  # on demand, as the two below

    return JsonReporter()


def _sarif(colour: bool) -> Reporter:
    from ananke_ci.report.sarif import SarifReporter

    return SarifReporter()


def _github(colour: bool) -> Reporter:
    from ananke_ci.report.github import GithubReporter

    return GithubReporter()


_FACTORIES: dict[str, Callable[[bool], Reporter]] = {
    "text": lambda colour: TextReporter(colour=colour),
    "json": _json,
    "sarif": _sarif,
    "github": _github,
}
FORMATS: tuple[str, ...] = tuple(_FACTORIES)
DEFAULT_FORMAT = "text"
DOCUMENT_FORMATS = frozenset({"json", "sarif"})  # whole documents: cannot share the stream


@record(frozen=True, slots=True)
class ReportSpec:
    name: str
    path: Path | None = None  # None: the output stream


def make_reporter(name: str, *, colour: bool = False) -> Reporter:
    """The reporter called `name`; `colour` only affects `text`."""
    factory = _FACTORIES.get(name.lower())
    if factory is None:
        raise UserError(f"unknown format {name!r}; valid formats: {', '.join(FORMATS)}")
    return factory(colour)


def parse_spec(spec: str) -> ReportSpec:
    """'sarif:out.sarif' -> ReportSpec('sarif', Path('out.sarif')); 'text' or 'text:-' -> stream.

    Only the first colon splits, so a Windows path such as 'sarif:C:\\out.sarif' survives.
    """
    name, sep, path = spec.partition(":")
    name = name.strip().lower()
    make_reporter(name)  # validate early: a typo fails before any analysis runs
    if sep and not path:
        raise UserError(f"format {spec!r}: missing file name after ':'")
    return ReportSpec(name, None if not path or path == "-" else Path(path))


def parse_specs(specs: Sequence[str]) -> tuple[ReportSpec, ...]:
    """Parse every --format value (default: text) and check they can share the stream."""
    parsed = tuple(parse_spec(s) for s in specs) or (ReportSpec(DEFAULT_FORMAT),)
    on_stream = [s.name for s in parsed if s.path is None]
    if len(on_stream) > 1 and DOCUMENT_FORMATS & set(on_stream):
        raise UserError(
            f"formats {', '.join(on_stream)} would all write to standard output; "
            "send json/sarif to a file, e.g. --format sarif:ananke.sarif"
        )
    return parsed


def write_reports(
    specs: Sequence[ReportSpec],
    report: ReportInput,
    stream: TextIO,
    environ: Mapping[str, str],
) -> None:
    """Render each spec; colour only for text going to a terminal (never into files)."""
    for spec in specs:
        if spec.path is None:
            stream.write(
                make_reporter(spec.name, colour=colour_enabled(stream, environ)).render(report)
            )
            continue
        text = make_reporter(spec.name).render(report)
        try:
            spec.path.parent.mkdir(parents=True, exist_ok=True)
            spec.path.write_text(text, encoding="utf-8")
        except OSError as e:
            raise UserError(
                f"cannot write {spec.name} report: {e.strerror}", path=str(spec.path)
            ) from e
