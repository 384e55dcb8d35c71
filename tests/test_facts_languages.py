"""Facts of one realistic file per language (tests/fixtures/languages/<lang>.<ext>).

Each case pins concrete names, parameters, types, imports, calls and holes with their exact
spans, so a query that silently stops matching fails here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ananke_ci.analysis.extract import compile_query, extract_facts
from ananke_ci.analysis.languages import LANGUAGES, language_for_path
from ananke_ci.core.facts import FileFacts

FIXTURES = Path(__file__).parent / "fixtures" / "languages"

# (container, name, params, return type)
Fn = tuple[str | None, str, list[tuple[str, str | None]], str | None]


@dataclass(frozen=True)
class Case:
    file: str
    language: str
    functions: list[Fn]  # every function, in source order
    types: set[tuple[str, str]]
    imports: list[tuple[str, tuple[str, ...]]]
    calls: set[str]  # a subset of the calls
    # (marker, line, col, end_line, end_col, function name, text) for each hole, in order
    holes: list[tuple[str, int, int, int, int, str, str]]
    signature: tuple[str, str] = ("", "")  # (function name, signature) spot check
    extra_holes: list[str] = field(default_factory=list)


CASES = [
    Case(
        "python.py",
        "python",
        [
            ("Store", "load", [("self", None), ("key", "str")], "bytes"),
            (
                "Inventory",
                "__init__",
                [("self", None), ("store", "Store"), ("limit", "int")],
                "None",
            ),
            ("Inventory", "reserve", [("self", None), ("sku", "str"), ("qty", "int")], "bool"),
            ("Inventory", "restock", [("self", None), ("sku", "str"), ("qty", "int")], "None"),
            (None, "report", [("inv", "Inventory"), ("*args", "str"), ("**kw", "int")], "str"),
        ],
        {("Store", "class"), ("Inventory", "class")},
        [("os", ()), ("collections", ("defaultdict",)), ("typing", ("Protocol",))],
        {"defaultdict", "os.path.join", "print", "NotImplementedError"},
        [
            ("TODO", 20, 9, 20, 51, "reserve", "# TODO: make this atomic across warehouses"),
            (
                "raise NotImplementedError",
                28,
                9,
                28,
                45,
                "restock",
                'raise NotImplementedError("restock")',
            ),
        ],
        ("reserve", "def reserve(self, sku: str, qty: int) -> bool:"),
    ),
    Case(
        "rust.rs",
        "rust",
        [
            ("Store", "load", [("&self", None), ("key", "&str")], "Option<u64>"),
            ("Cache", "new", [], "Self"),
            ("Cache", "get", [("&self", None), ("key", "&str")], "Option<u64>"),
            ("Cache", "evict", [("&mut self", None), ("max", "usize")], "usize"),
            (None, "main", [], "io::Result<()>"),
        ],
        {("Cache", "struct"), ("Store", "trait")},
        [("std::collections", ("HashMap",)), ("std::io", ("self", "Write"))],
        {"HashMap::new", "Cache::new", "io::stdout", "writeln", "todo", "Ok"},
        [
            ("TODO", 19, 9, 19, 28, "get", "// TODO: add expiry"),
            ("todo!()", 24, 9, 24, 33, "evict", 'todo!("eviction policy")'),
        ],
        ("evict", "pub fn evict(&mut self, max: usize) -> usize"),
    ),
    Case(
        "go.go",
        "go",
        [
            ("Handler", "Serve", [("w", "http.ResponseWriter"), ("r", "*http.Request")], None),
            (None, "NewServer", [("addr", "string")], "*Server"),
            ("Server", "Start", [("port", "int"), ("verbose", "bool")], "error"),
            ("Server", "Stop", [], "error"),
        ],
        {("Server", "struct"), ("Handler", "interface")},
        [("fmt", ()), ("net/http", ()), ("strings", ("str",))],
        {"str.TrimSpace", "fmt.Println", "http.ListenAndServe", "panic"},
        [
            ("FIXME", 24, 2, 24, 27, "Start", "// FIXME: port is ignored"),
            ('panic("not implemented")', 30, 2, 30, 26, "Stop", 'panic("not implemented")'),
        ],
        ("Start", "func (s *Server) Start(port int, verbose bool) error"),
    ),
    Case(
        "java.java",
        "java",
        [
            ("OrderService", "OrderService", [("capacity", "int")], None),
            ("OrderService", "place", [("id", "String"), ("quantity", "int")], "boolean"),
            ("OrderService", "cancel", [("id", "String")], "List<String>"),
            ("Repository", "find", [("id", "String")], "String"),
        ],
        {("OrderService", "class"), ("Repository", "interface")},
        [("java.util", ("List",)), ("java.util", ("ArrayList",))],
        {"System.out.println", "orders.add", "UnsupportedOperationException"},
        [
            ("TODO", 15, 9, 15, 35, "place", "// TODO: validate quantity"),
            (
                "throw new UnsupportedOperationException",
                21,
                9,
                21,
                59,
                "cancel",
                'throw new UnsupportedOperationException("cancel");',
            ),
        ],
        ("cancel", "public List<String> cancel(String id)"),
    ),
    Case(
        "javascript.js",
        "javascript",
        [
            ("ConfigLoader", "constructor", [("root", None)], None),
            ("ConfigLoader", "load", [("name", None), ("options", None)], None),
            ("ConfigLoader", "validate", [("config", None)], None),
            (None, "main", [("argv", None)], None),
            (None, "helper", [("a", None), ("b", None)], None),
        ],
        {("ConfigLoader", "class")},
        [("fs/promises", ("readFile",)), ("path", ("path",)), ("util", ())],
        {"readFile", "path.join", "JSON.parse", "console.log", "ConfigLoader", "require"},
        [
            ("TODO", 12, 5, 12, 32, "load", "// TODO: cache parsed files"),
            (
                'throw new Error("not implemented")',
                18,
                5,
                18,
                40,
                "validate",
                'throw new Error("not implemented");',
            ),
        ],
        ("helper", "helper = (a, b) =>"),
    ),
    Case(
        "typescript.ts",
        "typescript",
        [
            ("Job", "run", [], "Promise<void>"),
            ("JobQueue", "enqueue", [("job", "Job"), ("priority", "number")], "boolean"),
            ("JobQueue", "drain", [("limit", "number")], "Promise<number>"),
            (None, "save", [("queue", "JobQueue"), ("file", "string")], "void"),
        ],
        {("Job", "interface"), ("JobQueue", "class")},
        [("events", ("EventEmitter",)), ("fs", ("fs",))],
        {"this.jobs.push", "this.emit", "fs.writeFileSync", "JSON.stringify", "Error"},
        [
            ("XXX", 14, 5, 14, 29, "enqueue", "// XXX: priority ignored"),
            ('throw new Error("TODO")', 21, 5, 21, 29, "drain", 'throw new Error("TODO");'),
        ],
        ("drain", "async drain(limit?: number): Promise<number>"),
    ),
    Case(
        "tsx.tsx",
        "tsx",
        [
            (None, "Counter", [("{ title }", "Props")], "JSX.Element"),
            ("Panel", "render", [], "JSX.Element"),
        ],
        {("Props", "interface"), ("Panel", "class")},
        [("react", ("React", "useState"))],
        {"useState", "setCount", "Error"},
        [
            ("TODO", 10, 3, 10, 25, "Counter", "// TODO: persist count"),
            (
                'throw new Error("not implemented")',
                16,
                5,
                16,
                40,
                "render",
                'throw new Error("not implemented");',
            ),
        ],
    ),
    Case(
        "c.c",
        "c",
        [
            (
                None,
                "buffer_append",
                [("buf", "struct buffer *"), ("src", "const char *"), ("n", "size_t")],
                "int",
            ),
            (None, "buffer_free", [("buf", "struct buffer *")], "void"),
            (None, "main", [("argc", "int"), ("argv", "char **")], "int"),
        ],
        {("buffer", "struct"), ("point", "struct"), ("point_t", "typedef")},
        [("stdio.h", ()), ("buffer.h", ())],
        {"memcpy", "buffer_append", "printf"},
        [
            ("TODO", 16, 5, 16, 33, "buffer_append", "// TODO: grow the allocation"),
            (
                "empty body with TODO",
                22,
                38,
                24,
                2,
                "buffer_free",
                "{\n    /* TODO: free the data */\n}",
            ),
            ("TODO", 23, 5, 23, 30, "buffer_free", "/* TODO: free the data */"),
        ],
        ("buffer_free", "void buffer_free(struct buffer *buf)"),
    ),
    Case(
        "cpp.cpp",
        "cpp",
        [
            ("Shape", "area", [], "double"),
            ("Shape", "~Shape", [], None),
            ("Circle", "Circle", [("r", "double")], None),
            ("Circle", "area", [], "double"),
            ("Circle", "describe", [("precision", "int")], "std::string"),
            (None, "main", [("argc", "int"), ("argv", "char**")], "int"),
        ],
        {("Shape", "class"), ("Circle", "class")},
        [("string", ()), ("vector", ()), ("shape.hpp", ())],
        {"v.push_back", "c.area", "std::logic_error"},
        [
            ("TODO", 19, 9, 19, 33, "area", "// TODO: use a better pi"),
            (
                'throw std::logic_error("not implemented")',
                24,
                9,
                24,
                51,
                "describe",
                'throw std::logic_error("not implemented");',
            ),
        ],
        ("describe", "std::string describe(int precision) const"),
    ),
    Case(
        "csharp.cs",
        "csharp",
        [
            ("InvoiceService", "InvoiceService", [("capacity", "int")], None),
            ("InvoiceService", "Total", [("taxRate", "decimal"), ("rounded", "bool")], "decimal"),
            ("InvoiceService", "Refund", [("invoiceId", "string")], "void"),
            ("IPayment", "Charge", [("amount", "decimal")], "bool"),
        ],
        {("InvoiceService", "class"), ("IPayment", "interface")},
        [("System", ()), ("System.Collections.Generic", ())],
        {"Console.WriteLine", "Math.Round", "NotImplementedException", "List<decimal>"},
        [
            ("TODO", 18, 13, 18, 38, "Total", "// TODO: currency support"),
            (
                "throw new NotImplementedException",
                26,
                13,
                26,
                49,
                "Refund",
                "throw new NotImplementedException();",
            ),
        ],
        ("Total", "public decimal Total(decimal taxRate, bool rounded)"),
    ),
    Case(
        "kotlin.kt",
        "kotlin",
        [
            ("UserRegistry", "register", [("name", "String"), ("age", "Int")], "Boolean"),
            ("UserRegistry", "remove", [("name", "String")], "Boolean"),
            ("UserRegistry", "export", [("path", "String")], "Int"),
            ("Notifier", "notify", [("user", "String")], None),
            (None, "main", [("args", "Array<String>")], None),
        ],
        {("UserRegistry", "class"), ("Notifier", "interface")},
        [("kotlin.collections", ("mutableListOf",)), ("java.time", ("Instant",))],
        {"users.add", "println", "Instant.now", "TODO", "registry.register"},
        [
            ("TODO", 11, 9, 11, 34, "register", "// TODO: check duplicates"),
            ("TODO()", 17, 41, 17, 61, "remove", 'TODO("remove users")'),
            ("TODO()", 20, 9, 20, 15, "export", "TODO()"),
        ],
        ("remove", "fun remove(name: String): Boolean"),
    ),
    Case(
        "php.php",
        "php",
        [
            ("InvoiceMailer", "__construct", [("$logger", "LoggerInterface")], None),
            ("InvoiceMailer", "send", [("$invoice", "Invoice"), ("$email", "string")], "bool"),
            ("InvoiceMailer", "cancel", [("$id", "int")], "void"),
            (None, "helper", [("$items", "array")], "int"),
        ],
        {("InvoiceMailer", "class")},
        [("App\\Models", ("Invoice",)), ("Psr\\Log", ("LoggerInterface",))],
        {"$this->logger->info", "mail", "$invoice->render", "count", "\\LogicException"},
        [
            ("TODO", 20, 9, 20, 34, "send", "// TODO: retry on failure"),
            (
                "throw new \\LogicException('Not implemented')",
                27,
                9,
                27,
                54,
                "cancel",
                "throw new \\LogicException('Not implemented');",
            ),
        ],
        ("send", "public function send(Invoice $invoice, string $email): bool"),
    ),
    Case(
        "ruby.rb",
        "ruby",
        [
            ("OrderBook", "initialize", [("store", None)], None),
            ("OrderBook", "add", [("order", None), ("priority", None)], None),
            ("OrderBook", "cancel", [("id", None)], None),
            (None, "summary", [("book", None)], None),
        ],
        {("OrderBook", "class")},
        [("json", ()), ("store", ())],
        {"@store.save", "order.to_json", "puts", "JSON.generate", "raise"},
        [
            ("TODO", 12, 5, 12, 29, "add", "# TODO: sort by priority"),
            ("raise NotImplementedError", 18, 5, 18, 30, "cancel", "raise NotImplementedError"),
        ],
        ("add", "def add(order, priority = 0)"),
    ),
    Case(
        "swift.swift",
        "swift",
        [
            ("Account", "init", [("balance", "Double")], None),
            ("Account", "deposit", [("amount", "Double"), ("note", "String")], "Bool"),
            ("Account", "withdraw", [("amount", "Double")], "Double"),
            ("Ledger", "record", [("entry", "String")], "Int"),
            (None, "total", [("accounts", "[Account]")], "Double"),
        ],
        {("Account", "class"), ("Ledger", "protocol"), ("Entry", "struct")},
        [("Foundation", ()), ("UIKit", ())],
        {"print", "fatalError", "accounts.reduce"},
        [
            ("TODO", 13, 9, 13, 27, "deposit", "// TODO: audit log"),
            (
                'fatalError("not implemented")',
                20,
                9,
                20,
                38,
                "withdraw",
                'fatalError("not implemented")',
            ),
        ],
        ("total", "func total(of accounts: [Account]) -> Double"),
    ),
    Case(
        "zig.zig",
        "zig",
        [
            ("Ring", "push", [("self", "*Ring"), ("value", "u8")], "bool"),
            ("Ring", "pop", [("self", "*Ring")], "?u8"),
            (None, "main", [], "!void"),
        ],
        {("Ring", "struct")},
        [("std", ("std",))],
        {"@import", "@panic", "ring.push", "std.debug.print", "mem.len"},
        [
            ("TODO", 10, 9, 10, 33, "push", "// TODO: handle overflow"),
            ('@panic("TODO")', 17, 9, 17, 24, "pop", '@panic("TODO");'),
        ],
        ("push", "fn push(self: *Ring, value: u8) bool"),
    ),
]


def _facts(case: Case) -> FileFacts:
    path = FIXTURES / case.file
    return extract_facts(str(path), path.read_bytes())


def test_every_language_has_a_case() -> None:
    assert {case.language for case in CASES} == set(LANGUAGES)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_query_compiles(language: str) -> None:
    query = compile_query(language)
    assert query.pattern_count > 5


@pytest.mark.parametrize("case", CASES, ids=[case.language for case in CASES])
def test_language_facts(case: Case) -> None:
    assert language_for_path(case.file) == case.language
    facts = _facts(case)
    assert facts.language == case.language
    assert facts.skipped is None
    assert facts.syntax_issues == ()
    got_functions = [
        (fn.container, fn.name, [(p.name, p.type) for p in fn.params], fn.return_type)
        for fn in facts.functions
    ]
    assert got_functions == case.functions
    assert {(t.name, t.kind) for t in facts.types} == case.types
    assert [(imp.module, imp.names) for imp in facts.imports] == case.imports
    assert case.calls <= {call.name for call in facts.calls}
    got_holes = [
        (
            hole.marker,
            hole.span.start_line,
            hole.span.start_col,
            hole.span.end_line,
            hole.span.end_col,
            hole.function.name if hole.function else "",
            hole.text,
        )
        for hole in facts.holes
    ]
    assert got_holes == case.holes
    # todo holes come from comments; typed ones from placeholder bodies
    assert {h.kind for h in facts.holes} == {"todo", "typed"}
    source = (FIXTURES / case.file).read_bytes()
    for hole in facts.holes:
        assert source[hole.span.start_byte : hole.span.end_byte].decode() == hole.text
    if case.signature[0]:
        by_name = {fn.name: fn for fn in facts.functions}
        assert by_name[case.signature[0]].signature == case.signature[1]


@pytest.mark.parametrize("case", CASES, ids=[case.language for case in CASES])
def test_spans_point_at_the_text(case: Case) -> None:
    """Every function span starts on its name's line and every call span holds its name."""
    facts = _facts(case)
    lines = (FIXTURES / case.file).read_text().splitlines()
    for fn in facts.functions:
        assert fn.span.start_line <= fn.span.end_line <= facts.line_count
        if fn.body_span is not None:
            assert fn.span.start_byte <= fn.body_span.start_byte < fn.body_span.end_byte
            assert fn.body_span.end_byte <= fn.span.end_byte
    for call in facts.calls:
        line = lines[call.span.start_line - 1]
        first = call.name.split("\n")[0]
        assert line[call.span.start_col - 1 :].startswith(first[: len(line)])
    assert facts.comments, "every fixture has comments"
    assert all(c.text.strip() for c in facts.comments)


# What each fixture's imports bind (local name, qualified target as written), in order:
# the fixtures have no alias, so this pins the plain forms (tests/test_import_bindings.py
# has the aliased ones).
BINDINGS = {
    "python": [
        ("os", "os"),
        ("defaultdict", "collections.defaultdict"),
        ("Protocol", "typing.Protocol"),
    ],
    "rust": [
        ("HashMap", "std::collections::HashMap"),
        ("io", "std::io"),
        ("Write", "std::io::Write"),
    ],
    "go": [("fmt", "fmt"), ("http", "net/http"), ("str", "strings")],
    "java": [("List", "java.util.List"), ("ArrayList", "java.util.ArrayList")],
    "javascript": [("readFile", "fs/promises.readFile"), ("path", "path"), ("util", "util")],
    "typescript": [("EventEmitter", "events.EventEmitter"), ("fs", "fs")],
    "tsx": [("React", "react"), ("useState", "react.useState")],
    "c": [],
    "cpp": [],
    "csharp": [],
    "ruby": [],
    "swift": [],
    "kotlin": [
        ("mutableListOf", "kotlin.collections.mutableListOf"),
        ("Instant", "java.time.Instant"),
    ],
    "php": [("Invoice", "App\\Models\\Invoice"), ("LoggerInterface", "Psr\\Log\\LoggerInterface")],
    "zig": [("std", "std")],
}


@pytest.mark.parametrize("case", CASES, ids=[case.language for case in CASES])
def test_language_bindings(case: Case) -> None:
    facts = _facts(case)
    assert [b for imp in facts.imports for b in imp.bindings] == BINDINGS[case.language]
    assert facts.aliases == ()
