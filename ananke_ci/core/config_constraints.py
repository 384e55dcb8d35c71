"""The constraint keys of the config: `[constraints]` settings and `[constraint.NAME]` tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ananke_ci.core.constraints import ID_FAMILIES
from ananke_ci.core.declared import Declaration, make_declaration
from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record
from ananke_ci.core.rules_catalog import lookup
from ananke_ci.core.sanitize import check_glob, shown

DEFAULT_BASELINE = ".ananke-baseline.json"
DEFAULT_ARIADNE = ("**/*.ariadne",)


@record(frozen=True, slots=True)
class ConstraintSettings:
    mine: bool = True  # false: only declared constraints
    min_confidence: float = 0.95  # a mined convention must hold this often
    min_evidence: int = 20  # ... over at least this many cases
    disable: tuple[str, ...] = ()  # constraint ids (or id globs, "naming/*") to drop
    ariadne: tuple[str, ...] = DEFAULT_ARIADNE  # where the Ariadne files are
    baseline: str = DEFAULT_BASELINE


Fail = Callable[[str, str], UserError]
LineOf = Callable[[str], int | None]


def parse_constraint_keys(
    doc: Mapping[str, Any],
    fail: Fail,
    line_of: LineOf,
    source: str,
) -> tuple[ConstraintSettings, tuple[Declaration, ...]]:
    return _settings(doc.get("constraints", {}), fail), _declared(
        doc.get("constraint", {}), fail, line_of, source
    )


def check_disable(
    disable: tuple[str, ...], source: str, string_line: LineOf, line_of: LineOf
) -> tuple[str, ...]:
    """Where each `disable` entry is ("file:line"), once each is known to be able to match
    a constraint id: a rule id there, or an unknown first part (`namng/*`), is a typo that
    would silently disable nothing. `string_line` finds the line of a quoted string."""
    at = []
    for entry in disable:
        line = string_line(entry) or line_of("disable")
        where = f"{source}:{line}" if line else source
        at.append(where)
        rule = lookup(entry)
        if rule is not None:
            raise UserError(
                f"constraints.disable: {shown(entry)} is a rule, not a constraint "
                f'id; turn the rule off with [rules] {rule.id} = "off"',
                path=source,
                line=line,
            )
        family, slash, rest = entry.partition("/")
        if family in ID_FAMILIES or any(ch in family for ch in "*?["):
            continue
        import difflib  # only for a typo: off the hook's path

        close = difflib.get_close_matches(family, ID_FAMILIES, n=1, cutoff=0.6)
        hint = f" (did you mean {shown(close[0] + slash + rest)}?)" if close else ""
        raise UserError(
            f"constraints.disable: {shown(entry)} matches no constraint id: "
            f"{shown(family)} is not a kind of constraint{hint}; ids start with "
            + ", ".join(f"{f}/" for f in ID_FAMILIES),
            path=source,
            line=line,
        )
    return tuple(at)


def _settings(table: Any, fail: Fail) -> ConstraintSettings:
    if not isinstance(table, dict):
        raise fail("constraints", "constraints must be a table, e.g. [constraints]")
    known = {"mine", "min-confidence", "min-evidence", "disable", "ariadne", "baseline"}
    for key in table:
        if key not in known:
            raise fail(
                key,
                f"unknown key {key!r} in [constraints] (valid keys: "
                + ", ".join(sorted(known))
                + ")",
            )
    mine = table.get("mine", True)
    if not isinstance(mine, bool):
        raise fail("mine", "constraints.mine must be true or false")
    conf = table.get("min-confidence", 0.95)
    if isinstance(conf, bool) or not isinstance(conf, int | float) or not 0.5 <= conf <= 1:
        raise fail("min-confidence", "min-confidence must be a number from 0.5 to 1")
    evidence = table.get("min-evidence", 20)
    if isinstance(evidence, bool) or not isinstance(evidence, int) or evidence < 1:
        raise fail("min-evidence", "min-evidence must be a positive integer")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("disable", "ariadne"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"constraints.{key} must be a list of strings")
        try:
            lists[key] = tuple(check_glob(v) for v in value)
        except UserError as exc:
            raise fail(key, exc.message) from None
    baseline = table.get("baseline", DEFAULT_BASELINE)
    if not isinstance(baseline, str) or not baseline:
        raise fail("baseline", "constraints.baseline must be a path")
    parts = baseline.replace("\\", "/").split("/")
    if baseline.startswith(("/", "\\")) or ".." in parts or ":" in parts[0] or "\0" in baseline:
        raise fail(
            "baseline",
            "constraints.baseline must be a path inside the repository, "
            f"relative to its root, not {shown(baseline)}",
        )
    return ConstraintSettings(
        mine=mine,
        min_confidence=float(conf),
        min_evidence=evidence,
        disable=lists["disable"],
        ariadne=lists["ariadne"] if "ariadne" in table else DEFAULT_ARIADNE,
        baseline=baseline,
    )


def _declared(
    table: Any,
    fail: Fail,
    line_of: Callable[[str], int | None],
    source: str,
) -> tuple[Declaration, ...]:
    if not isinstance(table, dict):
        raise fail("constraint", "constraint must hold tables, e.g. [constraint.api]")
    out = []
    for name, fields in table.items():
        if not isinstance(fields, dict):
            raise fail(name, f"[constraint.{name}] must be a table")
        line = line_of(name)
        here = f"{source}:{line}" if line else source

        def where(key: str, here: str = here) -> str:
            found = line_of(key)
            return f"{source}:{found}" if found else here

        out.append(make_declaration(name, here, fields, where))
    return tuple(out)
