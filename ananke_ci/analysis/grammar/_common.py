"""Pieces every body grammar shares: banned-name sanitising, ban regexes, return types.

Regexes here are in llguidance's dialect (Rust regex syntax: no `\\b`, no lookarounds).
A ban applies to one line's text without its newline, so `.` covers it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ananke_ci.core.errors import UserError
from ananke_ci.core.protocol import LineBans

# an identifier, optionally dotted or `::`-qualified (os.system, std::process::Command, $.ajax)
_NAME_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*((\.|::)[A-Za-z_$][A-Za-z0-9_$]*)*\Z")
MAX_BANNED = 200
MAX_NAME = 100
WORD = "A-Za-z0-9_$"  # identifier characters (`$` for JS); a ban needs a non-word either side
HOLE_MARKERS = ("TODO", "FIXME", "XXX", "HACK")


def bannable(name: str) -> bool:
    """Whether a grammar can ban `name`: an identifier, dotted or `::`-qualified."""
    return len(name) <= MAX_NAME and _NAME_RE.match(name) is not None


def sanitize_banned(names: Iterable[str]) -> tuple[str, ...]:
    """Banned names checked to be identifiers before they enter a grammar.

    Raises UserError naming the first bad entry: a ban that silently disappeared would let
    the model write exactly what the configuration forbids.
    """
    seen: dict[str, None] = {}
    for raw in names:
        name = raw.strip()
        if len(name) > MAX_NAME or not _NAME_RE.match(name):
            shown = name[:40] + ("..." if len(name) > 40 else "")
            raise UserError(f"banned name {shown!r} is not an identifier or dotted name")
        seen[name] = None
    if len(seen) > MAX_BANNED:
        raise UserError(f"more than {MAX_BANNED} banned names")
    return tuple(sorted(seen))


def name_regex(name: str) -> str:
    """A banned (sanitised) name as a regex fragment; `.`/`::` may have spaces around them."""
    parts = re.split(r"(\.|::)", name)
    out = []
    for part in parts:
        if part == ".":
            out.append(r"\s*\.\s*")
        elif part == "::":
            out.append(r"\s*::\s*")
        else:
            out.append(part.replace("$", r"\$"))
    return "".join(out)


def ban_regex(
    words: Sequence[str], extra: Sequence[str] = (), whole: Sequence[str] = (), any_char: str = "."
) -> str:
    """A regex matching any line that holds a banned word (as a whole word) or an extra pattern.

    `words` are regex fragments that must stand alone as words; `extra` are fragments matched
    anywhere (placeholder statements that would re-emit the hole); `whole` must match the
    entire text. `any_char` fills around them: `.` for one line, `[\\s\\S]` for a text of
    several lines (banned when any of its lines is).
    """
    fill = any_char + "*"
    alternatives = []
    if words:
        alternation = "|".join(words)
        alternatives.append(f"({fill}[^{WORD}])?({alternation})([^{WORD}]{fill})?")
    alternatives.extend(f"{fill}({fragment}){fill}" for fragment in extra)
    alternatives.extend(f"({pattern})" for pattern in whole)
    return "|".join(alternatives)


def ban_terminal(bans: LineBans, *, lines: bool = False) -> str:
    """The exclusion every text terminal carries, exactly as `strip_bans` finds it; with
    `lines`, for a terminal whose text may span several lines."""
    any_char = "[\\s\\S]" if lines else "."
    return " & ~" + lark_regex(ban_regex(bans.words, bans.fragments, any_char=any_char))


def strip_bans(grammar: str, bans: LineBans) -> str:
    """The grammar without its ban exclusions, for a backend that masks the bans per token.

    Unbounded exclusions keep llguidance from slicing the vocabulary (its slicer needs
    lexemes of the form `(X{m,n} & ~E) T` with E of bounded length), so every mask walks the
    whole token trie; without them masks are 10-30x cheaper. A grammar that does not carry
    exactly these bans is returned unchanged (the token masks then only repeat the grammar).
    """
    for lines in (False, True):
        grammar = grammar.replace(ban_terminal(bans, lines=lines), "")
    return grammar


def banned_words(banned: Sequence[str]) -> list[str]:
    """Sanitised user bans plus the hole markers, as word fragments."""
    return [name_regex(name) for name in sanitize_banned(banned)] + list(HOLE_MARKERS)


def lark_regex(pattern: str) -> str:
    """A regex as a Lark `/.../` literal (only `/` needs escaping)."""
    return "/" + pattern.replace("/", "\\/") + "/"


def lark_string(text: str) -> str:
    """A literal as a Lark string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


_VOID = {
    "python": re.compile(r"^((typing|t|typing_extensions|te)\.)?(None|NoReturn|Never)$"),
    "rust": re.compile(r"^(\(\s*\)|!)$"),
    "go": re.compile(r"^$"),
    "java": re.compile(r"^void$"),
    "typescript": re.compile(r"^(void|never|undefined|Promise\s*<\s*(void|never)\s*>)$"),
}


def needs_return(language: str, return_type: str | None) -> bool:
    """Whether a declared return type asks for a value (no type written: no requirement)."""
    if return_type is None:
        return False
    written = return_type.strip().lstrip(":").strip()
    if language == "rust":
        written = written.removeprefix("->").strip()
    if not written:
        return False
    family = "typescript" if language in ("tsx", "javascript") else language
    void = _VOID.get(family)
    return void is None or not void.match(written)
