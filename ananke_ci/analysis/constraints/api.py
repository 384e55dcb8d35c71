"""Public API stability: a top-level function of a FoundationalStable file that other files
call from at least MIN_CALLERS places keeps its signature; a change that removes or renames a
parameter, adds a required one, or changes the return type breaks the listed call sites.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.core.constraints import Constraint, Kind
from ananke_ci.core.facts import Function
from ananke_ci.core.findings import Finding
from ananke_ci.core.testfiles import is_test_path

if TYPE_CHECKING:
    from ananke_ci.analysis.constraints.summary import FileSummary

MIN_CALLERS = 3  # files
MAX_SITES = 30
_IMPLICIT = {"self", "cls", "this"}


def shape(fn: Function) -> str:
    """`a, b=, *args -> int`: parameter names (optional ones marked) and the return type."""
    parts = []
    for p in fn.params:
        if p.name in _IMPLICIT or not p.name:
            continue
        bare = p.name.lstrip("*.")
        optional = re.search(rf"(?<![\w.]){re.escape(bare)}\s*(\?|(:[^,=)]*)?=)",
                             fn.signature) is not None
        parts.append(p.name + ("=" if optional else ""))
    return ", ".join(parts) + (f" -> {fn.return_type}" if fn.return_type else "")


def breaks(old: str, new: str) -> list[str]:
    """Why `new` breaks callers of `old` ([] when it does not)."""
    old_params, _, old_ret = old.partition(" -> ")
    new_params, _, new_ret = new.partition(" -> ")
    before = [p for p in old_params.split(", ") if p]
    after = [p for p in new_params.split(", ") if p]
    names_after = [p.rstrip("=") for p in after]
    why = [f"parameter `{p.rstrip('=')}` removed or renamed" for p in before
           if p.rstrip("=") not in names_after]
    kept = [p.rstrip("=") for p in before if p.rstrip("=") in names_after]
    if kept != [n for n in names_after if n in kept]:
        why.append("parameters reordered")
    names_before = {p.rstrip("=") for p in before}
    why += [f"new required parameter `{p}`" for p in after
            if not p.endswith("=") and p not in names_before and not p.startswith("*")]
    why += [f"parameter `{p.rstrip('=')}` no longer optional" for p in before
            if p.endswith("=") and p.rstrip("=") in after]
    if old_ret and new_ret and old_ret != new_ret:
        why.append(f"return type {old_ret} -> {new_ret}")
    return why


def mine_api(files: Mapping[str, FileSummary], edges: Iterable[tuple[str, str]],
             foundational: set[str], min_callers: int = MIN_CALLERS) -> list[Constraint]:
    importers: dict[str, set[str]] = defaultdict(set)
    for src, dst in edges:
        if dst in foundational:
            importers[dst].add(src)
    out = []
    for path in sorted(foundational):
        summary = files.get(path)
        if summary is None or not importers[path] or is_test_path(path):
            continue
        callers_of = {caller: dict(files[caller].calls) for caller in importers[path]
                      if caller in files}
        for name, signature in summary.api:
            sites = sorted(f"{caller}:{line}" for caller, calls in callers_of.items()
                           for line in calls.get(name, ()))
            callers = {s.rsplit(":", 1)[0] for s in sites}
            if len(callers) < min_callers:
                continue
            out.append(Constraint(
                id=f"api/{path}::{name}", kind=Kind.API_STABILITY, domain="types",
                tier="hard", confidence=1.0,
                evidence=f"`{name}` in FoundationalStable {path}: {len(sites)} call sites "
                         f"in {len(callers)} files",
                source="mined", scope=(path,), subject=name, value=signature,
                items=tuple(sites[:MAX_SITES]), limit=float(len(sites)),
            ))
    return out


def check_api(rules: list[Constraint], ctx: CheckContext) -> Iterator[Finding]:
    by_name = {c.subject: c for c in rules}
    for fn in ctx.scan.facts.functions:
        c = by_name.get(fn.name)
        if c is None or fn.container is not None:
            continue
        why = breaks(c.value, shape(fn))
        if why:
            shown = c.items[:10]
            rest = max(int(c.limit or 0), len(c.items)) - len(shown)
            sites = ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")
            yield finding("ANK307", ctx.path, fn.span,
                          f"signature of `{fn.name}` changed ({'; '.join(why)}); "
                          f"call sites that break: {sites}", fn.signature, c)
