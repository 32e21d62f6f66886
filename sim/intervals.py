"""Confidence intervals for means and shares of incidents that are not independent.

Incidents in one replication share responders: a long one delays the next, so neighbours are
alike, and an interval that treats them as independent is too narrow. These intervals treat
*units* as independent instead: whole replications when a run has several (independent by
construction), or, in a single replication, batches of consecutive incidents (batch means: long
batches are nearly independent of each other). Everything here is O(incidents).

A mean is the units' total over their count, every incident weighing the same, with a
linearised (cluster-robust) standard error and Student's t on units - 1 degrees of freedom. A
share is a Wilson score interval on an effective number of incidents: n over the design effect
the units show (never more than n), scaled for the degrees of freedom of that estimate, as Korn
and Graubard do for clustered surveys."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

LEVEL = 0.95
BATCHES = 20
REPLICATION_MEANS = "replication means"
BATCH_MEANS = "batch means"


@dataclass(frozen=True)
class Interval:
    """A 95% confidence interval, and how many independent units its width came from."""

    low: float
    high: float
    units: int


def method(replications: int) -> str:
    """What the units are for a run of this many replications."""
    return REPLICATION_MEANS if replications > 1 else BATCH_MEANS


def units(replication: np.ndarray, replications: int, batches: int = BATCHES) -> np.ndarray:
    """The unit of each observation, given in order of start: its replication when there are
    several, else its batch among `batches` runs of consecutive observations."""
    if replications > 1:
        return np.asarray(replication)
    n = len(replication)
    k = min(batches, n)
    return (np.arange(n) * k) // max(n, 1)


def _clustered(values: np.ndarray, unit: np.ndarray) -> tuple[float, float, int]:
    """Mean of all values, the variance of that mean from the spread of unit totals, units."""
    codes = np.unique(unit, return_inverse=True)[1]
    sums = np.bincount(codes, weights=values)
    counts = np.bincount(codes)
    k, n = len(sums), len(values)
    mean = float(sums.sum() / n)
    if k < 2:
        return mean, math.nan, k
    return mean, float(k / (k - 1) * np.sum((sums - mean * counts) ** 2) / n**2), k


def _t(df: int) -> float:
    """Student's t quantile; scipy.special has it without the second of importing scipy.stats."""
    from scipy.special import stdtrit

    return float(stdtrit(df, (1 + LEVEL) / 2))


def mean_interval(values: np.ndarray, unit: np.ndarray) -> Interval | None:
    """The t-interval of the mean of `values` (no NaN) over their units; None with fewer than
    two units, where the data cannot say how far the mean may be off."""
    if len(values) == 0:
        return None
    mean, variance, k = _clustered(np.asarray(values, dtype=float), unit)
    if k < 2:
        return None
    half = _t(k - 1) * math.sqrt(variance)
    return Interval(mean - half, mean + half, k)


def replication_means(total: np.ndarray, squares: np.ndarray,
                      n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and t-interval of per-replication figures from their running sums and sums of
    squares over n replications (elementwise): what a run keeps instead of every replication.
    The interval is NaN with fewer than two replications."""
    mean = total / max(n, 1)
    if n < 2:
        nan = np.full_like(mean, np.nan, dtype=float)
        return mean, nan, nan
    variance = np.maximum(squares - total * mean, 0.0) / (n - 1)  # rounding can dip below 0
    half = _t(n - 1) * np.sqrt(variance / n)
    return mean, mean - half, mean + half


def wilson(share: float, n: float) -> tuple[float, float]:
    """Wilson score interval of a share observed over n (possibly effective, fractional) trials."""
    z = NormalDist().inv_cdf((1 + LEVEL) / 2)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def share_interval(met: np.ndarray, unit: np.ndarray) -> tuple[Interval, float]:
    """The Wilson interval of the share of `met` (booleans) and the effective n it used. With
    one unit there is no spread to measure and n counts as independent trials."""
    n = len(met)
    share, variance, k = _clustered(np.asarray(met, dtype=float), unit)
    effective = float(n)
    if k > 1:
        if 0 < share < 1 and variance > 0:  # design effect against n - 1 independent trials
            effective = min(effective, n * share * (1 - share) / ((n - 1) * variance))
        effective *= (_t(n - 1) / _t(k - 1)) ** 2
    low, high = wilson(share, effective)
    return Interval(low, high, k), effective
