"""Type-annotation coverage (Python, TypeScript): a repository that annotates at least 90%
of its public functions expects a new public function to be annotated too.

Public: not `_private`, not nested in another function, not in a test file. Python needs
every parameter but self/cls and the return type (not for `__init__`); TypeScript needs the
parameters (return types are inferred there).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.analysis.constraints.scan import FileScan
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.facts import FileFacts, Function
from ananke_ci.core.findings import Finding
from ananke_ci.core.testfiles import is_test_path

LANGUAGES = {"python": "python", "typescript": "typescript", "tsx": "typescript"}
COVERAGE = 0.9
_IMPLICIT = {"self", "cls", "this"}


def public_functions(facts: FileFacts) -> list[Function]:
    if facts.language not in LANGUAGES or is_test_path(facts.path):
        return []
    fns = [f for f in facts.functions if f.name != "<anonymous>"]
    out = []
    for fn in fns:
        private = fn.name.startswith("_") and not (fn.name.startswith("__")
                                                    and fn.name.endswith("__"))
        nested = any(o is not fn and o.span.start_byte < fn.span.start_byte
                     and fn.span.end_byte <= o.span.end_byte for o in fns)
        if not private and not nested:
            out.append(fn)
    return out


def missing(fn: Function, language: str) -> list[str]:
    """What is not annotated: parameter names, and "return"."""
    gaps = [p.name or "?" for p in fn.params if p.type is None and p.name not in _IMPLICIT
            and p.name not in ("*", "/")]
    if language == "python" and fn.return_type is None and fn.name != "__init__":
        gaps.append("return")
    return gaps


def mine_annotations(scans: Iterable[FileScan], min_n: int) -> list[Constraint]:
    """Coverage per language and top-level directory: `src/` may be fully annotated while
    `examples/` and `docs/` are deliberately plain, so each gets its own verdict."""
    totals: dict[tuple[str, str], list[int]] = {}
    for scan in scans:
        lang = LANGUAGES.get(scan.facts.language, "")
        top = scan.facts.path.split("/", 1)[0] if "/" in scan.facts.path else ""
        for fn in public_functions(scan.facts):
            row = totals.setdefault((lang, top), [0, 0])
            row[0] += 1
            row[1] += not missing(fn, scan.facts.language)
    out = []
    for (lang, top), (total, done) in sorted(totals.items()):
        if top and total >= min_n and done / total >= COVERAGE:
            out.append(Constraint(
                id=f"annotations/{lang}/{top}", kind=Kind.ANNOTATIONS, domain="types",
                tier="hard", confidence=round(done / total, 4),
                evidence=f"annotated public {lang} functions in {top}/: {done} of {total}",
                source="mined", scope=(f"{top}/**",), subject=lang,
                limit=round(done / total, 4),
            ))
    return out


def check_annotations(c: Constraint, ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.scan.facts
    if LANGUAGES.get(facts.language) != (c.subject or LANGUAGES.get(facts.language)):
        return
    for fn in public_functions(facts):
        gaps = missing(fn, facts.language)
        if gaps:
            yield finding("ANK302", ctx.path, fn.span,
                          f"`{fn.name}` is not annotated: {', '.join(gaps)}", fn.signature, c)
