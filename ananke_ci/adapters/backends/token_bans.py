"""Token masks of a BanAutomaton: which tokens keep the text free of banned lines.

Every state's mask is precomputed so a decode step costs one AND with llguidance's mask.
Masks use llguidance's packed layout (bit i%32 of int32 word i//32, set = allowed).

Running every state through every token byte is states x ~1M bytes for Qwen (over a second).
Two facts cut it to well under that: tokens share prefixes (a byte trie has a third of the
bytes), and after a token's first byte b the states collapse to the few that byte leads to
(a search automaton forgets), so each trie node carries only those few "slots".
"""

from __future__ import annotations

import functools

import llguidance
import numpy as np
import numpy.typing as npt

from ananke_ci.analysis.grammar.bans import BanAutomaton
from ananke_ci.core.records import record

_Ints = npt.NDArray[np.intp]
_CHUNK = 256  # states per boolean block (256 x 152k tokens = 39 MB)


@record(frozen=True)
class _Level:
    """The trie nodes at one depth (prefixes of length depth) and the tokens ending there."""

    parent: _Ints  # node index at the previous depth
    byte: _Ints  # the byte that leads from the parent to the node
    first: _Ints  # the first byte of the node's prefix
    end_nodes: _Ints  # nodes where a text token ends
    end_tokens: _Ints  # those tokens' ids


@record(frozen=True)
class _Vocabulary:
    """A tokenizer's text tokens as a byte trie (independent of the bans, so cached)."""

    pieces: tuple[bytes, ...]  # per token id; b"" for special tokens (not text: the grammar
    # mask alone decides them, so they are in no level and stay allowed)
    empty: _Ints  # text tokens without bytes
    levels: tuple[_Level, ...]  # depth 1, 2, ...


@functools.lru_cache(maxsize=2)  # keyed by tokenizer identity; there is one per process
def _vocabulary(tokenizer: llguidance.LLTokenizer) -> _Vocabulary:
    size = tokenizer.vocab_size
    special = np.array([tokenizer.is_special_token(i) for i in range(size)], dtype=np.bool_)
    pieces = tuple(b"" if special[i] else tokenizer.decode_bytes([i]) for i in range(size))
    lengths = np.array([len(p) for p in pieces], dtype=np.intp)
    text = np.flatnonzero(~special)
    order = text[np.argsort(-lengths[text], kind="stable")]  # longest first
    width = int(lengths[order[0]]) if len(order) else 0
    padded = b"".join(pieces[i].ljust(width, b"\0") for i in order)
    columns = np.frombuffer(padded, dtype=np.uint8).reshape(len(order), width).T
    # live[j]: how many tokens are longer than j (a prefix of `order`, longest first)
    live = [int(np.count_nonzero(lengths[order] > j)) for j in range(width + 1)]
    levels = []
    nodes = np.zeros(live[0], dtype=np.intp)  # every token starts at the root
    first = np.zeros(1, dtype=np.intp)
    for depth in range(width):
        n, ending = live[depth], live[depth + 1]  # columns[depth, :n] are the live tokens' bytes
        keys, nodes = np.unique(nodes[:n] * 256 + columns[depth, :n], return_inverse=True)
        parent, byte = keys // 256, keys % 256
        first = byte if depth == 0 else first[parent]
        levels.append(_Level(parent, byte, first, nodes[ending:n], order[ending:n]))
    return _Vocabulary(pieces, order[live[0] :], tuple(levels))


class TokenBans:
    """Per ban state: the allowed-token bitmask, and the state after a token."""

    def __init__(self, automaton: BanAutomaton, tokenizer: llguidance.LLTokenizer) -> None:
        self.automaton = automaton
        self.start = automaton.start
        vocab = _vocabulary(tokenizer)
        self._pieces = vocab.pieces
        self._masks = _masks(automaton, tokenizer, vocab)

    def mask(self, state: int) -> npt.NDArray[np.int32]:
        """The allowed tokens in `state` (read-only, shape (ceil(vocab/32),))."""
        row: npt.NDArray[np.int32] = self._masks[state]
        return row

    def advance(self, state: int, token: int) -> int:
        """The state after `token` (special tokens, EOS included, leave it unchanged)."""
        return self.automaton.step(state, self._pieces[token])


def _masks(
    automaton: BanAutomaton, tokenizer: llguidance.LLTokenizer, vocab: _Vocabulary
) -> npt.NDArray[np.int32]:
    """Every state's packed mask, built as booleans a few hundred states at a time."""
    n_states, dead, size = automaton.n_states, automaton.dead, tokenizer.vocab_size
    states, tokens = _banned(automaton, vocab)
    eos = sorted({tokenizer.eos_token, *tokenizer.eos_tokens})
    ends = np.array([automaton.allows_end(s) for s in range(n_states)], dtype=np.bool_)
    masks = np.empty((n_states, -(-size // 32)), dtype=np.int32)
    for low in range(0, n_states, _CHUNK):
        high = min(low + _CHUNK, n_states)
        allowed = np.ones((high - low, masks.shape[1] * 32), dtype=np.bool_)
        allowed[:, size:] = False
        pick = (states >= low) & (states < high)
        allowed[states[pick] - low, tokens[pick]] = False
        if low <= dead < high:
            allowed[dead - low, vocab.empty] = False
        allowed[:, eos] = ends[low:high, None]
        masks[low:high] = np.packbits(allowed, axis=1, bitorder="little").view("<i4")
    masks.flags.writeable = False
    return masks


def _banned(automaton: BanAutomaton, vocab: _Vocabulary) -> tuple[_Ints, _Ints]:
    """(states, tokens) index arrays of every text token that reaches `dead` from a state."""
    n_states, dead = automaton.n_states, automaton.dead
    # one spare state that stays put pads the slots: it never shows up as dead
    table = np.array([*map(list, automaton.table), [n_states] * 256], dtype=np.intp)
    # slot_states[b]: the distinct states after byte b (padded); slot_of[b, s]: s's slot
    images = [np.unique(table[:n_states, b], return_inverse=True) for b in range(256)]
    width = max(len(image) for image, _ in images)
    slot_states = np.full((256, width), n_states, dtype=np.intp)
    for byte, (image, _) in enumerate(images):
        slot_states[byte, : len(image)] = image
    slot_of = np.array([inverse.ravel() for _, inverse in images], dtype=np.intp)
    # the states behind each (first byte, slot), as CSR over keys b * width + slot
    keys = (np.arange(256)[:, None] * width + slot_of).ravel()
    origins = np.argsort(keys, kind="stable") % n_states
    starts = np.concatenate(([0], np.cumsum(np.bincount(keys, minlength=256 * width))))

    flat = table.ravel()  # state * 256 + byte
    found_tokens, found_keys = [np.empty(0, dtype=np.intp)], [np.empty(0, dtype=np.intp)]
    current = np.empty((0, width), dtype=np.intp)
    for depth, level in enumerate(vocab.levels):
        if depth == 0:
            current = slot_states[level.byte]
        else:
            current = flat[current[level.parent] * 256 + level.byte[:, None]]
        ends, slots = np.nonzero(current[level.end_nodes] == dead)  # dead absorbs
        found_tokens.append(level.end_tokens[ends])
        found_keys.append(level.first[level.end_nodes[ends]] * width + slots)
    tokens, key = np.concatenate(found_tokens), np.concatenate(found_keys)
    counts = starts[key + 1] - starts[key]
    offsets = np.repeat(starts[key] - np.cumsum(counts) + counts, counts)
    states = origins[offsets + np.arange(int(counts.sum()))]
    return states, np.repeat(tokens, counts)


def token_allowed(mask: npt.NDArray[np.int32], token: int) -> bool:
    """Whether a packed llguidance bitmask row (this module's or llguidance's) allows `token`."""
    return bool((int(mask[token // 32]) >> (token % 32)) & 1)
