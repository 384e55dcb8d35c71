"""Bodies of brace languages (and the generic fallback), a terminal per line or bracket.

Output shape: the text after the opening `{` of the body, line by line, then the line with
the matching `}` and nothing after it (the patcher drops that last line). Lines are cut at
every brace (`{...}` may open and close on one line, `} else {` closes and opens); the
grammar nests the blocks, so brace balance is exact (a brace inside a string counts too, as
it always did); indentation is free. Languages without brace bodies (Ruby, unknown) get the
same lines with `(`/`[`/`{` as openers and end at EOS or a closing ``` fence.

Checked by the grammar: balance, the bans, no placeholder (`todo!()`, `panic("TODO")`,
`throw new UnsupportedOperationException`, ...) anywhere, at least one statement (a line of
code, not only comments), and with a non-void return type a `return` line somewhere (Rust:
or a tail expression, i.e. a last top-level line or block not ending in `;`). That every
path returns and that the tail has the right type is left to the verifier (parse + the
project's own checks).
"""

from __future__ import annotations

import re

from ananke_ci.analysis.grammar._common import ban_terminal
from ananke_ci.analysis.languages import (
    GENERIC_LINES_COMMENTS,
    GENERIC_LINES_FILL,
    LANGUAGES,
    anycase,
)
from ananke_ci.core.protocol import LineBans
from ananke_ci.core.records import record

# the phrases that make a message a placeholder's (holes._NI), in any case
_NOT_IMPLEMENTED = "|".join(
    anycase(w) for w in ("not implemented", "not yet implemented", "unimplemented", "implement me")
)


@record(frozen=True, slots=True)
class BraceSpec:
    comments: tuple[str, ...]  # what starts a comment (literal)
    placeholders: tuple[str, ...]  # regex fragments that re-emit the hole
    openers: str = "{"
    closers: str = "}"
    braced: bool = True  # the body is `{ ... }`: the grammar ends at the matching `}`
    tail_expression: bool = False  # Rust: a final expression is a return path


GENERIC = BraceSpec(
    GENERIC_LINES_COMMENTS, GENERIC_LINES_FILL, openers="{[(", closers="}])", braced=False
)
_SPECS: dict[str, BraceSpec] = {}


def spec_for(language: str) -> BraceSpec:
    """The body shape of `language`'s row (languages.py); GENERIC for a language without
    brace bodies or one we do not parse (Python's bodies are grammar/python.py's)."""
    found = _SPECS.get(language)
    if found is None:
        row = LANGUAGES.get(language)
        if row is None or row.body == "indent":
            found = GENERIC
        elif row.body == "lines":
            found = BraceSpec(
                row.comments, row.fill_placeholders, openers="{[(", closers="}])", braced=False
            )
        else:
            found = BraceSpec(
                row.comments, row.fill_placeholders, tail_expression=row.tail_expression
            )
        _SPECS[language] = found
    return found


def brace_fragments(spec: BraceSpec) -> tuple[str, ...]:
    """What re-emits the hole anywhere in a line: the language's placeholders, "not implemented"."""
    return (*spec.placeholders, _NOT_IMPLEMENTED)


def brace_body_grammar(spec: BraceSpec, bans: LineBans, require_return: bool) -> str:
    """The Lark text; `bans` are sanitised regex fragments (see `brace_fragments`).

    The text between two brackets is one lexeme with the bracket that ends it (`OPEN<i>`,
    `CLOSE<i>`, `END`), newlines included, so the lexer ends lexemes only at brackets. Each
    starts with `[^brackets]*`, the shape llguidance's slicer needs (a live lexeme that
    starts with a wide repetition covering the slice): every mask adds the tokens of a
    precomputed slice at once and walks only the tokens holding a bracket, a control byte or
    part of a UTF-8 character, and the parser only works at brackets. What a body must hold
    is told by which texts match (`_texts`). A body without braces around it (Ruby) ends with
    a last text (`FIN`) that holds no backquote, so that a closing ``` fence ends it.
    """
    ban = ban_terminal(bans, lines=True)
    texts, kind = _texts(spec, require_return)
    text_class = _text_class(spec)
    pairs = list(zip(spec.openers, spec.closers, strict=True))
    out = ["%llguidance {}", ""]
    for name, text in texts.items():
        out.append(f"C_{name}TEXT: /{text}/{ban}")
        for i, (opener, closer) in enumerate(pairs if name in ("", kind) else ()):
            out.append(f'{name}OPEN{i}: C_{name}TEXT "{opener}"')
            if name != "S":
                out.append(f'{name}CLOSE{i}: C_{name}TEXT "{closer}"')
        if spec.braced:
            out.append(f'{name}END: C_{name}TEXT "{spec.closers[0]}"')
        elif name:
            out.append(f"{name}FIN: C_{name}TEXT")
        else:  # a lexeme must hold a byte
            out.append(f"FIN: /[^{text_class}]+/{ban}")

    def each_pair(*rules: str) -> str:
        return " | ".join(rule.format(i=i) for i in range(len(pairs)) for rule in rules)

    low = kind.lower()
    if kind == "R":  # a return line in any text, at any depth
        held = each_pair(
            "ROPEN{i} body CLOSE{i}", "OPEN{i} rbody CLOSE{i}", "OPEN{i} body RCLOSE{i}"
        )
    else:  # a line of code at the body's top level (fewer Earley items than at any depth)
        held = each_pair("SOPEN{i} body CLOSE{i}")
    out += [
        "block: " + each_pair("OPEN{i} body CLOSE{i}"),
        "body: block*",
        f"{low}block: {held}",
        f"{low}body: block* {low}block block*",
    ]
    if spec.braced:
        tail = " | body TEND | body block AEND" if "T" in texts else ""
        out.append(f"start: {low}body END | body {kind}END{tail}")
    else:
        out += ['FENCE: "```"', f"start: ({low}body FIN? | body {kind}FIN) FENCE?"]
    return "\n".join(out) + "\n"


def _text_class(spec: BraceSpec) -> str:
    """What a text between two brackets cannot hold, inside a regex class."""
    brackets = "".join("\\" + c for c in spec.openers + spec.closers)
    return brackets if spec.braced else brackets + "`"


def _texts(spec: BraceSpec, require_return: bool) -> tuple[dict[str, str], str]:
    """The regexes of the texts between brackets by kind, and the kind the body must hold.

    "" is any text; `S` holds a line of code (not only comments and blanks); `R` a line
    that starts with `return`; for Rust's tail, `T` ends with a line of code not ending in
    `;` (then only comments), `A` holds only blanks and comments (after a final block).
    """
    no = _text_class(spec)
    not_code = "".join(sorted({"\\" + c[0] for c in spec.comments}))
    code_start = f"[^{no}\\s{not_code}]"  # a line of code starts with it
    lines_before = f"([^{no}]*\\n)?[ \\t]*"
    texts = {"": f"[^{no}]*"}
    if not require_return:
        texts["S"] = f"{lines_before}{code_start}[^{no}]*"
        return texts, "S"
    texts["R"] = f"{lines_before}return([^A-Za-z0-9_${no}][^{no}]*)?"
    if spec.tail_expression:
        comment_lines = f"(\\n[ \\t]*({_comment_regex(spec)}[^\\n]*)?)*"
        texts["T"] = f"{lines_before}{code_start}([^{no}\\n]*[^{no}\\s;])?[ \\t]*{comment_lines}"
        texts["A"] = f"[ \\t]*{comment_lines}"
    return texts, "R"


def _comment_regex(spec: BraceSpec) -> str:
    """A comment's start, inside Lark's /.../."""
    return "(" + "|".join(re.escape(c).replace("/", "\\/") for c in spec.comments) + ")"
