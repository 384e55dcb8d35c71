"""The repository half of the hole rules: placeholder methods that a class of another module
overrides, or that override an inherited method (`ananke-ci holes` in real git repos)."""

from __future__ import annotations

import json

from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.overrides import deliberate_elsewhere
from tests.gitrepo import Cli, GitRepo

SCAFFOLD = """class Scaffold:
    def add_url_rule(self, rule: str) -> None:
        raise NotImplementedError

    def _check_setup_finished(self, name: str) -> None:
        raise NotImplementedError

    def export(self) -> str:
        raise NotImplementedError


class Unrelated:
    def render(self) -> str:
        raise NotImplementedError
"""

APP = """from .scaffold import Scaffold


class App(Scaffold):
    def add_url_rule(self, rule: str) -> None:
        self.rules.append(rule)

    def _check_setup_finished(self, name: str) -> None:
        return None

    def render(self) -> str:
        return "page"
"""

DEFAULT = """class DefaultDialect:
    def do_release_savepoint(self, connection, name):
        connection.execute(name)

    def do_begin(self, connection):
        pass
"""

MSSQL = """from ..engine import default


class MSDialect(default.DefaultDialect):
    def do_release_savepoint(self, connection, name):
        pass

    def brand_new(self):
        pass
"""

TEST_FAKE = """from pkg.scaffold import Scaffold


class FakeScaffold(Scaffold):
    def export(self) -> str:
        return "fake"
"""


def _holes(cli: Cli, *args: str) -> list[tuple[str, int, str]]:
    run = cli("holes", "--json", *args)
    assert run.code == 0, run.err
    return [
        (h["path"], h["span"]["start_line"], h["function"]["name"])
        for h in json.loads(run.out)["holes"]
    ]


def test_a_base_method_that_an_importing_module_overrides_is_its_interface(
    repo: GitRepo, cli: Cli
) -> None:
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/scaffold.py", SCAFFOLD)
    repo.write("pkg/app.py", APP)
    # a test double overriding a method makes no interface of it
    repo.write("tests/test_scaffold.py", TEST_FAKE)
    repo.commit("flask-like")
    # Unrelated.render: app.py defines a `render` but imports only Scaffold
    assert _holes(cli) == [("pkg/scaffold.py", 9, "export"), ("pkg/scaffold.py", 14, "render")]
    # without the subclass's module in scope nothing says they are overridden
    assert [name for _, _, name in _holes(cli, "pkg/scaffold.py")] == [
        "add_url_rule",
        "_check_setup_finished",
        "export",
        "render",
    ]


def test_an_override_of_a_method_of_an_imported_module_is_deliberate(
    repo: GitRepo, cli: Cli
) -> None:
    repo.write("lib/__init__.py", "")
    repo.write("lib/engine/__init__.py", "")
    repo.write("lib/engine/default.py", DEFAULT)
    repo.write("lib/dialects/__init__.py", "")
    repo.write("lib/dialects/mssql.py", MSSQL)
    repo.commit("sqlalchemy-like")
    assert _holes(cli) == [
        ("lib/dialects/mssql.py", 9, "brand_new"),
        ("lib/engine/default.py", 6, "do_begin"),
    ]


def test_a_change_sees_the_overrides_among_the_files_it_touches(repo: GitRepo, cli: Cli) -> None:
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/scaffold.py", "class Scaffold:\n    pass\n")
    repo.commit("init")
    repo.write("pkg/scaffold.py", SCAFFOLD)
    repo.write("pkg/app.py", APP)
    repo.stage()
    assert _holes(cli, "--staged") == [
        ("pkg/scaffold.py", 9, "export"),
        ("pkg/scaffold.py", 14, "render"),
    ]


def test_the_rule_over_facts_links_by_imported_class_or_module() -> None:
    files = [
        extract_facts(path, source.encode())
        for path, source in [
            ("pkg/__init__.py", ""),
            ("pkg/scaffold.py", SCAFFOLD),
            ("pkg/app.py", APP),
            ("src/Base.ts", "export class Base {\n  run(): void { throw new Error('TODO'); }\n}\n"),
            (
                "src/impl.ts",
                "import { Base } from './Base';\nexport class Impl extends Base {\n"
                "  run(): void { console.log(1); }\n}\n",
            ),
            # Go has no inheritance: a method of the same name elsewhere overrides nothing
            ("a/a.go", 'package a\ntype S struct{}\nfunc (s S) Run() { panic("TODO") }\n'),
            (
                "b/b.go",
                'package b\nimport "x/a"\ntype T struct{}\nfunc (t T) Run() { a.S{}.Run() }\n',
            ),
        ]
    ]
    deliberate = deliberate_elsewhere(files)
    kept = [
        (f.path, h.function.name)
        for f in files
        for h in f.holes
        if h.function and (f.path, h.span.start_byte) not in deliberate
    ]
    assert kept == [("pkg/scaffold.py", "export"), ("pkg/scaffold.py", "render"), ("a/a.go", "Run")]
    assert deliberate_elsewhere([]) == frozenset()
