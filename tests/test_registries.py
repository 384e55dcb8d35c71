"""Every row of the two extension tables works: each language parses a tiny sample with its
real tree-sitter grammar and finds its typed hole, and each backend name has a factory that
builds a backend (the local one without loading its model).

A new language row without a sample here fails `test_every_row_has_a_sample`: the sample is
the third step of "Adding a language" in docs/architecture.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ananke_ci.adapters.backends.registry import FACTORIES, BackendSettings, make_backend
from ananke_ci.analysis import grammar
from ananke_ci.analysis.constraints.dangers import BY_KEY, for_language
from ananke_ci.analysis.constraints.scan import scan_file
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.analysis.grammar.braces import spec_for
from ananke_ci.analysis.languages import LANGUAGES, language_for_path
from ananke_ci.core.config import BACKENDS
from ananke_ci.core.errors import UserError
from ananke_ci.core.protocol import Backend

QUERIES = Path(__file__).parent.parent / "ananke_ci" / "analysis" / "queries"

# language -> (file name, a function whose body is one placeholder, the hole's marker)
SAMPLES: dict[str, tuple[str, str, str]] = {
    "c": (
        "a.c",
        'int f(void) {\n    assert(0 && "not implemented");\n}\n',
        'assert(0 && "not implemented")',
    ),
    "cpp": (
        "a.cpp",
        'int f() {\n    throw std::logic_error("not implemented");\n}\n',
        'throw std::logic_error("not implemented")',
    ),
    "csharp": (
        "a.cs",
        "class A {\n    int F() {\n        throw new NotImplementedException();\n    }\n}\n",
        "throw new NotImplementedException",
    ),
    "go": ("a.go", 'package a\n\nfunc f() int {\n\tpanic("TODO")\n}\n', 'panic("TODO")'),
    "java": (
        "A.java",
        "class A {\n    int f() {\n        throw new UnsupportedOperationException();\n    }\n}\n",
        "throw new UnsupportedOperationException",
    ),
    "javascript": (
        "a.js",
        'function f() {\n  throw new Error("not implemented");\n}\n',
        'throw new Error("not implemented")',
    ),
    "kotlin": ("a.kt", "fun f(): Int {\n    TODO()\n}\n", "TODO()"),
    "php": (
        "a.php",
        '<?php\nfunction f() {\n    throw new Exception("not implemented");\n}\n',
        'throw new Exception("not implemented")',
    ),
    "python": (
        "a.py",
        "def f() -> int:\n    raise NotImplementedError\n",
        "raise NotImplementedError",
    ),
    "ruby": ("a.rb", "def f\n  raise NotImplementedError\nend\n", "raise NotImplementedError"),
    "rust": ("a.rs", "fn f() -> i32 {\n    todo!()\n}\n", "todo!()"),
    "swift": (
        "a.swift",
        'func f() -> Int {\n    fatalError("not implemented")\n}\n',
        'fatalError("not implemented")',
    ),
    "typescript": (
        "a.ts",
        'function f(): number {\n  throw new Error("TODO");\n}\n',
        'throw new Error("TODO")',
    ),
    "tsx": (
        "a.tsx",
        'function f(): number {\n  throw new Error("TODO");\n}\n',
        'throw new Error("TODO")',
    ),
    "zig": ("a.zig", 'fn f() i32 {\n    @panic("TODO");\n}\n', '@panic("TODO")'),
}


def test_every_row_has_a_sample() -> None:
    assert set(SAMPLES) == set(LANGUAGES)


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_language_row(name: str) -> None:
    spec = LANGUAGES[name]
    assert (QUERIES / f"{spec.query_name}.scm").is_file()
    path, source, marker = SAMPLES[name]
    assert language_for_path(path) == name
    assert all(language_for_path(f"x/y{ext}") == name for ext in spec.extensions)
    facts = extract_facts(path, source.encode())
    assert facts.language == name and facts.skipped is None
    assert not facts.syntax_issues, facts.syntax_issues
    assert [f.name for f in facts.functions] == ["f"] or name in ("csharp", "java")
    typed = [h for h in facts.holes if h.kind == "typed"]
    assert [h.marker for h in typed] == [marker], facts.holes
    assert typed[0].function is not None and typed[0].function.name.lower() == "f"
    # an inline suppression is a comment the parser sees as one
    suppressed = extract_facts(path, (source + f"{spec.line_comment} ananke: ignore\n").encode())
    assert len(suppressed.comments) == len(facts.comments) + 1


@pytest.mark.parametrize("name", sorted(LANGUAGES))
def test_language_row_data(name: str) -> None:
    """What the other modules read from the row resolves: danger keys, the fill grammar's
    body shape and bans, the catch style."""
    spec = LANGUAGES[name]
    assert all(key in BY_KEY for key in spec.dangers)
    assert [d.key for d in for_language(name)] == [k for k in BY_KEY if k in spec.dangers]
    for fragment in spec.fill_placeholders:
        re.compile(fragment)
    if spec.body == "braces":
        assert spec_for(name).braced and spec_for(name).comments == spec.comments
    elif spec.body == "lines":
        assert not spec_for(name).braced
    assert spec.line_comment in spec.comments
    bans = grammar.body_bans(name)
    assert set(spec.fill_placeholders) <= set(bans.fragments)


CATCHES = {
    "catch": ("a.ts", "try { f(); } catch (e) { }\n"),
    "except": ("a.py", "try:\n    f()\nexcept ValueError:\n    pass\n"),
    "if-err": ("a.go", "package a\n\nfunc g() {\n\terr := f()\n\tif err != nil {\n\t}\n}\n"),
}


@pytest.mark.parametrize("style", sorted(CATCHES))
def test_catch_styles_find_a_swallowed_handler(style: str) -> None:
    path, source = CATCHES[style]
    language = language_for_path(path)
    assert language is not None and LANGUAGES[language].catch == style
    scan = scan_file(extract_facts(path, source.encode()), source.encode())
    assert [h.swallowed for h in scan.handlers] == [True]


def test_every_backend_name_has_a_factory() -> None:
    assert tuple(FACTORIES) == BACKENDS


@pytest.mark.parametrize("kind", BACKENDS)
def test_backend_factory_builds(kind: str) -> None:
    """Built offline: the remote clients connect on their first request, the local backend
    loads its model on its first request."""
    settings = BackendSettings(model="some-model", endpoint="http://127.0.0.1:9")
    backend: Backend = make_backend(kind, settings, environ={})
    assert callable(backend.generate)
    assert backend.name == kind


@pytest.mark.parametrize("kind", sorted(set(BACKENDS) - {"local"}))
def test_remote_backend_needs_an_endpoint(kind: str) -> None:
    with pytest.raises(UserError, match="needs --endpoint"):
        make_backend(kind, BackendSettings(model="m"), environ={})


def test_unknown_backend_is_a_user_error() -> None:
    with pytest.raises(UserError, match="valid backends: local, openai, modal, protocol"):
        make_backend("vllm", environ={})
