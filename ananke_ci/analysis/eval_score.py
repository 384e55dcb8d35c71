"""Scores of layer 2's modes from the per-candidate outcomes (pure).

Modes on the same holes and samples:
- free, constrained: every sample is a candidate; pass@k is the unbiased estimator over the
  n samples; the proposal (what would reach a pull request) is the first sample;
- verified (what `fix` proposes today): the first constrained candidate the Verifier
  accepts without tests, else no proposal; tested: the first it accepts with the test
  command. Their pass@k is the share of holes where the procedure run on the first k
  candidates proposes a fill that passes the oracle (k <= n; deterministic given the seeds).
Paired comparisons use, per hole, "the mode's proposal passes the oracle".
"""

from __future__ import annotations

from collections.abc import Sequence

from ananke_ci.analysis.eval_stats import PairedDifference, paired_difference, pass_at_k
from ananke_ci.core.evaluation import MODES, HoleResult, Outcome
from ananke_ci.core.records import record

PAIRS = (
    ("constrained", "free"),
    ("verified", "constrained"),
    ("tested", "verified"),
    ("tested", "free"),
)


@record(frozen=True, slots=True)
class ModeScore:
    mode: str
    holes: int
    pass_at: tuple[float, ...]  # pass@1 .. pass@n
    proposals: int  # holes with a proposal
    wrong: int  # proposals that fail the oracle
    unparsable: int  # proposals that do not parse
    banned: int  # proposals that name a banned call
    samples: int  # candidates generated for the mode
    parsed: int  # of those, how many parse
    banned_samples: int
    seconds: float  # mean per hole (generation + the checks the mode runs; no oracle)

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.proposals if self.proposals else 0.0


def _pool(result: HoleResult, mode: str) -> tuple[Outcome, ...]:
    return result.free if mode == "free" else result.constrained


def proposal(result: HoleResult, mode: str, k: int | None = None) -> Outcome | None:
    """What the mode would propose for the hole from its first k candidates."""
    pool = _pool(result, mode)[:k]
    if mode in ("free", "constrained"):
        return pool[0] if pool else None
    accepted = (o for o in pool if (o.static_ok if mode == "verified" else o.tested_ok))
    return next(accepted, None)


def _seconds(result: HoleResult, mode: str) -> float:
    if mode == "free":
        return result.free_seconds
    if mode == "tested":
        return result.constrained_seconds + result.tests_seconds
    return result.constrained_seconds


def score(results: Sequence[HoleResult], mode: str) -> ModeScore:
    n = min((len(_pool(r, mode)) for r in results), default=0)
    pass_at = []
    for k in range(1, n + 1):
        if mode in ("free", "constrained"):
            values = [pass_at_k(n, sum(o.correct for o in _pool(r, mode)[:n]), k) for r in results]
        else:
            values = [float(bool((p := proposal(r, mode, k)) and p.correct)) for r in results]
        pass_at.append(sum(values) / len(values) if values else 0.0)
    props = [p for r in results if (p := proposal(r, mode)) is not None]
    pool = [o for r in results for o in _pool(r, mode)]
    seconds = sum(_seconds(r, mode) for r in results) / len(results) if results else 0.0
    return ModeScore(
        mode,
        len(results),
        tuple(pass_at),
        len(props),
        sum(not p.correct for p in props),
        sum(not p.parsed for p in props),
        sum(p.banned for p in props),
        len(pool),
        sum(o.parsed for o in pool),
        sum(o.banned for o in pool),
        seconds,
    )


def scores(results: Sequence[HoleResult]) -> tuple[ModeScore, ...]:
    return tuple(score(results, m) for m in MODES)


def solved(result: HoleResult, mode: str) -> bool:
    p = proposal(result, mode)
    return p is not None and p.correct


def compare(results: Sequence[HoleResult], first: str, second: str) -> PairedDifference:
    """first - second in the share of holes whose proposal passes the oracle."""
    both = only_first = only_second = neither = 0
    for r in results:
        a, b = solved(r, first), solved(r, second)
        both += a and b
        only_first += a and not b
        only_second += b and not a
        neither += not a and not b
    return paired_difference(both, only_first, only_second, neither)
