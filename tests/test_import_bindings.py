"""What imports and plain rebindings bind (Import.bindings, FileFacts.aliases), in every
language whose grammar lets us capture it, and how call_names / local_spellings use them.

Real tree-sitter on small sources; the end-to-end checks through `ananke-ci validate` are in
tests/test_cli_ban_aliases.py.
"""

from __future__ import annotations

import textwrap

import pytest

from ananke_ci.adapters.cache import facts_codec
from ananke_ci.analysis.extract import extract_facts, extract_rows
from ananke_ci.analysis.rules import call_names, local_spellings
from ananke_ci.core.facts import FileFacts


def _facts(path: str, source: str) -> FileFacts:
    facts = extract_facts(path, textwrap.dedent(source).encode())
    assert facts.syntax_issues == ()
    return facts


def _bindings(facts: FileFacts) -> list[tuple[str, str]]:
    return [b for imp in facts.imports for b in imp.bindings]


@pytest.mark.parametrize(
    ("path", "source", "bindings"),
    [
        (
            "a.py",
            "import os as o, a.b\nfrom os import system as s, path\n"
            "from builtins import eval as e\nfrom .foo import bar as baz\nfrom m import *\n",
            [
                ("o", "os"),
                ("a", "a"),
                ("s", "os.system"),
                ("path", "os.path"),
                ("e", "builtins.eval"),
                ("baz", ".foo.bar"),
            ],
        ),
        (
            "a.js",
            'import cp2, { exec as run, spawn } from "child_process";\n'
            'import * as cp from "node:child_process";\n'
            'const cp3 = require("child_process");\n'
            'const { exec: run2, execSync } = require("child_process");\n'
            'const ex = require("child_process").exec;\n'
            'require("side-effect");\nimport "./side";\nexport { z } from "./z";\n'
            'const w = require("w")(1);\nconst v = f(require("v"));\n',
            [
                ("cp2", "child_process"),
                ("run", "child_process.exec"),
                ("spawn", "child_process.spawn"),
                ("cp", "node:child_process"),
                ("cp3", "child_process"),
                ("run2", "child_process.exec"),
                ("execSync", "child_process.execSync"),
                ("ex", "child_process.exec"),
            ],
        ),
        (
            "a.ts",
            'import cp = require("child_process");\nimport { exec as run } from "cp";\n',
            [("cp", "child_process"), ("run", "cp.exec")],
        ),
        ("a.tsx", 'import * as cp from "child_process";\n', [("cp", "child_process")]),
        (
            "a.go",
            'package a\nimport (\n\tx "os/exec"\n\t"os"\n\t. "x/y"\n\t_ "z"\n'
            '\t"gopkg.in/yaml.v3"\n\t"github.com/a/b/v2"\n)\n',
            [
                ("x", "os/exec"),
                ("os", "os"),
                ("yaml", "gopkg.in/yaml.v3"),
                ("b", "github.com/a/b/v2"),
            ],
        ),
        (
            "a.rs",
            "use std::process::Command as C;\nuse std::process::{self, Command as D, io::W};\n"
            "use std::{io::{self}, fs::File};\nuse serde;\nuse foo::*;\n",
            [
                ("C", "std::process::Command"),
                ("process", "std::process"),
                ("D", "std::process::Command"),
                ("W", "std::process::io::W"),
                ("File", "std::fs::File"),
                ("serde", "serde"),
            ],
        ),
        (
            "a.kt",
            "import a.b.C as D\nimport x.y.Z // why\nimport foo.*\n",
            [("D", "a.b.C"), ("Z", "x.y.Z")],
        ),
        (
            "a.php",
            "<?php\nuse A\\B as C;\nuse function Foo\\bar as b;\nuse App\\Invoice;\n",
            [("C", "A\\B"), ("b", "Foo\\bar"), ("Invoice", "App\\Invoice")],
        ),
        (
            "a.cs",
            "using P = System.Diagnostics.Process;\nusing System.IO;\nusing static System.Math;\n",
            [("P", "System.Diagnostics.Process")],
        ),
        (
            "A.java",
            "import static java.lang.Runtime.getRuntime;\nimport java.util.List;\n"
            "import java.util.*;\n",
            [("getRuntime", "java.lang.Runtime.getRuntime"), ("List", "java.util.List")],
        ),
        (
            "a.cpp",
            "using std::system;\nusing namespace std::chrono;\nusing namespace std;\n",
            [("system", "std::system")],
        ),
        (
            "a.zig",
            'const std = @import("std");\nconst fs = @import("std").fs;\n',
            [("std", "std"), ("fs", "std.fs")],
        ),
    ],
)
def test_import_bindings(path: str, source: str, bindings: list[tuple[str, str]]) -> None:
    assert _bindings(_facts(path, source)) == bindings


def test_import_names_keep_meaning_the_bound_names() -> None:
    """The new field is beside `names`, which still holds what the syntax lists (the
    salience resolver and the prompt's names in scope read it)."""
    facts = _facts("a.py", "from os import system as s\nimport a.b as c\n")
    assert [(imp.module, imp.names) for imp in facts.imports] == [("os", ("s",)), ("a.b", ("c",))]


def test_python_plain_rebindings_are_aliases() -> None:
    facts = _facts(
        "a.py",
        """\
        import os
        run = os.system
        e: object = eval
        x = self.y
        y = f().z
        z = a[0]
        n = None
        def f() -> None:
            q = os.popen
        """,
    )
    assert [(a.name, a.target, a.span.start_line) for a in facts.aliases] == [
        ("run", "os.system", 2),
        ("e", "eval", 3),
        ("q", "os.popen", 9),
    ]


def _names(path: str, source: str) -> dict[str, list[str]]:
    return {call.name: names for call, names in call_names(_facts(path, source))}


def test_call_names_resolve_the_leading_segment() -> None:
    names = _names(
        "a.py",
        """\
        import os as o
        from os import system as s
        from builtins import eval as e
        import builtins
        run = o.system
        o.system("x")
        s("x")
        e("1")
        run("x")
        builtins.exec("x")
        cursor.exec("x")
        o.path.join("a")
        """,
    )
    assert names == {
        "o.system": ["o.system", "os.system"],
        "s": ["s", "os.system", "system"],
        "e": ["e", "builtins.eval", "eval"],
        "run": ["run", "o.system", "os.system"],
        "builtins.exec": ["builtins.exec", "exec"],
        "cursor.exec": ["cursor.exec"],
        "o.path.join": ["o.path.join", "os.path.join"],
    }


def test_a_rebinding_holds_in_its_function_only() -> None:
    facts = _facts(
        "a.py",
        """\
        import os
        def f() -> None:
            run = os.system
            run("x")
        def g() -> None:
            run("y")
        """,
    )
    assert [names for _, names in call_names(facts)] == [["run", "os.system"], ["run"]]


def test_a_local_function_is_not_the_imported_one() -> None:
    assert _names("a.py", "def system() -> None: ...\nsystem()\n") == {"system": ["system"]}


@pytest.mark.parametrize(
    ("path", "source", "call", "expected"),
    [
        (
            "a.js",
            'import * as cp from "node:child_process";\ncp.exec("x");\n',
            "cp.exec",
            "child_process.exec",
        ),
        (
            "a.js",
            'const { exec: run } = require("child_process");\nrun("x");\n',
            "run",
            "child_process.exec",
        ),
        ("a.js", 'globalThis.eval("1");\n', "globalThis.eval", "eval"),
        ("a.ts", 'window.eval("1");\n', "window.eval", "eval"),
        (
            "a.go",
            'package a\nimport x "os/exec"\nfunc f() { x.Command("sh") }\n',
            "x.Command",
            "exec.Command",
        ),
        (
            "a.go",
            'package a\nimport x "os/exec"\nfunc f() { x.Command("sh") }\n',
            "x.Command",
            "os/exec.Command",
        ),
        (
            "a.rs",
            'use std::process::Command as C;\nfn f() { C::new("sh"); }\n',
            "C::new",
            "std.process.Command.new",
        ),
        (
            "a.kt",
            'import java.lang.Runtime as R\nfun f() { R.getRuntime().exec("x") }\n',
            "R.getRuntime().exec",
            "Runtime.getRuntime().exec",
        ),
        ("a.php", "<?php\nuse A\\Shell as S;\nS::run('x');\n", "S::run", "A\\Shell.run"),
        (
            "a.cs",
            'using P = System.Diagnostics.Process;\nclass A { void F() { P.Start("x"); } }\n',
            "P.Start",
            "System.Diagnostics.Process.Start",
        ),
        (
            "A.java",
            "import static java.lang.Runtime.getRuntime;\n"
            'class A { void f() { getRuntime().exec("x"); } }\n',
            "getRuntime().exec",
            "java.lang.Runtime.getRuntime().exec",
        ),
    ],
)
def test_call_names_in_other_languages(path: str, source: str, call: str, expected: str) -> None:
    assert expected in _names(path, source)[call]


def test_self_is_not_a_global_in_javascript() -> None:
    assert _names("a.js", "const self = this;\nself.eval('1');\n")["self.eval"] == ["self.eval"]


def test_local_spellings() -> None:
    facts = _facts(
        "a.py",
        """\
        import os as o
        from os import system as s
        from builtins import eval as e
        run = os.system
        """,
    )
    assert local_spellings(facts, ["os.system", "eval", "os.popen", "pickle.loads"]) == {
        "os.system": ("os.system", "o.system", "s", "run"),
        "eval": ("eval", "e"),
        "os.popen": ("os.popen", "o.popen"),
        "pickle.loads": ("pickle.loads",),
    }


def test_local_spellings_use_the_file_member_syntax() -> None:
    rust = _facts("a.rs", "use std::process;\nuse std::process::Command as C;\n")
    assert local_spellings(rust, ["std::process::Command::new"]) == {
        "std::process::Command::new": (
            "std::process::Command::new",
            "process::Command::new",
            "C::new",
        )
    }
    go = _facts("a.go", 'package a\nimport x "os/exec"\n')
    assert local_spellings(go, ["exec.Command"]) == {"exec.Command": ("exec.Command", "x.Command")}


def test_bindings_and_aliases_survive_the_facts_codec() -> None:
    source = b"import os as o\nrun = o.system\nrun('x')\n"
    core, rest = facts_codec.encode(*extract_rows("a.py", source))
    decoded = facts_codec.decode("a.py", facts_codec.read_core(core), rest)
    assert decoded == extract_facts("a.py", source)
    assert decoded.imports[0].bindings == (("o", "os"),)
    assert [(a.name, a.target) for a in decoded.aliases] == [("run", "o.system")]
    # a reader of the core part only gets the bindings too
    assert facts_codec.decode("a.py", facts_codec.read_core(core), None).imports == decoded.imports


def test_an_aliased_import_resolves_to_the_module_it_names() -> None:
    """`from . import views as v` imports views.py: the resolver gets the original name."""
    from ananke_ci.analysis.extract import extract_facts
    from ananke_ci.analysis.salience.imports import import_edges, import_spec

    source = b"from . import views as v\nfrom pkg.sub import mod as m\nimport pkg.sub as s\n"
    facts = extract_facts("pkg/app.py", source)
    specs = [import_spec(i, "python") for i in facts.imports]
    assert specs[:2] == [(".", ("views",)), ("pkg.sub", ("mod",))]
    paths = [
        "pkg/__init__.py",
        "pkg/app.py",
        "pkg/views.py",
        "pkg/sub/__init__.py",
        "pkg/sub/mod.py",
    ]
    edges = import_edges({"pkg/app.py": specs}, paths)
    assert edges == {
        ("pkg/app.py", "pkg/views.py"),
        ("pkg/app.py", "pkg/sub/mod.py"),
        ("pkg/app.py", "pkg/sub/__init__.py"),
    }
