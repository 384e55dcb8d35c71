"""Parse one source file with tree-sitter and turn it into FileFacts.

One generic extractor serves every language: the per-language knowledge is in
`queries/<language>.scm`, whose capture names say what a node is:

    @function.def  @function.name  @function.params  @function.return_type
    @function.body @function.container (an explicit owner, e.g. a Go receiver type)
    @param  @param.name  @param.type          (a param belongs to the innermost def, and
                                               must lie in its @function.params if any)
    @type.def[.KIND]  @type.name              (kind from the capture name, else the node
                                               type; types are also method containers)
    @container  @container.name               (owners that are not types: Rust impl, ...)
    @import  @import.module  @import.name  @import.tail
    @import.bind  @import.bind.name  @import.bind.local
                                              (one name an import binds: the local name, and
                                               the name it stands for in the module; no name:
                                               the module; see Collector._binding)
    @alias  @alias.name  @alias.value         (`name = a.b`: a plain rebinding, Python)
    @call (the callee: Call.span is the callee's)  @call.tail (see _collect.py)
    @call.first (a whole call node whose first named child is the callee: cheap to compile)
    @comment

A part is paired with its owner by walking up from it to the nearest captured owner (see
_collect.py); the `_`-prefixed captures only serve predicates.
Each file runs one combined query (one pass over the tree); syntax errors are looked up
only when the root says the tree has one. This module sits on the pre-commit hot path:
it imports nothing heavy and caches parsers and compiled queries per language.
"""

from __future__ import annotations

from pathlib import Path

from tree_sitter import Language, Node, Parser, Query, QueryCursor

from ananke_ci.analysis import rows
from ananke_ci.analysis._collect import Collector
from ananke_ci.analysis._text import SourceText
from ananke_ci.analysis.holes import find_holes
from ananke_ci.analysis.languages import LANGUAGES, language_for_path
from ananke_ci.analysis.rows import CoreRow, IssueRow, RestRow
from ananke_ci.core.facts import FileFacts
from ananke_ci.core.records import record

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
BINARY_SNIFF_BYTES = 8 * 1024
QUERY_DIR = Path(__file__).parent / "queries"
_ISSUES_QUERY = "(ERROR) @error\n(MISSING) @missing\n"


@record(slots=True)
class _Compiled:
    parser: Parser
    query: Query
    # compiled on the first tree with an error: up to 25 ms for some grammars, and most
    # commits parse cleanly
    _issues: Query | None = None

    @property
    def issues(self) -> Query:
        if self._issues is None:
            self._issues = Query(self.parser.language, _ISSUES_QUERY)  # type: ignore[arg-type]
        return self._issues


_CACHE: dict[str, _Compiled] = {}


def _compiled(language: str) -> _Compiled:
    """Parser and queries for `language`, built once per process."""
    found = _CACHE.get(language)
    if found is None:
        spec = LANGUAGES[language]
        lang = _load_language(spec.ts_name)
        source = (QUERY_DIR / f"{spec.query_name}.scm").read_text(encoding="utf-8")
        found = _Compiled(Parser(lang), Query(lang, source))
        _CACHE[language] = found
    return found


def _load_language(ts_name: str) -> Language:
    """The grammar from tree-sitter-language-pack's bundled bindings.

    The pack's own `get_language` first imports the pack (ctypes, pathlib, three grammar
    packages: ~18 ms); on the pre-commit hot path we load just the one extension module,
    and fall back to the pack's API if its layout is not the one we know.
    """
    import importlib.util

    pack = importlib.util.find_spec("tree_sitter_language_pack")
    folder = pack.submodule_search_locations if pack else None
    if folder:
        for path in sorted(Path(next(iter(folder)), "bindings").glob(f"{ts_name}.*.so")):
            name = f"tree_sitter_language_pack.bindings.{ts_name}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            if module_spec is not None and module_spec.loader is not None:
                module = importlib.util.module_from_spec(module_spec)
                module_spec.loader.exec_module(module)
                return Language(module.language())
    from tree_sitter_language_pack import get_language

    return get_language(ts_name)  # type: ignore[arg-type]


def load_parser(language: str) -> None:
    """Load a language's grammar and queries now (a no-op for a language we do not parse)."""
    if language in LANGUAGES:
        _compiled(language)


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
    return rows.facts(path, *extract_rows(path, source, language, max_bytes=max_bytes))


def extract_rows(
    path: str,
    source: bytes,
    language: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[CoreRow, RestRow]:
    """The facts of `extract_facts` as rows (see rows.py), without building any record."""
    lang = language if language is not None else language_for_path(path)
    size = len(source)
    if lang is None or lang not in LANGUAGES:
        return (lang or "unknown", size, 0, "unknown language", (), ()), rows.EMPTY_REST
    if b"\0" in source[:BINARY_SNIFF_BYTES]:
        return (lang, size, 0, "binary file", (), ()), rows.EMPTY_REST
    if size > max_bytes:
        skipped = f"too large ({size} bytes > {max_bytes})"
        return (lang, size, 0, skipped, (), ()), rows.EMPTY_REST
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
    facts = Collector(text).run(QueryCursor(compiled.query).captures(tree.root_node))
    issues = _syntax_issues(text, compiled, tree.root_node)
    holes = find_holes(lang, path, text, facts.function_nodes, facts.comments)
    functions = [fn.function for fn in facts.function_nodes]
    return (
        (lang, size, line_count, None, tuple(notices), facts.imports),
        (functions, facts.types, facts.calls, facts.comments, issues, holes, facts.aliases),
    )


def _syntax_issues(text: SourceText, compiled: _Compiled, root: Node) -> list[IssueRow]:
    if not root.has_error:
        return []
    found: list[tuple[int, int, Node, bool]] = []
    for _, caps in QueryCursor(compiled.issues).matches(root):
        for node in caps.get("error", ()):
            found.append((node.start_byte, -node.end_byte, node, False))
        for node in caps.get("missing", ()):
            found.append((node.start_byte, -node.end_byte, node, True))
    found.sort(key=lambda item: (item[0], item[1]))
    issues: list[IssueRow] = []
    error_end = -1
    for start, _, node, missing in found:
        if missing:
            issues.append(("missing", text.span(node), node.type))
        elif start >= error_end or node.end_byte > error_end:
            # an ERROR inside an ERROR already reported is the same problem
            error_end = node.end_byte
            first_line = text.text(node).strip().split("\n", 1)[0]
            issues.append(("error", text.span(node), first_line[:80]))
    return issues
