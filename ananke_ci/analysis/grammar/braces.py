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

from dataclasses import dataclass

from ananke_ci.analysis.grammar._common import ban_terminal
from ananke_ci.core.protocol import LineBans

_NOT_IMPLEMENTED = r"[Nn]ot (yet )?[Ii]mplemented|[Uu]nimplemented|[Ii]mplement me"


@dataclass(frozen=True, slots=True)
class BraceSpec:
    comment: str  # regex for the start of a comment line, after indentation
    placeholders: tuple[str, ...]  # regex fragments that re-emit the hole
    openers: str = "{"
    closers: str = "}"
    braced: bool = True  # the body is `{ ... }`: the grammar ends at the matching `}`
    tail_expression: bool = False  # Rust: a final expression is a return path


_C_COMMENT = r"(//|/\*)"
SPECS: dict[str, BraceSpec] = {
    "rust": BraceSpec(_C_COMMENT, (r"(todo|unimplemented)\s*!",), tail_expression=True),
    "go": BraceSpec(_C_COMMENT, (r"panic\s*\(\s*\"[^\"]*[Tt]odo",)),
    "java": BraceSpec(_C_COMMENT, ("UnsupportedOperationException",)),
    "javascript": BraceSpec(_C_COMMENT, ()),
    "generic_brace": BraceSpec(
        r"(//|/\*|#)",
        (r"NotImplementedException", r"(todo|unimplemented)\s*!", r"fatalError\s*\(\s*\"",
         r"assert\s*\(\s*(0|false)\s*&&"),
    ),
    "generic": BraceSpec(
        r"(//|#|--|/\*)",
        (r"raise\s+NotImplementedError", r"NotImplementedException"),
        openers="{[(", closers="}])", braced=False,
    ),
}
for _name in ("typescript", "tsx"):
    SPECS[_name] = SPECS["javascript"]
for _name in ("c", "cpp", "csharp", "kotlin", "swift", "php", "zig"):
    SPECS[_name] = SPECS["generic_brace"]


def spec_for(language: str) -> BraceSpec:
    return SPECS.get(language, SPECS["generic"])


def brace_fragments(spec: BraceSpec) -> tuple[str, ...]:
    """What re-emits the hole anywhere in a line: the language's placeholders, "not implemented"."""
    return (*spec.placeholders, _NOT_IMPLEMENTED)


def brace_body_grammar(spec: BraceSpec, bans: LineBans, require_return: bool) -> str:
    """The Lark text; `bans` are sanitised regex fragments (see `brace_fragments`).

    Lexemes are a line's text with what ends it: its newline (`LINE`), an opening bracket
    (`OPEN<i>`) or a closing one (`CLOSE<i>`, `END`). Each starts with the text's own wide
    repetition, `[^brackets\\n]*`, so llguidance can slice the vocabulary at any point of a
    line, and a token that ends on a newline or a bracket finishes one lexeme instead of two.
    """
    ban = ban_terminal(bans)
    brackets = "".join("\\" + c for c in spec.openers + spec.closers)
    comment = spec.comment.replace("/", "\\/")  # inside Lark's /.../
    not_comment = f" & ~/[ \\t]*{comment}[^\\n]*/"
    code = f"[ \\t]*[^{brackets}\\s][^{brackets}\\n]*"
    # a statement that starts with `return` (one-line `if (x) return y;` does not count)
    ret = f"[ \\t]*return([^A-Za-z0-9_$\\n{brackets}][^\\n{brackets}]*)?"
    end = " END" if spec.braced else " FENCE?"
    lines = [
        "%llguidance {}",
        "",
        "start: " + ("rtop" if require_return else "top"),
        'FENCE: "```"',
        f"C_TEXT: /[^{brackets}\\n]*/{ban}",
        'LINE: C_TEXT "\\n"',
        # comment lines may hold brackets
        f"C_COMMENT: /[ \\t]*{comment}[^\\n]*/{ban}",
        'COMMENT: C_COMMENT "\\n"',
        'BLANK: /[ \\t]*/ "\\n"',
        f"C_CODE: /{code}/{not_comment}{ban}",
        'CODE: C_CODE "\\n"',
        f"C_RET: /{ret}/{ban}",
        'RET: C_RET "\\n"',
    ]
    pairs = list(enumerate(zip(spec.openers, spec.closers, strict=True)))
    for i, (opener, closer) in pairs:
        lines += [f'OPEN{i}: C_TEXT "{opener}"', f'CLOSE{i}: C_TEXT "{closer}"',
                  f'CODE_OPEN{i}: C_CODE "{opener}"', f'RET_OPEN{i}: C_RET "{opener}"']

    def opened(head: str, inside: str) -> str:
        return " | ".join(f"{head}{i} {inside} CLOSE{i}" for i, _ in pairs)

    lines += [
        f"block: {opened('OPEN', 'body')}",
        "item: LINE | COMMENT | block",
        "body: item*",
        # at least one statement: a line of code, or code that opens a block
        f"stmt: CODE | {opened('CODE_OPEN', 'body')}",
        f"top: item* stmt item*{end}",
        # a return somewhere, at any depth (ambiguous when there are several: Earley copes)
        f"ritem: RET | {opened('RET_OPEN', 'body')} | {opened('OPEN', 'rbody')}",
        "rbody: item* ritem item*",
    ]
    if spec.tail_expression:
        lines += [
            f"C_TAIL: /{code}/ & ~/[^\\n]*;[ \\t]*/{not_comment}{ban}",
            'TAIL: C_TAIL "\\n"?',
            # or a last top-level line or block not ending in `;`
            f"rtop: item* (ritem item* | (TAIL | block) (BLANK | COMMENT)*){end}",
        ]
    else:
        lines.append(f"rtop: rbody{end}")
    if spec.braced:
        lines.append(f'END: C_TEXT "{spec.closers[0]}"')
    return "\n".join(lines) + "\n"
