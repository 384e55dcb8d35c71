"""Text forms of constraints and of the ConstraintIR (extract, compile)."""

from __future__ import annotations

from collections.abc import Iterable

from ananke_ci.core.constraints import Constraint, ConstraintIR, scope_key
from ananke_ci.core.sanitize import printable
from ananke_ci.report.base import plural


def constraint_table(rows: Iterable[Constraint]) -> str:
    return printable(_constraint_table(rows))  # sources name files; evidence quotes them


def _constraint_table(rows: Iterable[Constraint]) -> str:
    """One line per constraint: id, domain, tier, confidence, scope, then its evidence."""
    rows = list(rows)
    if not rows:
        return "no constraints\n"
    width = max(len(c.id) for c in rows)
    out = [f"{'constraint':<{width}}  {'domain':<9} {'tier':<4}  conf  scope / evidence"]
    for c in rows:
        where = scope_key(c.scope) + (f" [{c.language}]" if c.language else "")
        origin = "" if c.source == "mined" else f" (declared at {c.source})"
        out.append(
            f"{c.id:<{width}}  {c.domain:<9} {c.tier:<4}  {c.confidence:4.2f}  "
            f"{where}\n{'':<{width}}  {c.evidence}{origin}"
        )
    return "\n".join(out) + "\n"


def ir_text(ir: ConstraintIR) -> str:
    return printable(_ir_text(ir))


def _ir_text(ir: ConstraintIR) -> str:
    by_id = {c.id: c for c in ir.constraints}
    out = [
        f"ConstraintIR {ir.inputs} (commit {ir.rev or '-'}): "
        f"{plural(len(ir.constraints), 'constraint')}, "
        f"{plural(len(ir.conflicts), 'conflict')}"
    ]
    for scope, ids in ir.scopes().items():
        out.append(f"\nscope {scope}:")
        for cid in ids:
            c = by_id[cid]
            what = c.value or ", ".join(c.items[:6]) or (f"{c.limit:g}" if c.limit else "")
            origin = "" if c.source == "mined" else f"  ({c.source})"
            out.append(f"  {c.kind:<15} {c.id}  {c.tier}  {what[:70]}{origin}")
    if ir.conflicts:
        out.append("\nconflicts:")
        for k in ir.conflicts:
            out.append(
                f"  {k.what}: {k.winner} ({k.winner_source}) wins over {k.loser} "
                f"({k.loser_source}): {k.reason}"
            )
    art = ir.artefacts
    if art.grammars:
        out.append("\ngrammar fragments (llguidance Lark):")
        for key, text in art.grammars.items():
            out.append(f"  [{key}]")
            out.extend(f"    {line}" for line in text.splitlines())
    if art.regexes:
        out.append("\nregexes:")
        out.extend(f"  {cid}: {rx}" for cid, rx in art.regexes.items())
    if art.schemas:
        out.append(f"\nJSON schemas: {', '.join(art.schemas)} (--json shows them)")
    out.extend(f"\nnote: {n}" for n in ir.notices)
    return "\n".join(out) + "\n"
