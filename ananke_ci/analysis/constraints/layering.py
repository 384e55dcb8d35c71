"""Layering between packages (directories): the direction the import graph already shows,
and no new cycles.

When package A imports package B at least MIN_EDGES times and B never imports A, "B never
imports A" is a constraint. Every package-level edge is kept too, so a new import that
closes a cycle (B reaches A already, and A now imports B) is caught. Checks look only at
module-level imports in Python (an import inside a function or an `if TYPE_CHECKING:` block
is the accepted way to break a cycle) and skip TypeScript's `import type` (erased at compile
time).
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.analysis.salience.imports import import_spec
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.facts import Import
from ananke_ci.core.findings import Finding

MIN_EDGES = 3
_SEP = " -> "


def unit(path: str) -> str:
    return posixpath.dirname(path) or "."


def _show(u: str) -> str:
    return "(root)" if u == "." else u


def mine_layering(
    edges: Iterable[tuple[str, str]],
    min_edges: int = MIN_EDGES,
) -> list[Constraint]:
    counts: Counter[tuple[str, str]] = Counter(
        (unit(a), unit(b)) for a, b in edges if unit(a) != unit(b)
    )
    out = []
    for (high, low), n in sorted(counts.items()):
        if n >= min_edges and counts.get((low, high), 0) == 0:
            out.append(
                Constraint(
                    id=f"layering/{low}{_SEP}{high}",
                    kind=Kind.LAYERING,
                    domain="imports",
                    tier="hard",
                    confidence=round(n / (n + 1), 4),
                    evidence=f"`{_show(low)}` never imports `{_show(high)}`: 0 of {n} imports "
                    f"between them (all {_show(high)} -> {_show(low)})",
                    source="mined",
                    scope=(f"{low}/*",) if low != "." else ("*",),
                    subject=low,
                    value=high,
                    limit=float(n),
                )
            )
    if counts:
        cycles = _cycles(set(counts))
        out.append(
            Constraint(
                id="no_cycles/packages",
                kind=Kind.NO_CYCLES,
                domain="imports",
                tier="hard",
                confidence=1.0,
                evidence=f"{sum(counts.values())} imports between "
                f"{len({u for e in counts for u in e})} packages; {cycles} cycle(s) today",
                source="mined",
                items=tuple(sorted(f"{a}{_SEP}{b}" for a, b in counts)),
            )
        )
    return out


def _cycles(edges: set[tuple[str, str]]) -> int:
    """Strongly connected components with more than one package."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    reach = {n: _reachable(graph, n) for n in list(graph)}
    seen: set[str] = set()
    count = 0
    for n in sorted(reach):
        if n in seen:
            continue
        comp = {m for m in reach[n] if n in reach.get(m, set())}
        seen |= comp | {n}
        count += len(comp) > 1
    return count


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def module_level(imp: Import, language: str) -> bool:
    return language != "python" or imp.span.start_col == 1


def check_layering(
    layers: list[Constraint], cycles: Constraint | None, ctx: CheckContext
) -> Iterator[Finding]:
    if ctx.resolve is None:
        return
    facts = ctx.scan.facts
    here = unit(ctx.path)
    forbidden = {c.value: c for c in layers if c.subject == here}
    graph: dict[str, set[str]] = defaultdict(set)
    if cycles is not None:
        for edge in cycles.items:
            a, _, b = edge.partition(_SEP)
            graph[a].add(b)
    for imp in facts.imports:
        if not module_level(imp, facts.language) or imp.span.start_line in ctx.scan.type_only:
            continue
        spec = import_spec(imp, facts.language)
        targets = {unit(t) for t in ctx.resolve(ctx.path, [spec])} - {here}
        for target in sorted(targets):
            c = forbidden.get(target)
            if c is not None:
                yield finding(
                    "ANK303",
                    ctx.path,
                    imp.span,
                    f"`{_show(here)}` imports `{_show(target)}`, against the established direction",
                    imp.module,
                    c,
                )
            elif (
                cycles is not None
                and target not in graph[here]
                and here in _reachable(graph, target)
            ):
                yield finding(
                    "ANK304",
                    ctx.path,
                    imp.span,
                    f"importing `{_show(target)}` from `{_show(here)}` closes a cycle "
                    f"({_show(target)} already reaches {_show(here)})",
                    imp.module,
                    cycles,
                )
