"""Holes: TODO-style comments and functions whose body is only a placeholder.

Markers in comments: TODO, FIXME, XXX and HACK (upper case, whole word: lower-case "todo" in
prose is too noisy). HACK is included because it marks the same "come back to this" debt.

Typed holes (a body that is nothing but `pass`, `todo!()`, `throw new
NotImplementedException()`, ...) are described per language in placeholders.py.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from tree_sitter import Node

from ananke_ci.analysis._text import SourceText, fold
from ananke_ci.analysis.rows import CommentRow, FunctionRow, HoleRow
from ananke_ci.core.records import dataclass

TODO_RE = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
_NI = r"(todo|fixme|not (yet )?implemented|unimplemented|implement me)"
_MSG = r"[\"'`][^\"'`]*\b" + _NI + r"\b[^\"'`]*[\"'`]"
_DOCSTRING_RE = re.compile(r"^[rRbBuUfF]*[\"']")
# a body with more named children than this is real code, whatever it holds
_MAX_BODY_CHILDREN = 12
EMPTY_BODY_MARKER = "empty body with TODO"
_MAX_PLACEHOLDER_BYTES = 400  # longer than any placeholder statement with its message


class FunctionNodes(NamedTuple):
    """A function's row with the tree nodes the hole finder needs (valid while the tree lives).

    A named tuple: one per function, and a frozen dataclass costs ~3x as much to build."""

    function: FunctionRow
    node: Node
    body: Node | None
    container: Node | None


@dataclass(frozen=True, slots=True)
class _Rules:
    unwrap: frozenset[str]
    docstring: bool
    placeholders: tuple[tuple[str, re.Pattern[str]], ...]
    decorator_wrapper: str | None
    exempt_decorators: re.Pattern[str] | None
    bases_field: str | None
    exempt_bases: re.Pattern[str] | None
    exempt_extensions: tuple[str, ...]


_RULES: dict[str, _Rules] = {}


def _pattern(raw: str) -> re.Pattern[str]:
    return re.compile(raw.replace("{msg}", _MSG).replace("{ni}", _NI))


def _optional(raw: Any) -> re.Pattern[str] | None:
    return _pattern(raw) if isinstance(raw, str) else None


def rules_for(language: str) -> _Rules | None:
    """One language's placeholder rules, compiled on first use: a commit check touching
    one Python file should not compile the regexes of thirteen other languages."""
    if language not in _RULES:
        from ananke_ci.analysis.placeholders import TABLE

        entry = TABLE.get(language)
        if entry is None:
            return None
        _RULES[language] = _Rules(
            unwrap=frozenset(entry.get("unwrap", ())),
            docstring=bool(entry.get("docstring", False)),
            placeholders=tuple(
                (item["marker"], _pattern(item["pattern"]))
                for item in entry.get("placeholder", ())
            ),
            decorator_wrapper=entry.get("decorator_wrapper"),
            exempt_decorators=_optional(entry.get("exempt_decorators")),
            bases_field=entry.get("bases_field"),
            exempt_bases=_optional(entry.get("exempt_bases")),
            exempt_extensions=tuple(entry.get("exempt_extensions", ())),
        )
    return _RULES[language]


def find_holes(
    language: str,
    path: str,
    text: SourceText,
    functions: list[FunctionNodes],
    comments: list[CommentRow],
) -> list[HoleRow]:
    """TODO comments and typed holes of one file, in source order."""
    holes: list[HoleRow] = []
    for comment, span in comments:
        match = TODO_RE.search(comment)
        if match is not None:
            owner = _enclosing(functions, span[4], span[5])
            holes.append(("todo", match.group(1), comment, span, owner))
    rules = rules_for(language)
    # a stub file (.pyi) is all legitimate `...` bodies
    if rules is not None and not (
        rules.exempt_extensions and path.endswith(rules.exempt_extensions)
    ):
        for fn in functions:
            if fn.body is not None:
                hole = _typed_hole(rules, text, fn, fn.body)
                if hole is not None:
                    holes.append(hole)
    holes.sort(key=_hole_start)
    return holes


def _hole_start(hole: HoleRow) -> int:
    return hole[3][4]


def _enclosing(functions: list[FunctionNodes], start: int, end: int) -> FunctionRow | None:
    """The innermost function around a byte range (functions come sorted by start)."""
    found: FunctionRow | None = None
    for fn in functions:
        span = fn.function[3]
        if span[4] > start:
            break
        if span[5] >= end:
            found = fn.function
    return found


def _statements(node: Node, unwrap: frozenset[str], out: list[tuple[Node, str]]) -> bool:
    """Flatten the body's statements into `out` with their node types (each `.type` builds
    a new string); False when the body is too big to matter."""
    if node.named_child_count > _MAX_BODY_CHILDREN:
        return False
    for child in node.named_children:
        kind = child.type
        if kind in unwrap:
            if not _statements(child, unwrap, out):
                return False
        else:
            out.append((child, kind))
    return True


def _typed_hole(rules: _Rules, text: SourceText, fn: FunctionNodes, body: Node,
                ) -> HoleRow | None:
    children: list[tuple[Node, str]] = []
    kind = body.type
    if kind not in rules.unwrap:
        children.append((body, kind))  # an expression body (`= TODO()`) is its own statement
    elif not _statements(body, rules.unwrap, children):
        return None
    statements = [node for node, kind in children if "comment" not in kind]
    if rules.docstring and statements:
        first = statements[0]
        if _DOCSTRING_RE.match(text.slice(first.start_byte, first.start_byte + 8)):
            statements = statements[1:]
    if not statements:
        if any(TODO_RE.search(text.text(node)) for node, _ in children):
            return ("typed", EMPTY_BODY_MARKER, text.text(body), text.span(body), fn.function)
        return None
    if len(statements) != 1:
        return None
    statement = statements[0]
    if statement.end_byte - statement.start_byte > _MAX_PLACEHOLDER_BYTES:
        return None  # real code, not worth decoding
    written = text.text(statement)
    folded = fold(written)
    for marker, pattern in rules.placeholders:
        if pattern.match(folded):
            if _exempt(rules, text, fn):
                return None
            return ("typed", marker, written, text.span(statement), fn.function)
    return None


def _exempt(rules: _Rules, text: SourceText, fn: FunctionNodes) -> bool:
    """Legitimate stubs: abstract methods, overloads, Protocol members."""
    parent = fn.node.parent
    if (
        rules.exempt_decorators is not None
        and parent is not None
        and parent.type == rules.decorator_wrapper
    ):
        for child in parent.named_children:
            if child.type == "decorator" and rules.exempt_decorators.search(text.text(child)):
                return True
    if rules.exempt_bases is not None and rules.bases_field and fn.container is not None:
        bases = fn.container.child_by_field_name(rules.bases_field)
        if bases is not None and rules.exempt_bases.search(text.text(bases)):
            return True
    return False
