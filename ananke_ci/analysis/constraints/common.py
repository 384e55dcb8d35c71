"""What every constraint check shares: the per-file context, the finding it builds, which
constraints apply to a path, and the priority order that resolves conflicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from ananke_ci.analysis.constraints.scan import FileScan
from ananke_ci.core.constraints import Constraint
from ananke_ci.core.facts import Span
from ananke_ci.core.findings import Finding
from ananke_ci.core.globs import glob_match
from ananke_ci.core.records import record
from ananke_ci.core.rules_catalog import BY_ID

ImportSpec = tuple[str, tuple[str, ...]]
Resolve = Callable[[str, Sequence[ImportSpec]], set[str]]
Read = Callable[[Sequence[str]], Mapping[str, bytes]]


@record(frozen=True, slots=True)
class CheckContext:
    scan: FileScan
    is_new: bool  # the change adds the file (file naming is only checked then)
    resolve: Resolve | None = None  # import -> repository files; None: layering not checked
    read: Read | None = None  # other files as at the base (API call sites); None: not read

    @property
    def path(self) -> str:
        return self.scan.facts.path


def applies(c: Constraint, path: str, language: str) -> bool:
    if c.language is not None and c.language != language:
        return False
    return not c.scope or any(glob_match(path, g) for g in c.scope)


def rank(c: Constraint, order: int = 0) -> tuple[int, int]:
    """Higher wins: explicit priority first, then the later declaration."""
    return (c.priority, order)


def strongest(constraints: Iterable[tuple[int, Constraint]]) -> Constraint | None:
    best = max(constraints, key=lambda item: rank(item[1], item[0]), default=None)
    return best[1] if best else None


def finding(
    rule: str,
    path: str,
    span: Span,
    message: str,
    code: str,
    c: Constraint,
    hint: str | None = None,
    one_line: bool = True,
) -> Finding:
    """A finding that carries its constraint: evidence and source in the message."""
    info = BY_ID[rule]
    why = c.message or c.evidence
    origin = "" if c.source == "mined" else f"; declared at {c.source}"
    return Finding(
        rule=rule,
        severity=info.default_severity,
        path=path,
        message=f"{message} [{c.tier}, {why}{origin}]",
        line=span.start_line,
        col=span.start_col,
        end_line=span.start_line if one_line else span.end_line,
        end_col=None if one_line and span.end_line != span.start_line else span.end_col,
        domain=info.domain,
        fix_hint=hint or info.help,
        code=code,
    )


def scopes_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Could some path lie in both scopes? Conservative: compares the literal prefixes."""
    if not a or not b:
        return True
    return any(
        _prefix(x).startswith(_prefix(y)) or _prefix(y).startswith(_prefix(x)) for x in a for y in b
    )


def _prefix(glob: str) -> str:
    cut = min((i for i, ch in enumerate(glob) if ch in "*?["), default=len(glob))
    return glob[:cut] if "/" in glob else ""
