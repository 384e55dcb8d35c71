"""Declared constraints (config tables, Ariadne blocks) -> Constraint records.

Inheritance is composition: `constraint api inherits base, logging { ... }` takes base's
fields, then logging's, then its own. Lists (forbid, requires, ...) add up, and `allow` takes
names back; scalars (applies_to, limits, priority, tier) are overridden by the later one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ananke_ci.analysis.constraints.common import CheckContext, finding
from ananke_ci.analysis.rules import call_names, normalise_name
from ananke_ci.core.constraints import DECLARED_PRIORITY, Constraint, Kind
from ananke_ci.core.declared import Declaration
from ananke_ci.core.errors import UserError
from ananke_ci.core.findings import Finding
from ananke_ci.core.records import replace

_SCALARS = ("applies_to", "max_complexity", "max_params", "priority", "tier")


def resolve(decls: Iterable[Declaration]) -> list[Declaration]:
    """Every declaration with its parents composed in; UserError on unknown or cyclic parents
    and on a name declared twice."""
    by_name: dict[str, Declaration] = {}
    for d in decls:
        if d.name in by_name:
            raise UserError(
                f"constraint {d.name} is declared twice (also at {by_name[d.name].source})",
                path=d.source,
            )
        by_name[d.name] = d
    done: dict[str, Declaration] = {}

    def flat(d: Declaration, trail: tuple[str, ...]) -> Declaration:
        if d.name in done:
            return done[d.name]
        if d.name in trail:
            raise UserError(
                f"constraint {d.name} inherits itself: " + " -> ".join((*trail, d.name)),
                path=d.source,
            )
        merged = Declaration(d.name, d.source)
        for parent in d.parents:
            if parent not in by_name:
                raise UserError(
                    f"constraint {d.name} inherits unknown constraint {parent}", path=d.source
                )
            merged = _compose(merged, flat(by_name[parent], (*trail, d.name)))
        out = replace(_compose(merged, d), parents=d.parents)
        done[d.name] = out
        return out

    return [flat(d, ()) for d in by_name.values()]


def _compose(base: Declaration, top: Declaration) -> Declaration:
    def joined(key: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*getattr(base, key), *getattr(top, key))))

    allowed = set(top.allow)
    scalars = {
        k: getattr(top, k) if getattr(top, k) is not None else getattr(base, k) for k in _SCALARS
    }
    return replace(
        top,
        **scalars,
        forbid=tuple(n for n in joined("forbid") if n not in allowed),
        forbid_imports=tuple(n for n in joined("forbid_imports") if n not in allowed),
        allow=joined("allow"),
        requires=joined("requires"),
        naming=tuple(sorted({**dict(base.naming), **dict(top.naming)}.items())),
        message=top.message or base.message,
    )


def to_constraints(decls: Iterable[Declaration]) -> list[Constraint]:
    out: list[Constraint] = []
    for d in resolve(decls):
        base = Constraint(
            id=f"declared/{d.name}",
            kind="",
            domain="semantics",
            tier="soft" if d.tier == "soft" else "hard",
            confidence=1.0,
            evidence=f"declared by constraint {d.name}",
            source=d.source,
            scope=d.applies_to or (),
            priority=DECLARED_PRIORITY if d.priority is None else d.priority,
            message=d.message,
        )
        rows: list[Constraint] = []
        if d.forbid:
            rows.append(replace(base, kind=Kind.FORBID_CALL, items=d.forbid))
        if d.forbid_imports:
            rows.append(
                replace(base, kind=Kind.FORBID_IMPORT, domain="imports", items=d.forbid_imports)
            )
        if d.allow:
            rows.append(replace(base, kind=Kind.ALLOW, items=d.allow))
        if "type_annotations" in d.requires:
            rows.append(replace(base, kind=Kind.ANNOTATIONS, domain="types"))
        if "handled_errors" in d.requires:
            rows += [
                replace(base, kind=Kind.ERROR_HANDLING, domain="control", subject=s)
                for s in ("bare", "swallowed")
            ]
        if d.max_complexity is not None:
            rows.append(
                replace(
                    base, kind=Kind.MAX_COMPLEXITY, domain="control", limit=float(d.max_complexity)
                )
            )
        if d.max_params is not None:
            rows.append(
                replace(base, kind=Kind.MAX_PARAMS, domain="control", limit=float(d.max_params))
            )
        rows += [
            replace(base, kind=Kind.NAMING, subject=kind, value=style) for kind, style in d.naming
        ]
        out += [
            replace(r, id=f"{r.id}/{r.kind}" + (f"/{r.subject}" if r.subject else "")) for r in rows
        ]
    return out


def _allowed(name: str, forbid: Constraint, allows: list[Constraint]) -> bool:
    return any(a.priority >= forbid.priority and name in a.items for a in allows)


def check_forbidden(
    forbids: list[Constraint], allows: list[Constraint], ctx: CheckContext
) -> Iterator[Finding]:
    facts = ctx.scan.facts
    calls = [c for c in forbids if c.kind == Kind.FORBID_CALL]
    if calls:
        for call, names in call_names(facts):
            for c in calls:
                hit = next((i for i in c.items if normalise_name(i) in names), None)
                if hit and not _allowed(hit, c, allows):
                    yield finding(
                        "ANK308", ctx.path, call.span, f"call of forbidden `{hit}`", call.name, c
                    )
                    break
    for imp in facts.imports:
        module = normalise_name(imp.module.strip("\"'<>").replace("/", "."))
        for c in (c for c in forbids if c.kind == Kind.FORBID_IMPORT):
            hit = next(
                (
                    i
                    for i in c.items
                    if module == normalise_name(i) or module.startswith(normalise_name(i) + ".")
                ),
                None,
            )
            if hit and not _allowed(hit, c, allows):
                yield finding(
                    "ANK308", ctx.path, imp.span, f"import of forbidden `{hit}`", imp.module, c
                )
                break


def check_limits(
    complexity: Constraint | None, params: Constraint | None, ctx: CheckContext
) -> Iterator[Finding]:
    scan = ctx.scan
    for fn, score in zip(scan.facts.functions, scan.complexity, strict=True):
        if complexity is not None and complexity.limit is not None and score > complexity.limit:
            yield finding(
                "ANK309",
                ctx.path,
                fn.span,
                f"`{fn.name}` has complexity {score} > {int(complexity.limit)}",
                fn.signature,
                complexity,
            )
        counted = [p for p in fn.params if p.name not in ("self", "cls", "this")]
        if params is not None and params.limit is not None and len(counted) > params.limit:
            yield finding(
                "ANK309",
                ctx.path,
                fn.span,
                f"`{fn.name}` has {len(counted)} parameters > {int(params.limit)}",
                fn.signature,
                params,
            )
