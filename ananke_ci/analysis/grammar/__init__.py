"""Grammars for hole bodies, in llguidance's Lark dialect, one compiler per language family.

`compile_body_grammar(hole, language)` returns a grammar for the text that replaces the
hole's body; every grammar starts with `%llguidance {}` (so vLLM reads it as Lark, never as
GBNF) and keeps few terminals per line, which keeps mask computation cheap. Where each body
ends, and what is left to the verifier, is documented in python.py and braces.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from ananke_ci.analysis.grammar._common import (
    banned_words,
    needs_return,
    sanitize_banned,
    strip_bans,
)
from ananke_ci.analysis.grammar.braces import brace_body_grammar, brace_fragments, spec_for
from ananke_ci.analysis.grammar.python import (
    PLACEHOLDER_FRAGMENTS,
    PythonLayout,
    python_body_grammar,
)
from ananke_ci.core.facts import Hole
from ananke_ci.core.protocol import Constraint, LineBans

if TYPE_CHECKING:
    import llguidance

__all__ = [
    "body_bans",
    "body_constraint",
    "body_indent",
    "byte_tokenizer",
    "check_output",
    "compile_body_grammar",
    "constraint_grammar",
    "sanitize_banned",
    "strip_bans",
    "validate_grammar",
]

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
    fragments: Sequence[str] = (),
    indent: str = DEFAULT_INDENT,
    require_return: bool | None = None,
    base_indent: str | None = None,
) -> str:
    """A Lark grammar (llguidance dialect) for a body that fills `hole`.

    banned: identifiers and dotted/`::` names the body may not contain as whole words
        (sanitised: a name that is not an identifier raises UserError).
    indent: one indentation level (Python); base_indent overrides where the body starts.
    fragments: regex fragments (ours, not the user's: unsanitised) no line may contain.
    require_return: None decides from the enclosing function's return type.
    """
    bans = body_bans(language, banned, fragments)
    if require_return is None:
        return_type = hole.function.return_type if hole.function else None
        require_return = needs_return(language, return_type)
    if language == "python":
        base = body_indent(hole, indent) if base_indent is None else base_indent
        if not base or base.strip(" \t"):
            base = indent  # a hole outside any function: fill at one level
        return python_body_grammar(PythonLayout(base, indent), bans, require_return)
    return brace_body_grammar(spec_for(language), bans, require_return)


def body_bans(language: str, banned: Sequence[str] = (), fragments: Sequence[str] = ()) -> LineBans:
    """The per-line bans a body grammar for `language` carries: the sanitised `banned` names
    and the hole markers as whole words, the placeholders that re-emit the hole and the
    extra `fragments` (a new name against the naming convention) anywhere."""
    placeholders = (
        PLACEHOLDER_FRAGMENTS if language == "python" else brace_fragments(spec_for(language))
    )
    return LineBans(tuple(banned_words(banned)), (*placeholders, *fragments))


def body_constraint(
    hole: Hole, language: str, *, banned: Sequence[str] = (), fragments: Sequence[str] = ()
) -> Constraint:
    """The protocol constraint for `hole`: the Lark grammar, with its bans also stated apart."""
    return Constraint(
        "lark",
        compile_body_grammar(hole, language, banned=banned, fragments=fragments),
        body_bans(language, banned, fragments),
    )


def validate_grammar(text: str, tokenizer: llguidance.LLTokenizer | None = None) -> str | None:
    """None when llguidance accepts the Lark grammar `text`, else its error message.

    Also refuses what vLLM would misread: a top rule written `?start:`.
    """
    import llguidance  # the native module loads in ~50 ms: keep it off the hot path

    head = text.lstrip()
    if head.startswith("?start"):
        return "the top rule must be `start:`, not `?start:` (vLLM reads that as GBNF)"
    if not head.startswith("%llguidance") and not any(
        line.startswith("start") and line[5:].lstrip().startswith(":") for line in text.splitlines()
    ):
        return "a Lark grammar must define `start:` or begin with `%llguidance {}`"
    grammar = llguidance.LLMatcher.grammar_from_lark(text)
    error = llguidance.LLMatcher.validate_grammar(grammar, tokenizer)
    return error or None


def constraint_grammar(constraint: Constraint) -> str:
    """The llguidance grammar for a protocol constraint (Lark, regex or JSON schema)."""
    import llguidance

    if constraint.kind == "lark":
        return llguidance.LLMatcher.grammar_from_lark(constraint.text)
    if constraint.kind == "regex":
        return llguidance.LLMatcher.grammar_from_regex(constraint.text)
    return llguidance.LLMatcher.grammar_from_json_schema(constraint.text)


class _Bytes:
    """A tokenizer whose tokens are the 256 bytes (and an end token): what a grammar check
    needs when the model's own tokenizer is not at hand (a remote server), since matching
    goes by bytes anyway."""

    eos_token_id = 256
    bos_token_id = None
    tokens: ClassVar[list[bytes]] = [bytes([i]) for i in range(256)] + [b"<|end|>"]
    special_token_ids: ClassVar[list[int]] = [256]

    def __call__(self, text: str | bytes) -> list[int]:
        return list(text.encode("utf-8") if isinstance(text, str) else text)


_BYTE_TOKENIZER: list[llguidance.LLTokenizer] = []


def byte_tokenizer() -> llguidance.LLTokenizer:
    """The byte-level llguidance tokenizer (built once, in ~2 ms)."""
    if not _BYTE_TOKENIZER:
        import llguidance
        from llguidance._tokenizer import TokenizerWrapper

        _BYTE_TOKENIZER.append(llguidance.LLTokenizer(TokenizerWrapper(_Bytes())))
    return _BYTE_TOKENIZER[0]


def check_output(
    constraint: Constraint, text: str, tokenizer: llguidance.LLTokenizer
) -> tuple[bool, str | None]:
    """Whether `text` is a complete match of the constraint: (ok, why not).

    Matching is by bytes, so any tokenizer works (the text is re-tokenized here, not
    necessarily as the model sampled it).
    """
    import llguidance

    try:
        grammar = constraint_grammar(constraint)
    except ValueError as e:
        return False, f"invalid constraint: {e}"
    matcher = llguidance.LLMatcher(tokenizer, grammar, log_level=0)
    if matcher.is_error():
        return False, "invalid constraint: " + matcher.get_error().splitlines()[0]
    tokens = tokenizer.tokenize_str(text)
    accepted = matcher.try_consume_tokens(tokens)
    if accepted < len(tokens) or matcher.is_error():
        where = len(tokenizer.decode_str(tokens[:accepted]))
        return False, f"the output leaves the grammar at character {where}"
    if not matcher.is_accepting():
        return False, "the output ends before the grammar does"
    return True, None
