"""The statistics of `ananke-ci eval`: pass@k, an exact paired test, confidence intervals.

Pure functions of counts (no scipy):
- `pass_at_k(n, c, k)`: the unbiased estimator of Chen et al. (2021), 1 - C(n-c, k) / C(n, k):
  the chance that at least one of k samples drawn from n (c of them correct) is correct;
- `wilson(x, n)`: the Wilson score interval of a proportion;
- `mcnemar_exact(b, c)`: the two-sided exact McNemar test, a binomial(b + c, 1/2) test on the
  discordant pairs;
- `paired_difference(both, only_first, only_second, neither)`: the difference of two paired
  proportions with Newcombe's (1998) method 10 interval (Wilson intervals of each margin,
  combined with the phi correlation of the 2x2 table).
"""

from __future__ import annotations

from math import comb, sqrt

from ananke_ci.core.records import record

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples of which c pass (0 <= c <= n, 1 <= k <= n)."""
    if not (0 <= c <= n and 1 <= k <= n):
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n (n={n}, c={c}, k={k})")
    if n - c < k:
        return 1.0
    return 1.0 - float(comb(n - c, k) / comb(n, k))


def wilson(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for x successes in n trials ((0, 1) when n is 0)."""
    if not 0 <= x <= n:
        raise ValueError(f"need 0 <= x <= n (x={x}, n={n})")
    if n == 0:
        return 0.0, 1.0
    p = x / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - half) / denom), min(1.0, (centre + half) / denom)


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for b and c discordant pairs (1.0 when there are none)."""
    if b < 0 or c < 0:
        raise ValueError("discordant counts cannot be negative")
    n = b + c
    if n == 0:
        return 1.0
    tail = float(sum(comb(n, i) for i in range(min(b, c) + 1)) / 2**n)
    return min(1.0, 2 * tail)


@record(frozen=True, slots=True)
class PairedDifference:
    """first - second on the same items: the estimate, its 95% interval and the exact test."""

    n: int
    only_first: int  # discordant: the first succeeded, the second did not
    only_second: int
    difference: float
    low: float
    high: float
    p_value: float


def paired_difference(
    both: int, only_first: int, only_second: int, neither: int, z: float = Z95
) -> PairedDifference:
    """Newcombe's method 10 interval for p1 - p2 from a paired 2x2 table of counts."""
    n = both + only_first + only_second + neither
    p_value = mcnemar_exact(only_first, only_second)
    if n == 0:
        return PairedDifference(0, 0, 0, 0.0, -1.0, 1.0, p_value)
    x1, x2 = both + only_first, both + only_second
    p1, p2 = x1 / n, x2 / n
    l1, u1 = wilson(x1, n, z)
    l2, u2 = wilson(x2, n, z)
    margins = (
        (both + only_first)
        * (only_second + neither)
        * (both + only_second)
        * (only_first + neither)
    )
    phi = (both * neither - only_first * only_second) / sqrt(margins) if margins else 0.0
    diff = p1 - p2
    down = sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    up = sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return PairedDifference(
        n, only_first, only_second, diff, max(-1.0, diff - down), min(1.0, diff + up), p_value
    )
