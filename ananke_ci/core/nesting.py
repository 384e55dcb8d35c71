"""How deeply a config or Ariadne text nests brackets, found before a recursive parser sees it.

tomllib and our Ariadne tree walk recurse once per `[` / `{`: a few thousand of them raise
RecursionError (a crash) instead of an error naming the line. Real files nest a handful of
levels; the text is scanned once with a regex (strings and comments skipped) and refused past
a depth no config needs.
"""

from __future__ import annotations

import re

MAX_DEPTH = 32

# strings (multi-line first), comments, brackets; anything else is skipped by finditer
_TOML = (
    r'"""(?:[^\\]|\\[\s\S])*?(?:"""|$)|\'\'\'[\s\S]*?(?:\'\'\'|$)'
    r'|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?|#[^\n]*|[\[\]{}]'
)
_ARIADNE = r'"(?:[^"\\\n]|\\.)*"?|//[^\n]*|#[^\n]*|[\[\]{}]'


def too_deep(
    text: str,
    *,
    ariadne: bool = False,
    limit: int = MAX_DEPTH,
) -> tuple[int, int] | None:
    """(line, column), 1-based, of the first bracket nested deeper than `limit`, or None."""
    if text.count("[") + text.count("{") <= limit:  # the common case: no scan at all
        return None
    depth = 0
    for m in re.finditer(_ARIADNE if ariadne else _TOML, text):
        token = m.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                start = m.start()
                line_start = text.rfind("\n", 0, start) + 1
                return text.count("\n", 0, start) + 1, start - line_start + 1
        elif token in ("]", "}"):
            depth = max(0, depth - 1)
    return None


def nested_deeper(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether parsed tables and lists nest deeper than `limit` (dotted keys make deep
    tables without brackets); iterative, so any depth is safe to ask about."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False
