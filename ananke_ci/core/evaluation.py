"""Records of `ananke-ci eval`: the tasks, one candidate's outcome, one task's results.

Frozen, plain values (str, int, float, bool, tuples of those) so that a journal line is the
record's fields as JSON and a resumed run reads back exactly what was written.
"""

from __future__ import annotations

from ananke_ci.core.records import record

MODES = ("free", "constrained", "verified", "tested")
MODE_TITLES = {
    "free": "(a) free",
    "constrained": "(b) constrained",
    "verified": "(c) constrained + verified",
    "tested": "(d) constrained + verified + tests",
}


@record(frozen=True, slots=True)
class HoleTask:
    """A real function of a real project with its body removed (layer 2)."""

    id: str  # project:path:function:line, stable across runs
    project: str
    language: str
    path: str  # in the project
    function: str
    line: int  # the first line of the removed body (1-based)
    body: str  # the removed lines, as they were
    marker: str  # what replaced them ("pass", "// TODO")
    command: str  # the oracle: the project's tests of the function, run by the shell


@record(frozen=True, slots=True)
class Outcome:
    """One candidate for one task: what the product's checks and the oracle say."""

    text: str
    tokens: int
    finish: str  # the backend's finish reason
    parsed: bool  # the patched file has no new syntax error
    banned: bool  # a banned call or import is named in the body
    static_ok: bool  # the Verifier accepts it without running tests (what `fix` proposes)
    tested_ok: bool  # the Verifier accepts it with the test command as its [verify] command
    correct: bool  # the oracle (the project's own tests of the function) passes
    reasons: tuple[str, ...] = ()  # the Verifier's first reasons, for the record


@record(frozen=True, slots=True)
class HoleResult:
    task: HoleTask
    free: tuple[Outcome, ...]
    constrained: tuple[Outcome, ...]
    seconds: float  # everything, oracle runs included
    free_seconds: float = 0.0  # generation + static checks, free
    constrained_seconds: float = 0.0  # generation + static checks, constrained
    tests_seconds: float = 0.0  # the Verifier's test-command runs (mode d on top of c)


@record(frozen=True, slots=True)
class MechanismResult:
    """One layer-1 task: how many of k outputs satisfy the constraint, per mode."""

    domain: str
    check: str  # what "satisfied" means, in words
    k: int
    free_ok: int
    constrained_ok: int
    proposed: int  # constrained outputs the Verifier accepts (what `fix` would propose)
    proposed_ok: int  # of those, how many satisfy the constraint
    seconds: float
    examples: tuple[str, ...] = ()  # a failing free output and a constrained one, if any
