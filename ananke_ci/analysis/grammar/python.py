"""The Python body grammar: statements at the right indentation, one terminal per line.

Output shape: the body's lines, each at `base + unit * depth` and ending in "\\n"; then EOS,
or a closing ``` fence (the model writes one when prompted with a fenced header). Blocks
nest up to `max_depth` levels below the body. Line kinds are told apart by how a line ends:
`:` opens a block (the next line is one level deeper), `(`, `[`, `{`, `,` or `\\` opens a
continuation (any deeper lines follow, unchecked), anything else is a simple statement.

Checked by the grammar: indentation, the bans, no placeholder statement at the body's top
level (`pass`, `...`, a bare string, `raise NotImplementedError` anywhere), at least one
statement, and with a return type, at least one `return <value>` / `yield` line. Not
checked (the verifier's job): that every path returns, and multi-line strings whose lines
sit shallower than the statement (they do not match any line kind).
"""

from __future__ import annotations

from dataclasses import dataclass

from ananke_ci.analysis.grammar._common import ban_regex, lark_regex, lark_string

_OPEN_END = r"[^\n]*[(\[{,\\][ \t]*(#[^\n]*)?"
_COLON_END = r"[^\n]*:[ \t]*(#[^\n]*)?"
_RETURN = r"(return|yield)([^A-Za-z0-9_\n][^\n]*)?"
_BARE_RETURN = r"return[ \t]*(#[^\n]*)?"
_TOP_PLACEHOLDER = r"(pass|\.\.\.)[ \t]*(;[ \t]*)?(#[^\n]*)?|[rRbBuUfF]{0,2}[\"'][^\n]*"
_ELLIPSIS = r"\.\.\.[ \t]*(#[^\n]*)?"
PLACEHOLDER_FRAGMENTS = (r"raise\s+NotImplementedError",)


@dataclass(frozen=True, slots=True)
class PythonLayout:
    base: str  # the body's indentation in the file
    unit: str  # one more level
    max_depth: int = 6


def python_body_grammar(layout: PythonLayout, words: list[str], require_return: bool) -> str:
    """The Lark text; `words` are banned-word regex fragments (already sanitised)."""
    ban = lark_regex(ban_regex(words, PLACEHOLDER_FRAGMENTS))
    code = r"[^\s#][^\n]*"
    lines = [
        "%llguidance {}",
        "",
        "start: " + ("rbody0" if require_return else "body0") + ' FENCE?',
        'FENCE: "```"',
        "BLANK: /[ \\t]*\\n/",
        f"COMMENT: {lark_string(layout.base)} /[ \\t]*#[^\\n]*/ & ~{ban} " + r'"\n"',
        # content kinds (no newline): shared by every depth
        f"C_SIMPLE: /{code}/ & ~/{_COLON_END}/ & ~/{_OPEN_END}/ & ~/{_RETURN}/"
        f" & ~/{_ELLIPSIS}/ & ~{ban}",
        f"C_TOP: /{code}/ & ~/{_COLON_END}/ & ~/{_OPEN_END}/ & ~/{_RETURN}/"
        f" & ~/{_TOP_PLACEHOLDER}/ & ~{ban}",
        f"C_RETURN: /{_RETURN}/ & ~/{_COLON_END}/ & ~/{_OPEN_END}/ & ~/{_BARE_RETURN}/ & ~{ban}",
        f"C_ANYRET: /{_RETURN}/ & ~/{_COLON_END}/ & ~/{_OPEN_END}/ & ~{ban}",
        f"C_HEAD: /{code}/ & /{_COLON_END}/ & ~{ban}",
        f"C_OPEN: /{code}/ & /{_OPEN_END}/ & ~/{_RETURN}/ & ~{ban}",
        f"C_OPENRET: /{_RETURN}/ & /{_OPEN_END}/ & ~{ban}",
        f"C_CONT: /[ \\t]+[^\\n]*/ & ~{ban}",
    ]
    for k in range(layout.max_depth):
        ind = lark_string(layout.base + layout.unit * k)
        last = k == layout.max_depth - 1
        simple = "C_TOP" if k == 0 else "C_SIMPLE"
        lines += [
            "",
            f'S{k}: {ind} {simple} "\\n"',
            f'R{k}: {ind} C_RETURN "\\n"',
            f'Q{k}: {ind} C_ANYRET "\\n"',  # a bare `return` too: fine where no value is due
            f'O{k}: {ind} C_OPEN "\\n"',
            f'P{k}: {ind} C_OPENRET "\\n"',
            f'X{k}: {ind} C_CONT "\\n"',
            f"skip{k}: COMMENT | BLANK",
            f"cont{k}: X{k}*",
            # a block: comments, then at least one statement
            f"body{k}: COMMENT* st{k} (st{k} | skip{k})*",
            # no value returned inside (so the return-carrying parse is unambiguous)
            f"nr{k}: S{k} | O{k} cont{k}" + ("" if last else f" | H{k} nbody{k + 1}"),
            f"nbody{k}: COMMENT* nr{k} (nr{k} | skip{k})*",
            # returns a value somewhere
            f"ret{k}: R{k} | P{k} cont{k}" + ("" if last else f" | H{k} rbody{k + 1}"),
            f"rbody{k}: (nr{k} | skip{k})* ret{k} (st{k} | skip{k})*",
            f"st{k}: S{k} | Q{k} | O{k} cont{k} | P{k} cont{k}"
            + ("" if last else f" | H{k} body{k + 1}"),
        ]
        if not last:
            lines.append(f'H{k}: {ind} C_HEAD "\\n"')
    return "\n".join(lines) + "\n"
