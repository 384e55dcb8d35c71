"""Parse one source file with tree-sitter and turn it into FileFacts.

One generic extractor serves every language: the per-language knowledge is in
`queries/<language>.scm`, whose capture names say what a node is:

    @function.def  @function.name  @function.params  @function.return_type
    @function.body @function.container (an explicit owner, e.g. a Go receiver type)
    @param  @param.name  @param.type          (a param belongs to the nearest enclosing
                                               @function.params / @function.def)
    @type.def  @type.name  (#set! kind "...") (types are also method containers)
    @container  @container.name               (owners that are not types: Rust impl, ...)
    @import  @import.module  @import.name  @import.tail
    @call  @call.name
    @comment

Each file runs one combined query (one pass over the tree); syntax errors are looked up
only when the root says the tree has one. This module sits on the pre-commit hot path:
it imports nothing heavy and caches parsers and compiled queries per language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tree_sitter import Node, Parser, Query, QueryCursor

from ananke_ci.analysis._text import SourceText, fold
from ananke_ci.analysis.holes import FunctionNodes, find_holes
from ananke_ci.analysis.languages import LANGUAGES, language_for_path
from ananke_ci.core.facts import (
    Call,
    Comment,
    FileFacts,
    Function,
    Import,
    Param,
    SyntaxIssue,
    TypeDef,
)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
BINARY_SNIFF_BYTES = 8 * 1024
QUERY_DIR = Path(__file__).parent / "queries"
_ISSUES_QUERY = "(ERROR) @error\n(MISSING) @missing\n"
_TYPE_SUFFIXES = ("_declaration", "_definition", "_item", "_specifier", "_spec")
_QUOTES = "\"'`<>"
_SEPARATORS = ".:\\/"
# a parent chain longer than this between a parameter and its list is not a parameter
_PARAM_DEPTH = 6


@dataclass(frozen=True, slots=True)
class _Compiled:
    parser: Parser
    query: Query
    issues: Query


_CACHE: dict[str, _Compiled] = {}


def _compiled(language: str) -> _Compiled:
    """Parser and queries for `language`, built once per process."""
    found = _CACHE.get(language)
    if found is None:
        # imported here: the language pack module is only needed once per language
        from tree_sitter_language_pack import get_language

        spec = LANGUAGES[language]
        lang = get_language(spec.ts_name)  # type: ignore[arg-type]
        source = (QUERY_DIR / f"{spec.query_name}.scm").read_text(encoding="utf-8")
        found = _Compiled(Parser(lang), Query(lang, source), Query(lang, _ISSUES_QUERY))
        _CACHE[language] = found
    return found


def compile_query(language: str) -> Query:
    """The compiled fact query for `language` (raises if the .scm file does not compile)."""
    return _compiled(language).query


def extract_facts(
    path: str,
    source: bytes,
    language: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FileFacts:
    """Facts of one file. Never raises on bad input: odd files come back with `skipped` set."""
    lang = language if language is not None else language_for_path(path)
    if lang is None or lang not in LANGUAGES:
        return FileFacts(path, lang or "unknown", skipped="unknown language")
    if b"\0" in source[:BINARY_SNIFF_BYTES]:
        return FileFacts(path, lang, skipped="binary file")
    if len(source) > max_bytes:
        return FileFacts(path, lang, skipped=f"too large ({len(source)} bytes > {max_bytes})")
    notices: list[str] = []
    if not source.isascii():
        try:
            source.decode("utf-8")
        except UnicodeDecodeError:
            notices.append("not valid UTF-8: decoded with replacement")
    line_count = source.count(b"\n") + (1 if source and not source.endswith(b"\n") else 0)
    compiled = _compiled(lang)
    tree = compiled.parser.parse(source)
    text = SourceText(source)
    facts = _Collector(text, compiled.query).run(tree.root_node)
    issues = _syntax_issues(text, compiled.issues, tree.root_node)
    holes = find_holes(lang, path, text, facts.function_nodes, facts.comment_nodes)
    return FileFacts(
        path=path,
        language=lang,
        functions=tuple(fn.function for fn in facts.function_nodes),
        types=tuple(facts.types),
        imports=tuple(facts.imports),
        calls=tuple(facts.calls),
        comments=tuple(comment for comment, _ in facts.comment_nodes),
        syntax_issues=issues,
        holes=holes,
        line_count=line_count,
        notices=tuple(notices),
    )


class _Collector:
    """Turns the matches of one combined query into fact records."""

    def __init__(self, text: SourceText, query: Query) -> None:
        self.text = text
        self.query = query
        self.function_nodes: list[FunctionNodes] = []
        self.types: list[TypeDef] = []
        self.imports: list[Import] = []
        self.calls: list[Call] = []
        self.comment_nodes: list[tuple[Comment, Node]] = []

    def run(self, root: Node) -> _Collector:
        text = self.text
        seen_calls: set[int] = set()
        seen_comments: set[int] = set()
        fn_caps: dict[int, dict[str, list[Node]]] = {}
        params: list[tuple[Node, Node | None, Node | None]] = []
        owners: dict[int, tuple[str, Node]] = {}  # container node id -> (name, node)
        imports: dict[tuple[int, str], tuple[Node, str, list[str]]] = {}
        for index, caps in QueryCursor(self.query).matches(root):
            # most matches are calls: test those first and keep the work per call minimal
            if "call" in caps:
                node = caps["call"][0]
                if node.id not in seen_calls:
                    seen_calls.add(node.id)
                    names = caps.get("call.name")
                    # several name nodes (Java `obj` + `method`) span from the first to the last
                    callee = (
                        fold(text.slice(names[0].start_byte, names[-1].end_byte)) if names else "?"
                    )
                    self.calls.append(Call(callee, text.span(node)))
            elif "comment" in caps:
                for node in caps["comment"]:
                    if node.id not in seen_comments:
                        seen_comments.add(node.id)
                        self.comment_nodes.append((Comment(text.text(node), text.span(node)), node))
            elif "function.def" in caps:
                node = caps["function.def"][0]
                merged = fn_caps.setdefault(node.id, {})
                for key, nodes in caps.items():
                    merged.setdefault(key, nodes)
                if "param.name" in caps:  # a lone parameter that is its own list (`x => x`)
                    lone = caps["param.name"][0]
                    params.append((lone, lone, None))
            elif "param" in caps:
                name_nodes = caps.get("param.name")
                type_nodes = caps.get("param.type")
                params.append((
                    caps["param"][0],
                    name_nodes[0] if name_nodes else None,
                    type_nodes[0] if type_nodes else None,
                ))
            elif "type.def" in caps:
                self._type(index, caps, owners)
            elif "container" in caps:
                names = caps.get("container.name")
                if names:
                    owners[caps["container"][0].id] = (_owner_name(text.text(names[0])), names[0])
            elif "import" in caps:
                self._import(caps, imports)
        for import_node, module, bound in imports.values():
            self.imports.append(Import(module, tuple(bound), text.span(import_node)))
        self.imports.sort(key=lambda imp: imp.span.start_byte)
        self._functions(fn_caps, params, owners)
        return self

    def _type(
        self, index: int, caps: dict[str, list[Node]], owners: dict[int, tuple[str, Node]]
    ) -> None:
        node = caps["type.def"][0]
        names = caps.get("type.name")
        if not names:
            return
        name = self.text.text(names[0])
        kind = self.query.pattern_settings(index).get("kind")
        if not isinstance(kind, str):
            kind = _kind_of(node.type)
        if node.id not in owners:
            self.types.append(TypeDef(name, kind, self.text.span(node)))
        owners[node.id] = (_owner_name(name), node)

    def _import(
        self,
        caps: dict[str, list[Node]],
        imports: dict[tuple[int, str], tuple[Node, str, list[str]]],
    ) -> None:
        node = caps["import"][0]
        modules = caps.get("import.module")
        # @import.tail: the last path segment, the bound name unless the match names one
        name_nodes = caps.get("import.name") or caps.get("import.tail", [])
        module = ""
        if modules:
            end = modules[0].end_byte
            # `import a.b.C` binds C from a.b: a name at the end of the module is cut off it
            if name_nodes and name_nodes[-1].end_byte == end > name_nodes[-1].start_byte:
                end = name_nodes[-1].start_byte
            raw = self.text.slice(modules[0].start_byte, end)
            module = fold(raw.strip(_QUOTES).rstrip(_SEPARATORS))
        names = imports.setdefault((node.id, module), (node, module, []))[2]
        for name_node in name_nodes:
            name = fold(self.text.text(name_node))
            if name not in names:
                names.append(name)

    def _functions(
        self,
        fn_caps: dict[int, dict[str, list[Node]]],
        params: list[tuple[Node, Node | None, Node | None]],
        owners: dict[int, tuple[str, Node]],
    ) -> None:
        text = self.text
        # a parameter belongs to the function whose parameter list (or def) is its nearest
        # ancestor; parameters of nested lambdas are not captured by the queries
        # (a def with a parameter list stops the walk: Go receivers are not parameters)
        slot: dict[int, int] = {}
        for fn_id, caps in fn_caps.items():
            params_nodes = caps.get("function.params")
            if params_nodes:
                slot[params_nodes[0].id] = fn_id
                slot[fn_id] = -1
            else:
                slot[fn_id] = fn_id
        fn_params: dict[int, list[tuple[int, Param]]] = {fn_id: [] for fn_id in fn_caps}
        for node, name_node, type_node in params:
            owner: Node | None = node
            for _ in range(_PARAM_DEPTH):
                if owner is None or owner.id in slot:
                    break
                owner = owner.parent
            if owner is None or slot.get(owner.id, -1) == -1:
                continue
            if name_node is not None:
                name = fold(text.text(name_node))
            else:  # a type-only parameter (Go, C prototypes) has no name
                name = "" if type_node is not None else fold(text.text(node))
            ptype = _param_type(text, type_node, name_node) if type_node is not None else None
            fn_params[slot[owner.id]].append((node.start_byte, Param(name, ptype)))
        for fn_id, caps in fn_caps.items():
            node = caps["function.def"][0]
            body = _first(caps.get("function.body"))
            name_node = _first(caps.get("function.name"))
            explicit = _first(caps.get("function.container"))
            ret = caps.get("function.return_type")  # may be several nodes (Zig): first to last
            container: str | None
            container_node: Node | None = None
            if explicit is not None:
                container = _owner_name(text.text(explicit))
            else:
                container, container_node = _enclosing_owner(node, owners, fn_caps)
            ps = sorted(fn_params[fn_id], key=lambda pair: pair[0])
            function = Function(
                name=text.text(name_node) if name_node is not None else "<anonymous>",
                params=tuple(param for _, param in ps),
                return_type=_return_type(text, ret) if ret else None,
                span=text.span(node),
                body_span=text.span(body) if body is not None else None,
                signature=_signature(text, node, body),
                container=container,
            )
            self.function_nodes.append(FunctionNodes(function, node, body, container_node))
        self.function_nodes.sort(key=lambda fn: fn.function.span.start_byte)


def _first(nodes: list[Node] | None) -> Node | None:
    return nodes[0] if nodes else None


def _return_type(text: SourceText, nodes: list[Node]) -> str:
    written = text.slice(nodes[0].start_byte, nodes[-1].end_byte)
    return fold(written).lstrip(":").strip()


def _enclosing_owner(
    node: Node, owners: dict[int, tuple[str, Node]], functions: dict[int, Any]
) -> tuple[str | None, Node | None]:
    """The nearest enclosing class/struct/impl; a function nested in a function has none."""
    parent = node.parent
    while parent is not None:
        owner = owners.get(parent.id)
        if owner is not None:
            return owner
        if parent.id in functions:
            return None, None
        parent = parent.parent
    return None, None


def _signature(text: SourceText, node: Node, body: Node | None) -> str:
    if body is None:
        return fold(text.text(node)).rstrip(";").rstrip()
    end = body.start_byte
    # comments between the header and the body (Python) are not part of the signature
    prev = body.prev_sibling
    while prev is not None and "comment" in prev.type:
        end = prev.start_byte
        prev = prev.prev_sibling
    header = fold(text.slice(node.start_byte, end))
    return header.rstrip("=").rstrip() if header.endswith("=") else header


def _param_type(text: SourceText, type_node: Node, name_node: Node | None) -> str:
    """The type as written; a C-style declaration (`char *s`) is the type with the name cut out."""
    if name_node is None or not (
        type_node.start_byte <= name_node.start_byte and name_node.end_byte <= type_node.end_byte
    ):
        return fold(text.text(type_node))
    before = text.slice(type_node.start_byte, name_node.start_byte)
    after = text.slice(name_node.end_byte, type_node.end_byte).split("=", 1)[0]
    return fold(f"{before} {after}")


def _owner_name(text: str) -> str:
    """`Foo<T>` -> `Foo`, `*Server` -> `Server`: the owner as other code names it."""
    return fold(text.split("<", 1)[0].split("[", 1)[0]).lstrip("*&").strip()


def _kind_of(node_type: str) -> str:
    for suffix in _TYPE_SUFFIXES:
        if node_type.endswith(suffix):
            return node_type[: -len(suffix)]
    return node_type


def _syntax_issues(text: SourceText, query: Query, root: Node) -> tuple[SyntaxIssue, ...]:
    if not root.has_error:
        return ()
    found: list[tuple[int, int, Node, bool]] = []
    for _, caps in QueryCursor(query).matches(root):
        for node in caps.get("error", ()):
            found.append((node.start_byte, -node.end_byte, node, False))
        for node in caps.get("missing", ()):
            found.append((node.start_byte, -node.end_byte, node, True))
    found.sort(key=lambda item: (item[0], item[1]))
    issues: list[SyntaxIssue] = []
    error_end = -1
    for start, _, node, missing in found:
        if missing:
            issues.append(SyntaxIssue("missing", text.span(node), node.type))
        elif start >= error_end or node.end_byte > error_end:
            # an ERROR inside an ERROR already reported is the same problem
            error_end = node.end_byte
            first_line = text.text(node).strip().split("\n", 1)[0]
            issues.append(SyntaxIssue("error", text.span(node), first_line[:80]))
    return tuple(issues)
