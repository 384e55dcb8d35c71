"""Holes for the evaluation: the body of a real function removed, as benchmarks/bench_holes.py
makes them.

The docstring (Python) stays: it is the specification; a JavaScript function's JSDoc is
above it and stays too. Only small real bodies are taken (1 to 4 statement lines, at most
240 characters), replaced by the language's placeholder (`pass`, `// TODO`), which the
product's extractor then finds as a hole.
"""

from __future__ import annotations

import re

from ananke_ci.core.facts import Function
from ananke_ci.core.records import record

MAX_STATEMENTS = 4
MAX_BODY_CHARS = 240
PLACEHOLDER = {"python": "pass", "javascript": "// TODO"}
_DOC = re.compile(r'^\s*[rRbBuUfF]*("""|\'\'\'|"|\')')


@record(frozen=True, slots=True)
class MadeHole:
    source: str  # the file with the body replaced
    line: int  # where the placeholder is (1-based)
    body: str  # the lines removed


def make_hole(source: str, fn: Function, language: str) -> MadeHole | None:
    """The file with `fn`'s small body replaced by the placeholder, or None when the body
    is too large, too small, or not on lines of its own."""
    marker = PLACEHOLDER.get(language)
    if marker is None or fn.body_span is None:
        return None
    lines = source.splitlines(keepends=True)
    if language == "python":
        if fn.body_span.start_line == fn.span.start_line:
            return None
        start, end = fn.body_span.start_line, fn.span.end_line  # 1-based, inclusive
        start = _after_docstring(lines, start, end)
    else:
        # braced: the body's statements are the lines between `{` and the closing `}`
        if not lines[fn.span.end_line - 1].lstrip().startswith("}"):
            return None
        if not lines[fn.body_span.start_line - 1].rstrip().endswith("{"):
            return None
        start, end = fn.body_span.start_line + 1, fn.span.end_line - 1
    if start > end:
        return None
    body = lines[start - 1 : end]
    statements = [b for b in body if b.strip() and not b.strip().startswith(("#", "//"))]
    if not 1 <= len(statements) <= MAX_STATEMENTS or sum(map(len, statements)) > MAX_BODY_CHARS:
        return None
    first = statements[0]
    indent = first[: len(first) - len(first.lstrip())]
    new = [*lines[: start - 1], f"{indent}{marker}\n", *lines[end:]]
    return MadeHole("".join(new), start, "".join(body))


def _after_docstring(lines: list[str], start: int, end: int) -> int:
    """The first body line after a leading docstring."""
    first = lines[start - 1] if start - 1 < len(lines) else ""
    found = _DOC.match(first)
    if not found:
        return start
    quote = found.group(1)
    skip = 1
    rest = first[found.end() :]
    if quote not in rest:  # a docstring over several lines: up to its closing quotes
        while start - 1 + skip < len(lines) and quote not in lines[start - 1 + skip]:
            skip += 1
        skip += 1
    return start + skip
