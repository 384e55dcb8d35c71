"""The Python body grammar: statements at the right indentation, two terminals per line.

Output shape: the body's lines, each at `base + unit * depth` and ending in "\\n"; then EOS,
or a closing ``` fence (the model writes one when prompted with a fenced header). Blocks
nest up to `max_depth` levels below the body. Line kinds are told apart by how a line ends:
`:` opens a block (the next line is one level deeper), `(`, `[`, `{`, `,` or `\\` opens a
continuation (any deeper lines follow, unchecked), anything else is a simple statement.

Checked by the grammar: indentation, the bans, a body's first statement is no placeholder
(`pass`, `...`, a bare string; `raise NotImplementedError` anywhere), at least one statement,
and with a return type, at least one `return <value>` / `yield` line. Later statements may be
strings (an attribute's docstring after `self.x = x`). A
comment starts at the indentation of its block or an enclosing one.
Not checked (the verifier's job): that every path returns, and multi-line strings whose
lines sit shallower than the statement (they do not match any line kind).
"""

from __future__ import annotations

from ananke_ci.analysis.grammar._common import ban_terminal, lark_regex, lark_string
from ananke_ci.core.protocol import LineBans
from ananke_ci.core.records import record

# Line kinds by their last non-blank character, written positively (no `&`/`~` but the ban:
# every extra intersection multiplies the lexer's states)
_LAST_SIMPLE = r"[^\s:(\[{,\\]"
# a block head or an opener may end in a comment (a type-ignore or a noqa comment); a simple
# line's last character is then the comment's
_END = r"[ \t]*(#[^\n]*)?"
_SIMPLE = rf"([^\s#:(\[{{,\\]|[^\s#][^\n]*{_LAST_SIMPLE})[ \t]*"
_HEAD = rf"[^\s#][^\n]*:{_END}"
_OPEN = rf"[^\s#][^\n]*[(\[{{,\\]{_END}"
# `return <value>` / `yield ...`: the keyword, then a space or a bracket or a quote
_RET_START = r"(return|yield)[ \t(\[{\"']"
_RETURN = rf"{_RET_START}([^\n]*{_LAST_SIMPLE})?[ \t]*"
_OPEN_RETURN = rf"{_RET_START}([^\n]*[(\[{{,\\])?{_END}"
# statements that are no answer at the body's top level: the hole itself, or a docstring
_TOP_PLACEHOLDERS = (r"(pass|\.\.\.)[ \t]*(;[ \t]*)?(#.*)?", r"[rRbBuUfF]{0,2}[\"'].*")
PLACEHOLDER_FRAGMENTS = (r"raise\s+NotImplementedError",)
# a line terminal per content kind: the content and its newline
_KINDS = ("COMMENT", "TOP", "SIMPLE", "RETURN", "HEAD", "OPEN", "OPENRET", "CONT")


@record(frozen=True, slots=True)
class PythonLayout:
    base: str  # the body's indentation in the file
    unit: str  # one more level
    max_depth: int = 6


def python_body_grammar(layout: PythonLayout, bans: LineBans, require_return: bool) -> str:
    """The Lark text; `bans` are sanitised regex fragments (see `body_bans`).

    Each line is an indentation lexeme (`I<depth>`) and a content lexeme with its newline.
    Content lexemes are shared by every depth, so the bans are compiled into the lexer once,
    not once per depth: with them the first mask stays within llguidance's default lexer fuel,
    which is what vLLM runs with. The indentations are prefixes of one another, and the lexer
    looks one byte past a finished lexeme, so only an indentation may start a line and no
    deeper indentation is live where content may begin with blanks (continuation lines).
    """
    ban = ban_terminal(bans)
    top = " & ~" + lark_regex("|".join(f"({p})" for p in _TOP_PLACEHOLDERS))
    lines = [
        "%llguidance {}",
        "",
        "start: " + ("rbody0" if require_return else "body0") + " FENCE?",
        'FENCE: "```"',
        # after an indentation: a comment, or nothing (a blank line with blanks in it)
        f"C_COMMENT: /[ \\t]*(#[^\\n]*)?/{ban}",
        # content kinds, shared by every depth; a return line is also a simple/open line
        # (terminals may overlap)
        f"C_TOP: {lark_regex(_SIMPLE)}{top}{ban}",
        f"C_SIMPLE: {lark_regex(_SIMPLE)}{ban}",
        f"C_RETURN: {lark_regex(_RETURN)}{ban}",
        f"C_HEAD: {lark_regex(_HEAD)}{ban}",
        f"C_OPEN: {lark_regex(_OPEN)}{ban}",
        f"C_OPENRET: {lark_regex(_OPEN_RETURN)}{ban}",
        # one blank then anything (not `[ \\t]+...`): llguidance slices the vocabulary only
        # where the lexeme left to match starts with a wide repetition
        f"C_CONT: /[ \\t][^\\n]*/{ban}",
        # a line's newline and the blank lines after it: a lexeme that can still grow at the
        # end of a token ending in "\n" costs the parser nothing while the mask is computed
        *(f"{kind}: C_{kind} /\\n+/" for kind in _KINDS),
    ]
    for k in range(layout.max_depth):
        deeper = k < layout.max_depth - 1
        lines += [
            "",
            f"I{k}: {lark_string(layout.base + layout.unit * k)}",
            f"cont{k}: (I{k} CONT)*",
            # a statement after its indentation; the body's first one is no placeholder
            f"st{k}: {'TOP' if k == 0 else 'SIMPLE'} | OPEN cont{k}"
            + (f" | HEAD body{k + 1}" if deeper else ""),
            *(
                ["later0: SIMPLE | OPEN cont0" + (" | HEAD body1" if deeper else "")]
                if k == 0
                else []
            ),
            f"ind{k}: " + " | ".join(f"I{j}" for j in range(k + 1)),
            # statements (after the first: an attribute's docstring is one); comments (or
            # blanks) at this depth or a shallower one
            f"item{k}: I{k} {'later0' if k == 0 else f'st{k}'} | ind{k} COMMENT",
            # a block: comments, then at least one statement
            f"body{k}: (ind{k} COMMENT)* I{k} st{k} item{k}*",
            # returns a value somewhere (ambiguous when several statements do: Earley copes)
            f"ret{k}: RETURN | OPENRET cont{k}" + (f" | HEAD rbody{k + 1}" if deeper else ""),
            f"rbody{k}: item{k}* I{k} ret{k} item{k}*"
            if k
            # the first statement at the top is no placeholder either: the return, or st0
            else "rbody0: (ind0 COMMENT)* (I0 ret0 | I0 st0 item0* I0 ret0) item0*",
        ]
    return "\n".join(lines) + "\n"
