"""Check one file against the ConstraintIR: pick the constraints whose scope and language
fit, resolve competing ones by priority, and run each kind's check.

On the pre-commit hot path: imports only the checks (no lark, no graph library).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ananke_ci.analysis.constraints.annotations import check_annotations
from ananke_ci.analysis.constraints.api import check_api
from ananke_ci.analysis.constraints.common import CheckContext, applies, rank, strongest
from ananke_ci.analysis.constraints.declared import check_forbidden, check_limits
from ananke_ci.analysis.constraints.habits import check_dangers, check_handlers
from ananke_ci.analysis.constraints.layering import check_layering
from ananke_ci.analysis.constraints.naming import check_naming
from ananke_ci.core.constraints import Constraint, ConstraintIR, Kind
from ananke_ci.core.findings import Finding


def needs_imports(ir: ConstraintIR) -> bool:
    """Whether checks resolve imports to files (the caller then lists the repository)."""
    return any(c.kind in (Kind.LAYERING, Kind.NO_CYCLES) for c in ir.constraints)


def _by_subject(rows: list[tuple[int, Constraint]]) -> dict[str, Constraint]:
    groups: dict[str, list[tuple[int, Constraint]]] = defaultdict(list)
    for order, c in rows:
        groups[c.subject].append((order, c))
    out: dict[str, Constraint] = {}
    for key, rows_of in groups.items():
        best = strongest(rows_of)
        if best is not None:
            out[key] = best
    return out


def check_constraints(ir: ConstraintIR, ctx: CheckContext) -> Iterator[Finding]:
    facts = ctx.scan.facts
    if facts.skipped:
        return
    kinds: dict[str, list[tuple[int, Constraint]]] = defaultdict(list)
    for order, c in enumerate(ir.constraints):
        if applies(c, facts.path, facts.language):
            kinds[c.kind].append((order, c))

    def plain(kind: str) -> list[Constraint]:
        return [c for _, c in kinds.get(kind, [])]

    allows = plain(Kind.ALLOW)
    yield from check_naming(_by_subject(kinds[Kind.NAMING]), ctx)
    annotations = strongest(kinds[Kind.ANNOTATIONS])
    if annotations is not None:
        yield from check_annotations(annotations, ctx)
    cycles = strongest(kinds[Kind.NO_CYCLES])
    yield from check_layering(plain(Kind.LAYERING), cycles, ctx)
    dangers = {
        k: c
        for k, c in _by_subject(kinds[Kind.DANGEROUS_CALL]).items()
        if not any(a.priority >= c.priority and k in a.items for a in allows)
    }
    yield from check_dangers(dangers, ctx)
    yield from check_handlers(_by_subject(kinds[Kind.ERROR_HANDLING]), ctx)
    yield from check_api(plain(Kind.API_STABILITY), ctx)
    # the strongest forbid names the finding: higher priority, then the later declaration
    forbids = sorted(
        [*kinds[Kind.FORBID_CALL], *kinds[Kind.FORBID_IMPORT]],
        key=lambda item: rank(item[1], item[0]),
        reverse=True,
    )
    yield from check_forbidden([c for _, c in forbids], allows, ctx)
    yield from check_limits(
        strongest(kinds[Kind.MAX_COMPLEXITY]), strongest(kinds[Kind.MAX_PARAMS]), ctx
    )
