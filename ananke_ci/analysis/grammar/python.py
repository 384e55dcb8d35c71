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

from ananke_ci.analysis.grammar._common import ban_terminal, lark_regex, lark_string
from ananke_ci.core.protocol import LineBans

# Line kinds by their last non-blank character, written positively (no `&`/`~` but the ban:
# every extra intersection multiplies the lexer's states)
_LAST_SIMPLE = r"[^\s:(\[{,\\]"
_SIMPLE = rf"([^\s#:(\[{{,\\]|[^\s#][^\n]*{_LAST_SIMPLE})[ \t]*"
_HEAD = r"[^\s#][^\n]*:[ \t]*"
_OPEN = r"[^\s#][^\n]*[(\[{,\\][ \t]*"
# `return <value>` / `yield ...`: the keyword, then a space or a bracket or a quote
_RET_START = r"(return|yield)[ \t(\[{\"']"
_RETURN = rf"{_RET_START}([^\n]*{_LAST_SIMPLE})?[ \t]*"
_OPEN_RETURN = rf"{_RET_START}([^\n]*[(\[{{,\\])?[ \t]*"
# statements that are no answer at the body's top level: the hole itself, or a docstring
_TOP_PLACEHOLDERS = (r"(pass|\.\.\.)[ \t]*(;[ \t]*)?(#.*)?", r"[rRbBuUfF]{0,2}[\"'].*")
PLACEHOLDER_FRAGMENTS = (r"raise\s+NotImplementedError",)


@dataclass(frozen=True, slots=True)
class PythonLayout:
    base: str  # the body's indentation in the file
    unit: str  # one more level
    max_depth: int = 6


def python_body_grammar(layout: PythonLayout, bans: LineBans, require_return: bool) -> str:
    """The Lark text; `bans` are sanitised regex fragments (see `python_bans`)."""
    ban = ban_terminal(bans)
    top = " & ~" + lark_regex("|".join(f"({p})" for p in _TOP_PLACEHOLDERS))
    lines = [
        "%llguidance {}",
        "",
        "start: " + ("rbody0" if require_return else "body0") + " FENCE?",
        'FENCE: "```"',
        "BLANK: /[ \\t]*\\n/",
        f"C_COMMENT: /[ \\t]*#[^\\n]*/{ban}",
        f'COMMENT: {lark_string(layout.base)} C_COMMENT "\\n"',
        # content kinds (no newline), shared by every depth; a return line is also a
        # simple/open line (terminals may overlap)
        f"C_TOP: {lark_regex(_SIMPLE)}{top}{ban}",
        f"C_SIMPLE: {lark_regex(_SIMPLE)}{ban}",
        f"C_RETURN: {lark_regex(_RETURN)}{ban}",
        f"C_HEAD: {lark_regex(_HEAD)}{ban}",
        f"C_OPEN: {lark_regex(_OPEN)}{ban}",
        f"C_OPENRET: {lark_regex(_OPEN_RETURN)}{ban}",
        f"C_CONT: /[ \\t]+[^\\n]*/{ban}",
    ]
    for k in range(layout.max_depth):
        ind = lark_string(layout.base + layout.unit * k)
        last = k == layout.max_depth - 1
        simple = "C_TOP" if k == 0 else "C_SIMPLE"
        lines += [
            "",
            f'S{k}: {ind} {simple} "\\n"',
            f'R{k}: {ind} C_RETURN "\\n"',
            f'O{k}: {ind} C_OPEN "\\n"',
            f'P{k}: {ind} C_OPENRET "\\n"',
            f'X{k}: {ind} C_CONT "\\n"',
            f"skip{k}: COMMENT | BLANK",
            f"cont{k}: X{k}*",
            # a block: comments, then at least one statement
            f"body{k}: COMMENT* st{k} (st{k} | skip{k})*",
            # returns a value somewhere (ambiguous when several statements do: Earley copes)
            f"ret{k}: R{k} | P{k} cont{k}" + ("" if last else f" | H{k} rbody{k + 1}"),
            f"rbody{k}: (st{k} | skip{k})* ret{k} (st{k} | skip{k})*",
            f"st{k}: S{k} | O{k} cont{k}"
            + ("" if last else f" | H{k} body{k + 1}"),
        ]
        if not last:
            lines.append(f'H{k}: {ind} C_HEAD "\\n"')
    return "\n".join(lines) + "\n"
