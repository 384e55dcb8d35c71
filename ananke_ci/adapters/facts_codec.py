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
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar, cast

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
_T = TypeVar("_T")


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


def _pair_maker(cls: type[_T]) -> Callable[[Any, Any], _T]:
    """A constructor for a frozen two-field record that sets its slots directly.

    A frozen dataclass's __init__ sets each field through object.__setattr__; decoding
    builds hundreds of thousands of spans and calls (a fifth of the cost of parsing them),
    and this way takes 30% less. Checked against the class's fields at import."""
    first, second = (getattr(cls, f.name).__set__ for f in fields(cast(Any, cls)))
    new = object.__new__

    def make(a: Any, b: Any) -> _T:
        obj = new(cls)
        first(obj, a)
        second(obj, b)
        return obj

    return make


def _span_maker() -> Callable[[Row], Span]:
    names = [f.name for f in fields(Span)]
    assert names == ["start_line", "start_col", "end_line", "end_col", "start_byte",
                     "end_byte"], names
    s0, s1, s2, s3, s4, s5 = (getattr(Span, n).__set__ for n in names)
    new = object.__new__

    def make(t: Row) -> Span:
        obj = new(Span)
        s0(obj, t[0])
        s1(obj, t[1])
        s2(obj, t[2])
        s3(obj, t[3])
        s4(obj, t[4])
        s5(obj, t[5])
        return obj

    return make


_make_span = _span_maker()
_make_call = _pair_maker(Call)
_make_comment = _pair_maker(Comment)


def decode(path: str, core: Row, rest: bytes | None) -> FileFacts:
    """FileFacts at `path` from a core row (read_core) and the rest; with rest=None only
    the core fields (imports, ...) are filled.
    """
    language, _, line_count, skipped, notices, imports = core
    span = _make_span
    facts = FileFacts(path, language, imports=tuple([Import(m, tuple(n), span(s))
                                                     for m, n, s in imports]),
                      line_count=line_count, skipped=skipped, notices=tuple(notices))
    if rest is None:
        return facts
    functions, types, calls, comments, issues, holes = marshal.loads(rest)
    return FileFacts(
        path, language,
        functions=tuple([_unfunction(f) for f in functions]),
        types=tuple([TypeDef(n, k, span(s)) for n, k, s in types]),
        imports=facts.imports,
        calls=tuple([_make_call(n, span(s)) for n, s in calls]),
        comments=tuple([_make_comment(t, span(s)) for t, s in comments]),
        syntax_issues=tuple([SyntaxIssue(k, span(s), t) for k, s, t in issues]),
        holes=tuple([Hole(k, m, t, span(s), _unfunction(f) if f else None)
                     for k, m, t, s, f in holes]),
        line_count=line_count, skipped=skipped, notices=facts.notices,
    )


def _unfunction(row: Row) -> Function:
    name, params, ret, span, body, signature, container = row
    return Function(name, tuple([Param(n, t) for n, t in params]), ret, _make_span(span),
                    None if body is None else _make_span(body), signature, container)
