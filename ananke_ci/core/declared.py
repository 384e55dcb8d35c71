"""Declared constraints: one record and one checked constructor for config and Ariadne.

`[constraint.NAME]` tables and `constraint NAME { ... }` blocks carry the same fields; both
go through `make_declaration`, so both meet the same sanitizer and the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ananke_ci.core.errors import UserError
from ananke_ci.core.records import record
from ananke_ci.core.sanitize import (
    check_glob,
    check_name,
    check_regex,
    check_word,
    clean_text,
    shown,
)

STYLES = ("snake_case", "camelCase", "PascalCase", "UPPER_CASE", "kebab-case", "mixedCase")
NAME_KINDS = ("function", "method", "class", "file")
REQUIREMENTS = ("type_annotations", "handled_errors")
TIERS = ("hard", "soft")
MAX_LIST = 200


@record(frozen=True, slots=True)
class Declaration:
    name: str
    source: str  # "path:line" or "path:line:col" of the declaration
    parents: tuple[str, ...] = ()  # inherits A, B: composed left to right, own fields last
    applies_to: tuple[str, ...] | None = None  # None: inherited, or every file
    forbid: tuple[str, ...] = ()  # calls
    forbid_imports: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()  # calls or imports taken back from what a parent forbids
    requires: tuple[str, ...] = ()  # REQUIREMENTS
    max_complexity: int | None = None
    max_params: int | None = None
    naming: tuple[tuple[str, str], ...] = ()  # (kind, style name or regex)
    priority: int | None = None
    tier: str | None = None
    message: str = ""


def _strings(value: Any, what: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
        raise UserError(f"{what} must be a string or a list of strings")
    if len(items) > MAX_LIST:
        raise UserError(f"{what}: at most {MAX_LIST} entries")
    return list(items)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 10_000:
        raise UserError(f"{what} must be a whole number from 1 to 10000, not {shown(value)}")
    return value


def _priority(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -1000 <= value <= 1000:
        raise UserError(f"{what} must be a whole number from -1000 to 1000")
    return value


def _naming(value: Any, what: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        raise UserError(f"{what} must map a kind ({', '.join(NAME_KINDS)}) to a style")
    out = []
    for kind, style in value.items():
        if kind not in NAME_KINDS:
            raise UserError(
                f"{what}: unknown kind {clean_text(str(kind), 40)!r} "
                f"(expected one of {', '.join(NAME_KINDS)})"
            )
        if not isinstance(style, str):
            raise UserError(f"{what}.{kind} must be a style name or a regex string")
        out.append((kind, style if style in STYLES else _style_regex(style, f"{what}.{kind}")))
    return tuple(sorted(out))


def _style_regex(style: str, what: str) -> str:
    """A regex for names, never a misspelled style: text that is only letters, digits, `_`
    and `-` would match (anywhere in a name) nearly nothing a convention means."""
    if re.fullmatch(r"[\w-]*", style, re.ASCII):
        import difflib

        close = difflib.get_close_matches(style, STYLES, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]}? " if close else ""
        raise UserError(
            f"{what}: unknown naming style {shown(style)} ({hint}styles: "
            f"{', '.join(STYLES)}; a regex must look like one, e.g. "
            '"^[a-z][a-z0-9_]*$")'
        )
    return check_regex(style)


def _one_of(options: tuple[str, ...]) -> Callable[[Any, str], str]:
    def check(value: Any, what: str) -> str:
        if value not in options:
            raise UserError(f"{what} must be one of {', '.join(options)}, not {shown(value)}")
        return str(value)

    return check


def _requires(value: Any, what: str) -> tuple[str, ...]:
    items = _strings(value, what)
    check = _one_of(REQUIREMENTS)
    return tuple(check(v, what) for v in items)


FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "inherits": lambda v, w: tuple(check_word(x, w) for x in _strings(v, w)),
    "applies_to": lambda v, w: tuple(check_glob(x) for x in _strings(v, w)),
    "forbid": lambda v, w: tuple(check_name(x, w) for x in _strings(v, w)),
    "forbid_imports": lambda v, w: tuple(check_name(x, w) for x in _strings(v, w)),
    "allow": lambda v, w: tuple(check_name(x, w) for x in _strings(v, w)),
    "requires": _requires,
    "max_complexity": _int,
    "max_params": _int,
    "naming": _naming,
    "priority": _priority,
    "tier": _one_of(TIERS),
    "message": lambda v, w: clean_text(" ".join(_strings(v, w))),
}


def make_declaration(
    name: str,
    source: str,
    fields: Mapping[str, Any],
    where: Callable[[str], str] | None = None,
) -> Declaration:
    """A checked Declaration from raw field values (keys with '_' or '-').

    `where(key)` gives the location of a field for messages (config line, Ariadne line:col);
    errors are UserErrors naming it."""
    check_word(name, "constraint name")
    args: dict[str, Any] = {}
    for raw_key, value in fields.items():
        key = raw_key.replace("-", "_")
        loc = where(raw_key) if where else source
        if key not in FIELDS:
            raise _at(
                loc,
                f"constraint {name}: unknown field {clean_text(raw_key, 40)!r} "
                f"(fields: {', '.join(FIELDS)})",
            )
        try:
            args["parents" if key == "inherits" else key] = FIELDS[key](value, f"{name}.{key}")
        except UserError as exc:
            raise _at(loc, exc.message) from None
    return Declaration(name=name, source=source, **args)


def _at(loc: str, message: str) -> UserError:
    path, _, rest = loc.partition(":")
    line, _, col = rest.partition(":")
    return located(
        path, int(line) if line.isdigit() else None, int(col) if col.isdigit() else None, message
    )


def located(path: str | None, line: int | None, col: int | None, message: str) -> UserError:
    """A UserError printed as `path:line:col: message` (col only when known)."""
    if path and line and col:
        return UserError(message, path=f"{path}:{line}:{col}")
    return UserError(message, path=path or None, line=line)
