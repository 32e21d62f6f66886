"""Interval functions on synthetic data with known answers: correlated series (batch means),
clustered samples (replication means), and shares (Wilson, widened for clustering)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal, stats

from drillsim.sim import intervals
from drillsim.sim.intervals import replication_means

TRIALS = 400
# a 95% interval that covers fewer times than this in TRIALS has odds below 1 in 1000
LEAST = stats.binom.ppf(0.001, TRIALS, 0.95)
MOST = stats.binom.isf(0.001, TRIALS, 0.95)


def ar1(rng: np.random.Generator, phi: float, n: int, mean: float) -> np.ndarray:
    """x[t] = phi * x[t-1] + e[t], started from its stationary distribution."""
    e = rng.normal(size=n)
    e[0] /= np.sqrt(1 - phi * phi)
    return mean + signal.lfilter([1.0], [1.0, -phi], e)


def covers(ci: intervals.Interval | None, value: float) -> bool:
    assert ci is not None
    return ci.low <= value <= ci.high


def test_batch_means_cover_the_mean_of_a_correlated_series():
    rng = np.random.default_rng(1)
    n = 4000  # AR(1) with phi 0.9: an integrated autocorrelation time of 19 observations
    batch = naive = 0
    for _ in range(TRIALS):
        x = ar1(rng, 0.9, n, mean=10.0)
        batch += covers(intervals.mean_interval(x, intervals.units(np.zeros(n), 1)), 10.0)
        naive += covers(intervals.mean_interval(x, np.arange(n)), 10.0)  # as if independent
    print(f"AR(1): batch means cover {batch}/{TRIALS}, as if independent {naive}/{TRIALS}")
    assert LEAST <= batch <= MOST, batch
    assert naive < 0.6 * TRIALS, naive  # the independent-incidents interval is far too narrow


def test_units_are_batches_of_consecutive_incidents_in_one_replication_else_replications():
    counts = np.bincount(intervals.units(np.zeros(45), 1))
    assert len(counts) == 20 and counts.min() == 2 and counts.max() == 3
    assert np.all(np.diff(intervals.units(np.zeros(45), 1)) >= 0)  # consecutive
    assert intervals.units(np.zeros(7), 1).tolist() == list(range(7))  # fewer than 20: one each
    reps = np.array([0, 0, 1, 1, 1, 2])
    assert intervals.units(reps, 3).tolist() == reps.tolist()
    assert intervals.method(1) == "batch means" and intervals.method(3) == "replication means"


def test_replication_means_cover_the_mean_of_clustered_incidents():
    """Replications of random length that share a random level: every incident weighs the
    same, and incidents of one replication are alike."""
    rng = np.random.default_rng(2)
    clustered = naive = 0
    for _ in range(TRIALS):
        sizes = rng.poisson(40, size=10)
        level = np.repeat(rng.normal(0, 3, size=10), sizes)
        x = 5.0 + level + rng.exponential(2, size=sizes.sum()) - 2
        reps = np.repeat(np.arange(10), sizes)
        clustered += covers(intervals.mean_interval(x, reps), 5.0)
        naive += covers(intervals.mean_interval(x, np.arange(len(x))), 5.0)
    print(f"clustered means: replication means cover {clustered}/{TRIALS}, "
          f"as if independent {naive}/{TRIALS}")
    assert LEAST <= clustered <= MOST, clustered
    assert naive < 0.6 * TRIALS, naive


@pytest.mark.parametrize(("met", "n"), [(0, 10), (11, 19), (19, 19), (218, 236), (1, 2)])
def test_independent_shares_get_the_wilson_score_interval(met, n):
    flags = np.arange(n) < met
    ci, effective = intervals.share_interval(flags, np.arange(n))
    reference = stats.binomtest(met, n).proportion_ci(0.95, method="wilson")
    assert (ci.low, ci.high) == pytest.approx((reference.low, reference.high), abs=1e-12)
    assert effective == n


def test_nineteen_incidents_give_a_wide_interval():
    ci, _ = intervals.share_interval(np.arange(19) < 11, intervals.units(np.zeros(19), 1))
    assert ci.high - ci.low > 0.4  # 58% of 19 could be anything from about a third to 3/4


def test_clustered_shares_are_widened_until_they_cover():
    """Replications whose odds of meeting a target differ (a busy quarter misses more): Wilson
    on incidents as if independent covers too rarely; the effective n fixes it."""
    rng = np.random.default_rng(3)
    truth = 0.7
    clustered = naive = 0
    for _ in range(TRIALS):
        sizes = rng.poisson(60, size=12)
        odds = rng.beta(truth * 8, (1 - truth) * 8, size=12)
        met = rng.random(sizes.sum()) < np.repeat(odds, sizes)
        reps = np.repeat(np.arange(12), sizes)
        ci, effective = intervals.share_interval(met, reps)
        clustered += ci.low <= truth <= ci.high
        assert effective < len(met)
        low, high = intervals.wilson(met.mean(), len(met))
        naive += low <= truth <= high
    print(f"clustered shares: effective-n Wilson covers {clustered}/{TRIALS}, "
          f"plain Wilson {naive}/{TRIALS}")
    assert LEAST <= clustered <= MOST, clustered
    assert naive < 0.8 * TRIALS, naive


def test_no_interval_without_two_units():
    assert intervals.mean_interval(np.array([3.0, 4.0]), np.array([0, 0])) is None
    assert intervals.mean_interval(np.array([]), np.array([])) is None
    ci = intervals.mean_interval(np.array([3.0, 3.0, 3.0]), np.arange(3))
    assert ci is not None and (ci.low, ci.high) == (3.0, 3.0)


def test_a_responders_load_interval_from_running_sums_is_students_t():
    # one responder paged 1, 2, 3, 4, 5 times in five replications; another never paged
    pages = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0], [4.0, 0.0], [5.0, 0.0]])
    mean, low, high = replication_means(pages.sum(axis=0), (pages**2).sum(axis=0), 5)
    assert mean[0] == 3.0 and low[0] == pytest.approx(1.036757, abs=1e-6)
    assert high[0] == pytest.approx(4.963243, abs=1e-6)  # as scipy.stats.t.interval gives
    assert (mean[1], low[1], high[1]) == (0.0, 0.0, 0.0)
    one = replication_means(pages[0], pages[0] ** 2, 1)
    assert list(one[0]) == [1.0, 0.0] and np.isnan(one[1]).all() and np.isnan(one[2]).all()

