"""The facts one source file yields: the records that flow from parsing to the rules.

Lines and columns are 1-based (as editors, SARIF and GitHub show them); columns count
characters of the decoded line. Byte offsets are kept too, for patching the file.
"""

from __future__ import annotations

from typing import Literal

from ananke_ci.core.records import field, record


@record(frozen=True, slots=True)
class Span:
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    start_byte: int
    end_byte: int

    def lines(self) -> range:
        """Every line the span touches."""
        return range(self.start_line, self.end_line + 1)


@record(frozen=True, slots=True)
class Param:
    name: str
    type: str | None = None


@record(frozen=True, slots=True)
class Function:
    name: str
    params: tuple[Param, ...]
    return_type: str | None
    span: Span
    body_span: Span | None
    signature: str  # the header as written, without the body, whitespace folded
    container: str | None = None  # enclosing class/struct/impl, for methods

    @property
    def kind(self) -> Literal["function", "method"]:
        return "method" if self.container else "function"


@record(frozen=True, slots=True)
class TypeDef:
    name: str
    kind: str  # class, struct, interface, enum, trait, ...
    span: Span


@record(frozen=True, slots=True)
class Import:
    module: str  # what is imported from, as written ("os.path", "./util", "std::io")
    names: tuple[str, ...]  # the names bound, when the syntax lists them
    span: Span
    # what the statement binds: (local name, qualified target as written), in source order:
    # `import os as o` ("o", "os"), `from os import system as s` ("s", "os.system"),
    # Go `import "os/exec"` ("exec", "os/exec"); none for `*` and side-effect imports
    bindings: tuple[tuple[str, str], ...] = ()


@record(frozen=True, slots=True)
class Alias:
    """A plain assignment that rebinds a name (`run = os.system`, `e = eval`): the value is
    an identifier or a dotted chain of them, as written."""

    name: str
    target: str
    span: Span


@record(frozen=True, slots=True)
class Call:
    name: str  # the callee as written, whitespace folded ("os.system", "eval", "fmt.Println")
    span: Span


@record(frozen=True, slots=True)
class Comment:
    text: str
    span: Span


@record(frozen=True, slots=True)
class SyntaxIssue:
    kind: Literal["error", "missing"]
    span: Span
    text: str  # for a MISSING node the missing token, else the start of the erroneous text


HoleKind = Literal["todo", "typed"]


@record(frozen=True, slots=True)
class Hole:
    kind: HoleKind
    marker: str  # "TODO", "FIXME", "pass", "todo!()", "raise NotImplementedError", ...
    text: str  # the comment or placeholder text as written
    span: Span  # exact span of the comment or placeholder
    function: Function | None  # enclosing function, if any


@record(frozen=True, slots=True)
class FileFacts:
    path: str
    language: str
    functions: tuple[Function, ...] = ()
    types: tuple[TypeDef, ...] = ()
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    comments: tuple[Comment, ...] = ()
    syntax_issues: tuple[SyntaxIssue, ...] = ()
    holes: tuple[Hole, ...] = ()
    aliases: tuple[Alias, ...] = ()
    line_count: int = 0
    skipped: str | None = None  # why the file was not parsed (binary, too large, ...)
    notices: tuple[str, ...] = field(default=())  # e.g. "not valid UTF-8: decoded with replacement"


@record(frozen=True, slots=True)
class ErrorHandler:
    """An `except` / `catch` / `rescue` clause, as the error-handling constraints see it."""

    span: Span  # the clause's header
    caught: str | None  # the exception type as written; None for a bare handler
    swallowed: bool  # the body does nothing (pass, ..., {}, an empty `if err != nil`)
