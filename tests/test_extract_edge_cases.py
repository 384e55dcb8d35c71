"""extract_facts on awkward input: broken syntax, odd encodings, binary and huge files,
unknown languages, and the stubs that must not count as holes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from tree_sitter import Query, QueryCursor
from tree_sitter_language_pack import get_language, get_parser

from ananke_ci.analysis.extract import DEFAULT_MAX_BYTES, extract_facts
from ananke_ci.analysis.holes import EMPTY_BODY_MARKER
from ananke_ci.analysis.languages import language_for_path
from ananke_ci.core.facts import FileFacts


def _py(code: str, path: str = "mod.py") -> FileFacts:
    return extract_facts(path, textwrap.dedent(code).encode())


def _typed(facts: FileFacts) -> list[tuple[str, str]]:
    return [
        (h.marker, h.function.name if h.function else "") for h in facts.holes if h.kind == "typed"
    ]


# --- broken syntax ------------------------------------------------------------------------


def test_error_nodes_are_tolerated_and_facts_still_extracted() -> None:
    facts = _py(
        """\
        import os

        def good(a: int) -> int:
            return os.getpid() + a

        def broken(x:
            pass

        class K:
            def method(self) -> None:
                print("hi")
        """
    )
    assert [(fn.container, fn.name) for fn in facts.functions] == [(None, "good"), ("K", "method")]
    assert [call.name for call in facts.calls] == ["os.getpid", "print"]
    assert [(i.kind, i.span.start_line, i.span.start_col, i.text) for i in facts.syntax_issues] == [
        ("error", 6, 1, "def broken(x:")
    ]


def test_an_error_inside_an_error_is_reported_once() -> None:
    source = b"}}} fn ((( let x = ; ]]] impl {"
    tree = get_parser("python").parse(source)
    errors = QueryCursor(Query(get_language("python"), "(ERROR) @e")).captures(tree.root_node)["e"]
    assert len(errors) == 2  # the outer ERROR and one nested in it
    facts = extract_facts("junk.py", source)
    assert [(i.kind, i.span.start_byte, i.span.end_byte) for i in facts.syntax_issues] == [
        ("error", 0, len(source))
    ]


def test_missing_node_is_a_syntax_issue_with_its_token() -> None:
    facts = extract_facts("main.c", b"int main(void) {\n    return 0\n}\n")
    assert [fn.name for fn in facts.functions] == ["main"]
    [issue] = facts.syntax_issues
    assert (issue.kind, issue.text) == ("missing", ";")
    assert (issue.span.start_line, issue.span.start_col, issue.span.start_byte) == (2, 13, 29)
    assert issue.span.start_byte == issue.span.end_byte


def test_go_missing_brace_and_error() -> None:
    facts = extract_facts("a.go", b"package main\n\nfunc f() {\n\tif x {\n\t\tfoo((\n}\n")
    kinds = [(i.kind, i.span.start_line) for i in facts.syntax_issues]
    assert ("missing", 7) in kinds
    assert any(kind == "error" for kind, _ in kinds)
    assert [fn.name for fn in facts.functions] == ["f"]


# --- encodings, binary, size -------------------------------------------------------------


def test_non_utf8_is_decoded_with_replacement_and_a_notice() -> None:
    source = "# caf\xe9 TODO: fix\ndef f(x: str) -> str:\n    return 'na\xefve' + x\n"
    facts = extract_facts("latin.py", source.encode("latin-1"))
    assert facts.notices == ("not valid UTF-8: decoded with replacement",)
    assert facts.skipped is None
    assert [fn.name for fn in facts.functions] == ["f"]
    [comment] = facts.comments
    assert comment.text == "# caf\ufffd TODO: fix"
    [hole] = facts.holes
    assert (hole.marker, hole.span.end_col, hole.span.end_byte) == ("TODO", 17, 16)


def test_columns_count_characters_and_bytes_are_kept() -> None:
    facts = extract_facts("u.py", "s = 'h\u00e9llo'; foo(1)\n".encode())
    [call] = facts.calls
    assert (call.name, call.span.start_col, call.span.end_col) == ("foo", 14, 17)
    assert (call.span.start_byte, call.span.end_byte) == (14, 17)
    assert facts.notices == ()


def test_columns_on_ascii_lines_of_a_non_ascii_file() -> None:
    source = '// \u00a9 \u00c6nanke\nfun f() { println("\u00fc") ; g() }\n'.encode()
    facts = extract_facts("u.kt", source)
    assert [(c.name, c.span.start_line, c.span.start_col, c.span.end_col) for c in facts.calls] == [
        ("println", 2, 11, 18),
        ("g", 2, 26, 27),  # g: byte column 27, character column 26
    ]


def test_crlf_line_endings() -> None:
    facts = extract_facts("w.py", b"import os\r\n\r\ndef f() -> None:\r\n    os.remove('x')\r\n")
    [fn] = facts.functions
    assert (fn.span.start_line, fn.signature) == (3, "def f() -> None:")
    assert [(c.name, c.span.start_line, c.span.start_col) for c in facts.calls] == [
        ("os.remove", 4, 5)
    ]
    assert facts.line_count == 4


def test_binary_file_is_skipped() -> None:
    facts = extract_facts("blob.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert facts.skipped == "binary file"
    assert facts.functions == () and facts.line_count == 0


def test_nul_byte_past_the_sniff_window_is_parsed() -> None:
    source = b"def f() -> None:\n    pass\n" + b"#" * 9000 + b"\x00\n"
    facts = extract_facts("late_nul.py", source)
    assert facts.skipped is None
    assert [fn.name for fn in facts.functions] == ["f"]


def test_huge_file_is_skipped_by_default_and_by_parameter() -> None:
    big = b"x = 1\n" * (DEFAULT_MAX_BYTES // 6 + 1)
    assert len(big) > DEFAULT_MAX_BYTES
    facts = extract_facts("big.py", big)
    assert facts.skipped is not None and facts.skipped.startswith("too large")
    small = b"def f():\n    return 1\n"
    too_large = f"too large ({len(small)} bytes > 10)"
    assert extract_facts("s.py", small, max_bytes=10).skipped == too_large
    assert extract_facts("s.py", small, max_bytes=len(small)).skipped is None


def test_empty_file() -> None:
    facts = extract_facts("empty.rs", b"")
    assert facts.skipped is None and facts.line_count == 0 and facts.functions == ()


def test_unknown_extension_and_unknown_language() -> None:
    facts = extract_facts("notes.txt", b"TODO: nothing")
    assert (facts.language, facts.skipped) == ("unknown", "unknown language")
    facts = extract_facts("x.cob", b"IDENTIFICATION DIVISION.", language="cobol")
    assert (facts.language, facts.skipped) == ("cobol", "unknown language")


def test_language_given_overrides_the_path() -> None:
    facts = extract_facts("script", b"def f(a):\n    return a\n", language="python")
    assert [fn.name for fn in facts.functions] == ["f"]


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/app.PY", "python"),
        ("stubs/os.pyi", "python"),
        ("Rakefile", "ruby"),
        ("ui/App.tsx", "tsx"),
        ("lib.h", "c"),
        ("lib.hpp", "cpp"),
        ("build.zig", "zig"),
        ("Main.kts", "kotlin"),
        ("README.md", None),
        ("Makefile", None),
    ],
)
def test_language_for_path(path: str, language: str | None) -> None:
    assert language_for_path(path) == language


# --- holes: what is and is not a placeholder ----------------------------------------------


def test_python_stubs_that_are_declarations_are_not_holes() -> None:
    facts = _py(
        """\
        from abc import ABC, abstractmethod
        from typing import Protocol, overload
        import typing


        class Base(ABC):
            @abstractmethod
            def run(self) -> None: ...

            @abstractmethod
            def stop(self) -> None:
                raise NotImplementedError

            @property
            @abc.abstractmethod
            def name(self) -> str:
                \"\"\"The name.\"\"\"


        class Reader(Protocol):
            def read(self, n: int) -> bytes: ...


        @overload
        def parse(x: int) -> int: ...
        @typing.overload
        def parse(x: str) -> str: ...
        def parse(x):
            return x


        def later() -> None:
            ...


        @staticmethod
        def still_a_hole() -> None:
            pass
        """
    )
    assert _typed(facts) == [("...", "later"), ("pass", "still_a_hole")]


def test_pyi_stub_file_has_no_typed_holes() -> None:
    facts = _py("def f(x: int) -> int: ...\nclass C:\n    def m(self) -> None: ...\n", "m.pyi")
    assert [fn.name for fn in facts.functions] == ["f", "m"]
    assert _typed(facts) == []


def test_python_docstring_and_comment_do_not_hide_a_placeholder() -> None:
    facts = _py(
        """\
        def f(x: int) -> int:
            \"\"\"Doc.\"\"\"
            # waiting for the spec
            raise NotImplementedError(f"f({x})")


        def g() -> None:
            x = 1
            raise NotImplementedError


        def h() -> None:
            \"\"\"Only a docstring: finished, if empty.\"\"\"
        """
    )
    [hole] = [h for h in facts.holes if h.kind == "typed"]
    assert (hole.marker, hole.text, hole.span.start_line, hole.span.start_col) == (
        "raise NotImplementedError",
        'raise NotImplementedError(f"f({x})")',
        4,
        5,
    )
    assert hole.function is not None and hole.function.signature == "def f(x: int) -> int:"


def test_empty_bodies_are_not_holes_unless_they_hold_a_todo() -> None:
    go = extract_facts(
        "a.go",
        b"package a\n\nfunc noop() {}\n\nfunc later() {\n\t// TODO: write it\n}\n"
        b"\nfunc note() {\n\t// nothing to do here\n}\n",
    )
    assert _typed(go) == [(EMPTY_BODY_MARKER, "later")]
    js = extract_facts("a.js", b"function onClick() {}\nclass A { m() { /* keep */ } }\n")
    assert _typed(js) == []


def test_methods_without_body_are_not_holes() -> None:
    java = extract_facts(
        "A.java",
        b"abstract class A {\n  abstract int size();\n  int twice() { return 2 * size(); }\n}\n"
        b"interface B { void run(); }\n",
    )
    assert [(fn.container, fn.name, fn.body_span is None) for fn in java.functions] == [
        ("A", "size", True),
        ("A", "twice", False),
        ("B", "run", True),
    ]
    assert java.holes == ()
    ts = extract_facts(
        "a.ts",
        b"abstract class S {\n  abstract area(): number;\n}\n"
        b"function f(a: string): void;\nfunction f(a: any): void {}\n",
    )
    assert [(fn.name, fn.body_span is None) for fn in ts.functions] == [
        ("area", True),
        ("f", True),
        ("f", False),
    ]
    assert ts.holes == ()


@pytest.mark.parametrize(
    ("path", "source", "marker"),
    [
        ("a.rs", "fn f() -> u8 { unimplemented!() }", "unimplemented!()"),
        ("a.rs", "fn f() -> u8 {\n    todo!();\n}", "todo!()"),
        (
            "a.go",
            'package a\nfunc f() { panic("Not Implemented yet") }',
            'panic("Not Implemented yet")',
        ),
        ("a.go", "package a\nfunc f() { panic(`todo: later`) }", "panic(`todo: later`)"),
        (
            "A.cs",
            "class A { int f() => throw new NotImplementedException(); }",
            "throw new NotImplementedException",
        ),
        (
            "a.ts",
            "function f(): void { throw new Error('Method not implemented.'); }",
            "throw new Error('Method not implemented.')",
        ),
        ("a.kt", "fun f(): Int = TODO()", "TODO()"),
        ("a.swift", 'func f() { fatalError("TODO: later") }', 'fatalError("TODO: later")'),
        (
            "a.c",
            'int f(void) { assert(0 && "not implemented"); }',
            'assert(0 && "not implemented")',
        ),
        (
            "a.php",
            "<?php function f() { throw new \\Exception('TODO'); }",
            "throw new \\Exception('TODO')",
        ),
        ("a.rb", "def f\n  raise NotImplementedError, 'later'\nend\n", "raise NotImplementedError"),
        ("a.zig", 'fn f() void { @panic("not implemented"); }', '@panic("not implemented")'),
    ],
)
def test_placeholder_variants(path: str, source: str, marker: str) -> None:
    facts = extract_facts(path, source.encode())
    assert facts.syntax_issues == ()
    assert [
        (h.marker, h.function.name if h.function else "") for h in facts.holes if h.kind == "typed"
    ] == [(marker, "f")]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("a.go", "package a\nfunc f(err error) { panic(err) }"),
        ("a.go", 'package a\nfunc f() { panic("unreachable") }'),
        (
            "a.swift",
            "class V {\n  required init?(coder: NSCoder) {\n"
            '    fatalError("init(coder:) has not been implemented")\n  }\n}',
        ),
        ("a.ts", "function f(): void { throw new Error('bad input'); }"),
        ("a.rs", "fn f() -> u8 { todo_list(); 1 }"),
        ("a.py", "def f():\n    return NotImplemented\n"),
        ("a.java", 'class A { void f() { throw new IllegalStateException("x"); } }'),
    ],
)
def test_real_code_is_not_a_placeholder(path: str, source: str) -> None:
    facts = extract_facts(path, source.encode())
    assert len(facts.functions) == 1 and facts.functions[0].body_span is not None
    assert [h for h in facts.holes if h.kind == "typed"] == []


def test_todo_markers() -> None:
    facts = _py(
        """\
        # HACK: works around a bug
        # the todo list is long; todos are fine in prose
        def f() -> None:
            x = 1  # FIXME wrong value
            # XXX
        """
    )
    todo = [
        (h.marker, h.span.start_line, h.function.name if h.function else None) for h in facts.holes
    ]
    assert todo == [("HACK", 1, None), ("FIXME", 4, "f"), ("XXX", 5, "f")]


def test_nested_function_has_no_container_and_todo_goes_to_innermost() -> None:
    facts = _py(
        """\
        class A:
            def outer(self) -> None:
                def inner(y: int) -> int:
                    # TODO: inner
                    return y
                inner(1)
        """
    )
    assert [(fn.name, fn.container) for fn in facts.functions] == [("outer", "A"), ("inner", None)]
    [hole] = facts.holes
    assert hole.function is not None and hole.function.name == "inner"


def test_hot_path_import_stays_light() -> None:
    code = (
        "import sys, ananke_ci.analysis.extract\n"
        "print(sorted(m for m in ('networkx', 'numpy', 'rich', 'matplotlib', 'pydriller')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- import forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "imports"),
    [
        (
            "a.py",
            "from . import x\nfrom .foo import bar as baz, qux\nimport a.b as c, d\n"
            "from m import *\n",
            [(".", ("x",)), (".foo", ("baz", "qux")), ("a.b", ("c",)), ("d", ()), ("m", ("*",))],
        ),
        (
            "a.rs",
            "use foo::bar::*;\nuse std::io;\nuse serde;\nuse a::b as c;\n",
            [("foo::bar", ("*",)), ("std", ("io",)), ("serde", ()), ("a::b", ("c",))],
        ),
        ("a.go", 'package a\nimport "fmt"\nimport . "x/y"\n', [("fmt", ()), ("x/y", (".",))]),
        (
            "a.ts",
            'import "./side";\nimport def, { a as b } from "./m";\n'
            'export { z } from "./z";\nconst q = require("q");\n',
            [("./side", ()), ("./m", ("def", "b")), ("./z", ()), ("q", ())],
        ),
        (
            "a.php",
            "<?php\nuse Foo\\Bar as Baz;\nuse Single;\nrequire_once 'x.php';\n",
            [("Foo\\Bar", ("Baz",)), ("", ("Single",)), ("x.php", ())],
        ),
        (
            "A.java",
            "import static java.lang.Math.max;\nimport java.util.*;\n",
            [("java.lang.Math", ("max",)), ("java.util", ("*",))],
        ),
        (
            "a.kt",
            "import foo.bar.*\nimport a.b.C as D\nimport x.y.Z\n",
            [("foo.bar", ("*",)), ("a.b.C", ("D",)), ("x.y", ("Z",))],
        ),
        ("a.rb", "require 'set'\nload \"x.rb\"\n", [("set", ()), ("x.rb", ())]),
        ("a.c", "#include <sys/types.h>\n", [("sys/types.h", ())]),
    ],
)
def test_import_forms(path: str, source: str, imports: list[tuple[str, tuple[str, ...]]]) -> None:
    facts = extract_facts(path, source.encode())
    assert facts.syntax_issues == ()
    assert [(imp.module, imp.names) for imp in facts.imports] == imports


def test_class_fields_holding_functions_are_methods() -> None:
    source = b"class A {\n  handle = (e) => { this.x(e); };\n  one = x => x;\n}\n"
    js = extract_facts("f.js", source)
    assert [(f.container, f.name, [p.name for p in f.params]) for f in js.functions] == [
        ("A", "handle", ["e"]),
        ("A", "one", ["x"]),
    ]
    ts = extract_facts("f.ts", b"class A {\n  private h = (e: Event): void => { this.x(e); };\n}\n")
    [fn] = ts.functions
    assert (fn.name, fn.params[0].type, fn.return_type) == ("h", "Event", "void")


@pytest.mark.parametrize(
    ("path", "head", "tail"),
    [
        ("deep.c", "int f(void) {\n", "\nreturn 0;\n}\n"),
        ("Deep.java", "class A { void f() {\n", "\n} }\n"),
        ("Deep.cs", "class A { void F() {\n", "\n} }\n"),
        ("deep.js", "function f() {\n", "\n}\n"),
        ("deep.rs", "fn f() {\n", "\n}\n"),
        ("deep.go", "package p\nfunc f() {\n", "\n}\n"),
    ],
)
def test_a_thousand_nested_blocks_are_no_crash(path: str, head: str, tail: str) -> None:
    """A placeholder never nests a thousand blocks deep: the hole finder stops looking long
    before Python's recursion limit (it used to raise RecursionError: exit 3 in the hook)."""
    source = (head + "{" * 1000 + "}" * 1000 + tail).encode()
    facts = extract_facts(path, source)
    assert facts.skipped is None and facts.functions and not facts.holes
