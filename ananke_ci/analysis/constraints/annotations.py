"""Type-annotation coverage (Python, TypeScript): a repository that annotates at least 90%
of its public functions expects a new public function to be annotated too.

Public: not `_private`, not nested in another function, not in a test file. Python needs
every parameter but self/cls and the return type (not for `__init__`); TypeScript needs the
parameters (return types are inferred there).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.facts import FileFacts, Function
from ananke_ci.core.findings import Finding
from ananke_ci.core.testfiles import is_test_path

if TYPE_CHECKING:  # the miners' input: checking a change never loads it
    from ananke_ci.analysis.constraints.summary import FileSummary

LANGUAGES = {"python": "python", "typescript": "typescript", "tsx": "typescript"}
COVERAGE = 0.9
_IMPLICIT = {"self", "cls", "this"}


def public_functions(facts: FileFacts, *, tests_too: bool = False) -> list[Function]:
    """Public functions (not `_private`, not nested in another function) of a Python or
    TypeScript file; none in a test file unless `tests_too`."""
    if facts.language not in LANGUAGES or (not tests_too and is_test_path(facts.path)):
        return []
    out = []
    ends: list[int] = []  # end bytes of the enclosing functions (functions come by start)
    for fn in sorted(
        (f for f in facts.functions if f.name != "<anonymous>"),
        key=lambda f: (f.span.start_byte, -f.span.end_byte),
    ):
        while ends and ends[-1] <= fn.span.start_byte:
            ends.pop()
        nested = bool(ends) and fn.span.end_byte <= ends[-1]
        ends.append(fn.span.end_byte)
        private = fn.name.startswith("_") and not (
            fn.name.startswith("__") and fn.name.endswith("__")
        )
        if not private and not nested:
            out.append(fn)
    return out


def missing(fn: Function, language: str) -> list[str]:
    """What is not annotated: parameter names, and "return"."""
    gaps = [
        p.name or "?"
        for p in fn.params
        if p.type is None and p.name not in _IMPLICIT and p.name not in ("*", "/")
    ]
    if language == "python" and fn.return_type is None and fn.name != "__init__":
        gaps.append("return")
    return gaps


def mine_annotations(
    files: Iterable[tuple[str, FileSummary]],
    min_n: int,
) -> list[Constraint]:
    """Coverage per language and top-level directory: `src/` may be fully annotated while
    `examples/` and `docs/` are deliberately plain, so each gets its own verdict."""
    totals: dict[tuple[str, str], list[int]] = {}
    for path, summary in files:
        lang = LANGUAGES.get(summary.language, "")
        if not lang or not summary.public or is_test_path(path):
            continue
        top = path.split("/", 1)[0] if "/" in path else ""
        row = totals.setdefault((lang, top), [0, 0])
        row[0] += summary.public
        row[1] += summary.annotated
    out = []
    for (lang, top), (total, done) in sorted(totals.items()):
        if top and total >= min_n and done / total >= COVERAGE:
            out.append(
                Constraint(
                    id=f"annotations/{lang}/{top}",
                    kind=Kind.ANNOTATIONS,
                    domain="types",
                    tier="hard",
                    confidence=round(done / total, 4),
                    evidence=f"annotated public {lang} functions in {top}/: {done} of {total}",
                    source="mined",
                    scope=(f"{top}/**",),
                    subject=lang,
                    limit=round(done / total, 4),
                )
            )
    return out


def check_annotations(c: Constraint, ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.scan.facts
    if LANGUAGES.get(facts.language) != (c.subject or LANGUAGES.get(facts.language)):
        return
    for fn in public_functions(facts):
        gaps = missing(fn, facts.language)
        if gaps:
            yield finding(
                "ANK302",
                ctx.path,
                fn.span,
                f"`{fn.name}` is not annotated: {', '.join(gaps)}",
                fn.signature,
                c,
            )
