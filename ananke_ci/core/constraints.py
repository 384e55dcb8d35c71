"""Constraints and the ConstraintIR: frozen records with one stable JSON form.

A constraint comes from mining (what the repository already does) or from a declaration
(config, Ariadne). Either way it says what it is about (`kind`, `subject`, `value`, `items`,
`limit`), where it applies (`scope` globs, `language`), how hard it is (`tier`, `confidence`)
and why (`evidence`, `source`). The IR is what the validator and the generator read; its JSON
is canonical (sorted keys, sorted records), so equal inputs give byte-identical files.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from ananke_ci.core.records import field, record, record_fields

Tier = Literal["hard", "soft"]
IR_VERSION = 1
MINED_PRIORITY = 0  # a declaration (default priority 10) always beats what was mined
DECLARED_PRIORITY = 10
# the first part of every constraint id ("naming/python/function"): what `disable` checks
ID_FAMILIES = (
    "annotations",
    "api",
    "dangerous",
    "declared",
    "errors",
    "layering",
    "naming",
    "no_cycles",
)


class Kind:
    """The constraint kinds the validator knows (strings, so the JSON stays plain)."""

    NAMING = "naming"
    ANNOTATIONS = "annotations"
    LAYERING = "layering"
    NO_CYCLES = "no_cycles"
    DANGEROUS_CALL = "dangerous_call"
    ERROR_HANDLING = "error_handling"
    API_STABILITY = "api_stability"
    FORBID_CALL = "forbid_call"
    FORBID_IMPORT = "forbid_import"
    ALLOW = "allow"
    MAX_COMPLEXITY = "max_complexity"
    MAX_PARAMS = "max_params"


@record(frozen=True, slots=True)
class Constraint:
    id: str  # stable, e.g. "naming/python/function", "layering/src/app->src/cli"
    kind: str
    domain: str  # syntax | types | imports | control | semantics
    tier: Tier
    confidence: float  # 0..1: share of the evidence that agrees
    evidence: str  # "snake_case function names: 412 of 415 functions"
    source: str  # "mined", ".ananke.toml:12", "rules/api.ariadne:3:1"
    scope: tuple[str, ...] = ()  # path globs; () = every file
    language: str | None = None  # None = every language
    subject: str = ""  # what it is about: a name kind, a package, a call, a function
    value: str = ""  # what is expected: a naming style, a target package, a signature
    items: tuple[str, ...] = ()  # names, call sites, graph edges
    limit: float | None = None  # a threshold (complexity, parameters, coverage)
    priority: int = MINED_PRIORITY
    message: str = ""  # a declaration's own words, shown in findings

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict  # writing only: the hook reads, never writes

        return asdict(self)

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Constraint:
        known = set(record_fields(cls))
        args = {k: v for k, v in row.items() if k in known}
        for key in ("scope", "items"):
            args[key] = tuple(args.get(key, ()))
        return cls(**args)


@record(frozen=True, slots=True)
class Conflict:
    """Two constraints that cannot both hold somewhere; `winner` is the one kept."""

    what: str  # "two naming styles for python functions"
    winner: str  # constraint id
    loser: str
    winner_source: str
    loser_source: str
    reason: str  # "priority 10 > 0", "same priority: the later declaration wins"

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict  # writing only: the hook reads, never writes

        return asdict(self)


@record(frozen=True, slots=True)
class Artefacts:
    """What generation needs: a Lark fragment, regexes and JSON schemas, per scope."""

    grammars: dict[str, str] = field(default_factory=dict)  # scope key -> Lark fragment
    regexes: dict[str, str] = field(default_factory=dict)  # constraint id -> regex
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # constraint id -> schema

    def to_json(self) -> dict[str, Any]:
        return {"grammars": self.grammars, "regexes": self.regexes, "schemas": self.schemas}


@record(frozen=True, slots=True)
class ConstraintIR:
    inputs: str  # content hash of everything the IR was built from
    rev: str | None  # the commit mined
    constraints: tuple[Constraint, ...]
    conflicts: tuple[Conflict, ...] = ()
    artefacts: Artefacts = field(default_factory=Artefacts)
    notices: tuple[str, ...] = ()

    def scopes(self) -> dict[str, list[str]]:
        """Scope key ("**" for everywhere) -> ids of the constraints that apply there."""
        out: dict[str, list[str]] = {}
        for c in self.constraints:
            out.setdefault(scope_key(c.scope), []).append(c.id)
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": IR_VERSION,
            "inputs": self.inputs,
            "rev": self.rev,
            "constraints": [c.to_json() for c in self.constraints],
            "conflicts": [c.to_json() for c in self.conflicts],
            "scopes": self.scopes(),
            "artefacts": self.artefacts.to_json(),
            "notices": list(self.notices),
        }

    def dumps(self) -> str:
        return canonical_json(self.to_json())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConstraintIR:
        if data.get("version") != IR_VERSION:
            raise ValueError(f"IR version {data.get('version')!r}, expected {IR_VERSION}")
        art = data.get("artefacts", {})
        return cls(
            inputs=str(data["inputs"]),
            rev=data.get("rev"),
            constraints=tuple(Constraint.from_json(r) for r in data["constraints"]),
            conflicts=tuple(Conflict(**r) for r in data.get("conflicts", [])),
            artefacts=Artefacts(
                dict(art.get("grammars", {})),
                dict(art.get("regexes", {})),
                dict(art.get("schemas", {})),
            ),
            notices=tuple(data.get("notices", ())),
        )


def scope_key(scope: tuple[str, ...]) -> str:
    return ", ".join(scope) if scope else "**"


def canonical_json(body: Any) -> str:
    """The one serialisation of IR-like data: sorted keys, fixed separators, ASCII."""
    return json.dumps(body, sort_keys=True, indent=1, ensure_ascii=True) + "\n"
