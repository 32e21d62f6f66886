"""Paired differences between variants run on common random numbers.

Replication r of every variant sees the same incidents, detection and work draws, so the
difference variant - baseline in replication r is free of the luck both share. The mean of
those differences over replications has a Student t-interval on n - 1 degrees of freedom (n
replications in which both measured the metric); its verdict says which way it points, or that
this many replications cannot tell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from drillsim.sim.intervals import Interval, mean_interval
from drillsim.sim.scorecard import lower_is_better

if TYPE_CHECKING:
    import pandas as pd

BETTER, WORSE, SAME = "better", "worse", "no detectable difference"
TOO_FEW = "needs two or more replications"


@dataclass(frozen=True)
class Difference:
    """A variant's paired difference from the baseline in one column, over `n` replications."""

    variant: str
    column: str
    baseline: float
    value: float
    mean: float
    ci: Interval | None
    n: int

    @property
    def verdict(self) -> str:
        """better / worse (the interval excludes 0 on that side), no detectable difference at
        this number of replications, or why there is no verdict."""
        if self.ci is None:
            return TOO_FEW
        lower = lower_is_better(self.column)
        if lower is None or self.ci.low <= 0 <= self.ci.high:
            return SAME
        return BETTER if (self.ci.high < 0) == lower else WORSE


def paired_difference(baseline: np.ndarray, variant: np.ndarray, name: str,
                      column: str) -> Difference:
    """The paired difference of two columns aligned by replication (NaN where unmeasured)."""
    both = ~(np.isnan(baseline) | np.isnan(variant))
    delta = variant[both] - baseline[both]
    n = int(both.sum())
    if n == 0:
        return Difference(name, column, np.nan, np.nan, np.nan, None, 0)
    ci = mean_interval(delta, np.arange(n))
    if ci is not None and np.all(delta == delta[0]):  # no spread: the difference is exact
        ci = Interval(float(delta[0]), float(delta[0]), n)
    return Difference(name, column, float(baseline[both].mean()), float(variant[both].mean()),
                      float(delta.mean()), ci, n)


def differences(results: pd.DataFrame, baseline: str, columns: Sequence[str]) -> list[Difference]:
    """Every variant's paired difference from `baseline` in each of `columns`; `results` has one
    row per variant x replication (`variant`, `replication` and the columns)."""
    wide = results[["variant", "replication", *columns]].pivot(index="replication",
                                                               columns="variant")
    out = []
    for name in dict.fromkeys(results["variant"]):
        if name == baseline:
            continue
        for column in columns:
            out.append(paired_difference(wide[(column, baseline)].to_numpy(dtype=float),
                                         wide[(column, name)].to_numpy(dtype=float), name, column))
    return out
