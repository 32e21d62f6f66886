"""Detectability against closed forms: for exponential and normal durations the simulated
sample size agrees with the normal approximation, which is checked by hand; Noether's n for
the rank test uses P(shorter) = 1/(1 + a) for exponential durations scaled by a."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drillsim.sim.power import (
    normal_n_mean,
    normal_n_median,
    shorter_chance,
    simulated_n,
    tail,
)

Z2 = (1.959964 + 0.841621) ** 2  # (z_0.975 + z_0.80)^2 = 7.8489


def exponential(mean: float, n: int = 200_000) -> np.ndarray:
    """Evenly spaced quantiles of an exponential: mean and spread as exact as n allows."""
    return -mean * np.log1p(-(np.arange(n) + 0.5) / n)


def normal(mean: float, sd: float, n: int = 200_000) -> np.ndarray:
    from scipy import stats

    return stats.norm.ppf((np.arange(n) + 0.5) / n, mean, sd)


@pytest.mark.parametrize(("change", "by_hand"), [(0.25, 197), (0.10, 1421)])
def test_mean_of_exponential_durations(change: float, by_hand: int):
    # s = m: n = Z2 (1 + (1 - c)^2) / c^2 -> 196.2 and 1420.6
    assert math.ceil(Z2 * (1 + (1 - change) ** 2) / change**2) == by_hand
    x = exponential(60.0)
    assert abs(normal_n_mean(x, change) - by_hand) <= 1  # the quantile grid's sd is 0.3% short
    simulated = simulated_n(x, change, "mean", trials=600, seed=3, guess=by_hand)
    assert simulated is not None and abs(simulated / by_hand - 1) < 0.10


def test_mean_of_normal_durations():
    # m = 100, s = 20, 10% shorter: Z2 (400 + 324) / 100 = 56.8
    x = normal(100.0, 20.0)
    assert normal_n_mean(x, 0.10) == 57
    simulated = simulated_n(x, 0.10, "mean", trials=600, seed=3, guess=57)
    assert simulated is not None and abs(simulated / 57 - 1) < 0.10


def test_median_of_exponential_durations_by_the_rank_test():
    x = exponential(60.0)
    assert shorter_chance(x, 0.25) == pytest.approx(1 / 1.75, abs=1e-3)  # 0.5714
    by_hand = math.ceil(Z2 / (6 * (1 / 1.75 - 0.5) ** 2))  # 256.4 -> 257
    assert abs(normal_n_median(x, 0.25) - by_hand) <= 1
    simulated = simulated_n(x, 0.25, "median", trials=600, seed=3, guess=by_hand)
    assert simulated is not None and abs(simulated / by_hand - 1) < 0.10


def test_a_change_nobody_could_see_is_more_than_the_cap():
    x = exponential(60.0, 1000)
    assert normal_n_median(x, 0.0001) > 100_000 or normal_n_mean(x, 0.0001) > 100_000


def test_tail_of_a_known_sample():
    # two replications: 1, 2, 3, 4, 90 and 1, 2, 3, 4, 10 minutes, one never resolved
    values = np.array([1, 2, 3, 4, 90, 1, 2, 3, 4, 10, np.nan], dtype=float)
    rep = np.array([0] * 5 + [1] * 6)
    t = tail(values, rep, 2)
    assert (t.n, t.never, t.median, t.per_replication) == (10, 1, 3.0, 5.0)
    assert t.mean == 12.0
    assert t.top_decile_share == pytest.approx(90 / 120)  # the longest 1 of 10 incidents
    assert t.mean_spread == pytest.approx((4 + 0.05 * 16, 4 + 0.95 * 16))  # means 4 and 20
    assert t.median_spread == (3.0, 3.0) and t.median_cv == 0
    assert t.typical_gap == pytest.approx(16 / 12)
