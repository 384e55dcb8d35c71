"""The grammar bans as an exact byte-level automaton, for enforcing them outside llguidance.

A text is banned iff one of its lines (split on b"\\n") fully matches `ban_regex(words,
fragments)`: it holds a `words` fragment as a whole word (non-word byte or line edge on both
sides, word bytes being `_common.WORD`) or a `fragments` fragment anywhere. llguidance cannot
slice lexemes that exclude such unbounded patterns, so the local backend ANDs its masks with a
token mask derived from this DFA instead.

Semantics are those of a *bytes* regex: `\\s` is ASCII whitespace, `.` and negated classes match
one byte (any but b"\\n", bytes >= 0x80 included) and bytes >= 0x80 are non-word bytes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ananke_ci.analysis.grammar._common import WORD
from ananke_ci.core.records import record

# the stdlib's regex parser: private but stable since 3.11, and untyped (attributes are Any)
_parser = importlib.import_module("re._parser")
_constants = importlib.import_module("re._constants")
_NEWLINE = ord("\n")
_ALL = (1 << 256) - 1
_MAX_REPEAT_COPIES = 64  # `x{0,1000}` would expand to a thousand NFA copies: refuse instead
# before minimising; 200 banned names take ~1,600. Gaps multiply states (`.*a.{20}` needs
# 2^20), and patterns can arrive over the protocol: refuse rather than run out of memory
_MAX_DFA_STATES = 10_000


def _byte_set(members: Iterable[int]) -> int:
    """A set of bytes as a 256-bit mask."""
    mask = 0
    for byte in members:
        mask |= 1 << byte
    return mask


def _ranges(spec: str) -> int:
    """`A-Za-z0-9_$` (a class body without brackets) as a byte mask."""
    found = re.findall(r"(.)-(.)|(.)", spec)
    return _byte_set(
        b for lo, hi, one in found for b in (range(ord(lo), ord(hi) + 1) if lo else [ord(one)])
    )


_WORD_BYTES = _ranges(WORD)
_SPACE = _byte_set(b" \t\n\r\f\v")
_DIGIT = _ranges("0-9")
_CATEGORIES = {  # bytes-regex meanings (the whole point: no Unicode classes at byte level)
    "CATEGORY_SPACE": _SPACE,
    "CATEGORY_NOT_SPACE": _ALL & ~_SPACE,
    "CATEGORY_DIGIT": _DIGIT,
    "CATEGORY_NOT_DIGIT": _ALL & ~_DIGIT,
    "CATEGORY_WORD": _ranges("A-Za-z0-9_"),
    "CATEGORY_NOT_WORD": _ALL & ~_ranges("A-Za-z0-9_"),
}


class _Nfa:
    """A Thompson NFA over bytes: per node, epsilon targets and (byte mask, target) edges."""

    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        self.edges: list[list[tuple[int, int]]] = []

    def node(self) -> int:
        self.eps.append([])
        self.edges.append([])
        return len(self.eps) - 1

    def closure(self, nodes: Iterable[int]) -> frozenset[int]:
        seen = set(nodes)
        stack = list(seen)
        while stack:
            for target in self.eps[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)

    def edge(self, source: int, mask: int) -> int:
        """An edge on `mask` from `source` to a new node (b"\\n" is never followed: see
        `_determinise`)."""
        target = self.node()
        self.edges[source].append((mask, target))
        return target


def _parse(pattern: str) -> list[tuple[str, Any]]:
    """The stdlib regex parser's AST (the one place that touches `re._parser`), opcode names."""
    try:
        tree = _parser.parse(pattern)
    except re.error as exc:
        raise ValueError(f"ban pattern {pattern!r} does not parse: {exc}") from None
    if tree.state.flags & ~re.UNICODE:
        raise ValueError(f"ban pattern {pattern!r}: inline flags are not supported")
    return _named(tree)


def _named(items: Any) -> list[tuple[str, Any]]:
    return [(op.name, av) for op, av in items]


def _class_mask(pattern: str, items: list[tuple[str, Any]]) -> int:
    mask, negate = 0, False
    for op, av in items:
        if op == "NEGATE":
            negate = True
        elif op == "LITERAL":
            mask |= _byte_set([_ascii(pattern, av)])
        elif op == "RANGE":
            mask |= _byte_set(range(_ascii(pattern, av[0]), _ascii(pattern, av[1]) + 1))
        elif op == "CATEGORY" and av.name in _CATEGORIES:
            mask |= _CATEGORIES[av.name]
        else:
            raise ValueError(f"ban pattern {pattern!r}: unsupported class item {op}")
    return _ALL & ~mask if negate else mask


def _ascii(pattern: str, code: int) -> int:
    if code >= 0x80:
        raise ValueError(f"ban pattern {pattern!r}: only ASCII characters are supported")
    return code


def _build(nfa: _Nfa, pattern: str, items: list[tuple[str, Any]], start: int) -> int:
    """Thompson construction of a sequence from `start`; returns the end node."""
    at = start
    for op, av in items:
        if op == "LITERAL":
            at = nfa.edge(at, 1 << _ascii(pattern, av))
        elif op == "NOT_LITERAL":
            at = nfa.edge(at, _ALL & ~(1 << _ascii(pattern, av)))
        elif op == "ANY":
            at = nfa.edge(at, _ALL)
        elif op == "IN":
            at = nfa.edge(at, _class_mask(pattern, _named(av)))
        elif op == "SUBPATTERN":
            _group, add_flags, del_flags, body = av
            if add_flags or del_flags:
                raise ValueError(f"ban pattern {pattern!r}: inline flags are not supported")
            at = _build(nfa, pattern, _named(body), at)
        elif op == "BRANCH":
            end = nfa.node()
            for alternative in av[1]:
                nfa.eps[_build(nfa, pattern, _named(alternative), at)].append(end)
            at = end
        elif op in ("MAX_REPEAT", "MIN_REPEAT"):  # laziness does not change what matches
            at = _repeat(nfa, pattern, av, at)
        else:  # anchors, \b, lookarounds, backreferences, possessive and atomic groups
            raise ValueError(f"ban pattern {pattern!r}: unsupported regex syntax ({op})")
    return at


def _repeat(nfa: _Nfa, pattern: str, av: Any, at: int) -> int:
    low, high, body = av
    unbounded = high == _constants.MAXREPEAT
    copies = low if unbounded else high
    if copies > _MAX_REPEAT_COPIES:
        raise ValueError(f"ban pattern {pattern!r}: repeat count above {_MAX_REPEAT_COPIES}")
    items = _named(body)
    for _ in range(low):
        at = _build(nfa, pattern, items, at)
    if unbounded:  # loop: a fresh node that re-enters the body
        loop = nfa.node()
        nfa.eps[at].append(loop)
        nfa.eps[_build(nfa, pattern, items, loop)].append(loop)
        return loop
    end = nfa.node()
    for _ in range(high - low):
        nfa.eps[at].append(end)
        at = _build(nfa, pattern, items, at)
    nfa.eps[at].append(end)
    return end


@record(frozen=True)
class BanAutomaton:
    """A minimal DFA over bytes; `table[state][byte]` is the next state.

    `dead` absorbs: a banned line is complete, or every continuation is banned.
    """

    table: tuple[bytes | tuple[int, ...], ...]
    start: int
    dead: int
    ends_ok: tuple[bool, ...]  # per state: the line may end here without being banned

    def step(self, state: int, data: bytes) -> int:
        table = self.table
        for byte in data:
            state = table[state][byte]
        return state

    def allows_end(self, state: int) -> bool:
        """Whether the text may end here (end of text ends the current line)."""
        return self.ends_ok[state]

    @property
    def n_states(self) -> int:
        return len(self.table)


@record(frozen=True)
class _Search:
    """The line-search NFA: fragments start anywhere, words after a boundary; HIT = banned."""

    nfa: _Nfa
    fragment_starts: frozenset[int]  # closed; live at every position of a line
    word_starts: frozenset[int]  # closed; live at line start and after a non-word byte
    word_end: int  # a word has matched: banned unless a word byte follows
    hit: int  # a ban has matched: the line (and so the text) is banned


def _search(words: Sequence[str], fragments: Sequence[str]) -> _Search:
    nfa = _Nfa()
    hit, word_end = nfa.node(), nfa.node()
    nfa.edges[word_end].append((_ALL & ~_WORD_BYTES, hit))
    starts: dict[int, list[int]] = {hit: [], word_end: []}
    for pattern, goal in [(w, word_end) for w in words] + [(f, hit) for f in fragments]:
        start = nfa.node()
        nfa.eps[_build(nfa, pattern, _parse(pattern), start)].append(goal)
        starts[goal].append(start)
    return _Search(nfa, nfa.closure(starts[hit]), nfa.closure(starts[word_end]), word_end, hit)


def _byte_classes(nfa: _Nfa) -> list[int]:
    """Bytes no edge (nor the word/newline distinction) tells apart, as masks."""
    classes = [_ALL]
    for mask in {m for edges in nfa.edges for m, _ in edges} | {_WORD_BYTES, 1 << _NEWLINE}:
        classes = [part for c in classes for part in (c & mask, c & ~mask) if part]
    return classes


def _determinise(search: _Search, classes: list[int]) -> tuple[list[list[int]], list[bool], int]:
    """Subset construction: per DFA state, next state per byte class; ends_ok; start (dead=0).

    A DFA state is (progress, at_boundary): the NFA set minus the always-live fragment starts
    and, after a boundary, the word starts; their moves are precomputed per class, so the sets
    hashed and stepped stay small even with a couple of hundred banned names.
    """
    nfa = search.nfa
    firsts = [(c & -c).bit_length() - 1 for c in classes]  # any member speaks for its class
    moves: dict[int, list[tuple[int, frozenset[int]]]] = {}  # per node: the classes it moves on

    def node_moves(n: int) -> list[tuple[int, frozenset[int]]]:
        if n not in moves:
            moves[n] = []
            for c, byte in enumerate(firsts):
                targets = [t for m, t in nfa.edges[n] if m >> byte & 1]
                if targets:
                    moves[n].append((c, nfa.closure(targets)))
        return moves[n]

    def move(nodes: Iterable[int]) -> list[frozenset[int]]:
        """Per class, where `nodes` go (closed)."""
        out: list[set[int]] = [set() for _ in classes]
        for n in nodes:
            for c, targets in node_moves(n):
                out[c] |= targets
        return [frozenset(targets) for targets in out]

    fragment_moves = move(search.fragment_starts)
    word_moves = move(search.word_starts)
    dead_key = (frozenset({search.hit}), False)
    ids = {dead_key: 0}
    keys = [dead_key]

    lives = (search.fragment_starts, search.fragment_starts | search.word_starts)

    def state(nodes: frozenset[int], at_boundary: bool) -> int:
        live = lives[at_boundary]
        if search.hit in nodes or search.hit in live:
            return 0  # everything banned is one absorbing state
        key = (nodes - live, at_boundary)
        if key not in ids:
            if len(keys) == _MAX_DFA_STATES:
                raise ValueError(f"ban patterns need over {_MAX_DFA_STATES} automaton states")
            ids[key] = len(keys)
            keys.append(key)
        return ids[key]

    word_end_at_start = search.word_end in search.word_starts  # an empty word

    def holds_word_end(key: tuple[frozenset[int], bool]) -> bool:
        progress, at_boundary = key
        return search.word_end in progress or (at_boundary and word_end_at_start)

    start = state(frozenset(), True)
    rows: list[list[int]] = [[0] * len(classes)]
    while len(rows) < len(keys):
        key = keys[len(rows)]
        progress, at_boundary = key
        row = []
        progress_moves = move(progress)
        for c, byte in enumerate(firsts):
            if byte == _NEWLINE:  # ends the line: no pattern spans it, a word just ended hits
                row.append(0 if holds_word_end(key) else start)
                continue
            moved = fragment_moves[c] | progress_moves[c]
            if at_boundary:
                moved |= word_moves[c]
            row.append(state(moved, not _WORD_BYTES >> byte & 1))
        rows.append(row)
    ends_ok = [i != 0 and not holds_word_end(key) for i, key in enumerate(keys)]
    return rows, ends_ok, start


def _minimise(rows: list[list[int]], ends_ok: list[bool]) -> list[int]:
    """Moore partition refinement; returns each state's block.

    Dead's block also takes any state from which every continuation is banned (`ab` with
    the word `ab` and the fragment `ab[\\w$]`): their masks would allow no text token anyway.
    """
    block = [int(ok) for ok in ends_ok]
    while True:
        signatures = [(block[i], *map(block.__getitem__, row)) for i, row in enumerate(rows)]
        numbering: dict[tuple[int, ...], int] = {}
        refined = [numbering.setdefault(sig, len(numbering)) for sig in signatures]
        if len(numbering) == len(set(block)):
            return refined
        block = refined


def compile_bans(words: Sequence[str], fragments: Sequence[str]) -> BanAutomaton:
    """The DFA of "no line so far is banned" for `ban_regex(words, fragments)`.

    Raises ValueError for regex syntax outside the supported subset (literals, escapes,
    classes, `\\s`/`\\d`/`\\w`, `.`, repeats, alternation, groups).
    """
    search = _search(words, fragments)
    classes = _byte_classes(search.nfa)
    rows, ends_ok, start = _determinise(search, classes)
    block = _minimise(rows, ends_ok)
    n_blocks = max(block) + 1
    class_of = [0] * 256
    for index, byte_class in enumerate(classes):
        for byte in range(256):
            if byte_class >> byte & 1:
                class_of[byte] = index
    merged: list[list[int]] = [[] for _ in range(n_blocks)]
    ok = [False] * n_blocks
    for i, row in enumerate(rows):
        merged[block[i]] = [block[row[c]] for c in class_of]
        ok[block[i]] = ends_ok[i]
    table: tuple[bytes | tuple[int, ...], ...] = tuple(
        bytes(r) if n_blocks <= 256 else tuple(r) for r in merged
    )
    return BanAutomaton(table, block[start], block[0], tuple(ok))
