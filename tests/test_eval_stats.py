"""The evaluation's statistics against values computed by hand."""

from __future__ import annotations

from math import comb, sqrt

import pytest

from ananke_ci.analysis.eval_stats import (
    Z95,
    mcnemar_exact,
    paired_difference,
    pass_at_k,
    wilson,
)


def test_pass_at_k_known_values() -> None:
    assert pass_at_k(3, 1, 1) == pytest.approx(1 / 3)
    assert pass_at_k(3, 1, 2) == pytest.approx(2 / 3)  # 1 - C(2,2)/C(3,2) = 1 - 1/3
    assert pass_at_k(10, 3, 5) == pytest.approx(1 - comb(7, 5) / comb(10, 5))  # 11/12
    assert pass_at_k(10, 3, 5) == pytest.approx(11 / 12)
    assert pass_at_k(5, 0, 3) == 0.0
    assert pass_at_k(5, 3, 3) == 1.0  # fewer wrong samples than draws: always one right
    with pytest.raises(ValueError):
        pass_at_k(2, 3, 1)
    with pytest.raises(ValueError):
        pass_at_k(2, 1, 3)


def test_wilson_known_values() -> None:
    # 0 of 10: upper bound z^2/(n+z^2) = 3.8415/13.8415
    assert wilson(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    assert wilson(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-5)
    assert wilson(10, 10) == pytest.approx((0.72247, 1.0), abs=1e-5)
    assert wilson(0, 0) == (0.0, 1.0)


def test_mcnemar_exact_known_values() -> None:
    assert mcnemar_exact(1, 9) == pytest.approx(2 * (1 + 10) / 1024)  # 0.021484375
    assert mcnemar_exact(0, 6) == pytest.approx(2 / 64)
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(9, 1) == mcnemar_exact(1, 9)


def test_newcombe_method_10_by_hand() -> None:
    # both 12, only the first 9, only the second 2, neither 21 (n = 44)
    res = paired_difference(12, 9, 2, 21)
    p1, p2 = 21 / 44, 14 / 44
    assert res.difference == pytest.approx(p1 - p2) == pytest.approx(7 / 44)

    def score_bounds(x: int, n: int) -> tuple[float, float]:
        # the roots of (p - x/n)^2 = z^2 p (1 - p) / n: the Wilson interval by its definition
        z2 = Z95 * Z95
        a, b, c = 1 + z2 / n, -(2 * x / n + z2 / n), (x / n) ** 2
        disc = sqrt(b * b - 4 * a * c)
        return (-b - disc) / (2 * a), (-b + disc) / (2 * a)

    l1, u1 = score_bounds(21, 44)
    l2, u2 = score_bounds(14, 44)
    phi = (12 * 21 - 9 * 2) / sqrt(21 * 23 * 14 * 30)
    low = p1 - p2 - sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = p1 - p2 + sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    assert (res.low, res.high) == pytest.approx((low, high))
    assert (res.low, res.high) == pytest.approx((0.0182, 0.2892), abs=1e-4)
    assert res.p_value == pytest.approx(2 * (1 + 11 + 55) / 2048)  # binomial(11, 1/2), <= 2


def test_newcombe_swapped_is_negated_and_covers_the_estimate() -> None:
    a = paired_difference(8, 5, 4, 9)
    b = paired_difference(8, 4, 5, 9)
    assert (b.difference, b.low, b.high) == pytest.approx((-a.difference, -a.high, -a.low))
    assert a.low < a.difference < a.high
    same = paired_difference(5, 0, 0, 5)  # no discordant pair
    # phi = 1: the method gives the zero-width interval at 0 (a known property of method 10)
    assert same.difference == 0.0 and same.p_value == 1.0 and same.low <= 0 <= same.high
    empty = paired_difference(0, 0, 0, 0)
    assert (empty.low, empty.high) == (-1.0, 1.0)
