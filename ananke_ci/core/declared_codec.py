"""Declarations as JSON rows, for the cache of parsed Ariadne files (the hook reads them back
without Lark). The rows are this tool's own output: a row that does not fit raises, and the
reader parses the files again."""

from __future__ import annotations

from typing import Any

from ananke_ci.core.declared import Declaration
from ananke_ci.core.records import record_fields

_TUPLES = ("parents", "applies_to", "forbid", "forbid_imports", "allow", "requires")


def declaration_to_json(d: Declaration) -> dict[str, Any]:
    return {name: getattr(d, name) for name in record_fields(Declaration)}


def declaration_from_json(row: dict[str, Any]) -> Declaration:
    if not isinstance(row, dict) or set(row) != set(record_fields(Declaration)):
        raise ValueError("not a declaration row")
    args = dict(row)
    for key in _TUPLES:
        if args[key] is not None:
            args[key] = tuple(str(v) for v in args[key])
    args["naming"] = tuple((str(k), str(v)) for k, v in args["naming"])
    return Declaration(**args)
