"""Holes: TODO-style comments and functions whose body is only a placeholder.

Markers in comments: TODO, FIXME, XXX and HACK (upper case, whole word: lower-case "todo" in
prose is too noisy). HACK is included because it marks the same "come back to this" debt.

Typed holes (a body that is nothing but `pass`, `todo!()`, `throw new
NotImplementedException()`, ...; the languages.py rows' `holes`) are placeholders an author
means to fill. A placeholder is deliberate instead, and not reported, when
  - it is a declaration: @abstractmethod / @overload, a Protocol member, a .pyi stub, a def
    under `if TYPE_CHECKING:`, a def that a later one of the same name replaces;
  - the method is an overridable default or an interface: its class is derived from in this
    file, or it overrides a method of a base class defined in this file (overrides.py does
    the same across the modules linked by imports); or its docstring or a comment in it says
    so (DOCUMENTED: "subclasses must implement", "does nothing by default");
  - a comment in it, or its message where the message is free (a placeholder's `refusal`),
    explains a refusal and says nothing of later (REFUSAL: `raise NotImplementedError("not
    supported on Windows")`, `# SQL Server does not support RELEASE SAVEPOINT` + `pass`);
  - it is the language's no-op (`pass`, `...`) where doing nothing is the point: under a
    decorator that registers or wraps the function (`@click.group()`, `@app.route`), in a
    dunder method (`__exit__`), in a function or class defined inside a function (a
    callback, a test double), or in test code other than a test function itself.
An explicit placeholder (`raise NotImplementedError`, `todo!()`) says "not written yet"
and is a hole in all those no-op places; one that says so in its message (`todo!()`,
`panic("TODO")`) is no refusal whatever its comments say. Statements that only silence an
unused parameter (Zig `_ = x;`, Rust `let _ = x;`, Go `_ = x`, C `(void)x;`) are no code.
These rules run only once a body is a placeholder: the common path stays one walk of the
body's statements.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from tree_sitter import Node

from ananke_ci.analysis._text import SourceText, fold
from ananke_ci.analysis.languages import LANGUAGES
from ananke_ci.analysis.rows import CommentRow, FunctionRow, HoleRow
from ananke_ci.core.records import record
from ananke_ci.core.testfiles import is_test_path

TODO_RE = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
_NI = r"(todo|fixme|not (yet )?implemented|unimplemented|implement me)"
_MSG = r"(?P<msg>[\"'`][^\"'`]*\b" + _NI + r"\b[^\"'`]*[\"'`])"
_DOCSTRING_RE = re.compile(r"^[rRbBuUfF]*[\"']")
# what a docstring, comment or message says of a method meant to be overridden, or to do
# nothing
DOCUMENTED = re.compile(
    r"(?i)\b(subclass(es|ed|ing)?|overrid(e|es|den|ing)|derived class(es)?|abstract method"
    r"|does nothing|do nothing|no-?op|intentionally|deliberately)\b"
)
# a comment or message that says why the call is refused (and nothing of `_LATER`)
REFUSAL = re.compile(
    r"(?i)\b(not|no|cannot|can't|never|only|should|must|instead|unsupported|unavailable"
    r"|read-only|immutable)\b"
)
_LATER = re.compile(
    r"(?i)\b(todo|fixme|xxx|tbd|wip|(un)?implement\w*|yet|later|stub\w*|placeholder"
    r"|unfinished)\b"
)
_STRING_RE = re.compile(r"([\"'`])(.*?)\1", re.S)
# a body with more named children than this is real code, whatever it holds
_MAX_BODY_CHILDREN = 12
_MAX_UNWRAP_DEPTH = 8  # blocks in blocks: Go's block > statement_list is two
EMPTY_BODY_MARKER = "empty body with TODO"
_MAX_PLACEHOLDER_BYTES = 400  # longer than any placeholder statement with its message
_MAX_DISCARD_BYTES = 80
_MAX_MARKER = 60  # a marker written out longer than this has its message shortened


class FunctionNodes(NamedTuple):
    """A function's row with the tree nodes the hole finder needs (valid while the tree lives).

    A named tuple: one per function, and a frozen dataclass costs ~3x as much to build."""

    function: FunctionRow
    node: Node
    body: Node | None
    container: Node | None


class _Placeholder(NamedTuple):
    marker: str | None  # None: the statement as written
    pattern: re.Pattern[str]
    noop: bool  # the language's do-nothing statement
    refusal: bool  # its message may explain a deliberate refusal


@record(frozen=True, slots=True)
class _Rules:
    unwrap: frozenset[str]
    docstring: bool
    placeholders: tuple[_Placeholder, ...]
    discard: re.Pattern[str] | None
    decorator_wrapper: str | None
    exempt_decorators: re.Pattern[str] | None
    modifier_decorators: re.Pattern[str] | None
    bases_field: str | None
    exempt_bases: re.Pattern[str] | None
    exempt_extensions: tuple[str, ...]
    exempt_guard: tuple[str, re.Pattern[str]] | None
    replaced: bool
    dunders: bool
    local_scopes: frozenset[str]
    tests: bool


_RULES: dict[str, _Rules] = {}


def _pattern(raw: str) -> re.Pattern[str]:
    return re.compile(raw.replace("{msg}", _MSG).replace("{ni}", _NI))


def _optional(raw: Any) -> re.Pattern[str] | None:
    return _pattern(raw) if isinstance(raw, str) else None


def rules_for(language: str) -> _Rules | None:
    """One language's placeholder rules, compiled on first use: a commit check touching
    one Python file should not compile the regexes of thirteen other languages."""
    if language not in _RULES:
        spec = LANGUAGES.get(language)
        if spec is None or not spec.holes:
            return None
        entry = spec.holes
        noop = entry.get("noop_rules", {})
        discard = entry.get("discard")
        _RULES[language] = _Rules(
            unwrap=frozenset(entry.get("unwrap", ())),
            docstring=bool(entry.get("docstring", False)),
            placeholders=tuple(
                _Placeholder(
                    item.get("marker"),
                    _pattern(item["pattern"]),
                    bool(item.get("noop")),
                    bool(item.get("refusal")),
                )
                for item in entry.get("placeholder", ())
            ),
            discard=re.compile(discard + r"$") if discard else None,
            decorator_wrapper=entry.get("decorator_wrapper"),
            exempt_decorators=_optional(entry.get("exempt_decorators")),
            modifier_decorators=_optional(entry.get("modifier_decorators")),
            bases_field=entry.get("bases_field"),
            exempt_bases=_optional(entry.get("exempt_bases")),
            exempt_extensions=tuple(entry.get("exempt_extensions", ())),
            exempt_guard=(guard[0], _pattern(guard[1]))
            if (guard := entry.get("exempt_guard"))
            else None,
            replaced=bool(entry.get("replaced")),
            dunders=bool(noop.get("dunders")),
            local_scopes=frozenset(noop.get("local_scopes", ())),
            tests=bool(noop.get("tests")),
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
        scope = _FileScope(rules, text, path, functions)
        for fn in functions:
            if fn.body is not None:
                hole = _typed_hole(scope, fn, fn.body)
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


def _statements(
    node: Node, unwrap: frozenset[str], out: list[tuple[Node, str]], depth: int = 0
) -> bool:
    """Flatten the body's statements into `out` with their node types (each `.type` builds
    a new string); False when the body is too big to matter, or its blocks nest deeper than
    a placeholder's ever do (a thousand nested braces must cost no deep recursion)."""
    if node.named_child_count > _MAX_BODY_CHILDREN or depth > _MAX_UNWRAP_DEPTH:
        return False
    for child in node.named_children:
        kind = child.type
        if kind in unwrap:
            if not _statements(child, unwrap, out, depth + 1):
                return False
        else:
            out.append((child, kind))
    return True


def _typed_hole(scope: _FileScope, fn: FunctionNodes, body: Node) -> HoleRow | None:
    rules, text = scope.rules, scope.text
    children: list[tuple[Node, str]] = []
    kind = body.type
    if kind not in rules.unwrap:
        children.append((body, kind))  # an expression body (`= TODO()`) is its own statement
    elif not _statements(body, rules.unwrap, children):
        return None
    statements = [node for node, kind in children if "comment" not in kind]
    docstring: Node | None = None
    if rules.docstring and statements:
        first = statements[0]
        if _DOCSTRING_RE.match(text.slice(first.start_byte, first.start_byte + 8)):
            docstring = first
            statements = statements[1:]
    if not statements:
        if any(TODO_RE.search(text.text(node)) for node, _ in children):
            return ("typed", EMPTY_BODY_MARKER, text.text(body), text.span(body), fn.function)
        return None
    statement = statements[-1]
    if statement.end_byte - statement.start_byte > _MAX_PLACEHOLDER_BYTES:
        return None  # real code, not worth decoding
    # the placeholder comes last, after any discards of unused parameters
    if len(statements) != 1 and (
        rules.discard is None
        or not all(_discard(rules.discard, text, node) for node in statements[:-1])
    ):
        return None
    written = text.text(statement)
    folded = fold(written)
    for placeholder in rules.placeholders:
        match = placeholder.pattern.match(folded)
        if match is not None:
            if (
                _exempt(rules, text, fn)
                or scope.replaced(fn)
                or _deliberate(
                    scope,
                    fn,
                    placeholder,
                    written,
                    docstring,
                    [node for node, kind in children if "comment" in kind],
                )
            ):
                return None
            marker = placeholder.marker or _written_marker(folded, match)
            return ("typed", marker, written, text.span(statement), fn.function)
    return None


def _discard(pattern: re.Pattern[str], text: SourceText, node: Node) -> bool:
    return (
        node.end_byte - node.start_byte <= _MAX_DISCARD_BYTES
        and pattern.match(text.text(node)) is not None
    )


def _written_marker(folded: str, match: re.Match[str]) -> str:
    """The placeholder as written, without its `;`, a long message cut short."""
    marker = folded[:-1].rstrip() if folded.endswith(";") else folded
    if len(marker) > _MAX_MARKER and "msg" in match.re.groupindex:
        start, end = match.span("msg")
        keep = max(8, _MAX_MARKER - (len(marker) - (end - start)) - 4)
        if keep < end - start - 4:
            marker = (
                marker[:start]
                + folded[start : start + keep]
                + "..."
                + folded[end - 1]
                + marker[end:]
            )
    return marker


def _exempt(rules: _Rules, text: SourceText, fn: FunctionNodes) -> bool:
    """Legitimate stubs: abstract methods, overloads, Protocol members, declarations for
    the type checker only."""
    if rules.exempt_decorators is not None:
        for decorator in _decorators(rules, text, fn):
            if rules.exempt_decorators.search(decorator):
                return True
    if rules.exempt_bases is not None and rules.bases_field and fn.container is not None:
        bases = fn.container.child_by_field_name(rules.bases_field)
        if bases is not None and rules.exempt_bases.search(text.text(bases)):
            return True
    if rules.exempt_guard is not None:
        kind, condition = rules.exempt_guard
        node = fn.node.parent
        while node is not None:
            if node.type == kind:
                test = node.child_by_field_name("condition")
                if test is not None and condition.match(text.text(test)):
                    return True
            node = node.parent
    return False


def _decorators(rules: _Rules, text: SourceText, fn: FunctionNodes) -> list[str]:
    parent = fn.node.parent
    if parent is None or parent.type != rules.decorator_wrapper:
        return []
    return [text.text(child) for child in parent.named_children if child.type == "decorator"]


def _deliberate(
    scope: _FileScope,
    fn: FunctionNodes,
    placeholder: _Placeholder,
    written: str,
    docstring: Node | None,
    comments: list[Node],
) -> bool:
    """A placeholder that is meant to stay (see the module docstring)."""
    text = scope.text
    # tree-sitter-python hangs a comment right under the header on the def, not the body
    head = [
        node
        for node in fn.node.named_children
        if "comment" in node.type and node.start_byte < _body_start(fn)
    ]
    said = [text.text(node) for node in (*head, *comments)]
    # the author's word for a refusal: a comment in the body, or the message of a
    # placeholder whose message is free; a placeholder that says "later" itself
    # (`todo!()`, `panic("TODO")`) is no refusal, whatever the comments say
    if placeholder.refusal or placeholder.noop:
        messages = [m.group(2) for m in _STRING_RE.finditer(written)]
        if not any(_LATER.search(m) for m in messages) and any(
            REFUSAL.search(words) and not _LATER.search(words) for words in (*said, *messages)
        ):
            return True
    if docstring is not None:
        said.append(text.text(docstring))
    if any(DOCUMENTED.search(words) for words in said):
        return True
    if placeholder.noop and _noop_is_meant(scope, fn):
        return True
    return fn.container is not None and scope.classes().inherited(fn)


def _body_start(fn: FunctionNodes) -> int:
    return fn.body.start_byte if fn.body is not None else fn.node.end_byte


def _noop_is_meant(scope: _FileScope, fn: FunctionNodes) -> bool:
    rules = scope.rules
    name = fn.function[0]
    if rules.tests and scope.is_test and not name.startswith("test"):
        return True  # a fixture, a fake, a callback, a command under test
    if rules.dunders and name.startswith("__") and name.endswith("__"):
        return True  # a protocol the runtime calls: `__exit__` doing nothing is complete
    if rules.modifier_decorators is not None:
        modifier = rules.modifier_decorators
        if any(not modifier.match(d) for d in _decorators(rules, scope.text, fn)):
            return True  # the decorator makes the function: it registers or wraps it
    if rules.local_scopes:
        node = fn.node.parent
        while node is not None:
            if node.type in rules.local_scopes:
                return True  # a local callback or test double
            node = node.parent
    return False


class _FileScope:
    """What the rules need of the whole file, the class index built on first use only."""

    __slots__ = ("_classes", "_last", "functions", "is_test", "path", "rules", "text")

    def __init__(
        self, rules: _Rules, text: SourceText, path: str, functions: list[FunctionNodes]
    ) -> None:
        self.rules = rules
        self.text = text
        self.path = path
        self.functions = functions
        self.is_test = rules.tests and is_test_path(path)
        self._classes: _Classes | None = None
        self._last: dict[tuple[int, str], int] | None = None

    def replaced(self, fn: FunctionNodes) -> bool:
        """A later def of the same name in the same scope (class, function or module body,
        through `if`s and `try`s) replaces this one."""
        if not self.rules.replaced:
            return False
        if self._last is None:
            self._last = {
                (self._scope_of(f), f.function[0]): f.node.start_byte for f in self.functions
            }
        return self._last[self._scope_of(fn), fn.function[0]] > fn.node.start_byte

    def _scope_of(self, fn: FunctionNodes) -> int:
        if fn.container is not None:
            return fn.container.id
        node = fn.node.parent
        while (
            node is not None
            and node.parent is not None
            and node.type not in self.rules.local_scopes
        ):
            node = node.parent
        return node.id if node is not None else 0

    def classes(self) -> _Classes:
        if self._classes is None:
            self._classes = _Classes(self)
        return self._classes


class _Classes:
    """The file's classes that have methods: their bases (last name as written) and method
    names. Two classes of one name in a file are taken as one."""

    __slots__ = ("bases", "derived", "methods")

    def __init__(self, scope: _FileScope) -> None:
        self.methods: dict[str, set[str]] = {}
        self.bases: dict[str, list[str]] = {}
        seen: set[int] = set()
        for fn in scope.functions:
            owner = fn.function[6]
            if fn.container is None or owner is None:
                continue
            self.methods.setdefault(owner, set()).add(fn.function[0])
            if fn.container.id not in seen:
                seen.add(fn.container.id)
                self.bases.setdefault(owner, []).extend(_base_names(scope, fn.container))
        # `class Response(wrappers.Response)` derives from its imported namesake, not itself
        self.derived = {
            base for owner, names in self.bases.items() for base in names if base != owner
        }

    def inherited(self, fn: FunctionNodes) -> bool:
        """The method is an overridable default (its class is derived from here) or an
        override of a base class's method defined here."""
        owner = fn.function[6]
        if owner is None:
            return False
        if owner in self.derived:
            return True
        name = fn.function[0]
        seen = {owner}
        todo = list(self.bases.get(owner, ()))
        while todo:
            base = todo.pop()
            if base in seen:
                continue
            seen.add(base)
            if name in self.methods.get(base, ()):
                return True
            todo.extend(self.bases.get(base, ()))
        return False


_QUALIFIER = re.compile(r"\.|::")


def _base_names(scope: _FileScope, container: Node) -> list[str]:
    """`class A(pkg.B, Generic[T], metaclass=M)` -> ["B", "Generic"]; Ruby `< m::B`, Java
    `extends B<T>` -> ["B"]."""
    field = scope.rules.bases_field
    bases = container.child_by_field_name(field) if field else None
    if bases is None:
        return []
    names = []
    for child in bases.named_children:
        if child.type in ("keyword_argument", "comment", "list_splat", "dictionary_splat"):
            continue
        written = scope.text.text(child).split("[", 1)[0].split("<", 1)[0]
        name = _QUALIFIER.split(written)[-1].strip()
        if name.isidentifier():
            names.append(name)
    return names
