"""Detectability: how many real incidents a team must observe, before and after a change,
to tell a given relative change in a duration (e.g. time to resolve 10% shorter) from noise,
and why the mean of heavy-tailed durations misleads.

A change is modelled as every duration scaled by (1 - change): the median moves by the same
factor as the mean. Two tests, each at a two-sided 5% level and 80% power, n incidents in each
group, both groups drawn from the simulated distribution (the second one scaled):
- the mean, by Welch's t-test; its normal approximation is
  n = (z_a + z_b)^2 (s^2 + (1 - c)^2 s^2) / (c m)^2 for mean m, standard deviation s;
- the median, by the Mann-Whitney rank test, which for a change that scales every duration
  tests the shift of the median; its normal approximation is Noether's
  n = (z_a + z_b)^2 / (6 (p - 1/2)^2), p the chance a scaled duration is the shorter.
The simulated n is the smallest at which the share of `trials` resampled pairs of groups that
the test tells apart reaches the power; each trial keeps its own draws as n grows, so the
power rises smoothly with n and the search is a bisection."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

ALPHA = 0.05
POWER = 0.80
TRIALS = 400
MAX_N = 100_000  # per group; beyond it the answer is "more than this"
CELLS = 4_000_000  # draws held at once (trials x n per group), to bound memory
Statistic = str  # "mean" or "median"


def _z() -> float:
    return NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)


def normal_n_mean(values: np.ndarray, change: float) -> int:
    """Incidents per group for Welch's t-test by the normal approximation."""
    m, s = float(np.mean(values)), float(np.std(values, ddof=1))
    return math.ceil(_z() ** 2 * (s**2 + ((1 - change) * s) ** 2) / (change * m) ** 2)


def shorter_chance(values: np.ndarray, change: float) -> float:
    """P(a scaled duration < an unscaled one), both drawn independently from `values`."""
    x = np.sort(values)
    scaled = x * (1 - change)
    below = np.searchsorted(x, scaled, side="right")  # unscaled at or below each scaled one
    ties = below - np.searchsorted(x, scaled, side="left")
    return float(np.mean((len(x) - below + ties / 2) / len(x)))


def normal_n_median(values: np.ndarray, change: float) -> int:
    """Incidents per group for the Mann-Whitney test by Noether's approximation."""
    p = shorter_chance(values, change)
    if p <= 0.5:
        return MAX_N + 1
    return math.ceil(_z() ** 2 / (6 * (p - 0.5) ** 2))


def _draws(values: np.ndarray, n: int, rows: range, seed: int, group: int) -> np.ndarray:
    """n resampled durations for each trial in `rows`; a trial's first n draws are the same
    whatever n is (its own stream), so power rises with n without resampling noise."""
    size = len(values)
    return np.stack([values[np.random.default_rng([seed, trial, group]).integers(0, size, n)]
                     for trial in rows])


def _detected(values: np.ndarray, change: float, n: int, statistic: Statistic, trials: int,
              seed: int) -> float:
    """The share of `trials` pairs of groups of n that the test tells apart at ALPHA."""
    from scipy import stats

    hits = 0
    chunk = max(1, CELLS // max(n, 1))
    for first in range(0, trials, chunk):
        rows = range(first, min(first + chunk, trials))
        a = _draws(values, n, rows, seed, 0)
        b = _draws(values, n, rows, seed, 1) * (1 - change)
        if statistic == "mean":
            p = stats.ttest_ind(a, b, axis=1, equal_var=False).pvalue
        else:
            p = stats.mannwhitneyu(a, b, axis=1, alternative="two-sided").pvalue
        hits += int(np.sum(np.nan_to_num(p, nan=1.0) < ALPHA))
    return hits / trials


def simulated_n(values: np.ndarray, change: float, statistic: Statistic, trials: int = TRIALS,
                seed: int = 0, guess: int = 8) -> int | None:
    """The smallest n per group whose simulated power reaches POWER, to within 1%, searched
    from `guess` (the normal approximation); None above MAX_N."""

    def enough(n: int) -> bool:
        return _detected(values, change, n, statistic, trials, seed) >= POWER

    hi = max(2, min(guess, MAX_N))
    if enough(hi):
        lo = hi
        while lo > 1 and enough(lo := max(1, lo * 2 // 3)):
            hi = lo
        if lo == hi:
            return hi
    else:
        lo = hi
        while not enough(hi := min(MAX_N, hi * 3 // 2 + 1)):
            if hi >= MAX_N:
                return None
            lo = hi
    while hi - lo > max(1, hi // 100):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if enough(mid) else (mid, hi)
    return hi


@dataclass(frozen=True)
class SampleSize:
    """Incidents per group to detect `change` in the mean and in the median."""

    change: float
    mean_normal: int
    mean_simulated: int | None
    median_normal: int
    median_simulated: int | None


@dataclass(frozen=True)
class Tail:
    """Why the mean misleads: the shape of the durations and how one quarter's figure moves
    between replications with nothing changed."""

    n: int
    never: int
    mean: float
    median: float
    skew: float
    top_decile_share: float  # of the summed durations, from the longest 10% of incidents
    per_replication: float  # incidents per replication, on average
    mean_spread: tuple[float, float]  # p5 and p95 of the replications' means
    median_spread: tuple[float, float]
    mean_cv: float  # the replications' means: standard deviation over mean
    median_cv: float
    typical_gap: float  # median |difference| of two replications' means, relative to the mean


def tail(values: np.ndarray, replication: np.ndarray, replications: int) -> Tail:
    """The shape of one severity's durations (NaN: never reached) over `replications`."""
    from scipy import stats

    present = ~np.isnan(values)
    x, rep = values[present], replication[present]
    ordered = np.sort(x)[::-1]
    top = ordered[: max(1, math.ceil(len(x) / 10))].sum() / ordered.sum() if ordered.sum() else 0
    means, medians = [], []
    for r in range(replications):
        own = x[rep == r]
        if len(own):
            means.append(own.mean())
            medians.append(float(np.median(own)))
    m, md = np.array(means), np.array(medians)
    gaps = np.abs(np.subtract.outer(m, m))[np.triu_indices(len(m), 1)] if len(m) > 1 else m[:0]

    def cv(v: np.ndarray) -> float:
        return float(v.std(ddof=1) / v.mean()) if len(v) > 1 and v.mean() else math.nan

    return Tail(len(x), int((~present).sum()), float(x.mean()), float(np.median(x)),
                float(stats.skew(x)) if len(x) > 2 else math.nan, float(top),
                len(x) / replications, (float(np.percentile(m, 5)), float(np.percentile(m, 95))),
                (float(np.percentile(md, 5)), float(np.percentile(md, 95))), cv(m), cv(md),
                float(np.median(gaps) / x.mean()) if len(gaps) else math.nan)


def sample_sizes(values: np.ndarray, changes: list[float], trials: int = TRIALS,
                 seed: int = 0) -> list[SampleSize]:
    """For each relative change, incidents per group by both methods, for mean and median."""
    x = values[~np.isnan(values)]
    out = []
    for c in changes:
        mean_n, median_n = normal_n_mean(x, c), normal_n_median(x, c)
        out.append(SampleSize(c, mean_n, simulated_n(x, c, "mean", trials, seed, mean_n),
                              median_n, simulated_n(x, c, "median", trials, seed, median_n)))
    return out
