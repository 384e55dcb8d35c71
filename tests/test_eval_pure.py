"""Holes made for the evaluation, and the modes' scores from candidate outcomes."""

from __future__ import annotations

import pytest

from ananke_ci.analysis.eval_holes import make_hole
from ananke_ci.analysis.eval_score import compare, proposal, score
from ananke_ci.analysis.extract import extract_facts
from ananke_ci.core.evaluation import HoleResult, HoleTask, Outcome

PY = '''def area(w: int, h: int) -> int:
    """The area.

    Of a rectangle.
    """
    return w * h


def big(x):
    """Too long a body."""
    a = 1
    b = 2
    c = 3
    d = 4
    return a + b + c + d + x
'''

JS = """/**
 * Adds one.
 */
function inc(x) {
  return x + 1;
}
var y = wrap(function inner(a) { return a; });
"""


def test_python_hole_keeps_the_docstring_and_the_extractor_finds_it() -> None:
    facts = extract_facts("m.py", PY.encode())
    area, big = facts.functions
    made = make_hole(PY, area, "python")
    assert made is not None
    assert made.body == "    return w * h\n" and made.line == 6
    assert '    """The area.\n\n    Of a rectangle.\n    """\n    pass\n' in made.source
    after = extract_facts("m.py", made.source.encode())
    assert [(h.marker, h.span.start_line) for h in after.holes] == [("pass", 6)]
    assert make_hole(PY, big, "python") is None  # five statements: not a small body


def test_javascript_hole_between_the_braces() -> None:
    facts = extract_facts("m.js", JS.encode())
    inc = next(f for f in facts.functions if f.name == "inc")
    made = make_hole(JS, inc, "javascript")
    assert made is not None and made.body == "  return x + 1;\n"
    assert "function inc(x) {\n  // TODO\n}\n" in made.source
    after = extract_facts("m.js", made.source.encode())
    assert any(h.function is not None and h.function.name == "inc" for h in after.holes)
    inner = [f for f in facts.functions if f.name == "inner"]
    assert all(make_hole(JS, f, "javascript") is None for f in inner)  # one line: no room


def _o(
    correct: bool,
    static: bool = True,
    tested: bool | None = None,
    parsed: bool = True,
    banned: bool = False,
) -> Outcome:
    return Outcome(
        "x",
        3,
        "stop",
        parsed,
        banned,
        static,
        correct and static if tested is None else tested,
        correct,
    )


def _hole(free: tuple[Outcome, ...], constrained: tuple[Outcome, ...]) -> HoleResult:
    task = HoleTask("p:f.py:f:1", "p", "python", "f.py", "f", 1, "  return 1\n", "pass", "true")
    return HoleResult(task, free, constrained, 3.0, 1.0, 1.5, 0.5)


def test_modes_propose_and_score_as_documented() -> None:
    holes = [
        # free: second sample right; constrained: first rejected by the verifier, second right
        _hole((_o(False), _o(True)), (_o(False, static=False), _o(True))),
        # the verifier accepts a wrong first candidate; the tests reject it
        _hole((_o(False, parsed=False), _o(False)), (_o(False), _o(True))),
        # nothing right anywhere, and nothing the verifier accepts
        _hole((_o(False, banned=True), _o(False)), (_o(False, static=False),) * 2),
    ]
    free = score(holes, "free")
    assert free.pass_at == pytest.approx((1 / 6, 1 / 3))  # (1/2 + 0 + 0) / 3, (1 + 0 + 0) / 3
    assert (free.proposals, free.wrong) == (3, 3)  # every first sample is proposed; all wrong
    assert (free.samples, free.parsed, free.banned_samples, free.banned) == (6, 5, 1, 1)
    cons = score(holes, "constrained")
    assert cons.pass_at == pytest.approx((1 / 3, 2 / 3))
    verified = score(holes, "verified")
    assert proposal(holes[0], "verified") is holes[0].constrained[1]
    assert verified.pass_at == pytest.approx((0.0, 1 / 3))  # k=1: only candidate 1 is tried
    assert (verified.proposals, verified.wrong) == (2, 1)
    tested = score(holes, "tested")
    assert tested.pass_at == pytest.approx((0.0, 2 / 3))
    assert (tested.proposals, tested.wrong, tested.wrong_share) == (2, 0, 0.0)
    assert tested.seconds == pytest.approx(2.0) and free.seconds == pytest.approx(1.0)
    diff = compare(holes, "tested", "free")  # free's first samples all fail; tested solves 2
    assert (diff.only_first, diff.only_second, diff.n) == (2, 0, 3)
    assert diff.difference == pytest.approx(2 / 3) and diff.low < diff.difference < diff.high
