"""Grammars for hole bodies, in llguidance's Lark dialect, one compiler per language family.

`compile_body_grammar(hole, language)` returns a grammar for the text that replaces the
hole's body; every grammar starts with `%llguidance {}` (so vLLM reads it as Lark, never as
GBNF) and keeps one terminal per line, which keeps mask computation cheap. Where each body
ends, and what is left to the verifier, is documented in python.py and braces.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ananke_ci.analysis.grammar._common import banned_words, needs_return, sanitize_banned
from ananke_ci.analysis.grammar.braces import brace_body_grammar, spec_for
from ananke_ci.analysis.grammar.python import PythonLayout, python_body_grammar
from ananke_ci.core.facts import Hole

if TYPE_CHECKING:
    import llguidance

__all__ = ["body_indent", "compile_body_grammar", "sanitize_banned", "validate_grammar"]

DEFAULT_INDENT = "    "


def body_indent(hole: Hole, unit: str = DEFAULT_INDENT) -> str:
    """The indentation of the hole's body in the file (Python): where its statements start.

    Taken from the body's first statement (the docstring, when there is one), else from the
    hole, else one `unit` deeper than the function header. Written in the unit's character
    (a tab-indented file gives tabs).
    """
    char = unit[:1] or " "
    fn = hole.function
    if fn is not None and fn.body_span is not None and fn.body_span.start_line > fn.span.start_line:
        return char * (fn.body_span.start_col - 1)
    if fn is None or hole.span.start_line > fn.span.start_line:
        return char * (hole.span.start_col - 1)
    return char * (fn.span.start_col - 1) + unit


def compile_body_grammar(
    hole: Hole,
    language: str,
    *,
    banned: Sequence[str] = (),
    indent: str = DEFAULT_INDENT,
    require_return: bool | None = None,
    base_indent: str | None = None,
) -> str:
    """A Lark grammar (llguidance dialect) for a body that fills `hole`.

    banned: identifiers and dotted/`::` names the body may not contain as whole words
        (sanitised: a name that is not an identifier raises UserError).
    indent: one indentation level (Python); base_indent overrides where the body starts.
    require_return: None decides from the enclosing function's return type.
    """
    words = banned_words(banned)
    if require_return is None:
        return_type = hole.function.return_type if hole.function else None
        require_return = needs_return(language, return_type)
    if language == "python":
        base = body_indent(hole, indent) if base_indent is None else base_indent
        if not base or base.strip(" \t"):
            base = indent  # a hole outside any function: fill at one level
        return python_body_grammar(PythonLayout(base, indent), words, require_return)
    return brace_body_grammar(spec_for(language), words, require_return)


def validate_grammar(text: str, tokenizer: llguidance.LLTokenizer | None = None) -> str | None:
    """None when llguidance accepts the Lark grammar `text`, else its error message.

    Also refuses what vLLM would misread: a top rule written `?start:`.
    """
    import llguidance  # the native module loads in ~50 ms: keep it off the hot path

    head = text.lstrip()
    if head.startswith("?start"):
        return "the top rule must be `start:`, not `?start:` (vLLM reads that as GBNF)"
    if not head.startswith("%llguidance") and not any(
        line.startswith("start") and line[5:].lstrip().startswith(":")
        for line in text.splitlines()
    ):
        return "a Lark grammar must define `start:` or begin with `%llguidance {}`"
    grammar = llguidance.LLMatcher.grammar_from_lark(text)
    error = llguidance.LLMatcher.validate_grammar(grammar, tokenizer)
    return error or None
