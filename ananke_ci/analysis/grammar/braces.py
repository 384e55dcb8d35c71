"""Bodies of brace languages (and the generic fallback), one terminal per line.

Output shape: the text after the opening `{` of the body, line by line, then the line with
the matching `}` and nothing after it (the patcher drops that last line). A line is either
balanced (strings are atoms; `{...}` may open and close on it) or opens a block (ends in
`{`), closes one (starts with `}`), or both (`} else {`). The grammar nests the blocks, so
brace balance is exact; indentation is free. Languages without brace bodies (Ruby, unknown)
get the same lines with `(`/`[`/`{` as openers and end at EOS or a closing ``` fence.

Checked by the grammar: balance, the bans, no placeholder (`todo!()`, `panic("TODO")`,
`throw new UnsupportedOperationException`, ...) anywhere, at least one statement at the top,
and with a non-void return type a `return` line somewhere (Rust: or a tail expression, i.e.
a last top-level line or block not ending in `;`). That every path returns and that the tail
has the right type is left to the verifier (parse + the project's own checks).
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
    """The Lark text; `bans` are sanitised regex fragments (see `brace_fragments`)."""
    ban = ban_terminal(bans)
    brackets = "".join("\\" + c for c in spec.openers + spec.closers)
    comment = f"{spec.comment}[^\\n]*".replace("/", "\\/")  # inside Lark's /.../
    code = f"/[^{brackets}\\s][^{brackets}\\n]*/ & ~/{comment}/{ban}"
    pairs = " | ".join(
        f'"{o}" body "{c}"' for o, c in zip(spec.openers, spec.closers, strict=True)
    )
    rpairs = " | ".join(
        f'"{o}" rbody "{c}"' for o, c in zip(spec.openers, spec.closers, strict=True)
    )
    lines = [
        "%llguidance {}",
        "",
        "start: " + ("rtop" if require_return else "top")
        + (" WS? END" if spec.braced else " END?"),
        "WS: /[ \\t]+/",
        'NL: "\\n"',
        f"COMMENT: /{comment}/{ban}",
        f"CODE: {code}",
        # a statement that starts with `return` (one-line `if (x) return y;` does not count)
        f"RCODE: /return([^A-Za-z0-9_$\\n{brackets}][^\\n{brackets}]*)?/{ban}",
        # a CODE lexeme is always followed by a newline or a bracket: two adjacent CODE
        # lexemes would let `todo` + `!()` slip past a ban that only the whole line matches
        f"block: {pairs}",
        # one rule for every kind of line keeps the parser's items per line low
        "item: WS | NL | COMMENT NL | CODE NL | CODE? block",
        "body: item* CODE?",
        "top: (WS | NL | COMMENT NL)* (CODE NL | CODE? block) item*",
        # a return somewhere, at any depth (ambiguous when there are several: Earley copes)
        f"rblock: {rpairs}",
        "ritem: RCODE NL | RCODE block | CODE? rblock",
        "rbody: item* ritem item* CODE?",
    ]
    if spec.tail_expression:
        lines += [
            f"TAIL: /[^{brackets}\\s][^{brackets}\\n]*/ & ~/.*;[ \\t]*/ & ~/{comment}/{ban}",
            "rtop: item* (ritem item* CODE? | (TAIL NL? | CODE? block) (WS | NL | COMMENT NL)*)",
        ]
    else:
        lines.append("rtop: rbody")
    lines.append(f'END: "{spec.closers[0]}"' if spec.braced else 'END: "```"')
    return "\n".join(lines) + "\n"
