"""Which placeholder bodies are holes an author means to fill, and which are deliberate:
no-ops that are the point, overridable defaults, interfaces, explained refusals (one file,
real tree-sitter; the repository-wide rule is in test_holes_overrides.py)."""

from __future__ import annotations

import textwrap

import pytest

from ananke_ci.analysis.extract import extract_facts


def _typed(path: str, code: str) -> list[tuple[str, str]]:
    """(marker, function) of each typed hole."""
    facts = extract_facts(path, textwrap.dedent(code).encode())
    assert facts.syntax_issues == ()
    return [
        (h.marker, h.function.name if h.function else "") for h in facts.holes if h.kind == "typed"
    ]


# --- Python no-ops where doing nothing is the point ----------------------------------------


def test_a_decorator_that_registers_or_wraps_makes_a_no_op_deliberate() -> None:
    assert _typed(
        "cli.py",
        """\
        import click


        @click.group()
        def cli():
            pass


        @cli.command(help="A group")
        @click.option("--count", default=1)
        def group(count):
            \"\"\"Showcases things.\"\"\"
            pass


        @app.before_request
        def before() -> None: ...


        @staticmethod
        def modifier_only() -> None:
            pass


        class C:
            @property
            def name(self) -> str:
                pass

            @functools.cache
            def cached(self) -> int: ...


        @app.route("/")
        def explicit():
            raise NotImplementedError


        def plain():
            pass
        """,
    ) == [
        ("pass", "modifier_only"),
        ("pass", "name"),
        ("...", "cached"),
        ("raise NotImplementedError", "explicit"),
        ("pass", "plain"),
    ]


def test_dunder_no_ops_are_complete_protocol_methods() -> None:
    assert _typed(
        "ctx.py",
        """\
        class KeepOpen:
            def __enter__(self):
                return self

            def __exit__(self, exc_type, exc, tb):
                pass

            def __init__(self) -> None:
                ...

            def close(self) -> None:
                pass

            def __iter__(self):
                raise NotImplementedError
        """,
    ) == [("pass", "close"), ("raise NotImplementedError", "__iter__")]


def test_local_functions_and_classes_are_callbacks_and_doubles() -> None:
    assert _typed(
        "run.py",
        """\
        def outer(hooks):
            def hook(*args, **kwargs):
                pass

            class Handle:
                def Close(self):
                    pass

            def later():
                raise NotImplementedError

            hooks.append(hook)
            return Handle, later
        """,
    ) == [("raise NotImplementedError", "later")]


@pytest.mark.parametrize(
    "path", ["tests/test_app.py", "tests/apps/factory.py", "pkg/test_cli.py", "a_test.py"]
)
def test_no_ops_in_test_code_are_fixtures_but_tests_themselves_are_holes(path: str) -> None:
    assert _typed(
        path,
        """\
        def no_app():
            pass


        class FakePager:
            def terminate(self):
                pass


        def test_later():
            pass


        @pytest.mark.parametrize("x", [1, 2])
        def test_marked(x):
            ...


        def helper():
            raise NotImplementedError
        """,
    ) == [("pass", "test_later"), ("...", "test_marked"), ("raise NotImplementedError", "helper")]


def test_the_same_no_ops_outside_test_code_are_holes() -> None:
    assert _typed(
        "src/app/factory.py",
        """\
        def no_app():
            pass


        class Pager:
            def terminate(self):
                pass
        """,
    ) == [("pass", "no_app"), ("pass", "terminate")]


# --- overridable defaults and interfaces within one file -----------------------------------


def test_methods_of_a_class_derived_from_in_the_file_are_its_interface() -> None:
    assert _typed(
        "adapters.py",
        """\
        class BaseAdapter:
            def send(self, request):
                \"\"\"Sends a request.\"\"\"
                raise NotImplementedError

            def close(self) -> None:
                raise NotImplementedError

            def on_start(self) -> None:
                pass


        class HTTPAdapter(pkg.BaseAdapter):
            def send(self, request):
                return request


        class Mixin:
            def send(self, request) -> Response: ...


        class Session(Mixin, Generic[T], metaclass=Meta):
            def send(self, request):
                return 1


        class Leaf:
            def restock(self, sku: str) -> None:
                \"\"\"Refill from the supplier.\"\"\"
                raise NotImplementedError("restock")


        class Response(wrappers.Response):  # its imported namesake, not itself
            def stream(self):
                raise NotImplementedError
        """,
    ) == [("raise NotImplementedError", "restock"), ("raise NotImplementedError", "stream")]


def test_an_override_of_a_base_method_defined_in_the_file_is_deliberate() -> None:
    assert _typed(
        "views.py",
        """\
        class Base:
            def log(self, msg):
                print(msg)


        class Middle(Base):
            def render(self):
                return 1


        class Quiet(Middle):
            def log(self, msg):
                pass

            def render(self):
                raise NotImplementedError("HTML only")

            def brand_new(self):
                pass
        """,
    ) == [("pass", "brand_new")]


def test_a_docstring_that_documents_a_hook_or_an_interface() -> None:
    assert _typed(
        "hooks.py",
        """\
        class HTTPAdapter:
            def add_headers(self, request, **kwargs):
                \"\"\"Add any headers needed by the connection. As of v2.0 this does
                nothing by default, but is left for overriding by users that subclass.\"\"\"
                pass

            def get_completion_args(self):
                \"\"\"This must be implemented by subclasses.\"\"\"
                raise NotImplementedError

            def export(self):
                \"\"\"Write the report to disk.\"\"\"
                pass
        """,
    ) == [("pass", "export")]


# --- explained refusals ---------------------------------------------------------------------


def test_a_message_or_comment_that_explains_a_refusal() -> None:
    assert _typed(
        "cookies.py",
        """\
        class MockRequest:
            def add_header(self, key, val):
                \"\"\"cookiejar has no legitimate use for this method.\"\"\"
                raise NotImplementedError(
                    "Cookie headers should be added with add_unredirected_header()"
                )

            def do_release_savepoint(self, connection, name):
                # SQL Server does not support RELEASE SAVEPOINT
                pass

            def windows(self):
                raise NotImplementedError("not supported on Windows yet")

            def later(self):
                # TODO: cannot do this before the v2 API
                pass

            def spec(self):
                # waiting for the spec
                raise NotImplementedError

            def labelled(self):
                raise NotImplementedError("compute the tax")
        """,
    ) == [
        ("raise NotImplementedError", "windows"),
        ("pass", "later"),
        ("raise NotImplementedError", "spec"),
        ("raise NotImplementedError", "labelled"),
    ]


@pytest.mark.parametrize(
    ("path", "source", "holes"),
    [
        ("a.rs", 'fn f() -> u8 { unimplemented!("not supported on wasm") }', []),
        ("a.rs", 'fn f() -> u8 { todo!("not supported on wasm") }', [("todo!()", "f")]),
        ("a.rs", 'fn f() -> u8 { unimplemented!("eviction policy") }', [("unimplemented!()", "f")]),
        (
            "A.java",
            "class A { void add() { throw new UnsupportedOperationException("
            '"Immutable list cannot be modified"); } }',
            [],
        ),
        (
            "A.java",
            "class A { void add() { throw new UnsupportedOperationException("
            '"Not supported yet."); } }',
            [("throw new UnsupportedOperationException", "add")],
        ),
        ("a.rb", "def f\n  raise NotImplementedError, 'use g instead'\nend\n", []),
        (
            "a.go",
            'package a\nfunc f() {\n\t// cannot happen on linux\n\tpanic("TODO")\n}',
            [('panic("TODO")', "f")],
        ),  # a placeholder that says TODO is no refusal
        (
            "a.rs",
            "fn f() -> u8 {\n    // not supported on wasm\n    todo!()\n}",
            [("todo!()", "f")],
        ),
    ],
)
def test_refusals_in_other_languages(path: str, source: str, holes: list[tuple[str, str]]) -> None:
    assert _typed(path, source) == holes


def test_subclasses_in_the_file_make_ruby_and_java_base_methods_an_interface() -> None:
    assert _typed(
        "shapes.rb",
        """\
        class Shape
          def area
            raise NotImplementedError
          end
        end

        class Square < Geometry::Shape
          def area
            @side * @side
          end
        end

        class Order
          def cancel(id)
            raise NotImplementedError
          end
        end
        """,
    ) == [("raise NotImplementedError", "cancel")]
    assert _typed(
        "Shapes.java",
        """\
        class Shape {
          double area() { throw new UnsupportedOperationException(); }
        }
        class Square extends Shape {
          double area() { return 1.0; }
        }
        class Order {
          void cancel() { throw new UnsupportedOperationException("cancel"); }
        }
        """,
    ) == [("throw new UnsupportedOperationException", "cancel")]


# --- declarations ----------------------------------------------------------------------------


def test_type_checking_declarations_and_replaced_defs_are_not_holes() -> None:
    assert _typed(
        "typing_only.py",
        """\
        from typing import TYPE_CHECKING
        import typing

        if TYPE_CHECKING:
            def insp_is_mapper(obj) -> bool: ...

        class Result:
            if typing.TYPE_CHECKING:
                def fetchall(self) -> list[int]:
                    \"\"\"A synonym.\"\"\"
                    ...

        def and_(*clauses: int) -> int:  # type: ignore[empty-body]
            \"\"\"Conjunction.\"\"\"
            ...

        if not TYPE_CHECKING:
            def and_(*clauses):
                return all(clauses)

        def test_a():
            def get_level(connection):
                raise NotImplementedError
            return get_level

        def test_b():
            def get_level(connection):
                raise NotImplementedError
            return get_level

        def later() -> int:
            ...
        """,
    ) == [
        ("raise NotImplementedError", "get_level"),
        ("raise NotImplementedError", "get_level"),
        ("...", "later"),
    ]


# --- discards of unused parameters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "marker"),
    [
        (
            "a.zig",
            "fn f(value: u32, other: *T) void {\n    _ = value;\n    _ = &other;\n"
            '    @panic("TODO");\n}',
            '@panic("TODO")',
        ),
        (
            "a.rs",
            "fn f(x: u32, y: &mut u8) -> u8 {\n    let _ = x;\n    let _ = &mut y;\n    todo!()\n}",
            "todo!()",
        ),
        (
            "a.go",
            'package a\nfunc f(x, y int) {\n\t_ = x\n\t_, _ = x, y\n\tpanic("not implemented")\n}',
            'panic("not implemented")',
        ),
        (
            "a.c",
            'int f(int x) {\n    (void)x;\n    assert(0 && "not implemented");\n}',
            'assert(0 && "not implemented")',
        ),
        (
            "a.cpp",
            'int f(int x) {\n    static_cast<void>(x);\n    throw std::logic_error("TODO");\n}',
            'throw std::logic_error("TODO")',
        ),
        (
            "A.cs",
            "class A { int f(int x) { _ = x; throw new NotImplementedException(); } }",
            "throw new NotImplementedException",
        ),
        ("a.swift", 'func f(x: Int) {\n    _ = x\n    fatalError("TODO")\n}', 'fatalError("TODO")'),
        (
            "a.ts",
            "function f(x: number): void {\n  void x;\n  throw new Error('TODO');\n}",
            "throw new Error('TODO')",
        ),
    ],
)
def test_discards_of_unused_parameters_do_not_hide_a_hole(
    path: str, source: str, marker: str
) -> None:
    assert _typed(path, source) == [(marker, "f")]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("a.zig", 'fn f() void {\n    _ = compute();\n    @panic("TODO");\n}'),
        ("a.zig", 'fn f(x: u32) void {\n    _ = x;\n    const y = x;\n    @panic("TODO");\n}'),
        ("a.rs", "fn f() -> u8 {\n    let _ = tx.send(1);\n    todo!()\n}"),
        ("a.go", 'package a\nfunc f() {\n\t_ = g()\n\tpanic("TODO")\n}'),
        ("a.c", 'int f(void) {\n    (void)g();\n    assert(0 && "TODO");\n}'),
        ("a.py", "def f(x):\n    del x\n    pass\n"),
    ],
)
def test_a_statement_that_does_something_is_code(path: str, source: str) -> None:
    assert _typed(path, source) == []


# --- markers say what is written ----------------------------------------------------------


def test_a_long_message_is_shortened_in_the_marker_not_in_the_text() -> None:
    message = "not implemented: the frobnicator needs the vendor specification first"
    facts = extract_facts("a.go", f'package a\nfunc f() {{ panic("{message}") }}'.encode())
    [hole] = facts.holes
    assert hole.text == f'panic("{message}")'
    assert hole.marker == 'panic("not implemented: the frobnicator needs the vendo...")'
    assert len(hole.marker) == 60
