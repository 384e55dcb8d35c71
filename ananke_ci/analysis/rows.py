"""FileFacts as plain tuples ("rows"), and the records built from them.

The collector builds rows, worker processes send them back and the facts cache stores them
(marshalled, see adapters/cache/facts_codec.py); `facts` builds the frozen records once, where
they are used. A worker never builds a record: building them costs as much as collecting
the facts, and a record would only be taken apart again to cross the process boundary.
A span is a 6-tuple: start line, start column, end line, end column, start byte, end byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ananke_ci.core.facts import (
    Alias,
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
from ananke_ci.core.records import record_fields, slot_setters

SpanRow = tuple[int, int, int, int, int, int]
ParamRow = tuple[str, "str | None"]
# name, params, return type, span, body span, signature, container
FunctionRow = tuple[
    str, tuple[ParamRow, ...], "str | None", SpanRow, "SpanRow | None", str, "str | None"
]
TypeRow = tuple[str, str, SpanRow]  # name, kind, span
BindingRow = tuple[str, str]  # local name, qualified target
# module, names, span, bindings
ImportRow = tuple[str, tuple[str, ...], SpanRow, tuple[BindingRow, ...]]
AliasRow = tuple[str, str, SpanRow]  # name, target, span
CallRow = tuple[str, SpanRow]  # name, span
CommentRow = tuple[str, SpanRow]  # text, span
IssueRow = tuple[str, SpanRow, str]  # kind, span, text
HoleRow = tuple[str, str, str, SpanRow, "FunctionRow | None"]  # kind, marker, text, span, fn
# language, source size, line count, skip reason, notices, imports
CoreRow = tuple[str, int, int, "str | None", tuple[str, ...], Sequence[ImportRow]]
RestRow = tuple[
    Sequence[FunctionRow],
    Sequence[TypeRow],
    Sequence[CallRow],
    Sequence[CommentRow],
    Sequence[IssueRow],
    Sequence[HoleRow],
    Sequence[AliasRow],
]
EMPTY_REST: RestRow = ((), (), (), (), (), (), ())

_T = TypeVar("_T")


def _pair_maker(cls: type[_T]) -> Callable[[Any, Any], _T]:
    """A constructor for a frozen two-field record that sets its slots directly.

    A frozen dataclass's __init__ sets each field through object.__setattr__; a large
    repository has hundreds of thousands of spans and calls, and this way takes 30% less.
    Checked against the class's fields at import."""
    first, second = slot_setters(cls)
    new = object.__new__

    def make(a: Any, b: Any) -> _T:
        obj = new(cls)
        first(obj, a)
        second(obj, b)
        return obj

    return make


def _span_maker() -> Callable[[SpanRow], Span]:
    names = list(record_fields(Span))
    assert names == ["start_line", "start_col", "end_line", "end_col", "start_byte", "end_byte"], (
        names
    )
    s0, s1, s2, s3, s4, s5 = slot_setters(Span)
    new = object.__new__

    def make(t: SpanRow) -> Span:
        obj = new(Span)
        s0(obj, t[0])
        s1(obj, t[1])
        s2(obj, t[2])
        s3(obj, t[3])
        s4(obj, t[4])
        s5(obj, t[5])
        return obj

    return make


span = _span_maker()
_make_call = _pair_maker(Call)
_make_comment = _pair_maker(Comment)


def facts(path: str, core: CoreRow, rest: RestRow | None) -> FileFacts:
    """FileFacts at `path`; with rest=None only the core fields (imports, ...) are filled."""
    language, _, line_count, skipped, notices, import_rows = core
    imports = tuple([Import(m, tuple(n), span(s), tuple(b)) for m, n, s, b in import_rows])
    if rest is None:
        return FileFacts(
            path,
            language,
            imports=imports,
            line_count=line_count,
            skipped=skipped,
            notices=tuple(notices),
        )
    function_rows, types, calls, comments, issues, holes, aliases = rest
    functions = [_function(f) for f in function_rows]
    # a hole's function is the row of its entry in `functions` (also after marshal)
    by_row = {id(row): fn for row, fn in zip(function_rows, functions, strict=True)}
    return FileFacts(
        path,
        language,
        functions=tuple(functions),
        types=tuple([TypeDef(n, k, span(s)) for n, k, s in types]),
        imports=imports,
        calls=tuple([_make_call(n, span(s)) for n, s in calls]),
        comments=tuple([_make_comment(t, span(s)) for t, s in comments]),
        syntax_issues=tuple([SyntaxIssue(k, span(s), t) for k, s, t in issues]),  # type: ignore[arg-type]
        holes=tuple(
            [
                Hole(
                    k,  # type: ignore[arg-type]
                    m,
                    t,
                    span(s),
                    None if f is None else by_row.get(id(f)) or _function(f),
                )
                for k, m, t, s, f in holes
            ]
        ),
        aliases=tuple([Alias(n, t, span(s)) for n, t, s in aliases]),
        line_count=line_count,
        skipped=skipped,
        notices=tuple(notices),
    )


def _function(row: FunctionRow) -> Function:
    name, params, ret, where, body, signature, container = row
    return Function(
        name,
        tuple([Param(n, t) for n, t in params]),
        ret,
        span(where),
        None if body is None else span(body),
        signature,
        container,
    )
