"""The sanitizer every constraint from outside passes (config, Ariadne, mined names).

Text that ends up in a message is capped and stripped of control characters; names that end
up in a grammar or a regex must be identifiers; regexes must compile and must not backtrack
catastrophically (a ReDoS in a pre-commit hook would hang every commit).
"""

from __future__ import annotations

import importlib
import re
import warnings
from typing import Any

from ananke_ci.core.errors import UserError

MAX_TEXT = 500
MAX_NAME = 200
MAX_REGEX = 500
MAX_GLOB = 300

# Patterns as text, compiled by `re` on first use (and cached there): the hook imports this
# module with the config code but rarely needs them, and compiling them costs ~2 ms.
_CONTROL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
# a dotted / scoped name in any of the 14 languages: os.system, std::mem::transmute, $x->y
_SEGMENT = r"[A-Za-z_$@\\][\w$@\\-]*"
_NAME = rf"{_SEGMENT}(?:(?:\.|::|/|->){_SEGMENT})*"
_WORD = r"[A-Za-z_][\w]*"


def clean_text(text: str, cap: int = MAX_TEXT) -> str:
    """Control characters (and bidi overrides) become spaces; at most `cap` characters."""
    out = re.sub(_CONTROL, " ", text)
    return out if len(out) <= cap else out[: cap - 1] + "…"


# what a terminal must never receive from a repository: C0 controls but tab and newline
# (ESC starts every escape sequence, CR overwrites a line), DEL, C1 (0x9b is a one-byte CSI),
# bidi overrides and isolates (they reorder what is shown), line and paragraph separators,
# and lone surrogates (a file name's bytes that are not UTF-8: no stream can encode them)
_ODD = r"\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNPRINTABLE = rf"[\x00-\x08\x0b-\x1f{_ODD}]"
_UNPRINTABLE_LINE = rf"[\x00-\x1f{_ODD}]"


def printable(text: str, *, newlines: bool = True) -> str:
    """Text from a repository (a file name, a TODO, a message quoting code) as it may go to
    a terminal: every control and bidi character shown as a visible escape (`\\x1b`,
    `\\u202e`), so none can move the cursor, retitle the window or reorder the line;
    `newlines=False` escapes line breaks too (for one-line records)."""
    if text.isprintable() or not re.search(_UNPRINTABLE if newlines else _UNPRINTABLE_LINE, text):
        return text
    return re.sub(_UNPRINTABLE if newlines else _UNPRINTABLE_LINE, _escape, text)


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for a byte: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(value: object, cap: int = 60) -> str:
    """A user's value as a message quotes it: a repr bounded in depth and length (a value
    nested thousands deep would crash `repr`), without control characters."""
    import reprlib

    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother = 3, cap, cap
    short.maxlist = short.maxdict = short.maxtuple = 6
    return clean_text(short.repr(value), cap + 20)


def check_name(name: str, what: str = "name") -> str:
    """A dotted identifier fit for a grammar or a regex, or a UserError saying why not."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        raise UserError(f"{what} must be 1 to {MAX_NAME} characters, not {shown(name)}")
    if not re.fullmatch(_NAME, name, re.ASCII):
        raise UserError(
            f"{what} {clean_text(name, 60)!r} is not an identifier "
            "(letters, digits, _ and $, joined by ., ::, / or ->)"
        )
    return name


def is_name(name: str) -> bool:
    return len(name) <= MAX_NAME and re.fullmatch(_NAME, name, re.ASCII) is not None


def check_word(word: str, what: str = "identifier") -> str:
    """A plain identifier (a field name, a style name, a constraint name)."""
    if not isinstance(word, str) or not re.fullmatch(_WORD, word, re.ASCII) or len(word) > MAX_NAME:
        raise UserError(f"{what} {clean_text(str(word), 60)!r} is not an identifier")
    return word


def check_glob(glob: str) -> str:
    if not isinstance(glob, str) or not glob or len(glob) > MAX_GLOB:
        raise UserError(f"path glob must be 1 to {MAX_GLOB} characters, not {shown(glob)}")
    if re.search(_CONTROL, glob):
        raise UserError(f"path glob {clean_text(glob, 60)!r} holds control characters")
    return glob


def check_regex(pattern: str) -> str:
    """A regex that compiles and cannot backtrack catastrophically, or a UserError."""
    if not isinstance(pattern, str) or len(pattern) > MAX_REGEX:
        raise UserError(f"regex must be a string of at most {MAX_REGEX} characters")
    try:
        with warnings.catch_warnings():  # "possible nested set" and friends, from both
            warnings.simplefilter("ignore")
            re.compile(pattern)
            tree = importlib.import_module("re._parser").parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UserError(f"regex {clean_text(pattern, 60)!r} does not compile: {exc}") from None
    problem = _backtracking(list(tree), inside=False)
    if problem:
        raise UserError(
            f"regex {clean_text(pattern, 60)!r} rejected: {problem} can backtrack "
            "exponentially (rewrite it without nested or ambiguous repetition)"
        )
    return pattern


# -- catastrophic backtracking: a repetition whose iterations can split the same text in
# several ways. Two shapes cause it: a repeated body that starts with another repetition or
# whose first character the inner repetition can also eat ((a+)+, (\w+\s?)*, (a.*)+), and a
# repeated alternation whose branches can start alike ((a|ab)*).

_WIDE = frozenset(range(128))
_CATEGORIES = {
    "CATEGORY_DIGIT": frozenset(range(48, 58)),
    "CATEGORY_SPACE": frozenset(b" \t\n\r\f\v"),
    "CATEGORY_WORD": frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
}


def _backtracking(items: list[Any], inside: bool) -> str | None:
    for op, av in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            _low, high, sub = av
            body = list(sub)
            if high > 1:
                if _starts_ambiguously(body):
                    return "a repetition nested in a repetition"
                if _ambiguous_branches(body):
                    return "a repeated alternation with overlapping branches"
            found = _backtracking(body, inside or high > 1)
            if found:
                return found
        elif name == "SUBPATTERN":
            found = _backtracking(list(av[3]), inside)
            if found:
                return found
        elif name == "BRANCH":
            for branch in av[1]:
                found = _backtracking(list(branch), inside)
                if found:
                    return found
    return None


def _starts_ambiguously(body: list[Any]) -> bool:
    """The repeated body opens with a repetition, or an inner repetition can eat its first
    character (so where one iteration ends is ambiguous)."""
    while body and str(body[0][0]) == "SUBPATTERN":
        body = list(body[0][1][3])
    if not body:
        return False
    if str(body[0][0]) in ("MAX_REPEAT", "MIN_REPEAT"):
        return _repeats(body[0]) or _starts_ambiguously(list(body[0][1][2]))
    first = _first_chars(body[0])
    return any(first & chars for chars in _optional_starts(body[1:]))


def _optional_starts(items: list[Any]) -> list[frozenset[int]]:
    """First characters of what may or may not match after the body's first element: a
    repetition (x*, x+, x?) or an alternation with an empty branch ((?:|x))."""
    out: list[frozenset[int]] = []
    for op, av in items:
        kind = str(op)
        if kind == "SUBPATTERN":
            out.extend(_optional_starts(list(av[3])))
        elif kind in ("MAX_REPEAT", "MIN_REPEAT"):
            if av[0] == 0 or av[1] > 1:
                out.append(_first_chars_of(list(av[2])))
            out.extend(_optional_starts(list(av[2])))
        elif kind == "BRANCH":
            branches = [list(b) for b in av[1]]
            if any(not b for b in branches):
                out.extend(_first_chars_of(b) for b in branches if b)
            for branch in branches:
                out.extend(_optional_starts(branch))
    return out


def _repeats(item: Any) -> bool:
    return str(item[0]) in ("MAX_REPEAT", "MIN_REPEAT") and item[1][1] > 1


def _ambiguous_branches(body: list[Any]) -> bool:
    while len(body) == 1 and str(body[0][0]) == "SUBPATTERN":
        body = list(body[0][1][3])
    if not body or str(body[0][0]) != "BRANCH":
        return False
    firsts = [_first_chars_of(list(b)) for b in body[0][1][1]]
    return any(a & b for i, a in enumerate(firsts) for b in firsts[i + 1 :])


def _first_chars_of(items: list[Any]) -> frozenset[int]:
    return _first_chars(items[0]) if items else _WIDE


def _first_chars(item: Any) -> frozenset[int]:
    op, av = str(item[0]), item[1]
    if op == "LITERAL":
        return frozenset({av}) if av < 128 else _WIDE
    if op == "IN":
        chars: set[int] = set()
        for sub_op, sub_av in av:
            kind = str(sub_op)
            if kind == "LITERAL":
                chars.add(sub_av)
            elif kind == "RANGE":
                chars.update(range(sub_av[0], min(sub_av[1], 127) + 1))
            elif kind == "CATEGORY":
                chars.update(_CATEGORIES.get(str(sub_av), _WIDE))
            else:  # NEGATE and friends: assume it may overlap anything
                return _WIDE
        return frozenset(chars)
    if op in ("MAX_REPEAT", "MIN_REPEAT"):
        return _first_chars_of(list(av[2]))
    if op == "SUBPATTERN":
        return _first_chars_of(list(av[3]))
    if op == "BRANCH":
        return frozenset().union(*(_first_chars_of(list(b)) for b in av[1]))
    return _WIDE  # ANY, categories outside a class, lookarounds: be conservative
