"""FileFacts as two marshal byte strings, for the facts cache and the worker processes.

`core` holds what every reader needs (language, size, imports, line count, skip reason,
notices); `rest` the bulky parts (functions, types, calls, comments, syntax issues, holes),
so a reader that wants imports only never unpacks the rest. Spans are 6-tuples of ints.
marshal, not JSON or pickle: it loads ~3x faster than JSON and builds no objects by itself;
the cache checks a checksum before any byte of it is unmarshalled.
The path is not stored: identical blobs at two paths share an entry (see repo_facts).
"""

from __future__ import annotations

import marshal
from typing import Any

from ananke_ci.core.facts import (
    Call,
    Comment,
    FileFacts,
    Function,
    Hole,
    Import,
    Param,
    Span,
    SyntaxIssue,
    TypeDef,
)

Row = tuple[Any, ...]


def _span(s: Span) -> Row:
    return (s.start_line, s.start_col, s.end_line, s.end_col, s.start_byte, s.end_byte)


def _function(f: Function | None) -> Row | None:
    if f is None:
        return None
    body = None if f.body_span is None else _span(f.body_span)
    return (f.name, tuple((p.name, p.type) for p in f.params), f.return_type, _span(f.span),
            body, f.signature, f.container)


def encode(facts: FileFacts, size: int) -> tuple[bytes, bytes]:
    """(core, rest) of `facts`, extracted from a source of `size` bytes."""
    core = (facts.language, size, facts.line_count, facts.skipped, facts.notices,
            tuple((i.module, i.names, _span(i.span)) for i in facts.imports))
    rest = (
        tuple(_function(f) for f in facts.functions),
        tuple((t.name, t.kind, _span(t.span)) for t in facts.types),
        tuple((c.name, _span(c.span)) for c in facts.calls),
        tuple((c.text, _span(c.span)) for c in facts.comments),
        tuple((s.kind, _span(s.span), s.text) for s in facts.syntax_issues),
        tuple((h.kind, h.marker, h.text, _span(h.span), _function(h.function))
              for h in facts.holes),
    )
    return marshal.dumps(core), marshal.dumps(rest)


def read_core(core: bytes) -> Row:
    """The core row: (language, source size, line count, skip reason, notices, imports)."""
    row: Row = marshal.loads(core)
    return row


def decode(path: str, core: Row, rest: bytes | None) -> FileFacts:
    """FileFacts at `path` from a core row (read_core) and the rest; with rest=None only
    the core fields (imports, ...) are filled.
    """
    language, _, line_count, skipped, notices, imports = core
    facts = FileFacts(path, language, imports=tuple(Import(m, tuple(n), Span(*s))
                                                    for m, n, s in imports),
                      line_count=line_count, skipped=skipped, notices=tuple(notices))
    if rest is None:
        return facts
    functions, types, calls, comments, issues, holes = marshal.loads(rest)
    return FileFacts(
        path, language,
        functions=tuple(_unfunction(f) for f in functions),
        types=tuple(TypeDef(n, k, Span(*s)) for n, k, s in types),
        imports=facts.imports,
        calls=tuple(Call(n, Span(*s)) for n, s in calls),
        comments=tuple(Comment(t, Span(*s)) for t, s in comments),
        syntax_issues=tuple(SyntaxIssue(k, Span(*s), t) for k, s, t in issues),
        holes=tuple(Hole(k, m, t, Span(*s), _unfunction(f) if f else None)
                    for k, m, t, s, f in holes),
        line_count=line_count, skipped=skipped, notices=facts.notices,
    )


def _unfunction(row: Row) -> Function:
    name, params, ret, span, body, signature, container = row
    return Function(name, tuple(Param(n, t) for n, t in params), ret, Span(*span),
                    None if body is None else Span(*body), signature, container)
